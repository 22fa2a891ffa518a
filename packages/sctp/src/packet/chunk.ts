/**
 * The chunk layer of an SCTP packet (RFC 9260 §3.2): after the common header come chunks, each a
 * type, flags and length, then its value, padded with zeros to a multiple of 4 bytes.
 *
 *      0                   1                   2                   3
 *     +---------------+---------------+-------------------------------+
 *     |  Chunk Type   |  Chunk Flags  |         Chunk Length          |
 *     +---------------+---------------+-------------------------------+
 *     \                          Chunk Value                          \
 *     +---------------------------------------------------------------+
 *
 * Walking a packet reuses one header, so reading a packet's chunk list allocates nothing:
 *
 *     for (let at = COMMON_HEADER_LENGTH; at < packet.length; at = header.next) {
 *       readChunkHeader(packet, at, header);
 *       ...dispatch on header.type
 *     }
 */

import { ByteWriter, readU16BE } from '@typertc/common';
import { SctpParseError } from '../errors.js';
import { checkUint } from './wire.js';

/** Chunk types: RFC 9260 §3.2, I-DATA RFC 8260, RE-CONFIG RFC 6525, FORWARD-TSN RFC 3758. */
export const ChunkType = {
  data: 0,
  init: 1,
  initAck: 2,
  sack: 3,
  heartbeat: 4,
  heartbeatAck: 5,
  abort: 6,
  shutdown: 7,
  shutdownAck: 8,
  error: 9,
  cookieEcho: 10,
  cookieAck: 11,
  shutdownComplete: 14,
  iData: 64,
  reconfig: 130,
  forwardTsn: 192,
  iForwardTsn: 194,
} as const;

export const CHUNK_HEADER_LENGTH = 4;

/**
 * The T bit of ABORT (RFC 9260 §3.3.7) and SHUTDOWN COMPLETE (§3.3.13): set when the packet
 * carries the sender's own verification tag, reflected, rather than the peer's.
 */
export const CHUNK_FLAG_T = 0x01;

export interface ChunkHeader {
  type: number;
  flags: number;
  /** The Chunk Length field: header and value, without the trailing padding. */
  length: number;
  /** Where the chunk starts in the packet. */
  offset: number;
  /** Where its value starts: `offset + 4`. */
  valueOffset: number;
  /** Where the next chunk starts: `offset + length` padded to 4, at most the packet length. */
  next: number;
}

/** A header to pass to `readChunkHeader` again and again. */
export function createChunkHeader(): ChunkHeader {
  return { type: 0, flags: 0, length: 0, offset: 0, valueOffset: 0, next: 0 };
}

/** `length` rounded up to a multiple of 4 (RFC 9260 §3.2 chunk and §3.2.1 parameter padding). */
export function padded(length: number): number {
  return (length + 3) & ~3;
}

/**
 * Reads the chunk header at `offset` of `packet` into `into`. Throws `SctpParseError` when the
 * header or the declared length runs past the packet, or the length is below 4. The last chunk's
 * padding may be missing: RFC 9260 §3.2 has the sender include it, but the receiver has no use
 * for it, so `next` is clamped to the packet length instead of rejecting the packet.
 */
export function readChunkHeader(packet: Uint8Array, offset: number, into: ChunkHeader): void {
  if (offset >>> 0 !== offset) throw new RangeError(`invalid chunk offset ${offset}`);
  const left = packet.length - offset;
  if (left < CHUNK_HEADER_LENGTH) {
    throw new SctpParseError(`chunk header needs 4 bytes, ${Math.max(left, 0)} left`, offset);
  }
  const length = readU16BE(packet, offset + 2);
  if (length < CHUNK_HEADER_LENGTH) {
    throw new SctpParseError(`chunk length ${length} is below the 4-byte header`, offset);
  }
  if (length > left) {
    throw new SctpParseError(`chunk length ${length} runs past the packet (${left} left)`, offset);
  }
  into.type = packet[offset] as number;
  into.flags = packet[offset + 1] as number;
  into.length = length;
  into.offset = offset;
  into.valueOffset = offset + CHUNK_HEADER_LENGTH;
  into.next = Math.min(offset + padded(length), packet.length);
}

/**
 * What to do with a chunk of a type this endpoint does not know, from its two high bits
 * (RFC 9260 §3.2): 00 stop processing the packet, 01 stop and report it in an ERROR chunk
 * ("Unrecognized Chunk Type"), 10 skip it and go on, 11 skip it, go on and report it.
 */
export type UnrecognizedAction = 'stop' | 'stop-report' | 'skip' | 'skip-report';

const ACTIONS: readonly UnrecognizedAction[] = ['stop', 'stop-report', 'skip', 'skip-report'];

export function unrecognizedChunkAction(type: number): UnrecognizedAction {
  return ACTIONS[(type >>> 6) & 3] as UnrecognizedAction;
}

/** Whether the T bit is set (ABORT, SHUTDOWN COMPLETE). */
export function isTagReflected(header: ChunkHeader): boolean {
  return (header.flags & CHUNK_FLAG_T) !== 0;
}

/**
 * Checks, before a chunk parser reads a value, that `header` describes a chunk of `packet` whose
 * length is in min..max. Parsers trust nothing else about the header, so one read from another
 * packet cannot make them read outside the chunk.
 */
export function checkChunkLength(
  packet: Uint8Array,
  header: ChunkHeader,
  name: string,
  min: number,
  max = 0xffff,
): void {
  if (header.offset >>> 0 !== header.offset || header.offset + header.length > packet.length) {
    throw new SctpParseError(`${name} chunk runs past the packet`, header.offset);
  }
  if (header.length < min || header.length > max) {
    const expected = min === max ? `${min}` : max === 0xffff ? `at least ${min}` : `${min}..${max}`;
    throw new SctpParseError(
      `${name} chunk length ${header.length}, expected ${expected}`,
      header.offset,
    );
  }
}

/** The chunk's value, as a view of the packet. */
export function chunkValue(packet: Uint8Array, header: ChunkHeader): Uint8Array {
  return packet.subarray(header.offset + CHUNK_HEADER_LENGTH, header.offset + header.length);
}

/**
 * A whole chunk: the header with `length = 4 + valueLength`, what `writeValue` writes, and zero
 * padding to a multiple of 4. Values made of padded TLVs may write their last TLV's padding too:
 * it falls in the chunk padding, which the Chunk Length does not count (RFC 9260 §3.2).
 */
export function encodeChunk(
  type: number,
  flags: number,
  valueLength: number,
  writeValue?: (writer: ByteWriter) => void,
): Uint8Array {
  const length = CHUNK_HEADER_LENGTH + valueLength;
  checkUint('chunk length', length, 0xffff);
  const chunk = new Uint8Array(padded(length));
  const writer = new ByteWriter(chunk);
  writer.u8(type).u8(flags).u16(length);
  writeValue?.(writer);
  return chunk;
}
