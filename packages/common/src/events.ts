/**
 * A small typed listener helper for use inside packages. (The W3C layer uses `EventTarget`, as
 * browsers do; this is for the plain interfaces between protocol layers.)
 *
 * `Events` maps each event name to its listener signature:
 *
 *     const events = new Emitter<{ datagram: (data: Uint8Array, from: SocketAddress) => void }>();
 *     const off = events.on('datagram', (data, from) => { ... });
 *     events.emit('datagram', bytes, address);
 *
 * A listener that throws does not stop the others; the error goes to the `onListenerError`
 * hook (by default re-thrown asynchronously, so it surfaces as an uncaught exception rather than
 * corrupting the emitting state machine mid-update).
 */

/**
 * The constraint on an event map: every member a listener. Written as a mapped type over the map
 * itself so that interfaces (which have no index signature) qualify.
 */
// biome-ignore lint/suspicious/noExplicitAny: listener signatures are supplied by the caller's map.
export type EventMap<Events> = { [K in keyof Events]: (...args: any[]) => void };

type Listener<Events> = Events[keyof Events];

export class Emitter<Events extends EventMap<Events>> {
  // Listener arrays are replaced, never mutated, so an emit in progress is unaffected by
  // listeners added or removed during it, and emit never copies the list.
  readonly #listeners = new Map<keyof Events, readonly Listener<Events>[]>();
  /** `once` wrappers → the listener they wrap, so `off(listener)` finds the wrapper. */
  readonly #onceOriginals = new WeakMap<Listener<Events>, Listener<Events>>();

  /** Called with an error a listener threw. */
  onListenerError: (error: unknown) => void = (error) => {
    queueMicrotask(() => {
      throw error;
    });
  };

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof Events>(event: K, listener: Events[K]): () => void {
    this.#listeners.set(event, [...(this.#listeners.get(event) ?? []), listener]);
    return () => this.off(event, listener);
  }

  /** Adds a listener that is removed after its first call (or by `off` with the same listener). */
  once<K extends keyof Events>(event: K, listener: Events[K]): () => void {
    const wrapper = ((...args: Parameters<Events[K]>) => {
      this.#remove(event, wrapper);
      listener(...args);
    }) as Events[K];
    this.#onceOriginals.set(wrapper, listener);
    return this.on(event, wrapper);
  }

  off<K extends keyof Events>(event: K, listener: Events[K]): void {
    const current = this.#listeners.get(event);
    if (current === undefined) return;
    if (current.includes(listener)) {
      this.#remove(event, listener);
      return;
    }
    const wrapper = current.find((candidate) => this.#onceOriginals.get(candidate) === listener);
    if (wrapper !== undefined) this.#remove(event, wrapper);
  }

  listenerCount<K extends keyof Events>(event: K): number {
    return this.#listeners.get(event)?.length ?? 0;
  }

  emit<K extends keyof Events>(event: K, ...args: Parameters<Events[K]>): void {
    const current = this.#listeners.get(event);
    if (current === undefined) return;
    for (const listener of current) {
      try {
        listener(...args);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  removeAllListeners(): void {
    this.#listeners.clear();
  }

  #remove(event: keyof Events, listener: Listener<Events>): void {
    const current = this.#listeners.get(event);
    if (current === undefined) return;
    const index = current.indexOf(listener);
    if (index < 0) return;
    if (current.length === 1) {
      this.#listeners.delete(event);
      return;
    }
    const next = current.slice();
    next.splice(index, 1);
    this.#listeners.set(event, next);
  }
}
