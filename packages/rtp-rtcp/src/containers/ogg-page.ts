/**
 * Ogg pages (RFC 3533 §6): the unit of an Ogg bitstream. Little-endian fields:
 *
 *     0  capture pattern 'OggS'          14 bitstream serial number (u32)
 *     4  stream structure version = 0    18 page sequence number (u32)
 *     5  header type flags               22 CRC checksum (u32, see ogg-crc.ts)
 *     6  granule position (i64)          26 number of page segments (u8)
 *                                        27 segment table: one lacing value (u8) per segment
 *     then the body: the segments back to back.
 *
 * Packets are cut into 255-byte segments; a lacing value of 255 means "the packet goes on", any
 * smaller value ends it (a packet whose length is a multiple of 255 ends with a 0). A page holds
 * at most 255 segments, so a packet longer than the rest of the page continues on the next one,
 * which then has the "continued" flag set (RFC 3533 §5).
 */

import { readU32LE, writeU32LE } from '@typertc/common';
import { ContainerError } from '../errors.js';
import { checkUint, readU64LE, writeU64LE } from './little-endian.js';
import { oggCrc32 } from './ogg-crc.js';

/** Header type flags (RFC 3533 §6). */
export const OGG_CONTINUED = 0x01;
export const OGG_BOS = 0x02;
export const OGG_EOS = 0x04;

export const OGG_PAGE_HEADER_SIZE = 27;
export const OGG_MAX_SEGMENTS = 255;
/** 27 header bytes, 255 lacing values and 255 full segments. */
export const OGG_MAX_PAGE_SIZE = OGG_PAGE_HEADER_SIZE + 255 + 255 * 255;

export interface OggPage {
  /** `OGG_CONTINUED | OGG_BOS | OGG_EOS` bits. */
  readonly headerType: number;
  /**
   * Codec-defined position of the last packet that ends on this page (for Opus, 48 kHz samples,
   * RFC 7845 §4), or -1 when no packet ends on it.
   */
  readonly granulePosition: number;
  readonly serialNumber: number;
  readonly sequenceNumber: number;
  /** The lacing values. */
  readonly segmentTable: Uint8Array;
  readonly body: Uint8Array;
}

/**
 * The page's bytes, checksum included. Throws `RangeError` (a caller bug) when the segment table
 * is longer than 255 or its lacing values do not add up to the body's length.
 */
export function serializeOggPage(page: OggPage): Uint8Array {
  const segments = page.segmentTable;
  if (segments.length > OGG_MAX_SEGMENTS) {
    throw new RangeError(`an Ogg page holds at most 255 segments, not ${segments.length}`);
  }
  let bodyLength = 0;
  for (let i = 0; i < segments.length; i++) bodyLength += segments[i] as number;
  if (bodyLength !== page.body.length) {
    throw new RangeError(`lacing values add up to ${bodyLength}, body has ${page.body.length}`);
  }
  checkUint(page.headerType, 0xff, 'Ogg header type');
  checkUint(page.serialNumber, 0xffff_ffff, 'Ogg serial number');
  checkUint(page.sequenceNumber, 0xffff_ffff, 'Ogg page sequence number');
  if (page.granulePosition !== -1) {
    checkUint(page.granulePosition, Number.MAX_SAFE_INTEGER, 'Ogg granule position');
  }

  const headerLength = OGG_PAGE_HEADER_SIZE + segments.length;
  const out = new Uint8Array(headerLength + bodyLength);
  out.set(CAPTURE_PATTERN); // version 0 at 4 is already zero
  out[5] = page.headerType;
  if (page.granulePosition === -1) out.fill(0xff, 6, 14);
  else writeU64LE(out, 6, page.granulePosition);
  writeU32LE(out, 14, page.serialNumber);
  writeU32LE(out, 18, page.sequenceNumber);
  out[26] = segments.length;
  out.set(segments, OGG_PAGE_HEADER_SIZE);
  out.set(page.body, headerLength);
  // The checksum field is still zero, as the CRC computation requires.
  writeU32LE(out, 22, oggCrc32(out));
  return out;
}

/**
 * Parses the page at the start of `bytes`. Returns the page and its size in bytes, or
 * undefined when `bytes` ends before the page does. Throws `ContainerError` (offsets relative
 * to `baseOffset`) on a wrong capture pattern or version, a granule position that is neither -1
 * nor below 2^53, or a checksum mismatch. The body and segment table are views into `bytes`.
 */
export function parseOggPage(
  bytes: Uint8Array,
  baseOffset = 0,
): { page: OggPage; size: number } | undefined {
  for (let i = 0; i < 4 && i < bytes.length; i++) {
    if (bytes[i] !== CAPTURE_PATTERN[i]) {
      throw new ContainerError('not an Ogg page: capture pattern is not OggS', baseOffset + i);
    }
  }
  if (bytes.length < OGG_PAGE_HEADER_SIZE) return undefined;
  if (bytes[4] !== 0) {
    throw new ContainerError(
      `unsupported Ogg stream structure version ${bytes[4]}`,
      baseOffset + 4,
    );
  }
  const segmentCount = bytes[26] as number;
  const headerLength = OGG_PAGE_HEADER_SIZE + segmentCount;
  if (bytes.length < headerLength) return undefined;
  let bodyLength = 0;
  for (let i = OGG_PAGE_HEADER_SIZE; i < headerLength; i++) bodyLength += bytes[i] as number;
  const size = headerLength + bodyLength;
  if (bytes.length < size) return undefined;

  const stored = readU32LE(bytes, 22);
  let crc = oggCrc32(bytes.subarray(0, 22));
  crc = oggCrc32(ZERO_CRC_FIELD, crc);
  crc = oggCrc32(bytes.subarray(26, size), crc);
  if (crc !== stored) {
    throw new ContainerError(
      `Ogg page checksum mismatch: stored ${hex32(stored)}, computed ${hex32(crc)}`,
      baseOffset + 22,
    );
  }

  let granulePosition = readU64LE(bytes, 6);
  if (granulePosition === undefined) {
    if (readU32LE(bytes, 6) !== 0xffff_ffff || readU32LE(bytes, 10) !== 0xffff_ffff) {
      throw new ContainerError('Ogg granule position is negative or beyond 2^53', baseOffset + 6);
    }
    granulePosition = -1;
  }
  return {
    page: {
      headerType: bytes[5] as number,
      granulePosition,
      serialNumber: readU32LE(bytes, 14),
      sequenceNumber: readU32LE(bytes, 18),
      segmentTable: bytes.subarray(OGG_PAGE_HEADER_SIZE, headerLength),
      body: bytes.subarray(headerLength, size),
    },
    size,
  };
}

const CAPTURE_PATTERN = [0x4f, 0x67, 0x67, 0x53] as const; // 'OggS'
const ZERO_CRC_FIELD = new Uint8Array(4);

function hex32(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}
