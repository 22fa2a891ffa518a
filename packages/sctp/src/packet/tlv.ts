/**
 * The type-length-value layout that chunk parameters (RFC 9260 §3.2.1) and error causes
 * (§3.3.10) share: a 16-bit type, a 16-bit length counting the 4-byte header and the value but
 * not the padding, the value, then zero padding to a multiple of 4.
 *
 * The last TLV of a chunk may come without its padding: RFC 9260 §3.2 leaves it out of the Chunk
 * Length, so it is the chunk's padding, which a packet may end without. Reading accepts that;
 * writing always pads.
 */

import type { ByteWriter } from '@typertc/common';
import { SctpParseError } from '../errors.js';
import { padded } from './chunk.js';
import { checkUint, parseWith } from './wire.js';

export const TLV_HEADER_LENGTH = 4;

/** The largest value a TLV holds: its length field is 16 bits. */
export const MAX_TLV_VALUE_LENGTH = 0xffff - TLV_HEADER_LENGTH;

/**
 * Reads `bytes` (which start at `baseOffset` in the packet) as a list of TLVs, handing each to
 * `make` with a view of its value and where the TLV starts. Throws `SctpParseError`, at the TLV,
 * for a length below 4 or running past the end, and for 1 to 3 stray bytes after the last one.
 */
export function parseTlvList<T>(
  bytes: Uint8Array,
  baseOffset: number,
  what: string,
  make: (type: number, value: Uint8Array, offset: number) => T,
): T[] {
  return parseWith(bytes, baseOffset, what, (reader) => {
    const items: T[] = [];
    while (reader.remaining > 0) {
      const at = baseOffset + reader.offset;
      const type = reader.u16();
      const length = reader.u16();
      if (length < TLV_HEADER_LENGTH) {
        throw new SctpParseError(`${what}: length ${length} is below the 4-byte header`, at);
      }
      if (length - TLV_HEADER_LENGTH > reader.remaining) {
        throw new SctpParseError(`${what}: length ${length} runs past the end`, at);
      }
      const value = reader.bytes(length - TLV_HEADER_LENGTH);
      reader.skip(Math.min(padded(length) - length, reader.remaining));
      items.push(make(type, value, at));
    }
    return items;
  });
}

/**
 * Bytes the TLVs with these value lengths take in a chunk value, counted as the Chunk Length
 * counts them: every TLV padded except the last (RFC 9260 §3.2).
 */
export function tlvListLength(valueLengths: readonly number[]): number {
  let total = 0;
  let lastPadding = 0;
  for (const valueLength of valueLengths) {
    checkUint('TLV value length', valueLength, MAX_TLV_VALUE_LENGTH);
    const length = TLV_HEADER_LENGTH + valueLength;
    total += padded(length);
    lastPadding = padded(length) - length;
  }
  return total - lastPadding;
}

/** Writes one TLV, padded. */
export function writeTlv(writer: ByteWriter, type: number, value: Uint8Array): void {
  checkUint('TLV type', type, 0xffff);
  checkUint('TLV value length', value.length, MAX_TLV_VALUE_LENGTH);
  const length = TLV_HEADER_LENGTH + value.length;
  writer
    .u16(type)
    .u16(length)
    .bytes(value)
    .zeros(padded(length) - length);
}
