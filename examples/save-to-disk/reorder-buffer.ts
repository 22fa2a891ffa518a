/**
 * Puts RTP packets back in sequence-number order before the frame assembler sees them, waiting
 * a little for the ones that are missing.
 *
 * Why it is needed in front of `FrameAssembler`: the assembler emits frames in order and drops
 * every earlier unfinished frame as soon as a later one completes. A packet that arrives after
 * the next frame (reordered on the network, or lost and then retransmitted after the stack's
 * NACK, RFC 4585 §6.2.1) would find its frame already dropped. Held here for up to `delayMs`,
 * it arrives at the assembler in its place instead; a packet still missing after that is given
 * up on, and the assembler sees the gap.
 */

import { SequenceUnwrapper } from '@typertc/rtp-rtcp';

export interface SequencedPacket {
  readonly sequenceNumber: number;
}

export class ReorderBuffer<T extends SequencedPacket> {
  readonly #delayMs: number;
  readonly #capacity: number;
  readonly #unwrapper = new SequenceUnwrapper();
  /** Packets waiting, by extended sequence number (RFC 3550 Appendix A.1), with arrival time. */
  readonly #held = new Map<number, { packet: T; arrivedAt: number }>();
  /** The extended sequence number released next; undefined before the first packet. */
  #next: number | undefined;
  /** Sequence numbers given up on. */
  skipped = 0;
  /** Packets that came after their place was released or given up on (dropped). */
  late = 0;

  /** `delayMs`: how long a gap is waited for; `capacity`: packets held at most. */
  constructor(delayMs: number, capacity = 1024) {
    this.#delayMs = delayMs;
    this.#capacity = capacity;
  }

  /** Takes a packet arriving at `now` (ms); returns the packets now released, in order. */
  push(packet: T, now: number): T[] {
    const sequence = this.#unwrapper.unwrap(packet.sequenceNumber & 0xffff);
    this.#next ??= sequence;
    if (sequence < this.#next || this.#held.has(sequence)) {
      this.late++;
      return [];
    }
    this.#held.set(sequence, { packet, arrivedAt: now });
    return this.#release(now, false);
  }

  /** Everything still held, in order, skipping the gaps (the stream has ended). */
  drain(): T[] {
    return this.#release(Number.POSITIVE_INFINITY, true);
  }

  #release(now: number, all: boolean): T[] {
    const out: T[] = [];
    while (this.#held.size > 0 && this.#next !== undefined) {
      const held = this.#held.get(this.#next);
      if (held !== undefined) {
        out.push(held.packet);
        this.#held.delete(this.#next);
        this.#next++;
        continue;
      }
      // A gap: the oldest packet after it says how long it has been waited for.
      let first = Number.POSITIVE_INFINITY;
      for (const sequence of this.#held.keys()) first = Math.min(first, sequence);
      const waited = now - (this.#held.get(first)?.arrivedAt ?? now);
      if (!all && waited < this.#delayMs && this.#held.size < this.#capacity) break;
      this.skipped += first - this.#next;
      this.#next = first;
    }
    return out;
  }
}
