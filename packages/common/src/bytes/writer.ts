/**
 * A big-endian serializer, the counterpart of `ByteReader`.
 *
 * Two modes:
 * - growable (`new ByteWriter()` or `new ByteWriter(initialCapacity)`): the buffer doubles as
 *   needed; for building messages of unknown size.
 * - fixed (`new ByteWriter(buffer)`): writes go straight into the caller's buffer (principle 5:
 *   serialize into caller buffers, reuse them with `reset()`), and a write past its end throws
 *   `BufferOverflowError`, writing nothing.
 *
 * Length fields that precede their contents are reserved and patched afterwards:
 *
 *     const at = w.skip(2);
 *     ...write the contents...
 *     w.setU16(at, w.offset - at - 2);
 *
 * Value errors: a value outside its field (a u16 given 70000, a negative or fractional number, a
 * u64 outside 0..2^64-1) throws `RangeError`. That is a bug in the caller, not malformed input, so
 * it is deliberately not a `ParseError`/`TypeRtcError` that a layer would count and drop.
 */

import { BufferOverflowError } from '../errors.js';
import { writeU16BE, writeU24BE, writeU32BE } from './endian.js';

const TWO_POW_32 = 0x1_0000_0000;
const MAX_U48 = 0xffff_ffff_ffff;
const DEFAULT_CAPACITY = 256;

export class ByteWriter {
  #buf: Uint8Array;
  #pos = 0;
  readonly #fixed: boolean;

  /**
   * @param target a buffer to write into (fixed mode), or the initial capacity of a growable
   *   buffer (default 256 bytes).
   */
  constructor(target: Uint8Array | number = DEFAULT_CAPACITY) {
    if (typeof target === 'number') {
      if (target >>> 0 !== target) throw new RangeError(`invalid capacity ${target}`);
      this.#buf = new Uint8Array(target);
      this.#fixed = false;
    } else {
      this.#buf = target;
      this.#fixed = true;
    }
  }

  /** Bytes written so far; also the offset the next write goes to. */
  get offset(): number {
    return this.#pos;
  }

  /** Starts over, keeping the buffer, so one writer can serialize packet after packet. */
  reset(): void {
    this.#pos = 0;
  }

  u8(value: number): this {
    checkUint(value, 0xff, 'u8');
    const at = this.#claim(1);
    this.#buf[at] = value;
    return this;
  }

