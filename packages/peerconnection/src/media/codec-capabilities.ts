/**
 * The codecs and RTP header extensions this implementation offers, and the local codec list
 * (with payload types) a media section is built from. Pure data and functions: nothing here
 * sends or receives media. Negotiation against a remote description is `codec-negotiation.ts`.
 */

import type { RtcpFeedback } from '@typertc/sdp';
import { invalidAccessError } from '../errors.js';

export type MediaKind = 'audio' | 'video';

/** W3C WebRTC 1.0 §5.2.6 (RTCRtpCodec): a codec without a payload type. */
export interface RTCRtpCodec {
  /** `kind/subtype` as IANA registers it (RFC 6838), e.g. `audio/opus`; case-insensitive. */
  mimeType: string;
  clockRate: number;
  channels?: number;
  /** The `a=fmtp` parameters text, as an SDP would carry it. */
  sdpFmtpLine?: string;
}

/** W3C WebRTC 1.0 §5.2.6 (RTCRtpHeaderExtensionCapability). */
export interface RTCRtpHeaderExtensionCapability {
  uri: string;
}

/** W3C WebRTC 1.0 §5.2.6: what `RTCRtpSender/Receiver.getCapabilities(kind)` return. */
export interface RTCRtpCapabilities {
  codecs: RTCRtpCodec[];
  headerExtensions: RTCRtpHeaderExtensionCapability[];
}

/**
 * A codec of our local list: a payload type and the `a=rtcp-fb` types (RFC 4585 §4.2) we
 * support with it. RTX (RFC 4588 §8.6) is `video/rtx` with `apt=<primary payload type>`.
 */
export interface LocalCodec extends RTCRtpCodec {
  payloadType: number;
  rtcpFeedback: RtcpFeedback[];
}

/**
 * One codec of a `MediaCodecConfiguration`. Only `mimeType` is required: a codec of our
 * defaults (the first whose given fields all equal these) supplies the rest. A codec that is
 * not one of our defaults needs `clockRate`; it is negotiated by name, clock rate and channels.
 */
export interface CodecSpec {
  mimeType: string;
  clockRate?: number;
  channels?: number;
  sdpFmtpLine?: string;
  /** Preferred payload type; a dynamic one (96–127) is assigned when absent or taken. */
  payloadType?: number;
  rtcpFeedback?: RtcpFeedback[];
  /** Video only: whether to offer RTX (RFC 4588) for this codec. Default true. */
  rtx?: boolean;
  rtxPayloadType?: number;
}

/** Which codecs to support per kind, in preference order. Absent or empty: our defaults. */
export interface MediaCodecConfiguration {
  audio?: CodecSpec[];
  video?: CodecSpec[];
}

const fb = (type: string, parameter?: string): RtcpFeedback => ({ type, parameter });

/**
 * RFC 8834 §5.1 (NACK and PLI), §5.1.1 (FIR), and the congestion-control feedback libwebrtc
 * peers use: REMB (draft-alvestrand-rmcat-remb) and transport-wide CC (draft-holmer-rmcat-
 * transport-wide-cc-extensions-01). Audio only takes transport-wide CC, as browsers offer.
 */
const VIDEO_FEEDBACK: readonly RtcpFeedback[] = [
  fb('nack'),
  fb('nack', 'pli'),
  fb('ccm', 'fir'),
  fb('goog-remb'),
  fb('transport-cc'),
];
const AUDIO_FEEDBACK: readonly RtcpFeedback[] = [fb('transport-cc')];

interface ResolvedCodec {
  mimeType: string;
  clockRate: number;
  channels: number | undefined;
  sdpFmtpLine: string | undefined;
  payloadType: number | undefined;
  rtcpFeedback: readonly RtcpFeedback[];
  rtx: boolean;
  rtxPayloadType: number | undefined;
}

const audio = (
  mimeType: string,
  clockRate: number,
  channels: number,
  payloadType: number,
  sdpFmtpLine?: string,
  rtcpFeedback: readonly RtcpFeedback[] = AUDIO_FEEDBACK,
): ResolvedCodec => ({
  mimeType,
  clockRate,
  channels,
  sdpFmtpLine,
  payloadType,
  rtcpFeedback,
  rtx: false,
  rtxPayloadType: undefined,
});

const video = (
  mimeType: string,
  payloadType: number,
  rtxPayloadType: number,
  sdpFmtpLine?: string,
): ResolvedCodec => ({
  mimeType,
  clockRate: 90000,
  channels: undefined,
  sdpFmtpLine,
  payloadType,
  rtcpFeedback: VIDEO_FEEDBACK,
  rtx: true,
  rtxPayloadType,
});

