/**
 * RTP sequence numbers (16 bits) and timestamps (32 bits) wrap around. Comparisons use serial
 * number arithmetic (RFC 1982 §3.2): `a` is newer than `b` when the forward distance from `b` to
 * `a` is less than half the number space. The unwrappers extend the wrapping values to
 * monotonic counters, as RFC 3550 Appendix A.1 does with its cycle count, so that a packet
 * reordered across the wrap still lands before its successors.
 */

/**
 * Whether sequence number `a` is newer than `b` (RFC 1982 serial arithmetic, SERIAL_BITS = 16).
 * RFC 1982 leaves a distance of exactly 2^15 undefined; it is resolved as `a > b`, so that of
 * two distinct numbers exactly one is newer.
 */
export function isNewerSequence(a: number, b: number): boolean {
  const forward = (a - b) & 0xffff;
  if (forward === 0x8000) return a > b;
  return forward !== 0 && forward < 0x8000;
}

/** Whether timestamp `a` is newer than `b`: `isNewerSequence` with SERIAL_BITS = 32. */
export function isNewerTimestamp(a: number, b: number): boolean {
  const forward = (a - b) >>> 0;
  if (forward === 0x8000_0000) return a > b;
  return forward !== 0 && forward < 0x8000_0000;
}

/**
 * Extends 16-bit sequence numbers to a counter: `cycles * 65536 + seq`, the first number seen
 * having cycle 0. Each number is placed at its shortest signed distance from the newest seen so
 * far, so reordering and loss of fewer than 32768 packets are handled across wraps. A packet
 * reordered from before a wrap that precedes the first one seen gets a negative value.
 */
export class SequenceUnwrapper {
  #newest = 0;
  #started = false;

  /** The extended value of `sequenceNumber` (0-65535). */
  unwrap(sequenceNumber: number): number {
    if (!this.#started) {
      this.#started = true;
      this.#newest = sequenceNumber & 0xffff;
      return this.#newest;
    }
    // The signed 16-bit distance from the newest: -32768..32767.
    const delta = (((sequenceNumber - this.#newest) & 0xffff) << 16) >> 16;
    const extended = this.#newest + delta;
    if (delta > 0) this.#newest = extended;
    return extended;
  }

  /** The newest extended value so far, or undefined before the first. */
  get newest(): number | undefined {
    return this.#started ? this.#newest : undefined;
  }

  /** Forgets everything, as for a new stream. */
  reset(): void {
    this.#started = false;
    this.#newest = 0;
  }
}

/**
 * Extends 32-bit RTP timestamps to a counter, as `SequenceUnwrapper` does for sequence numbers:
 * each timestamp is placed at its shortest signed distance (under 2^31) from the newest seen.
 * Values stay exact integers for 2^21 wraps (years at a 90 kHz clock).
 */
export class TimestampUnwrapper {
  #newest = 0;
  #started = false;

  /** The extended value of `timestamp` (0-2^32-1). */
  unwrap(timestamp: number): number {
    if (!this.#started) {
      this.#started = true;
      this.#newest = timestamp >>> 0;
      return this.#newest;
    }
    const delta = (timestamp - this.#newest) | 0;
    const extended = this.#newest + delta;
    if (delta > 0) this.#newest = extended;
    return extended;
  }

  /** The newest extended value so far, or undefined before the first. */
  get newest(): number | undefined {
    return this.#started ? this.#newest : undefined;
  }

  /** Forgets everything, as for a new stream. */
  reset(): void {
    this.#started = false;
    this.#newest = 0;
  }
}
