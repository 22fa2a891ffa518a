/**
 * The DATA chunk (RFC 9260 §3.3.1), read into a caller-owned struct and written into a caller
 * buffer: it is the per-packet hot path, so neither side allocates beyond the user data view.
 *
 *      0                   1                   2                   3
 *     +---------------+---------+-+-+-+-+-------------------------------+
 *     |   Type = 0    |  Res    |I|U|B|E|            Length             |
 *     +---------------+---------+-+-+-+-+-------------------------------+
 *     |                              TSN                                |
 *     +---------------------------------+-------------------------------+
 *     |      Stream Identifier S        |   Stream Sequence Number n    |
 *     +---------------------------------+-------------------------------+
 *     |                  Payload Protocol Identifier                    |
 *     +-----------------------------------------------------------------+
 *     \                 User Data (seq n of Stream S)                   \
 *     +-----------------------------------------------------------------+
 */

import { readU16BE, readU32BE, writeU16BE, writeU32BE } from '@typertc/common';
import { SctpParseError } from '../errors.js';
import {
  CHUNK_HEADER_LENGTH,
  type ChunkHeader,
  ChunkType,
  checkChunkLength,
  padded,
} from './chunk.js';
import { checkCapacity, checkUint } from './wire.js';

/** Chunk header plus TSN, stream identifier, stream sequence number and PPID. */
export const DATA_CHUNK_HEADER_LENGTH = 16;

/** The most user data one DATA chunk can carry: its length field is 16 bits. */
export const MAX_DATA_CHUNK_USER_DATA = 0xffff - DATA_CHUNK_HEADER_LENGTH;

/** DATA chunk flags: I is RFC 7053 §3 (SACK immediately), U, B and E RFC 9260 §3.3.1. */
export const DataChunkFlag = {
  immediate: 0x08,
  unordered: 0x04,
  beginning: 0x02,
  ending: 0x01,
} as const;

export interface DataChunkFields {
  tsn: number;
  streamId: number;
  /** Stream sequence number; meaningless for unordered chunks. */
  ssn: number;
  /** Payload protocol identifier (WebRTC's are in RFC 8831 §8). */
  ppid: number;
  unordered: boolean;
  /** First fragment of a user message. */
  beginning: boolean;
  /** Last fragment of a user message. */
  ending: boolean;
  /** The sender asks for a SACK without delay (RFC 7053). */
  immediate: boolean;
  /** After `readDataChunk`, a view into the packet: copy it if it must outlive the packet. */
  userData: Uint8Array;
}

const EMPTY = new Uint8Array(0);

/** A struct to pass to `readDataChunk` again and again. */
export function createDataChunkFields(): DataChunkFields {
  return {
    tsn: 0,
    streamId: 0,
    ssn: 0,
    ppid: 0,
    unordered: false,
    beginning: false,
    ending: false,
    immediate: false,
    userData: EMPTY,
  };
}

/**
 * Reads the DATA chunk `header` describes into `into`. A chunk without user data is malformed:
 * RFC 9260 §6.2 has the receiver abort with the "No User Data" error cause.
 */
export function readDataChunk(
  packet: Uint8Array,
  header: ChunkHeader,
  into: DataChunkFields,
): void {
  checkChunkLength(packet, header, 'DATA', DATA_CHUNK_HEADER_LENGTH);
  if (header.length === DATA_CHUNK_HEADER_LENGTH) {
    throw new SctpParseError('DATA chunk without user data (RFC 9260 §6.2)', header.offset);
  }
  const at = header.offset + CHUNK_HEADER_LENGTH;
  const flags = header.flags;
  into.tsn = readU32BE(packet, at);
  into.streamId = readU16BE(packet, at + 4);
  into.ssn = readU16BE(packet, at + 6);
  into.ppid = readU32BE(packet, at + 8);
  into.unordered = (flags & DataChunkFlag.unordered) !== 0;
  into.beginning = (flags & DataChunkFlag.beginning) !== 0;
  into.ending = (flags & DataChunkFlag.ending) !== 0;
  into.immediate = (flags & DataChunkFlag.immediate) !== 0;
  into.userData = packet.subarray(
    header.offset + DATA_CHUNK_HEADER_LENGTH,
    header.offset + header.length,
  );
}

/** Bytes a DATA chunk with `userDataLength` bytes takes in a packet, padding included. */
export function dataChunkSize(userDataLength: number): number {
  return padded(DATA_CHUNK_HEADER_LENGTH + userDataLength);
}

/**
 * Writes a DATA chunk at `offset` of `buffer`, zeroing its padding, and returns the offset after
 * it. Throws `RangeError` for a field out of range or no user data (RFC 9260 §6.2 forbids empty
 * DATA chunks), `BufferOverflowError` when the chunk does not fit.
 */
export function writeDataChunk(
  buffer: Uint8Array,
  offset: number,
  fields: Readonly<DataChunkFields>,
): number {
  const { userData } = fields;
  if (userData.length === 0) throw new RangeError('a DATA chunk needs user data');
  checkUint('user data length', userData.length, MAX_DATA_CHUNK_USER_DATA);
  checkUint('TSN', fields.tsn, 0xffff_ffff);
  checkUint('stream identifier', fields.streamId, 0xffff);
  checkUint('stream sequence number', fields.ssn, 0xffff);
  checkUint('PPID', fields.ppid, 0xffff_ffff);
  const length = DATA_CHUNK_HEADER_LENGTH + userData.length;
  const end = offset + padded(length);
  checkCapacity(buffer, offset, end - offset);

  buffer[offset] = ChunkType.data;
  buffer[offset + 1] =
    (fields.immediate ? DataChunkFlag.immediate : 0) |
    (fields.unordered ? DataChunkFlag.unordered : 0) |
    (fields.beginning ? DataChunkFlag.beginning : 0) |
    (fields.ending ? DataChunkFlag.ending : 0);
  writeU16BE(buffer, offset + 2, length);
  writeU32BE(buffer, offset + 4, fields.tsn);
  writeU16BE(buffer, offset + 8, fields.streamId);
  writeU16BE(buffer, offset + 10, fields.ssn);
  writeU32BE(buffer, offset + 12, fields.ppid);
  buffer.set(userData, offset + DATA_CHUNK_HEADER_LENGTH);
  buffer.fill(0, offset + length, end);
  return end;
}