/**
 * Our defaults, in preference order. RFC 7874 §3 and §4 make Opus, PCMU and PCMA mandatory
 * (static PTs 0 and 8 of RFC 3551 §6) and RFC 7874 §5 telephone-event (RFC 4733) at both the
 * Opus and the G.711 clock rate; RFC 7742 §5 makes VP8 and H.264 Constrained Baseline
 * (RFC 6184) mandatory, and we add VP9 profile 0 and AV1. Opus and VP8 have the payload types
 * Chromium gives them, so a Chromium peer sees the numbers it expects.
 */
const DEFAULT_CODECS: Readonly<Record<MediaKind, readonly ResolvedCodec[]>> = {
  audio: [
    audio('audio/opus', 48000, 2, 111, 'minptime=10;useinbandfec=1'),
    audio('audio/PCMU', 8000, 1, 0),
    audio('audio/PCMA', 8000, 1, 8),
    audio('audio/telephone-event', 48000, 1, 110, undefined, []),
    audio('audio/telephone-event', 8000, 1, 126, undefined, []),
  ],
  video: [
    video('video/VP8', 96, 97),
    video('video/VP9', 98, 99, 'profile-id=0'),
    video(
      'video/H264',
      100,
      101,
      'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
    ),
    video(
      'video/H264',
      102,
      103,
      'level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f',
    ),
    video('video/AV1', 104, 105),
  ],
};

const BOTH: readonly MediaKind[] = ['audio', 'video'];

/**
 * RFC 6464 (audio level), abs-send-time and transport-wide CC (the congestion control of
 * libwebrtc peers), RFC 8843 §15 (mid), RFC 8852 §3.1 and §3.2 (rid, repaired rid) and
 * 3GPP TS 26.114 §7.4.5 (coordination of video orientation).
 */
