/**
 * The RTP parameter dictionaries of W3C WebRTC 1.0 §5.2.6 (`getParameters`/`setParameters`),
 * built from a negotiated section.
 */

import type { NegotiatedCodec } from './codec-negotiation.js';
import type { RTCRtpCodecParameters } from './media-stream-track.js';
import type { NegotiatedSection } from './media-transport.js';

export interface RTCRtpHeaderExtensionParameters {
  uri: string;
  id: number;
  encrypted: boolean;
}

export interface RTCRtcpParameters {
  cname: string;
  reducedSize: boolean;
}

export interface RTCRtpCodingParameters {
  rid?: string;
}

export interface RTCRtpEncodingParameters extends RTCRtpCodingParameters {
  /** W3C default true; `getParameters` always says which. */
  active?: boolean;
  maxBitrate?: number;
  maxFramerate?: number;
  scaleResolutionDownBy?: number;
}

export interface RTCRtpParameters {
  headerExtensions: RTCRtpHeaderExtensionParameters[];
  rtcp: RTCRtcpParameters;
  codecs: RTCRtpCodecParameters[];
}

export interface RTCRtpSendParameters extends RTCRtpParameters {
  transactionId: string;
  encodings: RTCRtpEncodingParameters[];
}

export type RTCRtpReceiveParameters = RTCRtpParameters;

/** W3C §5.2.6: a negotiated codec as `RTCRtpCodecParameters` (the peer's payload type). */
export function codecParameters(codec: NegotiatedCodec): RTCRtpCodecParameters {
  const parameters: RTCRtpCodecParameters = {
    payloadType: codec.payloadType,
    mimeType: codec.mimeType,
    clockRate: codec.clockRate,
  };
  if (codec.channels !== undefined) parameters.channels = codec.channels;
  if (codec.sdpFmtpLine !== undefined) parameters.sdpFmtpLine = codec.sdpFmtpLine;
  return parameters;
}

/** The parameters every RTP sender and receiver reports of its section. */
export function sectionParameters(
  section: NegotiatedSection | undefined,
  cname: string,
): RTCRtpParameters {
  return {
    headerExtensions: [...(section?.extensions ?? [])].map(([id, uri]) => ({
      uri,
      id,
      encrypted: false,
    })),
    rtcp: { cname, reducedSize: section?.rtcpRsize ?? false },
    codecs: (section?.codecs ?? []).map(codecParameters),
  };
}
