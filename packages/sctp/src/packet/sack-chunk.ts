/**
 * The SACK chunk (RFC 9260 §3.3.4), read into a caller-owned struct whose arrays are reused and
 * written into a caller buffer: SACKs come and go with nearly every packet.
 *
 *      0                   1                   2                   3
 *     +---------------+---------------+-------------------------------+
 *     |   Type = 3    |  Chunk Flags  |         Chunk Length          |
 *     +---------------+---------------+-------------------------------+
 *     |                      Cumulative TSN Ack                       |
 *     +---------------------------------------------------------------+
 *     |          Advertised Receiver Window Credit (a_rwnd)           |
 *     +-------------------------------+-------------------------------+
 *     | Number of Gap Ack Blocks = N  |  Number of Duplicate TSNs = M |
 *     +-------------------------------+-------------------------------+
 *     |    Gap Ack Block #1 Start     |     Gap Ack Block #1 End      |
 *     /              ...N blocks, then M duplicate TSNs               /
 *     +---------------------------------------------------------------+
 *
 * Gap ack block bounds are kept as on the wire: 16-bit offsets from the cumulative TSN ack, the
 * block covering TSNs `cumulativeTsnAck + start` through `cumulativeTsnAck + end`.
 */

import { readU16BE, readU32BE, writeU16BE, writeU32BE } from '@typertc/common';
import { SctpParseError } from '../errors.js';
import { CHUNK_HEADER_LENGTH, type ChunkHeader, ChunkType, checkChunkLength } from './chunk.js';
import { checkCapacity, checkUint } from './wire.js';

/** Chunk header, cumulative TSN ack, a_rwnd and the two counts. */
export const SACK_CHUNK_HEADER_LENGTH = 16;

/**
 * What a SACK says. `readSackChunk` fills the first `gapCount` entries of `gapStarts` and
 * `gapEnds` and the first `duplicateCount` of `duplicates`; entries past the counts are stale
 * leftovers of earlier reads, kept so the arrays never shrink and regrow.
 */
export interface SackFields {
  cumulativeTsnAck: number;
  advertisedReceiverWindow: number;
  gapStarts: number[];
  gapEnds: number[];
  gapCount: number;
  duplicates: number[];
  duplicateCount: number;
}

/** A struct to pass to `readSackChunk` again and again. */
export function createSackFields(): SackFields {
  return {
    cumulativeTsnAck: 0,
    advertisedReceiverWindow: 0,
    gapStarts: [],
    gapEnds: [],
    gapCount: 0,
    duplicates: [],
    duplicateCount: 0,
  };
}

/**
 * Reads the SACK chunk `header` describes into `into`, reusing its arrays. The counts are reset
 * first, so after a `SctpParseError` the struct reads as a SACK without blocks.
 */
export function readSackChunk(packet: Uint8Array, header: ChunkHeader, into: SackFields): void {
  into.gapCount = 0;
  into.duplicateCount = 0;
  checkChunkLength(packet, header, 'SACK', SACK_CHUNK_HEADER_LENGTH);
  const at = header.offset + CHUNK_HEADER_LENGTH;
  const gapCount = readU16BE(packet, at + 8);
  const duplicateCount = readU16BE(packet, at + 10);
  const expected = sackChunkLength(gapCount, duplicateCount);
  if (header.length !== expected) {
    throw new SctpParseError(
      `SACK with ${gapCount} gap blocks and ${duplicateCount} duplicates needs length ${expected}, has ${header.length}`,
      header.offset,
    );
  }
  into.cumulativeTsnAck = readU32BE(packet, at);
  into.advertisedReceiverWindow = readU32BE(packet, at + 4);
  const { gapStarts, gapEnds, duplicates } = into;
  let p = header.offset + SACK_CHUNK_HEADER_LENGTH;
  for (let i = 0; i < gapCount; i++, p += 4) {
    gapStarts[i] = readU16BE(packet, p);
    gapEnds[i] = readU16BE(packet, p + 2);
  }
  for (let i = 0; i < duplicateCount; i++, p += 4) duplicates[i] = readU32BE(packet, p);
  into.gapCount = gapCount;
  into.duplicateCount = duplicateCount;
}

/** The Chunk Length of a SACK; always a multiple of 4, so also its size in the packet. */
export function sackChunkLength(gapCount: number, duplicateCount: number): number {
  return SACK_CHUNK_HEADER_LENGTH + 4 * (gapCount + duplicateCount);
}

/**
 * Writes a SACK at `offset` of `buffer` and returns the offset after it. Gap blocks are
 * `gapStarts[i]..gapEnds[i]` for i < `gapCount`, as offsets from `cumulativeTsnAck`. Throws
 * `RangeError` for a value out of range, `BufferOverflowError` when the chunk does not fit.
 */
export function writeSackChunk(
  buffer: Uint8Array,
  offset: number,
  cumulativeTsnAck: number,
  advertisedReceiverWindow: number,
  gapStarts: readonly number[],
  gapEnds: readonly number[],
  gapCount: number,
  duplicates: readonly number[],
  duplicateCount: number,
): number {
  checkUint('cumulative TSN ack', cumulativeTsnAck, 0xffff_ffff);
  checkUint('a_rwnd', advertisedReceiverWindow, 0xffff_ffff);
  checkUint('gap count', gapCount, Math.min(gapStarts.length, gapEnds.length));
  checkUint('duplicate count', duplicateCount, duplicates.length);
  const length = sackChunkLength(gapCount, duplicateCount);
  checkUint('SACK length', length, 0xffff);
  checkCapacity(buffer, offset, length);

  buffer[offset] = ChunkType.sack;
  buffer[offset + 1] = 0;
  writeU16BE(buffer, offset + 2, length);
  writeU32BE(buffer, offset + 4, cumulativeTsnAck);
  writeU32BE(buffer, offset + 8, advertisedReceiverWindow);
  writeU16BE(buffer, offset + 12, gapCount);
  writeU16BE(buffer, offset + 14, duplicateCount);
  let p = offset + SACK_CHUNK_HEADER_LENGTH;
  for (let i = 0; i < gapCount; i++, p += 4) {
    const start = gapStarts[i] as number;
    const end = gapEnds[i] as number;
    checkUint('gap ack block start', start, 0xffff);
    checkUint('gap ack block end', end, 0xffff);
    writeU16BE(buffer, p, start);
    writeU16BE(buffer, p + 2, end);
  }
  for (let i = 0; i < duplicateCount; i++, p += 4) {
    const tsn = duplicates[i] as number;
    checkUint('duplicate TSN', tsn, 0xffff_ffff);
    writeU32BE(buffer, p, tsn);
  }
  return p;
}