const HEADER_EXTENSIONS: readonly (LocalHeaderExtension & { kinds: readonly MediaKind[] })[] = [
  { id: 1, uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level', kinds: ['audio'] },
  { id: 2, uri: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time', kinds: BOTH },
  {
    id: 3,
    uri: 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
    kinds: BOTH,
  },
  { id: 4, uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', kinds: BOTH },
  { id: 10, uri: 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id', kinds: BOTH },
  { id: 11, uri: 'urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id', kinds: BOTH },
  { id: 13, uri: 'urn:3gpp:video-orientation', kinds: ['video'] },
];

/** A header extension we support, with the id (RFC 8285 §5) we offer it under. */
export interface LocalHeaderExtension {
  id: number;
  uri: string;
}

/**
 * Our header extensions for `kind`. The ids are the ones Chromium offers, so an answer to a
 * Chromium offer and our own offers number them alike.
 */
export function localHeaderExtensions(kind: MediaKind): LocalHeaderExtension[] {
  return HEADER_EXTENSIONS.filter((ext) => ext.kinds.includes(kind)).map(({ id, uri }) => ({
    id,
    uri,
  }));
}

/**
 * W3C WebRTC 1.0 §5.2.6 "codec dictionary match": same MIME type (case-insensitively), clock
 * rate, channels and fmtp line, an absent field matching only an absent one.
 */
export function codecDictionaryMatch(first: RTCRtpCodec, second: RTCRtpCodec): boolean {
  return (
    first.mimeType.toLowerCase() === second.mimeType.toLowerCase() &&
    first.clockRate === second.clockRate &&
    first.channels === second.channels &&
    first.sdpFmtpLine === second.sdpFmtpLine
  );
}

/**
 * W3C WebRTC 1.0 §5.2.6 `getCapabilities(kind)`: the codecs of the local list without payload
 * types, RTX once as `video/rtx` without `apt` (the way browsers list it), and the header
 * extensions by URI. `configuration` narrows and orders them as it does the local list.
 */
export function getCapabilities(
  kind: MediaKind,
  configuration?: MediaCodecConfiguration,
): RTCRtpCapabilities {
  const codecs: RTCRtpCodec[] = [];
  for (const { mimeType, clockRate, channels, sdpFmtpLine } of localCodecs(kind, configuration)) {
    const codec: RTCRtpCodec = { mimeType, clockRate };
    if (channels !== undefined) codec.channels = channels;
    if (sdpFmtpLine !== undefined && !isRtx(mimeType)) codec.sdpFmtpLine = sdpFmtpLine;
    if (!codecs.some((known) => codecDictionaryMatch(known, codec))) codecs.push(codec);
  }
  return { codecs, headerExtensions: localHeaderExtensions(kind).map(({ uri }) => ({ uri })) };
}

export function isRtx(mimeType: string): boolean {
  return mimeType.toLowerCase().endsWith('/rtx');
}

/** RFC 5761 §4: with rtcp-mux, payload types 64–95 would collide with RTCP packet types. */
function validPayloadType(pt: number | undefined): boolean {
  return pt === undefined || (Number.isInteger(pt) && pt >= 0 && pt <= 127 && (pt < 64 || pt > 95));
}

function resolve(kind: MediaKind, spec: CodecSpec): ResolvedCodec {
  const [specKind] = spec.mimeType.split('/');
  if (specKind?.toLowerCase() !== kind || isRtx(spec.mimeType)) {
    throw new TypeError(
      `${spec.mimeType} is not a ${kind} codec (RTX is configured by a video codec's \`rtx\`)`,
    );
  }
  if (!validPayloadType(spec.payloadType) || !validPayloadType(spec.rtxPayloadType)) {
    throw new TypeError(`payload types must be 0–63 or 96–127 (RFC 5761 §4): ${spec.mimeType}`);
  }
  if (kind === 'audio' && spec.rtx === true) {
    throw new TypeError(`RTX is for video codecs only: ${spec.mimeType}`);
  }
  const base = DEFAULT_CODECS[kind].find(
    (codec) =>
      codec.mimeType.toLowerCase() === spec.mimeType.toLowerCase() &&
      (spec.clockRate === undefined || spec.clockRate === codec.clockRate) &&
      (spec.channels === undefined || spec.channels === codec.channels) &&
      (spec.sdpFmtpLine === undefined || spec.sdpFmtpLine === codec.sdpFmtpLine),
  );
  const clockRate = spec.clockRate ?? base?.clockRate;
  if (clockRate === undefined) {
    throw new TypeError(`${spec.mimeType} is not a default codec: its clockRate is required`);
  }
  return {
    mimeType: spec.mimeType,
    clockRate,
    channels: spec.channels ?? base?.channels,
    sdpFmtpLine: spec.sdpFmtpLine ?? base?.sdpFmtpLine,
    payloadType: spec.payloadType ?? base?.payloadType,
    rtcpFeedback:
      spec.rtcpFeedback ??
      base?.rtcpFeedback ??
      (kind === 'video' ? VIDEO_FEEDBACK : AUDIO_FEEDBACK),
    rtx: kind === 'video' && (spec.rtx ?? true),
    rtxPayloadType: spec.rtxPayloadType ?? base?.rtxPayloadType,
  };
}

/**
 * The local codec list of `kind` in preference order, each video codec followed by its RTX.
 * Payload types: every preferred one (static ones like PCMU's 0 included) is kept unless an
 * earlier codec already holds it; the others get the lowest free dynamic payload type
 * (RFC 3551 §3: 96–127). Throws `TypeError` for a malformed `CodecSpec` and
 * `InvalidAccessError` when the dynamic range runs out.
 */
export function localCodecs(
  kind: MediaKind,
  configuration?: MediaCodecConfiguration,
): LocalCodec[] {
  const specs = configuration?.[kind];
  const resolved =
    specs === undefined || specs.length === 0
      ? DEFAULT_CODECS[kind]
      : specs.map((spec) => resolve(kind, spec));
  const used = new Set<number>();
  const claim = (pt: number | undefined): number | undefined => {
    if (pt === undefined || used.has(pt)) return undefined;
    used.add(pt);
    return pt;
  };
  // First every preference, so that a codec without one cannot take a later codec's.
  const claimed = resolved.map((codec) => ({
    primary: claim(codec.payloadType),
    rtx: codec.rtx ? claim(codec.rtxPayloadType) : undefined,
  }));
  const nextFree = (): number => {
    for (let pt = 96; pt <= 127; pt++) if (claim(pt) !== undefined) return pt;
    throw invalidAccessError(`too many ${kind} codecs for the dynamic payload types 96–127`);
  };
  const result: LocalCodec[] = [];
  resolved.forEach((codec, index) => {
    const payloadType = claimed[index]?.primary ?? nextFree();
    const local: LocalCodec = {
      payloadType,
      mimeType: codec.mimeType,
      clockRate: codec.clockRate,
      rtcpFeedback: codec.rtcpFeedback.map((entry) => ({ ...entry })),
    };
    if (codec.channels !== undefined) local.channels = codec.channels;
    if (codec.sdpFmtpLine !== undefined) local.sdpFmtpLine = codec.sdpFmtpLine;
    result.push(local);
    if (codec.rtx) {
      result.push({
        payloadType: claimed[index]?.rtx ?? nextFree(),
        mimeType: 'video/rtx',
        clockRate: codec.clockRate,
        sdpFmtpLine: `apt=${payloadType}`,
        rtcpFeedback: [],
      });
    }
  });
  return result;
}
