/**
 * HTML event handler attributes (`onfoo`) over EventTarget: setting one adds a single listener
 * that calls the current handler, so `onfoo` and `addEventListener('foo')` listeners run in the
 * order they were registered, as in a browser.
 */

export type EventHandler<E extends Event = Event> = ((event: E) => unknown) | null;

export class EventHandlers {
  readonly #target: EventTarget;
  readonly #handlers = new Map<string, (event: Event) => unknown>();
  /** Types whose one listener is installed (it stays, calling whatever handler is current). */
  readonly #installed = new Set<string>();

  constructor(target: EventTarget) {
    this.#target = target;
  }

  get<E extends Event>(type: string): EventHandler<E> {
    return (this.#handlers.get(type) ?? null) as EventHandler<E>;
  }

  set<E extends Event>(type: string, handler: EventHandler<E>): void {
    if (handler === null) {
      this.#handlers.delete(type);
      return;
    }
    this.#handlers.set(type, handler as (event: Event) => unknown);
    if (!this.#installed.has(type)) {
      this.#installed.add(type);
      this.#target.addEventListener(type, (event) => {
        this.#handlers.get(type)?.call(this.#target, event);
      });
    }
  }
}
