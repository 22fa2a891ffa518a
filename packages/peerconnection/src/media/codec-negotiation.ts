/**
 * Codec and header-extension negotiation of one media section (RFC 8829 §5.3.1 for an answer,
 * §5.10 for applying one; RFC 3264 §6.1): which codecs both sides support, under which payload
 * types, with which fmtp and rtcp-fb. Pure functions over `@typertc/sdp`'s `codecs()` and
 * `headerExtensions()`.
 */

import { type Codec, FmtpParameters, type HeaderExtension, type RtcpFeedback } from '@typertc/sdp';
import { isRtx, type LocalCodec, type LocalHeaderExtension } from './codec-capabilities.js';
import { minH264Level, parseH264ProfileLevelId, withH264Level } from './h264-profile-level-id.js';

/** Whether the remote codecs are an offer we answer, or the answer to our offer. */
export type NegotiationRole = 'answerer' | 'offerer';

export interface NegotiatedCodec {
  /**
   * The remote description's payload type: RFC 3264 §6.1 has the answer reuse the offer's
   * numbers, and RTP sent to a peer is numbered as that peer's description says.
   */
  payloadType: number;
  /** Our spelling of the codec, e.g. `video/H264`. */
  mimeType: string;
  clockRate: number;
  channels: number | undefined;
  /**
   * Our fmtp: what we can receive. When answering, the text for our answer (H.264's level
   * settled by RFC 6184 §8.2.2; RTX's `apt` the negotiated primary's payload type).
   */
  sdpFmtpLine: string | undefined;
  /** The remote's fmtp: what it can receive, so what we may send. */
  remoteSdpFmtpLine: string | undefined;
  /** The rtcp-fb both sides listed for this codec (RFC 4585 §4.2). */
  rtcpFeedback: RtcpFeedback[];
  /** For RTX: the payload type of the negotiated codec it repairs (RFC 4588 §8.6). */
  associatedPayloadType: number | undefined;
}

export interface NegotiateCodecsOptions {
  /**
   * Order of the result. Default `remote`: RFC 3264 §6.1 recommends an answer keep the offer's
   * order, and the order of an answer is the answerer's preference. `local` is for an answer
   * under `setCodecPreferences`, whose order RFC 8829 §5.3.1 makes the answer's.
   */
  order?: 'remote' | 'local';
}

/** Subtype of a MIME type, lowercased: `video/H264` → `h264`. */
function subtype(mimeType: string): string {
  return mimeType.slice(mimeType.indexOf('/') + 1).toLowerCase();
}

/** A numeric fmtp parameter with its default when absent. */
function numeric(parameters: FmtpParameters, name: string, fallback: number): number {
  const value = parameters.get(name);
  return value === undefined ? fallback : Number(value);
}

/**
 * Whether the fmtp of two same-named codecs describe the same codec configuration, per each
 * codec's payload format: parameters not named here (Opus's, VP8's) are declarative and do
 * not split one codec into several.
 */
function sameConfiguration(name: string, local: FmtpParameters, remote: FmtpParameters): boolean {
  switch (name) {
    // RFC 9628 §6 (VP9): profile-id, 0 when absent. AV1 RTP spec §7.2: profile, 0 when absent.
    case 'vp9':
      return numeric(local, 'profile-id', 0) === numeric(remote, 'profile-id', 0);
    case 'av1':
      return numeric(local, 'profile', 0) === numeric(remote, 'profile', 0);
    case 'h264': {
      // RFC 6184 §8.2.2: the packetization mode (0 when absent) must be the same, and so must
      // the profile; the level is settled separately.
      if (numeric(local, 'packetization-mode', 0) !== numeric(remote, 'packetization-mode', 0)) {
        return false;
      }
      const ours = parseH264ProfileLevelId(local.get('profile-level-id'));
      const theirs = parseH264ProfileLevelId(remote.get('profile-level-id'));
      return ours !== undefined && theirs !== undefined && ours.profile === theirs.profile;
    }
    default:
      return true;
  }
}

function matches(local: LocalCodec, remote: Codec): boolean {
  const name = subtype(local.mimeType);
  // RFC 8866 §6.6: channels is 1 when the rtpmap omits it (audio); video has none on either side.
  return (
    name === remote.name.toLowerCase() &&
    local.clockRate === remote.clockRate &&
    (local.channels ?? 1) === (remote.channels ?? 1) &&
    sameConfiguration(name, FmtpParameters.parse(local.sdpFmtpLine ?? ''), remote.parameters)
  );
}

/**
 * RFC 6184 §8.2.2: the answer's H.264 level. With `level-asymmetry-allowed=1` on both sides
 * each side declares the level it can receive, so we keep ours; otherwise the level is common
 * to both directions and the answer takes the lower of the two. The profile bytes stay ours.
 */
function h264AnswerFmtp(local: string | undefined, remote: FmtpParameters): string | undefined {
  const parameters = FmtpParameters.parse(local ?? '');
  const asymmetric =
    parameters.get('level-asymmetry-allowed') === '1' &&
    remote.get('level-asymmetry-allowed') === '1';
  const ours = parseH264ProfileLevelId(parameters.get('profile-level-id'));
  const theirs = parseH264ProfileLevelId(remote.get('profile-level-id'));
  if (asymmetric || ours === undefined || theirs === undefined) return local;
  const level = minH264Level(ours.level, theirs.level);
  if (level === ours.level) return local;
  // parseH264ProfileLevelId's default for an absent profile-level-id, written out.
  const rewritten = withH264Level(parameters.get('profile-level-id') ?? '42e01f', level);
  return rewritten === undefined ? local : parameters.set('profile-level-id', rewritten).toString();
}

