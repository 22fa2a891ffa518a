/**
 * A first-in first-out queue for what the association hands out (packets, events). `shift()`
 * on an array moves every element each call, and one batch of input can queue thousands of
 * events; this reads at a head index and compacts once the read part dominates.
 */

export class Fifo<T> {
  readonly #items: T[] = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  shift(): T | undefined {
    const items = this.#items;
    const item = items[this.#head];
    if (item === undefined) return undefined;
    const next = this.#head + 1;
    if (next === items.length) {
      items.length = 0;
      this.#head = 0;
    } else if (next >= 1024 && next * 2 >= items.length) {
      items.splice(0, next);
      this.#head = 0;
    } else {
      this.#head = next;
    }
    return item;
  }

  clear(): void {
    this.#items.length = 0;
    this.#head = 0;
  }
}
