/**
 * An earliest-deadline-first queue of keyed deadlines.
 *
 * Sans-I/O cores keep several timers (retransmission, keepalive, consent, delayed ACK...). They
 * store each as a key here, answer `pollTimeout()` with `earliest()`, and on `handleTimeout(now)`
 * take the due keys with `popDue(now)`. Setting a key again moves it; nothing goes stale, so a
 * timer re-armed on every packet does not grow the queue. Ties fire in insertion order, which
 * keeps simulated runs deterministic.
 */

interface Entry<K> {
  key: K;
  at: number;
  /** Insertion order, to break ties between equal deadlines. */
  seq: number;
  /** Position in the heap array, kept current so a key can be moved or removed in O(log n). */
  index: number;
}

export class DeadlineQueue<K> {
  readonly #heap: Entry<K>[] = [];
  readonly #byKey = new Map<K, Entry<K>>();
  #nextSeq = 0;

  get size(): number {
    return this.#heap.length;
  }

  /** Arms `key` to fire at `at` (ms), replacing any deadline it had. */
  set(key: K, at: number): void {
    const existing = this.#byKey.get(key);
    if (existing !== undefined) {
      const earlier = at < existing.at;
      existing.at = at;
      existing.seq = this.#nextSeq++;
      if (earlier) this.#siftUp(existing.index);
      else this.#siftDown(existing.index);
      return;
    }
    const entry: Entry<K> = { key, at, seq: this.#nextSeq++, index: this.#heap.length };
    this.#heap.push(entry);
    this.#byKey.set(key, entry);
    this.#siftUp(entry.index);
  }

  /** The deadline of `key`, or undefined when it is not armed. */
  get(key: K): number | undefined {
    return this.#byKey.get(key)?.at;
  }

  has(key: K): boolean {
    return this.#byKey.has(key);
  }

  /** Disarms `key`; returns whether it was armed. */
  delete(key: K): boolean {
    const entry = this.#byKey.get(key);
    if (entry === undefined) return false;
    this.#byKey.delete(key);
    this.#removeAt(entry.index);
    return true;
  }

  /** The earliest deadline, or undefined when nothing is armed: the answer to `pollTimeout()`. */
  earliest(): number | undefined {
    return this.#heap[0]?.at;
  }

  /** The key with the earliest deadline, without removing it. */
  peek(): K | undefined {
    return this.#heap[0]?.key;
  }

  /** Removes and returns the earliest key if its deadline is at or before `now`. */
  popDue(now: number): K | undefined {
    const top = this.#heap[0];
    if (top === undefined || top.at > now) return undefined;
    this.#byKey.delete(top.key);
    this.#removeAt(0);
    return top.key;
  }

  clear(): void {
    this.#heap.length = 0;
    this.#byKey.clear();
  }

  #removeAt(index: number): void {
    const last = this.#heap.pop();
    if (last === undefined || index === this.#heap.length) return;
    this.#heap[index] = last;
    last.index = index;
    this.#siftDown(index);
    this.#siftUp(last.index);
  }

  #before(a: Entry<K>, b: Entry<K>): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  #siftUp(index: number): void {
    const heap = this.#heap;
    const entry = heap[index] as Entry<K>;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex] as Entry<K>;
      if (!this.#before(entry, parent)) break;
      heap[index] = parent;
      parent.index = index;
      index = parentIndex;
    }
    heap[index] = entry;
    entry.index = index;
  }

  #siftDown(index: number): void {
    const heap = this.#heap;
    const length = heap.length;
    const entry = heap[index] as Entry<K>;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      let child = left;
      if (right < length && this.#before(heap[right] as Entry<K>, heap[left] as Entry<K>)) {
        child = right;
      }
      const childEntry = heap[child] as Entry<K>;
      if (!this.#before(childEntry, entry)) break;
      heap[index] = childEntry;
      childEntry.index = index;
      index = child;
    }
    heap[index] = entry;
    entry.index = index;
  }
}
