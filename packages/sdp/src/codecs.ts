/**
 * The codecs of an RTP media section: `a=rtpmap`, `a=fmtp` and `a=rtcp-fb` joined per payload
 * type, in `m=` line order, with RTX (RFC 4588 §8.6) linked to the codec it repairs.
 */

import { FmtpParameters } from './fmtp.js';
import { findAttributes } from './helpers.js';
import type { MediaDescription } from './model.js';

export interface RtcpFeedback {
  type: string;
  parameter: string | undefined;
}

export interface Codec {
  payloadType: number;
  /** Encoding name as written (`opus`, `VP8`, `H264`, `rtx`); compare case-insensitively. */
  name: string;
  clockRate: number;
  channels: number | undefined;
  /** The `a=fmtp` parameters; empty when there is none. */
  parameters: FmtpParameters;
  /** `a=rtcp-fb` for this payload type and for `*` (RFC 4585 §4.2), in order. */
  feedback: RtcpFeedback[];
  /** For an RTX codec: the payload type it repairs (`apt`). */
  associatedPayloadType: number | undefined;
  /** For a primary codec: the payload type of its RTX codec, if offered. */
  rtxPayloadType: number | undefined;
}

/** Static payload types of RFC 3551 §6 that WebRTC and SIP peers send without `a=rtpmap`. */
const STATIC_PAYLOAD_TYPES: ReadonlyMap<number, [string, number, number | undefined]> = new Map([
  [0, ['PCMU', 8000, 1]],
  [3, ['GSM', 8000, 1]],
  [4, ['G723', 8000, 1]],
  [8, ['PCMA', 8000, 1]],
  [9, ['G722', 8000, 1]],
  [13, ['CN', 8000, 1]],
  [18, ['G729', 8000, 1]],
]);

/**
 * The codecs of a media section, one per numeric format of its `m=` line that has an
 * `a=rtpmap` (or is a static RFC 3551 payload type). Non-RTP sections give an empty list.
 */
export function codecs(media: MediaDescription): Codec[] {
  const rtpmaps = new Map(
    findAttributes(media.attributes, 'rtpmap').map((a) => [a.payloadType, a]),
  );
  const fmtps = new Map(findAttributes(media.attributes, 'fmtp').map((a) => [a.format, a]));
  const feedback = findAttributes(media.attributes, 'rtcp-fb');
  const result: Codec[] = [];
  for (const format of media.formats) {
    if (!/^[0-9]{1,3}$/.test(format)) continue;
    const payloadType = Number(format);
    const rtpmap = rtpmaps.get(payloadType);
    const fallback = STATIC_PAYLOAD_TYPES.get(payloadType);
    if (rtpmap === undefined && fallback === undefined) continue;
    const parameters = fmtps.get(format)?.parameters ?? FmtpParameters.from();
    const apt = parameters.get('apt');
    result.push({
      payloadType,
      name: rtpmap?.encodingName ?? (fallback as [string, number, number | undefined])[0],
      clockRate: rtpmap?.clockRate ?? (fallback as [string, number, number | undefined])[1],
      channels: rtpmap === undefined ? fallback?.[2] : rtpmap.channels,
      parameters,
      feedback: feedback
        .filter((fb) => fb.payloadType === '*' || fb.payloadType === payloadType)
        .map(({ type, parameter }) => ({ type, parameter })),
      associatedPayloadType:
        apt !== undefined &&
        /^[0-9]{1,3}$/.test(apt) &&
        rtpmap?.encodingName.toLowerCase() === 'rtx'
          ? Number(apt)
          : undefined,
      rtxPayloadType: undefined,
    });
  }
  for (const codec of result) {
    if (codec.associatedPayloadType === undefined) continue;
    const primary = result.find(
      (candidate) => candidate.payloadType === codec.associatedPayloadType,
    );
    if (primary !== undefined && primary.rtxPayloadType === undefined) {
      primary.rtxPayloadType = codec.payloadType;
    }
  }
  return result;
}
