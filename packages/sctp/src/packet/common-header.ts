/**
 * The SCTP common header (RFC 9260 §3.1) and the packet checksum (RFC 9260 §6.8, Appendix A).
 *
 *      0                   1                   2                   3
 *     +-------------------------------+-------------------------------+
 *     |      Source Port Number       |    Destination Port Number    |
 *     +-------------------------------+-------------------------------+
 *     |                       Verification Tag                        |
 *     +---------------------------------------------------------------+
 *     |                           Checksum                            |
 *     +---------------------------------------------------------------+
 *
 * The checksum is CRC-32c over the whole packet with the checksum field taken as zero. It goes on
 * the wire least significant byte first, the byte order of RFC 9260 Appendix A's reference code
 * (which swaps the CRC's bytes before `htonl`), usrsctp, Pion and werift. Over DTLS (RFC 8261
 * §5) the checksum still has to be right, since browsers check it.
 */

import { crc32c, readU16BE, readU32BE, readU32LE, writeU32LE } from '@typertc/common';
import { SctpParseError } from '../errors.js';
import { checkCapacity, checkUint } from './wire.js';

export const COMMON_HEADER_LENGTH = 12;

const CHECKSUM_OFFSET = 8;
/** What the checksum field counts as while the CRC runs over it. */
const ZERO_CHECKSUM = new Uint8Array(4);

export interface CommonHeader {
  sourcePort: number;
  destinationPort: number;
  verificationTag: number;
}

/** Reads the common header of `packet` into `into` (reused by the caller; nothing allocated). */
export function readCommonHeader(packet: Uint8Array, into: CommonHeader): void {
  if (packet.length < COMMON_HEADER_LENGTH) {
    throw new SctpParseError(
      `SCTP packet of ${packet.length} bytes is shorter than its ${COMMON_HEADER_LENGTH}-byte common header`,
      0,
    );
  }
  into.sourcePort = readU16BE(packet, 0);
  into.destinationPort = readU16BE(packet, 2);
  into.verificationTag = readU32BE(packet, 4);
}

/**
 * Writes the ports and verification tag at the start of `buffer`, and zeroes the checksum field
 * for `writeChecksum` to fill once the chunks are in.
 */
export function writeCommonHeader(
  buffer: Uint8Array,
  sourcePort: number,
  destinationPort: number,
  verificationTag: number,
): void {
  checkUint('source port', sourcePort, 0xffff);
  checkUint('destination port', destinationPort, 0xffff);
  checkUint('verification tag', verificationTag, 0xffff_ffff);
  checkCapacity(buffer, 0, COMMON_HEADER_LENGTH);
  buffer[0] = sourcePort >>> 8;
  buffer[1] = sourcePort;
  buffer[2] = destinationPort >>> 8;
  buffer[3] = destinationPort;
  buffer[4] = verificationTag >>> 24;
  buffer[5] = verificationTag >>> 16;
  buffer[6] = verificationTag >>> 8;
  buffer[7] = verificationTag;
  writeU32LE(buffer, CHECKSUM_OFFSET, 0);
}

/** CRC-32c of `packet` as if its checksum field were zero, in three pieces instead of a copy. */
function packetCrc(packet: Uint8Array): number {
  let crc = crc32c(packet.subarray(0, CHECKSUM_OFFSET));
  crc = crc32c(ZERO_CHECKSUM, crc);
  return crc32c(packet.subarray(COMMON_HEADER_LENGTH), crc);
}

/** Computes and stores the checksum of a finished packet (RFC 9260 §6.8). */
export function writeChecksum(packet: Uint8Array): void {
  if (packet.length < COMMON_HEADER_LENGTH) {
    throw new RangeError(`an SCTP packet needs at least ${COMMON_HEADER_LENGTH} bytes`);
  }
  writeU32LE(packet, CHECKSUM_OFFSET, packetCrc(packet));
}

/**
 * Whether the stored checksum matches (RFC 9260 §6.8: a packet that fails it is discarded
 * silently). False for a packet too short to hold one.
 */
export function verifyChecksum(packet: Uint8Array): boolean {
  if (packet.length < COMMON_HEADER_LENGTH) return false;
  return readU32LE(packet, CHECKSUM_OFFSET) === packetCrc(packet);
}
