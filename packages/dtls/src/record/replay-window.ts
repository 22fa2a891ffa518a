/**
 * Anti-replay for one epoch (RFC 6347 §4.1.2.6): a sliding window over the 48-bit record
 * sequence numbers, whose right edge is the highest number accepted so far. A record left of the
 * window, or one inside it that was already received, is a replay and is discarded silently.
 *
 * The window is the minimum the RFC asks for, 64 records (RFC 6347 §4.1.2.6, after RFC 4303
 * §3.4.3), held as a 64-bit bitmap in two 32-bit numbers — no array, nothing allocated per
 * record. Bit k is set when `highest - k` was received.
 *
 * The check and the update are separate because a record may only move the window once it has
 * authenticated (RFC 6347 §4.1.2.6): `isReplay()` before decrypting, `accept()` after.
 * Sequence numbers restart in each epoch (RFC 6347 §4.1), so each epoch has its own window.
 */

/** Records the window covers: the highest accepted and the 63 below it. */
export const REPLAY_WINDOW_SIZE = 64;

export class ReplayWindow {
  /** Highest sequence number accepted; -1 before the first. */
  #highest = -1;
  /** Bits 0..31 of the bitmap: `highest - 0` .. `highest - 31`. */
  #low = 0;
  /** Bits 32..63: `highest - 32` .. `highest - 63`. */
  #high = 0;

  /**
   * True when the record with `sequenceNumber` (0 .. 2^48 - 1) must be discarded: it was already
   * accepted, or it is too old to tell (left of the window). Changes nothing.
   */
  isReplay(sequenceNumber: number): boolean {
    if (sequenceNumber > this.#highest) return false;
    const behind = this.#highest - sequenceNumber;
    if (behind >= REPLAY_WINDOW_SIZE) return true;
    const word = behind < 32 ? this.#low : this.#high;
    return ((word >>> (behind & 31)) & 1) === 1;
  }

  /**
   * Marks `sequenceNumber` as received, sliding the window forward when it is the new highest.
   * Call only for a record that authenticated, and that `isReplay()` let through; a number left
   * of the window changes nothing.
   */
  accept(sequenceNumber: number): void {
    if (sequenceNumber > this.#highest) {
      this.#shift(sequenceNumber - this.#highest);
      this.#highest = sequenceNumber;
      this.#low |= 1;
      return;
    }
    const behind = this.#highest - sequenceNumber;
    if (behind < 32) this.#low |= 1 << behind;
    else if (behind < REPLAY_WINDOW_SIZE) this.#high |= 1 << (behind - 32);
  }

  /** Moves every bit `distance` places towards the old end; bits past bit 63 fall off. */
  #shift(distance: number): void {
    if (distance >= REPLAY_WINDOW_SIZE) {
      this.#low = 0;
      this.#high = 0;
    } else if (distance >= 32) {
      this.#high = this.#low << (distance - 32);
      this.#low = 0;
    } else {
      // 1 <= distance <= 31 here: `>>> (32 - distance)` carries the bits that cross words.
      this.#high = (this.#high << distance) | (this.#low >>> (32 - distance));
      this.#low <<= distance;
    }
  }
}
