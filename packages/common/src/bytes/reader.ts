/**
 * A bounds-checked big-endian cursor over received bytes, the base of every parser in the stack.
 *
 * Network byte order is big-endian (RFC 791 Appendix B), so every multi-byte read here is
 * big-endian. Reads are manual shifts on the `Uint8Array` (no `DataView` per read, principle 5),
 * and `bytes(n)`/`rest()`/`sub(n)` return views, never copies (principle 4): a parsed packet
 * aliases the datagram it came from.
 *
 * Every read is checked against the bytes present. Reading past the end throws `ParseError` with
 * code `TRUNCATED` and the offset where the read started; a negative or fractional length (say,
 * `length - headerSize` computed from a lying header) throws `ParseError` with code
 * `INVALID_LENGTH`. Either way the reader is left where it was, and malformed input never
 * surfaces as a `RangeError` or `TypeError`.
 */

import { ParseError } from '../errors.js';
import { readU32BE } from './endian.js';

const TWO_POW_32 = 0x1_0000_0000;

export class ByteReader {
  readonly #bytes: Uint8Array;
  readonly #base: number;
  #pos = 0;

  /**
   * @param bytes the input; only this view is read (its `byteOffset` into a larger buffer is
   *   respected).
   * @param baseOffset where `bytes` starts within the enclosing message. It only shifts the
   *   offsets reported in errors, so a sub-reader's errors point into the whole datagram.
   */
  constructor(bytes: Uint8Array, baseOffset = 0) {
    this.#bytes = bytes;
    this.#base = baseOffset;
  }

  /** Bytes consumed so far, from the start of this reader's view. */
  get offset(): number {
    return this.#pos;
  }

  /** Bytes not yet consumed. */
  get remaining(): number {
    return this.#bytes.length - this.#pos;
  }

  /** Length of the whole view. */
  get length(): number {
    return this.#bytes.length;
  }

  /** Throws `ParseError` unless at least `n` bytes remain; consumes nothing. */
  ensure(n: number): void {
    this.#check(n, 'bytes');
  }

  u8(): number {
    const at = this.#take(1, 'u8');
    return this.#bytes[at] as number;
  }

  u16(): number {
    const at = this.#take(2, 'u16');
    const b = this.#bytes;
    return ((b[at] as number) << 8) | (b[at + 1] as number);
  }

  u24(): number {
    const at = this.#take(3, 'u24');
    const b = this.#bytes;
    return ((b[at] as number) << 16) | ((b[at + 1] as number) << 8) | (b[at + 2] as number);
  }

  u32(): number {
    const at = this.#take(4, 'u32');
    return readU32BE(this.#bytes, at);
  }

  /** A 48-bit unsigned integer; exact, since 2^48 < 2^53. */
  u48(): number {
    const at = this.#take(6, 'u48');
    const b = this.#bytes;
    const high = ((b[at] as number) << 8) | (b[at + 1] as number);
    return high * TWO_POW_32 + readU32BE(b, at + 2);
  }

  /** A 64-bit unsigned integer, as a bigint because it does not fit a double exactly. */
  u64(): bigint {
    const at = this.#take(8, 'u64');
    const b = this.#bytes;
    return (BigInt(readU32BE(b, at)) << 32n) | BigInt(readU32BE(b, at + 4));
  }

  /** Two's-complement signed reads, e.g. RTCP's 24-bit cumulative loss (RFC 3550 §6.4.1). */
  i8(): number {
    return (this.u8() << 24) >> 24;
  }

  i16(): number {
    return (this.u16() << 16) >> 16;
  }

  i24(): number {
    return (this.u24() << 8) >> 8;
  }

  i32(): number {
    return this.u32() | 0;
  }

  /** The next byte, without consuming it. */
  peekU8(): number {
    this.#check(1, 'u8');
    return this.#bytes[this.#pos] as number;
  }

  /** The next `n` bytes as a view (zero-copy: it aliases the input). */
  bytes(n: number): Uint8Array {
    const at = this.#take(n, 'bytes');
    return this.#bytes.subarray(at, at + n);
  }

  /** Everything not yet consumed, as a view; the reader ends up at the end. */
  rest(): Uint8Array {
    const at = this.#pos;
    this.#pos = this.#bytes.length;
    return this.#bytes.subarray(at);
  }

  skip(n: number): void {
    this.#take(n, 'bytes');
  }

  /**
   * A reader over the next `n` bytes, which this reader skips: for a length-prefixed structure
   * (a STUN attribute, an SCTP chunk, a TLS extension) whose contents must not run past its
   * declared length even when the enclosing message has more bytes.
   */
  sub(n: number): ByteReader {
    const at = this.#take(n, 'bytes');
    return new ByteReader(this.#bytes.subarray(at, at + n), this.#base + at);
  }

  /** Advances past `n` bytes and returns where they start. */
  #take(n: number, what: string): number {
    const at = this.#pos;
    this.#check(n, what);
    this.#pos = at + n;
    return at;
  }

  #check(n: number, what: string): void {
    // `n >>> 0 !== n` catches negative, fractional, NaN and huge lengths in one comparison.
    if (n >>> 0 !== n) {
      throw new ParseError(
        `invalid length ${n} for ${what}`,
        this.#base + this.#pos,
        'INVALID_LENGTH',
      );
    }
    if (n > this.#bytes.length - this.#pos) {
      throw new ParseError(
        `truncated: ${what} needs ${n} bytes, ${this.#bytes.length - this.#pos} left`,
        this.#base + this.#pos,
        'TRUNCATED',
      );
    }
  }
}
