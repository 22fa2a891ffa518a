/**
 * The input side of the incremental container readers: bytes pushed in arbitrary chunks,
 * consumed from the front once a whole frame or page is present.
 *
 * Views handed out by `peek()` stay valid forever: bytes before the read position are never
 * written again, because appends go after the write position and a compaction moves the unread
 * bytes into a fresh buffer rather than within the old one. So a parsed frame can alias the
 * queue's storage (zero-copy, DESIGN.md principle 4) and still survive later pushes.
 */

const MIN_CAPACITY = 4096;

export class ByteQueue {
  #buf: Uint8Array = new Uint8Array(0);
  #start = 0;
  #end = 0;
  /** Absolute input offset of `#start`, for error offsets. */
  #position = 0;

  /** Unread bytes. */
  get length(): number {
    return this.#end - this.#start;
  }

  /** Offset in the whole input of the first unread byte. */
  get position(): number {
    return this.#position;
  }

  /** Appends a copy of `chunk`, so the caller may reuse its buffer. */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.#buf.length - this.#end < chunk.length) {
      const unread = this.#end - this.#start;
      const next = new Uint8Array(Math.max(MIN_CAPACITY, 2 * (unread + chunk.length)));
      next.set(this.#buf.subarray(this.#start, this.#end));
      this.#buf = next;
      this.#start = 0;
      this.#end = unread;
    }
    this.#buf.set(chunk, this.#end);
    this.#end += chunk.length;
  }

  /**
   * Takes `bytes` as the whole remaining input without copying, when the queue is empty: the
   * whole-buffer readers use it. The queue never writes into adopted bytes (it is full, so a
   * later push reallocates).
   */
  adopt(bytes: Uint8Array): void {
    if (this.length > 0) {
      this.push(bytes);
      return;
    }
    this.#buf = bytes;
    this.#start = 0;
    this.#end = bytes.length;
  }

  /** The unread bytes as one view (which later pushes never overwrite, but do not extend). */
  peek(): Uint8Array {
    return this.#buf.subarray(this.#start, this.#end);
  }

  consume(n: number): void {
    this.#start += n;
    this.#position += n;
  }
}
