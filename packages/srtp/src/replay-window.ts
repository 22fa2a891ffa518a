/**
 * The replay list of RFC 3711 §3.3.2 as a sliding window bitmap: the highest index accepted so
 * far, and one bit for each of the `size` indexes at and below it. A bit ring (bit k mod size
 * for index k) means advancing the window clears only the bits it passes over, never shifts.
 */

import { SrtpConfigError } from './errors.js';

/** RFC 3711 §3.3.2: the window SHOULD be at least 64; anything past this is memory, not safety. */
export const MIN_REPLAY_WINDOW = 64;
export const MAX_REPLAY_WINDOW = 32768;

/** Throws `SrtpConfigError` unless `size` is a window size this class accepts. */
export function checkReplayWindowSize(size: number): void {
  if (!Number.isInteger(size) || size < MIN_REPLAY_WINDOW || size > MAX_REPLAY_WINDOW) {
    throw new SrtpConfigError(
      `replay window must be an integer from ${MIN_REPLAY_WINDOW} to ${MAX_REPLAY_WINDOW}, got ${size}`,
    );
  }
}

/** What `check` says of an index. */
export enum ReplayVerdict {
  Fresh = 0,
  Replayed = 1,
  TooOld = 2,
}

export class ReplayWindow {
  /** Indexes covered, a multiple of 32. */
  readonly size: number;
  private readonly bits: Uint32Array;
  /** Highest index accepted; -1 before the first. */
  private top = -1;

  constructor(size: number) {
    checkReplayWindowSize(size);
    this.size = Math.ceil(size / 32) * 32;
    this.bits = new Uint32Array(this.size / 32);
  }

  /** Whether `index` may be accepted; changes nothing (auth has not been checked yet). */
  check(index: number): ReplayVerdict {
    if (index > this.top) return ReplayVerdict.Fresh;
    if (this.top - index >= this.size) return ReplayVerdict.TooOld;
    const bit = index % this.size;
    return ((this.bits[bit >>> 5] as number) >>> (bit & 31)) & 1
      ? ReplayVerdict.Replayed
      : ReplayVerdict.Fresh;
  }

  /** Records `index` as received; call only after the packet authenticated. */
  accept(index: number): void {
    if (index > this.top) {
      const advance = index - this.top;
      if (this.top < 0 || advance >= this.size) {
        this.bits.fill(0);
      } else {
        for (let k = this.top + 1; k < index; k++) this.clear(k % this.size);
      }
      this.top = index;
    }
    const bit = index % this.size;
    this.bits[bit >>> 5] = (this.bits[bit >>> 5] as number) | (1 << (bit & 31));
  }

  private clear(bit: number): void {
    this.bits[bit >>> 5] = (this.bits[bit >>> 5] as number) & ~(1 << (bit & 31));
  }
}
