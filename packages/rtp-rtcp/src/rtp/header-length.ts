/**
 * The length of an RTP header (RFC 3550 §5.1, §5.3.1) without parsing the packet into an object:
 * fixed header, CSRC list and header extension block, each checked against the bytes present.
 * For SRTP (RFC 3711 §3.1), where the header is authenticated but not encrypted and the payload
 * starts right after it; allocation-free because it runs once per packet on the hot path.
 */

import { readU16BE } from '@typertc/common';
import { RtpParseError } from '../errors.js';

/**
 * Bytes of header at the start of `bytes`, looking only at the first `length` bytes (default:
 * all), so that a caller can exclude a trailer such as an SRTP authentication tag without
 * slicing. Throws `RtpParseError` when the version is not 2 or a length field points past
 * `length`.
 */
export function rtpHeaderLength(bytes: Uint8Array, length = bytes.length): number {
  if (length < 12) {
    throw new RtpParseError(`${length} bytes is shorter than the 12-byte RTP header`, 0);
  }
  const b0 = bytes[0] as number;
  if (b0 >>> 6 !== 2) throw new RtpParseError(`RTP version ${b0 >>> 6}, not 2`, 0);
  let end = 12 + (b0 & 0x0f) * 4;
  if (end > length) {
    throw new RtpParseError(`${b0 & 0x0f} CSRCs need ${end} bytes, packet has ${length}`, 12);
  }
  if ((b0 & 0x10) !== 0) {
    // RFC 3550 §5.3.1: 16-bit profile id, 16-bit length in 32-bit words, then the data.
    if (end + 4 > length) {
      throw new RtpParseError(`header extension needs 4 bytes, ${length - end} left`, end);
    }
    const at = end;
    end += 4 + readU16BE(bytes, at + 2) * 4;
    if (end > length) {
      throw new RtpParseError(`header extension of ${end - at} bytes overruns the packet`, at);
    }
  }
  return end;
}