  u16(value: number): this {
    checkUint(value, 0xffff, 'u16');
    const at = this.#claim(2);
    writeU16BE(this.#buf, at, value);
    return this;
  }

  u24(value: number): this {
    checkUint(value, 0xff_ffff, 'u24');
    const at = this.#claim(3);
    writeU24BE(this.#buf, at, value);
    return this;
  }

  u32(value: number): this {
    checkUint(value, 0xffff_ffff, 'u32');
    const at = this.#claim(4);
    writeU32BE(this.#buf, at, value);
    return this;
  }

  u48(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > MAX_U48) {
      throw new RangeError(`u48 out of range: ${value}`);
    }
    const at = this.#claim(6);
    const b = this.#buf;
    const high = Math.floor(value / TWO_POW_32);
    b[at] = high >>> 8;
    b[at + 1] = high;
    writeU32BE(b, at + 2, value >>> 0);
    return this;
  }

  u64(value: bigint): this {
    if (BigInt.asUintN(64, value) !== value) throw new RangeError(`u64 out of range: ${value}`);
    const at = this.#claim(8);
    writeU32BE(this.#buf, at, Number(value >> 32n));
    writeU32BE(this.#buf, at + 4, Number(value & 0xffff_ffffn));
    return this;
  }

  /** Two's-complement signed writes, mirroring `ByteReader.i8()`..`i32()`. */
  i8(value: number): this {
    checkInt(value, 0x80, 'i8');
    const at = this.#claim(1);
    this.#buf[at] = value;
    return this;
  }

  i16(value: number): this {
    checkInt(value, 0x8000, 'i16');
    const at = this.#claim(2);
    writeU16BE(this.#buf, at, value);
    return this;
  }

  i24(value: number): this {
    checkInt(value, 0x80_0000, 'i24');
    const at = this.#claim(3);
    writeU24BE(this.#buf, at, value);
    return this;
  }

  i32(value: number): this {
    checkInt(value, 0x8000_0000, 'i32');
    const at = this.#claim(4);
    writeU32BE(this.#buf, at, value);
    return this;
  }

  /** Copies `data` in. */
  bytes(data: Uint8Array): this {
    const at = this.#claim(data.length);
    this.#buf.set(data, at);
    return this;
  }

  /** `n` bytes of `value` (padding such as RFC 8489 §14's 32-bit alignment uses 0). */
  fill(value: number, n: number): this {
    checkUint(value, 0xff, 'fill value');
    checkUint(n, 0xffff_ffff, 'fill length');
    const at = this.#claim(n);
    this.#buf.fill(value, at, at + n);
    return this;
  }

  zeros(n: number): this {
    return this.fill(0, n);
  }

  /**
   * Reserves `n` bytes (zeroed) to be filled in later with `setU8`..`setU32` or `patch`, and
   * returns their offset.
   */
  skip(n: number): number {
    checkUint(n, 0xffff_ffff, 'skip length');
    const at = this.#claim(n);
    this.#buf.fill(0, at, at + n);
    return at;
  }

  setU8(at: number, value: number): void {
    checkUint(value, 0xff, 'u8');
    this.#checkPatch(at, 1);
    this.#buf[at] = value;
  }

  setU16(at: number, value: number): void {
    checkUint(value, 0xffff, 'u16');
    this.#checkPatch(at, 2);
    writeU16BE(this.#buf, at, value);
  }

  setU24(at: number, value: number): void {
    checkUint(value, 0xff_ffff, 'u24');
    this.#checkPatch(at, 3);
    writeU24BE(this.#buf, at, value);
  }

  setU32(at: number, value: number): void {
    checkUint(value, 0xffff_ffff, 'u32');
    this.#checkPatch(at, 4);
    writeU32BE(this.#buf, at, value);
  }

  /** Overwrites already-written bytes at `at` with `data` (e.g. a MAC computed over the rest). */
  patch(at: number, data: Uint8Array): void {
    this.#checkPatch(at, data.length);
    this.#buf.set(data, at);
  }

  /**
   * What has been written, as a view of the buffer (zero-copy). A later write after `reset()`
   * overwrites it; copy with `slice()` if it must outlive the writer's next use.
   */
  finish(): Uint8Array {
    return this.#buf.subarray(0, this.#pos);
  }

  /** Advances past `n` bytes, growing or throwing first if they do not fit, and returns where they start. */
  #claim(n: number): number {
    const at = this.#pos;
    const end = at + n;
    if (end > this.#buf.length) this.#grow(end);
    this.#pos = end;
    return at;
  }

  #grow(needed: number): void {
    if (this.#fixed) throw new BufferOverflowError(needed, this.#buf.length);
    let capacity = Math.max(this.#buf.length * 2, DEFAULT_CAPACITY);
    while (capacity < needed) capacity *= 2;
    const next = new Uint8Array(capacity);
    next.set(this.#buf.subarray(0, this.#pos));
    this.#buf = next;
  }

  /** Patches may only overwrite what has been written: anything else would be lost by `finish()`. */
  #checkPatch(at: number, n: number): void {
    if (at >>> 0 !== at || at + n > this.#pos) {
      throw new RangeError(`cannot patch ${n} bytes at ${at}: only ${this.#pos} written`);
    }
  }
}

function checkUint(value: number, max: number, what: string): void {
  // `value >>> 0 !== value` rejects negative, fractional, NaN and >= 2^32 at once.
  if (value >>> 0 !== value || value > max) throw new RangeError(`${what} out of range: ${value}`);
}

function checkInt(value: number, limit: number, what: string): void {
  if (!Number.isInteger(value) || value < -limit || value >= limit) {
    throw new RangeError(`${what} out of range: ${value}`);
  }
}
