/**
 * The RTCP common header (RFC 3550 §6.4.1) and the unchecked big-endian reads the RTCP decoders
 * share.
 *
 * Decoders check a packet's size against what its fields need once, up front, and then read with
 * these helpers: one bounds check per structure instead of one per field (principle 5). Every
 * caller here has checked `at + width <= end` before reading.
 */

import type { ByteWriter } from '@typertc/common';

/** RTCP packet types (RFC 3550 §12.1, RFC 4585 §6.1, RFC 3611 §2). */
export const RtcpPacketType = {
  SenderReport: 200,
  ReceiverReport: 201,
  SourceDescription: 202,
  Goodbye: 203,
  ApplicationDefined: 204,
  /** Transport-layer feedback (RFC 4585 §6.2). */
  TransportFeedback: 205,
  /** Payload-specific feedback (RFC 4585 §6.3). */
  PayloadFeedback: 206,
  ExtendedReport: 207,
} as const;

/** Bytes of the common header: V, P, count/FMT, PT, length. */
export const RTCP_HEADER_SIZE = 4;

/** A shared zero-length view, the default for optional byte fields. */
export const EMPTY_BYTES = new Uint8Array(0);

/** The 5-bit count / FMT field's largest value. */
export const MAX_COUNT = 31;

/**
 * Writes a common header for a packet of `byteLength` bytes (a multiple of 4, header included,
 * no padding: `serializeRtcp` sets P and the padded length on the last packet itself).
 */
export function writeHeader(
  w: ByteWriter,
  count: number,
  packetType: number,
  byteLength: number,
): void {
  if (count >>> 0 !== count || count > MAX_COUNT) {
    throw new RangeError(`RTCP count/FMT ${count} does not fit 5 bits`);
  }
  // V=2 (RFC 3550 §6.4.1); the length field counts 32-bit words minus one.
  w.u8(0x80 | count)
    .u8(packetType)
    .u16((byteLength >>> 2) - 1);
}
