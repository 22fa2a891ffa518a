/**
 * A channel's `bufferedAmount` (W3C WebRTC §6.2): the bytes of application data `send()`
 * accepted that have not yet been handed to the network. It grows synchronously in `send()` and
 * shrinks as the association reports how much of the stream it still queues.
 *
 * The association's count also holds bytes the application did not send: DCEP messages and the
 * one byte an empty message travels as (RFC 8831 §6.6). Those are remembered by their position
 * in the stream's byte sequence (the stream's queue is first in, first out), so the part of a
 * drained range that was overhead is not subtracted from the application's count.
 */

export class BufferedAmount {
  #value = 0;
  /** Bytes handed to the transport on this stream so far, and how many of them have left it. */
  #handed = 0;
  #drained = 0;
  /** Overhead byte ranges not yet drained, oldest first: [start, end) in the handed sequence. */
  #overheadStarts: number[] = [];
  #overheadEnds: number[] = [];
  #overheadHead = 0;

  get value(): number {
    return this.#value;
  }

  /** `send()` accepted a message of `bytes` (W3C: bufferedAmount grows at once). */
  add(bytes: number): void {
    this.#value += bytes;
  }

  /** `transportBytes` went to the transport, of which `userBytes` were counted by `add`. */
  handOver(transportBytes: number, userBytes: number): void {
    const start = this.#handed;
    this.#handed += transportBytes;
    if (transportBytes > userBytes) {
      this.#overheadStarts.push(start + userBytes);
      this.#overheadEnds.push(this.#handed);
    }
  }

  /**
   * The association still queues `queued` bytes of the stream. More than was handed over means
   * bytes of an earlier channel on the same stream id, which do not concern this one.
   */
  update(queued: number): void {
    const drained = Math.max(this.#drained, this.#handed - queued);
    let overhead = 0;
    while (this.#overheadHead < this.#overheadStarts.length) {
      const start = this.#overheadStarts[this.#overheadHead] as number;
      const end = this.#overheadEnds[this.#overheadHead] as number;
      if (start >= drained) break;
      overhead += Math.min(end, drained) - Math.max(start, this.#drained);
      if (end > drained) break;
      this.#overheadHead++;
    }
    this.#value = Math.max(0, this.#value - (drained - this.#drained - overhead));
    this.#drained = drained;
    this.#compact();
  }

  /** Drops consumed entries once they are the larger part of the arrays. */
  #compact(): void {
    const head = this.#overheadHead;
    if (head < 64 || head * 2 < this.#overheadStarts.length) return;
    this.#overheadStarts = this.#overheadStarts.slice(head);
    this.#overheadEnds = this.#overheadEnds.slice(head);
    this.#overheadHead = 0;
  }
}
