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
 * Extends a wrapping serial number of `bits` bits to a counter: each value is placed at its
 * shortest signed distance from the newest seen so far, so reordering and loss of fewer than
 * half the number space are handled across wraps. A value reordered from before a wrap that
 * precedes the first one seen gets a negative result.
 */
class SerialNumberUnwrapper {
  readonly #shift: number;
  #newest = 0;
  #started = false;

  constructor(bits: 16 | 32) {
    this.#shift = 32 - bits;
  }

  /** The extended value of `value` (0 to 2^bits - 1). */
  unwrap(value: number): number {
    if (!this.#started) {
      this.#started = true;
      this.#newest = (value << this.#shift) >>> this.#shift;
      return this.#newest;
    }
    // The signed distance from the newest, modulo 2^bits: shifting left drops the higher bits
    // (ToInt32 works modulo 2^32 even when the newest has grown past 2^32), shifting back
    // right sign-extends.
    const delta = ((value - this.#newest) << this.#shift) >> this.#shift;
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
 * Extends 16-bit sequence numbers to a counter: `cycles * 65536 + seq`, the first number seen
 * having cycle 0, as RFC 3550 Appendix A.1 counts cycles.
 */
export class SequenceUnwrapper extends SerialNumberUnwrapper {
  constructor() {
    super(16);
  }
}

/**
 * Extends 32-bit RTP timestamps to a counter. Values stay exact integers for 2^21 wraps (years
 * at a 90 kHz clock).
 */
export class TimestampUnwrapper extends SerialNumberUnwrapper {
  constructor() {
    super(32);
  }
}
