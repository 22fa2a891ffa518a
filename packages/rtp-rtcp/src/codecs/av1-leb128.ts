/**
 * LEB128, the variable-length unsigned integer of AV1 (AV1 Bitstream & Decoding Process
 * Specification §4.10.5): seven bits per octet, least significant group first, the top bit set on
 * every octet but the last. AV1 bounds it: at most 8 octets, and a value of at most 2^32 - 1. The
 * AV1 RTP payload format uses it for OBU element lengths (§4.5), and AV1 itself for `obu_size`.
 *
 * Decoding takes an offset and returns a number, and the encoded length is asked separately
 * (`leb128Length`), so neither allocates: the depacketizer reads one per OBU element.
 */

import { PayloadError } from '../errors.js';

/** AV1 §4.10.5: `for (i = 0; i < 8; i++)`. */
const MAX_OCTETS = 8;
const MAX_VALUE = 0xffff_ffff;

/**
 * The number of octets of the LEB128 value at `offset`: up to and including the first octet with
 * the top bit clear. Throws `PayloadError` when the input ends first or the value would run past
 * 8 octets.
 */
export function leb128Length(bytes: Uint8Array, offset: number): number {
  for (let i = 0; i < MAX_OCTETS; i++) {
    if (offset + i >= bytes.length) throw new PayloadError('LEB128 value truncated', offset + i);
    if (((bytes[offset + i] as number) & 0x80) === 0) return i + 1;
  }
  throw new PayloadError('LEB128 value longer than 8 octets', offset);
}

/**
 * The LEB128 value at `offset`. Throws `PayloadError` when it is truncated, longer than 8 octets
 * or above 2^32 - 1. Padded encodings (0x80 0x00 for 0) are accepted, as AV1 allows them.
 */
export function decodeLeb128(bytes: Uint8Array, offset: number): number {
  const length = leb128Length(bytes, offset);
  let value = 0;
  // Multiplication, not shifts: bit 31 and above would turn a 32-bit shift result negative.
  let scale = 1;
  for (let i = 0; i < length; i++) {
    value += ((bytes[offset + i] as number) & 0x7f) * scale;
    scale *= 0x80;
  }
  if (value > MAX_VALUE) throw new PayloadError('LEB128 value above 2^32 - 1', offset);
  return value;
}

function checkValue(value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > MAX_VALUE) {
    throw new RangeError(`LEB128 values are integers in 0..2^32 - 1, not ${value}`);
  }
}

/** The octets the shortest LEB128 encoding of `value` takes (1-5). */
export function leb128Size(value: number): number {
  checkValue(value);
  let size = 1;
  for (let rest = Math.floor(value / 0x80); rest > 0; rest = Math.floor(rest / 0x80)) size++;
  return size;
}

/**
 * Writes the shortest LEB128 encoding of `value` into `out` at `offset` and returns the octets
 * written. Throws `RangeError` when `value` is not an integer in 0..2^32 - 1 or does not fit.
 */
export function writeLeb128(value: number, out: Uint8Array, offset: number): number {
  const size = leb128Size(value);
  if (offset < 0 || offset + size > out.length) {
    throw new RangeError(`LEB128 value needs ${size} octets at offset ${offset}`);
  }
  let rest = value;
  for (let i = 0; i < size - 1; i++) {
    out[offset + i] = 0x80 | (rest & 0x7f);
    rest = Math.floor(rest / 0x80);
  }
  out[offset + size - 1] = rest;
  return size;
}

/** The shortest LEB128 encoding of `value`; see `writeLeb128`. */
export function encodeLeb128(value: number): Uint8Array {
  const out = new Uint8Array(leb128Size(value));
  writeLeb128(value, out, 0);
  return out;
}
