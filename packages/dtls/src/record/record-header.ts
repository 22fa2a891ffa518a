/**
 * The DTLS record header (RFC 6347 §4.1): TLS's type, version and length (RFC 5246 §6.2.1) with
 * an explicit 16-bit epoch and 48-bit sequence number between version and length.
 *
 *     struct {
 *       ContentType type;                  // 1 byte
 *       ProtocolVersion version;           // 2 bytes, {254, 253} for DTLS 1.2
 *       uint16 epoch;
 *       uint48 sequence_number;
 *       uint16 length;
 *       opaque fragment[DTLSPlaintext.length];
 *     } DTLSPlaintext;
 *
 * One datagram may carry several records back to back (RFC 6347 §4.1.1), so the reader takes an
 * offset and the caller walks the datagram: `offset += RECORD_HEADER_LENGTH + header.length`.
 * The header is read into a caller-owned object, so walking a datagram allocates nothing.
 */

import { BufferOverflowError, readU16BE, readU32BE, writeU16BE, writeU32BE } from '@typertc/common';
import { DtlsParseError } from '../errors.js';

/** ContentType (RFC 5246 §6.2.1, Appendix A.1). */
export const ContentType = {
  changeCipherSpec: 20,
  alert: 21,
  handshake: 22,
  applicationData: 23,
} as const;

export type ContentType = (typeof ContentType)[keyof typeof ContentType];

/** ProtocolVersion {254, 253}: DTLS 1.2 is the one's complement of 1.2 (RFC 6347 §4.1). */
export const DTLS_1_2 = 0xfefd;
/**
 * {254, 255}: DTLS 1.0 (RFC 4347). A DTLS 1.2 endpoint still meets it in the record layer of
 * a ClientHello (RFC 6347 §4.1: the version of early records is not yet negotiated).
 */
export const DTLS_1_0 = 0xfeff;

/** type(1) + version(2) + epoch(2) + sequence_number(6) + length(2) (RFC 6347 §4.1). */
export const RECORD_HEADER_LENGTH = 13;

/** RFC 5246 §6.2.1: a plaintext fragment is at most 2^14 bytes; longer is record_overflow. */
export const MAX_PLAINTEXT_LENGTH = 16_384;

/**
 * RFC 5246 §6.2.3: a protected fragment is at most 2^14 + 2048 bytes; a record claiming more is
 * record_overflow. (Checking it is the caller's: the header reader only checks framing.)
 */
export const MAX_CIPHERTEXT_LENGTH = MAX_PLAINTEXT_LENGTH + 2048;

/** The largest epoch and sequence number (uint16, uint48: RFC 6347 §4.1). */
export const MAX_EPOCH = 0xffff;
export const MAX_SEQUENCE_NUMBER = 0xffff_ffff_ffff;

const TWO_POW_32 = 0x1_0000_0000;

/** A record header's fields; mutable so one object can be reused for every record read. */
export interface RecordHeader {
  contentType: number;
  version: number;
  epoch: number;
  /** 48 bits, exact in a double (2^48 < 2^53). */
  sequenceNumber: number;
  /** Length of the fragment that follows the header. */
  length: number;
}

/**
 * Reads the header of the record at `offset` in `datagram` into `into`.
 *
 * Checks framing only: throws `DtlsParseError` when fewer than 13 bytes remain or when the
 * length field runs past the end of the datagram. The content type, version, epoch and length
 * limit are not judged here — RFC 6347 §4.1.2.7 has the caller silently discard what it does not
 * accept, and only the connection knows the epoch and version it expects.
 */
export function readRecordHeader(datagram: Uint8Array, offset: number, into: RecordHeader): void {
  // One bounds check for the fixed-size header, then unchecked reads (endian.ts): the walk over
  // a datagram's records is a per-packet path and creates no reader object per record.
  const remaining = datagram.length - offset;
  if (remaining < RECORD_HEADER_LENGTH) {
    throw new DtlsParseError(
      `truncated record header: ${RECORD_HEADER_LENGTH} bytes needed, ${Math.max(remaining, 0)} left`,
      offset,
    );
  }
  const length = readU16BE(datagram, offset + 11);
  if (length > remaining - RECORD_HEADER_LENGTH) {
    throw new DtlsParseError(
      `record length ${length} runs past the datagram (${remaining - RECORD_HEADER_LENGTH} bytes follow the header)`,
      offset + 11,
    );
  }
  into.contentType = datagram[offset] as number;
  into.version = readU16BE(datagram, offset + 1);
  into.epoch = readU16BE(datagram, offset + 3);
  into.sequenceNumber =
    readU16BE(datagram, offset + 5) * TWO_POW_32 + readU32BE(datagram, offset + 7);
  into.length = length;
}

/**
 * Writes `header` as 13 bytes at `offset` in `buffer` and returns the offset just past it, where
 * the fragment goes. Throws `BufferOverflowError` when the header does not fit (writing nothing),
 * and `RangeError` for a field outside its width — a bug in the caller, not bad input.
 */
export function writeRecordHeader(
  buffer: Uint8Array,
  offset: number,
  header: RecordHeader,
): number {
  checkUint('content type', header.contentType, 0xff);
  checkUint('version', header.version, 0xffff);
  checkUint('length', header.length, 0xffff);
  if (buffer.length - offset < RECORD_HEADER_LENGTH) {
    throw new BufferOverflowError(RECORD_HEADER_LENGTH, Math.max(buffer.length - offset, 0));
  }
  // First, as it checks epoch and sequence number before writing: a throw leaves `buffer` as is.
  writeEpochAndSequence(buffer, offset + 3, header.epoch, header.sequenceNumber);
  buffer[offset] = header.contentType;
  writeU16BE(buffer, offset + 1, header.version);
  writeU16BE(buffer, offset + 11, header.length);
  return offset + RECORD_HEADER_LENGTH;
}

/**
 * Writes the 64-bit `epoch || sequence_number` at `offset` (8 bytes): DTLS's seq_num in MACs and
 * AEAD additional data (RFC 6347 §4.1.2.1), and the AEAD nonce input. Throws `RangeError` when
 * either is out of range, since a wrapped value would silently repeat a nonce.
 */
export function writeEpochAndSequence(
  buffer: Uint8Array,
  offset: number,
  epoch: number,
  sequenceNumber: number,
): void {
  checkUint('epoch', epoch, MAX_EPOCH);
  checkUint('sequence number', sequenceNumber, MAX_SEQUENCE_NUMBER);
  writeU16BE(buffer, offset, epoch);
  writeU16BE(buffer, offset + 2, Math.floor(sequenceNumber / TWO_POW_32));
  writeU32BE(buffer, offset + 4, sequenceNumber >>> 0);
}

function checkUint(field: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`record ${field} out of range: ${value}`);
  }
}
