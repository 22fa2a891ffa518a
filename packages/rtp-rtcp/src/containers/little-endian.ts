/**
 * Little-endian field access for the container formats. IVF (libvpx `ivfenc`) and Ogg
 * (RFC 3533 §6, RFC 7845 §5) store every multi-byte field least significant byte first, unlike
 * the network byte order `ByteReader`/`ByteWriter` implement. Callers check bounds first.
 */

import { readU32LE, writeU32LE } from '@typertc/common';

const TWO_POW_32 = 0x1_0000_0000;

/**
 * A 64-bit little-endian field as a number, or `undefined` when it does not fit a safe integer
 * (the caller decides whether that is an error or a special value such as Ogg's -1).
 */
export function readU64LE(b: Uint8Array, at: number): number | undefined {
  const high = readU32LE(b, at + 4);
  if (high > 0x1f_ffff) return undefined;
  return high * TWO_POW_32 + readU32LE(b, at);
}

/** Writes a non-negative safe integer as a 64-bit little-endian field. */
export function writeU64LE(b: Uint8Array, at: number, value: number): void {
  writeU32LE(b, at, value >>> 0);
  writeU32LE(b, at + 4, Math.floor(value / TWO_POW_32));
}

/** Throws `RangeError` (a caller bug, as in `ByteWriter`) unless `value` fits `max`. */
export function checkUint(value: number, max: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${what} out of range: ${value}`);
  }
}