function normalizedParameter(parameter: string | undefined): string | undefined {
  const trimmed = parameter?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed.toLowerCase();
}

/**
 * The rtcp-fb both sides listed (RFC 4585 §4.2: an answerer keeps only those of the offer it
 * supports), in the remote's order, once each. Pion writes `nack ` with a trailing space.
 */
function feedbackIntersection(local: readonly RtcpFeedback[], remote: readonly RtcpFeedback[]) {
  const result: RtcpFeedback[] = [];
  const key = (entry: RtcpFeedback) =>
    `${entry.type.toLowerCase()} ${normalizedParameter(entry.parameter) ?? ''}`;
  const localKeys = new Set(local.map(key));
  for (const entry of remote) {
    const entryKey = key(entry);
    if (!localKeys.has(entryKey) || result.some((kept) => key(kept) === entryKey)) continue;
    result.push({ type: entry.type, parameter: normalizedParameter(entry.parameter) });
  }
  return result;
}

function associatedPayloadType(codec: LocalCodec): number | undefined {
  const apt = FmtpParameters.parse(codec.sdpFmtpLine ?? '').get('apt');
  return apt === undefined ? undefined : Number(apt);
}

interface Match {
  local: LocalCodec;
  localIndex: number;
  remote: Codec;
}

/**
 * The codecs both `local` and `remote` support, as RFC 8829 §5.3.1 builds an answer and §5.10
 * applies one: every remote codec (other than RTX) that matches a local one, under the remote
 * payload type; then, after each, its RTX when both sides offered RTX for it.
 *
 * Matching is by name, clock rate and channels, then per payload format: VP9 by profile-id,
 * AV1 by profile, H.264 by packetization-mode and profile (not level: `sameConfiguration`).
 * telephone-event, Opus and VP8 need nothing more. As offerer, a remote codec is first matched
 * to the local codec we offered under its payload type (RFC 3264 §6.1: the answer reuses them).
 */
export function negotiateCodecs(
  local: readonly LocalCodec[],
  remote: readonly Codec[],
  role: NegotiationRole,
  options: NegotiateCodecsOptions = {},
): NegotiatedCodec[] {
  const found: Match[] = [];
  for (const theirs of remote) {
    if (theirs.name.toLowerCase() === 'rtx') continue;
    const candidates = local
      .map((codec, localIndex) => ({ local: codec, localIndex, remote: theirs }))
      .filter((match) => !isRtx(match.local.mimeType) && matches(match.local, theirs));
    const match =
      (role === 'offerer'
        ? candidates.find((candidate) => candidate.local.payloadType === theirs.payloadType)
        : undefined) ?? candidates[0];
    if (match !== undefined) found.push(match);
  }
  if (options.order === 'local') found.sort((a, b) => a.localIndex - b.localIndex);

  const result: NegotiatedCodec[] = [];
  for (const { local: ours, remote: theirs } of found) {
    const remoteFmtp = theirs.parameters.toString();
    result.push({
      payloadType: theirs.payloadType,
      mimeType: ours.mimeType,
      clockRate: ours.clockRate,
      channels: ours.channels,
      sdpFmtpLine:
        role === 'answerer' && subtype(ours.mimeType) === 'h264'
          ? h264AnswerFmtp(ours.sdpFmtpLine, theirs.parameters)
          : ours.sdpFmtpLine,
      remoteSdpFmtpLine: remoteFmtp === '' ? undefined : remoteFmtp,
      rtcpFeedback: feedbackIntersection(ours.rtcpFeedback, theirs.feedback),
      associatedPayloadType: undefined,
    });
    const rtx = negotiateRtx(local, ours, remote, theirs);
    if (rtx !== undefined) result.push(rtx);
  }
  return result;
}

/**
 * RFC 4588 §8.6: RTX for a negotiated codec when both sides have one for it, numbered as the
 * remote's, its `apt` rewritten to the primary's negotiated (remote) payload type.
 */
function negotiateRtx(
  local: readonly LocalCodec[],
  primary: LocalCodec,
  remote: readonly Codec[],
  remotePrimary: Codec,
): NegotiatedCodec | undefined {
  const ours = local.find(
    (codec) => isRtx(codec.mimeType) && associatedPayloadType(codec) === primary.payloadType,
  );
  const theirs = remote.find(
    (codec) =>
      codec.name.toLowerCase() === 'rtx' &&
      codec.associatedPayloadType === remotePrimary.payloadType &&
      codec.clockRate === remotePrimary.clockRate,
  );
  if (ours === undefined || theirs === undefined) return undefined;
  return {
    payloadType: theirs.payloadType,
    mimeType: ours.mimeType,
    clockRate: ours.clockRate,
    channels: undefined,
    sdpFmtpLine: FmtpParameters.parse(ours.sdpFmtpLine ?? '')
      .set('apt', String(remotePrimary.payloadType))
      .toString(),
    remoteSdpFmtpLine: theirs.parameters.toString(),
    rtcpFeedback: feedbackIntersection(ours.rtcpFeedback, theirs.feedback),
    associatedPayloadType: remotePrimary.payloadType,
  };
}

/**
 * RFC 8285 §5 and §7: the header extensions both sides support, under the remote's ids (the
 * answer reuses the offer's; the offerer then uses the answer's), in the remote's order.
 */
export function negotiateHeaderExtensions(
  local: readonly string[],
  remote: readonly Pick<HeaderExtension, 'id' | 'uri'>[],
): LocalHeaderExtension[] {
  const result: LocalHeaderExtension[] = [];
  for (const { id, uri } of remote) {
    if (local.includes(uri) && !result.some((kept) => kept.uri === uri)) result.push({ id, uri });
  }
  return result;
}
