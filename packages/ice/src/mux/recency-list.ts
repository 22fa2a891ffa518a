/**
 * A doubly linked list kept in order of last use, oldest first: what the mux's bindings need to
 * find the least recently used one (to evict it, or to see when the next expires) in O(1), and
 * to mark one used on every routed datagram without allocating or hashing.
 */

/** One entry; it belongs to at most one list at a time. */
export class RecencyNode<T> {
  /** The entry used just before this one; undefined for the oldest. */
  older: RecencyNode<T> | undefined;
  /** The entry used just after this one; undefined for the newest. */
  newer: RecencyNode<T> | undefined;
  list: RecencyList<T> | undefined;

  constructor(readonly value: T) {}
}

export class RecencyList<T> {
  #oldest: RecencyNode<T> | undefined;
  #newest: RecencyNode<T> | undefined;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** The least recently used value, or undefined when the list is empty. */
  oldest(): T | undefined {
    return this.#oldest?.value;
  }

  /** Adds `node` as the most recently used (moving it there if it is already in this list). */
  append(node: RecencyNode<T>): void {
    if (node.list !== undefined) node.list.remove(node);
    node.list = this;
    node.older = this.#newest;
    node.newer = undefined;
    if (this.#newest === undefined) this.#oldest = node;
    else this.#newest.newer = node;
    this.#newest = node;
    this.#size++;
  }

  /** Marks `node`, which must be in this list, as the most recently used. */
  touch(node: RecencyNode<T>): void {
    if (node === this.#newest) return;
    this.#unlink(node);
    node.older = this.#newest;
    node.newer = undefined;
    (this.#newest as RecencyNode<T>).newer = node;
    this.#newest = node;
  }

  /** Takes `node` out of this list; does nothing if it is not in it. */
  remove(node: RecencyNode<T>): void {
    if (node.list !== this) return;
    this.#unlink(node);
    node.older = undefined;
    node.newer = undefined;
    node.list = undefined;
    this.#size--;
  }

  #unlink(node: RecencyNode<T>): void {
    if (node.older === undefined) this.#oldest = node.newer;
    else node.older.newer = node.newer;
    if (node.newer === undefined) this.#newest = node.older;
    else node.newer.older = node.older;
  }
}
