/**
 * AV1 open bitstream units (OBUs) as the RTP payload format sees them (AV1 Bitstream & Decoding
 * Process Specification §5.3): a one-octet header, an optional extension octet, an optional LEB128
 * `obu_size`, then the payload.
 *
 *     obu_header:           | forbidden (1) | obu_type (4) | extension (1) | has_size (1) | reserved (1) |
 *     obu_extension_header: | temporal_id (3) | spatial_id (2) | reserved (3) |
 *
 * Encoders and files (IVF, MP4) carry OBUs in the "low overhead bitstream format" (§5.2), where
 * every OBU has `obu_has_size_field` = 1; RTP carries them without it (payload format §4.5).
 */

import { PayloadError } from '../errors.js';
import { decodeLeb128, leb128Length } from './av1-leb128.js';

/** obu_type values (AV1 §6.2.2) the payload format treats specially. */
export const Av1ObuType = {
  sequenceHeader: 1,
  temporalDelimiter: 2,
  frameHeader: 3,
  tileGroup: 4,
  metadata: 5,
  frame: 6,
  redundantFrameHeader: 7,
  tileList: 8,
  padding: 15,
} as const;

export const OBU_FORBIDDEN_BIT = 0x80;
export const OBU_EXTENSION_FLAG = 0x04;
export const OBU_HAS_SIZE_FIELD = 0x02;

/** The obu_type of an OBU header octet. */
export function obuType(header: number): number {
  return (header >>> 3) & 0x0f;
}

/** One OBU of a frame, split as the packetizer needs it. */
export interface Av1Obu {
  /** obu_type. */
  type: number;
  /** The OBU header and, when present, extension header: 1 or 2 octets, as in the input. */
  header: Uint8Array;
  /** The OBU's payload, after any `obu_size` field (a view into the input). */
  payload: Uint8Array;
}

/**
 * Splits a temporal unit in the low overhead bitstream format (AV1 §5.2) into its OBUs. An OBU
 * without `obu_size` (`obu_has_size_field` = 0, not allowed in that format but unambiguous) runs
 * to the end of the input. Throws `PayloadError` on a set forbidden bit, a truncated header or an
 * `obu_size` past the end of the input.
 */
export function parseAv1Obus(frame: Uint8Array): Av1Obu[] {
  const obus: Av1Obu[] = [];
  let at = 0;
  while (at < frame.length) {
    const first = frame[at] as number;
    if ((first & OBU_FORBIDDEN_BIT) !== 0) throw new PayloadError('OBU forbidden bit set', at);
    const headerSize = (first & OBU_EXTENSION_FLAG) !== 0 ? 2 : 1;
    if (at + headerSize > frame.length) throw new PayloadError('OBU header truncated', at);
    const header = frame.subarray(at, at + headerSize);
    let start = at + headerSize;
    let end = frame.length;
    if ((first & OBU_HAS_SIZE_FIELD) !== 0) {
      const size = decodeLeb128(frame, start);
      start += leb128Length(frame, start);
      if (size > frame.length - start) throw new PayloadError('obu_size past the end', start);
      end = start + size;
    }
    obus.push({ type: obuType(first), header, payload: frame.subarray(start, end) });
    at = end;
  }
  return obus;
}
