/**
 * Checks the SCTP codecs share (internal, not re-exported).
 *
 * Malformed received bytes are `SctpParseError`. A value that cannot be written (a u16 given
 * 70000, a buffer too small) is a bug in the caller, so it throws `RangeError` or
 * `BufferOverflowError` as `ByteWriter` does, never a parse error a layer would count and drop.
 */

import { BufferOverflowError, ByteReader, ParseError } from '@typertc/common';
import { SctpParseError } from '../errors.js';

/** Throws `RangeError` unless `value` is an integer in 0..max. */
export function checkUint(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${name} must be an integer in 0..${max}, got ${value}`);
  }
}

/** Throws unless `needed` bytes fit in `buffer` from `offset` (hot-path writers, no ByteWriter). */
export function checkCapacity(buffer: Uint8Array, offset: number, needed: number): void {
  if (offset >>> 0 !== offset) throw new RangeError(`invalid offset ${offset}`);
  if (offset + needed > buffer.length) {
    throw new BufferOverflowError(offset + needed, buffer.length);
  }
}

/**
 * Runs `read` over `bytes` and requires it to consume them all: a fixed SCTP structure fills its
 * declared length exactly, so leftover bytes are malformed. `ByteReader` errors (truncation,
 * impossible lengths) come out as `SctpParseError`; `baseOffset` places offsets in the packet.
 */
export function parseWith<T>(
  bytes: Uint8Array,
  baseOffset: number,
  what: string,
  read: (reader: ByteReader) => T,
): T {
  const reader = new ByteReader(bytes, baseOffset);
  try {
    const value = read(reader);
    if (reader.remaining !== 0) {
      throw new SctpParseError(
        `${reader.remaining} trailing bytes in ${what}`,
        baseOffset + reader.offset,
      );
    }
    return value;
  } catch (error) {
    if (error instanceof SctpParseError || !(error instanceof ParseError)) throw error;
    const problem = error.code === 'TRUNCATED' ? 'is truncated' : 'has an invalid length';
    throw new SctpParseError(`${what} ${problem}`, error.offset, { cause: error });
  }
}
