/**
 * RTX, the RTP retransmission payload format (RFC 4588) in SSRC-multiplexing mode (§4, the one
 * WebRTC uses): a retransmission goes on its own SSRC and payload type, with its own sequence
 * numbers, and its payload starts with the original sequence number (OSN) followed by the
 * original payload. Header extensions, marker and timestamp are the original packet's (§4.1).
 */

import { TypeRtcError } from '@typertc/common';
import { RtpPacket } from '@typertc/rtp-rtcp';

/** Bytes of the OSN that starts an RTX payload (RFC 4588 §4). */
const OSN_LENGTH = 2;

/** An RTX packet that carries no original packet (code `RTX_NO_ORIGINAL`). */
export class RtxError extends TypeRtcError {
  constructor(message: string) {
    super(message, 'RTX_NO_ORIGINAL');
  }
}

/**
 * The retransmission of `original` on `rtxSsrc` with `rtxPayloadType` and `rtxSequence`,
 * serialized. The original stays unchanged.
 */
export function buildRtxPacket(
  original: RtpPacket,
  rtxSsrc: number,
  rtxPayloadType: number,
  rtxSequence: number,
): Uint8Array {
  const payload = new Uint8Array(OSN_LENGTH + original.payload.length);
  payload[0] = original.sequenceNumber >> 8;
  payload[1] = original.sequenceNumber & 0xff;
  payload.set(original.payload, OSN_LENGTH);
  const rtx = new RtpPacket({
    marker: original.marker,
    payloadType: rtxPayloadType,
    sequenceNumber: rtxSequence & 0xffff,
    timestamp: original.timestamp,
    ssrc: rtxSsrc,
    csrcs: original.csrcs,
    payload,
  });
  copyExtensions(original, rtx);
  const bytes = new Uint8Array(rtx.byteLength);
  rtx.serializeInto(bytes, 0);
  return bytes;
}

/**
 * The original packet an RTX packet carries (RFC 4588 §4): its sequence number from the OSN,
 * `ssrc` and `payloadType` those of the stream it repairs. Throws `RtxError` for a payload
 * shorter than the OSN; a padding-only RTX packet (a probe, no OSN) is such a packet.
 */
export function recoverFromRtx(rtx: RtpPacket, ssrc: number, payloadType: number): RtpPacket {
  const payload = rtx.payload;
  if (payload.length < OSN_LENGTH) {
    throw new RtxError(`an RTX payload of ${payload.length} bytes has no original sequence number`);
  }
  const recovered = new RtpPacket({
    marker: rtx.marker,
    payloadType,
    sequenceNumber: ((payload[0] as number) << 8) | (payload[1] as number),
    timestamp: rtx.timestamp,
    ssrc,
    csrcs: rtx.csrcs,
    payload: payload.subarray(OSN_LENGTH),
  });
  copyExtensions(rtx, recovered);
  return recovered;
}

function copyExtensions(from: RtpPacket, to: RtpPacket): void {
  const extensions = from.extensions;
  for (let i = 0; i < extensions.count; i++) {
    to.extensions.set(extensions.idAt(i), extensions.valueAt(i));
  }
}
