/**
 * The TSNs received from the peer (RFC 9260 §6.2): the cumulative TSN ack point — every TSN up
 * to it received or skipped by FORWARD-TSN — and a bitmap of those received beyond it, from
 * which the SACK's gap ack blocks are read (RFC 9260 §3.3.4).
 *
 * The bitmap is a ring of 2^16 bits indexed by the TSN's low 16 bits, allocated once (8 KiB):
 * nothing is allocated per TSN. Only TSNs 1 .. 65535 ahead of the cumulative point are held,
 * because a gap ack block's offsets are 16-bit; the one 65536 ahead would share the cumulative
 * point's bit. As the cumulative point moves, the bits it passes are cleared, so the ring is
 * clean when those positions come round again.
 */

import { tsnAdd, tsnDiff, tsnLessThan } from '../../packet/tsn.js';

/** The farthest a TSN may be ahead of the cumulative point and still be held (16-bit offsets). */
export const MAX_TSN_AHEAD = 0xffff;

const RING_BITS = 0x1_0000;
const RING_MASK = RING_BITS - 1;

/** Index of the lowest set bit of a non-zero 32-bit word. */
function lowestSetBit(word: number): number {
  return 31 - Math.clz32(word & -word);
}

export class ReceivedTsnSet {
  #cumulative: number;
  /** Highest TSN received or skipped; the cumulative point when nothing is held beyond it. */
  #highest: number;
  readonly #bits = new Uint32Array(RING_BITS / 32);

  /** `initialTsn` is the peer's Initial TSN (RFC 9260 §5.1): the point starts one before it. */
  constructor(initialTsn: number) {
    this.#cumulative = tsnAdd(initialTsn, -1);
    this.#highest = this.#cumulative;
  }

  get cumulative(): number {
    return this.#cumulative;
  }

  /** True when `tsn` was received or skipped: at or below the cumulative point, or held beyond it. */
  has(tsn: number): boolean {
    const ahead = tsnDiff(this.#cumulative, tsn);
    if (ahead <= 0) return true;
    return ahead <= MAX_TSN_AHEAD && this.#bit(tsn);
  }

  /**
   * Records `tsn`, which must be 1 .. MAX_TSN_AHEAD ahead of the cumulative point and not yet
   * received, and moves the cumulative point over every TSN now received in a row.
   */
  add(tsn: number): void {
    const index = tsn & RING_MASK;
    const word = index >>> 5;
    this.#bits[word] = (this.#bits[word] as number) | (1 << (index & 31));
    if (tsnLessThan(this.#highest, tsn)) this.#highest = tsn;
    this.#advanceOverReceived();
  }

  /**
   * FORWARD-TSN (RFC 3758 §3.6): the cumulative point moves to `newCumulative` (nothing when that
   * is not ahead of it), then on over the TSNs already received after it.
   */
  advanceTo(newCumulative: number): void {
    const distance = tsnDiff(this.#cumulative, newCumulative);
    if (distance <= 0) return;
    if (distance >= MAX_TSN_AHEAD) {
      // Every held TSN is at most MAX_TSN_AHEAD ahead of the old point, so none stays ahead.
      this.#bits.fill(0);
    } else {
      for (let tsn = tsnAdd(this.#cumulative, 1); tsn !== newCumulative; tsn = tsnAdd(tsn, 1)) {
        this.#clear(tsn);
      }
      this.#clear(newCumulative);
    }
    this.#cumulative = newCumulative;
    if (tsnLessThan(this.#highest, newCumulative)) this.#highest = newCumulative;
    this.#advanceOverReceived();
  }

  /**
   * Writes the gap ack blocks (RFC 9260 §3.3.4) — runs of received TSNs beyond the cumulative
   * point, as start and end offsets from it — lowest first, at most `max` of them, into
   * `starts` and `ends`; returns how many. Entries past the count are left as they were.
   */
  gapBlocks(starts: number[], ends: number[], max: number): number {
    const last = tsnDiff(this.#cumulative, this.#highest);
    let count = 0;
    // Offset 1 is never set: the cumulative point would have moved over it.
    let offset = 2;
    while (count < max) {
      offset = this.#nextOffset(offset, last, true);
      if (offset > last) break;
      const start = offset;
      offset = this.#nextOffset(offset, last, false);
      starts[count] = start;
      ends[count] = offset - 1;
      count++;
    }
    return count;
  }

  /**
   * The first offset from `from` on (at most `last + 1`) whose bit is set (`set`) or clear;
   * skips whole 32-bit words, so a SACK costs at most 2048 word reads.
   */
  #nextOffset(from: number, last: number, set: boolean): number {
    let offset = from;
    while (offset <= last) {
      const index = (this.#cumulative + offset) & RING_MASK;
      const word = this.#bits[index >>> 5] as number;
      const shift = index & 31;
      // `>>>` shifts zeros in at the top: they read as "no match" for either search.
      const matches = (set ? word : ~word) >>> shift;
      if (matches !== 0) return Math.min(offset + lowestSetBit(matches), last + 1);
      offset += 32 - shift;
    }
    return last + 1;
  }

  #advanceOverReceived(): void {
    let next = tsnAdd(this.#cumulative, 1);
    while (this.#bit(next)) {
      this.#clear(next);
      this.#cumulative = next;
      next = tsnAdd(next, 1);
    }
  }

  #bit(tsn: number): boolean {
    const index = tsn & RING_MASK;
    return (((this.#bits[index >>> 5] as number) >>> (index & 31)) & 1) === 1;
  }

  #clear(tsn: number): void {
    const index = tsn & RING_MASK;
    const word = index >>> 5;
    this.#bits[word] = (this.#bits[word] as number) & ~(1 << (index & 31));
  }
}
