/**
 * The media half of JSEP (RFC 8829): what an offer or answer says of each transceiver's m=
 * section, and what a remote description does to the transceivers (W3C WebRTC 1.0 §4.4.1.5
 * "set the session description", the RTP media steps).
 *
 * - Offers (§5.2.1, §5.2.2): our codecs (preferences applied, numbered as already negotiated),
 *   header extensions, the transceiver's direction, msid and SSRCs when it sends.
 * - Answers (§5.3.1): codecs and extensions both sides support, under the offer's numbers; the
 *   direction of RFC 3264 §6.1; a simulcast offer's RIDs received (RFC 8853 §5.3).
 * - Applying an answer (§5.10, §5.11): the negotiated section each transceiver sends and
 *   receives with, and its `currentDirection`.
 */

import { SDES_RTP_STREAM_ID_URI } from '@typertc/rtp-rtcp';
import type { Direction } from '@typertc/sdp';
import {
  isRtx,
  type LocalCodec,
  type LocalHeaderExtension,
  localCodecs,
  localHeaderExtensions,
  type MediaCodecConfiguration,
} from '../media/codec-capabilities.js';
import {
  type NegotiatedCodec,
  negotiateCodecs,
  negotiateHeaderExtensions,
} from '../media/codec-negotiation.js';
import { applyCodecPreferences } from '../media/codec-preferences.js';
import { internals } from '../media/internals.js';
import type { NegotiatedSection } from '../media/media-transport.js';
import type { RTCRtpTransceiver, RTCRtpTransceiverDirection } from '../media/rtp-transceiver.js';
import {
  answerDirection,
  type MediaSectionParameters,
  type RemoteMediaSection,
  type SectionCodec,
} from './media-section.js';
import type { RemoteDescription } from './remote-description.js';
import { answerSections, type SectionState } from './sections.js';

export interface MediaContext {
  readonly cname: string;
  readonly codecs: MediaCodecConfiguration | undefined;
}

/** A media section of a created description: what it says, and what it was built from. */
export interface MediaSectionPlan {
  readonly transceiver: RTCRtpTransceiver;
  readonly parameters: MediaSectionParameters;
  /** The codecs we offered (an answer is negotiated against them). */
  readonly localCodecs: readonly LocalCodec[];
  /** In an answer: what it negotiated. */
  readonly negotiated:
    | { readonly codecs: NegotiatedCodec[]; readonly extensions: LocalHeaderExtension[] }
    | undefined;
}

export function sends(direction: RTCRtpTransceiverDirection | Direction | null): boolean {
  return direction === 'sendrecv' || direction === 'sendonly';
}

export function receives(direction: RTCRtpTransceiverDirection | Direction | null): boolean {
  return direction === 'sendrecv' || direction === 'recvonly';
}

/** RFC 3264 §6.1: the direction an answer's `direction` gives the offerer. */
export function reverseDirection(direction: Direction): Direction {
  if (direction === 'sendonly') return 'recvonly';
  if (direction === 'recvonly') return 'sendonly';
  return direction;
}

/** `video/VP8` → `VP8`, as `a=rtpmap` names it. */
function encodingName(mimeType: string): string {
  return mimeType.slice(mimeType.indexOf('/') + 1);
}

function sectionCodec(codec: {
  payloadType: number;
  mimeType: string;
  clockRate: number;
  channels?: number | undefined;
  sdpFmtpLine?: string | undefined;
  rtcpFeedback: readonly { type: string; parameter?: string | undefined }[];
}): SectionCodec {
  return {
    payloadType: codec.payloadType,
    encodingName: encodingName(codec.mimeType),
    clockRate: codec.clockRate,
    // RFC 8866 §6.6: the channel count is written for audio with more than one channel.
    ...(codec.channels !== undefined && codec.channels > 1 ? { channels: codec.channels } : {}),
    ...(codec.sdpFmtpLine === undefined ? {} : { fmtp: codec.sdpFmtpLine }),
    rtcpFeedback: codec.rtcpFeedback.map(({ type, parameter }) =>
      parameter === undefined ? { type } : { type, parameter },
    ),
  };
}

/**
 * The transceiver's local codec list: our codecs with its preferences applied, renumbered so
 * that a codec negotiated before keeps its payload type (RFC 3264 §8.3.2: a payload type's
 * meaning does not change within the session); a codec whose number is now taken gets a free one.
 */
export function localCodecsFor(
  transceiver: RTCRtpTransceiver,
  context: MediaContext,
): LocalCodec[] {
  const state = transceiver[internals];
  const local = applyCodecPreferences(localCodecs(state.kind, context.codecs), state.preferences);
  const negotiated = state.negotiated?.codecs ?? [];
  if (negotiated.length === 0) return local;
  const renumbered = new Map<number, number>();
  for (const codec of local) {
    if (isRtx(codec.mimeType)) continue;
    const match = negotiated.find(
      (other) =>
        other.associatedPayloadType === undefined &&
        other.mimeType.toLowerCase() === codec.mimeType.toLowerCase() &&
        other.clockRate === codec.clockRate &&
        other.channels === codec.channels &&
        samePacketization(other.sdpFmtpLine, codec.sdpFmtpLine),
    );
    if (match === undefined || [...renumbered.values()].includes(match.payloadType)) continue;
    renumbered.set(codec.payloadType, match.payloadType);
    const rtx = negotiated.find((other) => other.associatedPayloadType === match.payloadType);
    const localRtx = local.find((other) => other.sdpFmtpLine === `apt=${codec.payloadType}`);
    if (rtx !== undefined && localRtx !== undefined) {
      renumbered.set(localRtx.payloadType, rtx.payloadType);
    }
  }
  const taken = new Set(renumbered.values());
  const free = () => {
    for (let pt = 96; pt <= 127; pt++) {
      if (!taken.has(pt) && !local.some((c) => c.payloadType === pt && !renumbered.has(pt))) {
        taken.add(pt);
        return pt;
      }
    }
    return undefined;
  };
  const result: LocalCodec[] = [];
  for (const codec of local) {
    let payloadType = renumbered.get(codec.payloadType);
    if (payloadType === undefined) {
      payloadType = taken.has(codec.payloadType) ? free() : codec.payloadType;
      if (payloadType === undefined) continue;
      taken.add(payloadType);
      renumbered.set(codec.payloadType, payloadType);
    }
    result.push({ ...codec, payloadType });
  }
  // RTX `apt` follows its primary's new number (RFC 4588 §8.6).
  return result.map((codec) => {
    const apt = /^apt=(\d+)$/.exec(codec.sdpFmtpLine ?? '')?.[1];
    if (!isRtx(codec.mimeType) || apt === undefined) return codec;
    return { ...codec, sdpFmtpLine: `apt=${renumbered.get(Number(apt)) ?? apt}` };
  });
}

/** H.264's packetization-mode (RFC 6184 §8.1) tells two same-named codecs apart. */
function samePacketization(a: string | undefined, b: string | undefined): boolean {
  const mode = (fmtp: string | undefined) => /packetization-mode=(\d)/.exec(fmtp ?? '')?.[1] ?? '0';
  return mode(a) === mode(b);
}

/** Our header extensions, with the ids a negotiation already gave them. */
function localExtensionsFor(transceiver: RTCRtpTransceiver): LocalHeaderExtension[] {
  const state = transceiver[internals];
  const negotiated = state.negotiated?.extensions;
  const local = localHeaderExtensions(state.kind);
  if (negotiated === undefined) return local;
  const byUri = new Map([...negotiated].map(([id, uri]) => [uri, id]));
  const used = new Set(byUri.values());
  return local.flatMap(({ id, uri }) => {
    const kept = byUri.get(uri);
    if (kept !== undefined) return [{ id: kept, uri }];
    // An id the peer already uses for another URI cannot be reused (RFC 8285 §6).
    return used.has(id) ? [] : [{ id, uri }];
  });
}

function sendingParts(
  transceiver: RTCRtpTransceiver,
  direction: Direction,
  withRtx: boolean,
  cname: string,
): Pick<MediaSectionParameters, 'msid' | 'source'> {
  if (!sends(direction)) return {};
  const sender = transceiver.sender;
  const senderState = sender[internals];
  return {
    msid: {
      streamIds: senderState.streamIds,
      trackId: sender.track?.id ?? senderState.placeholderTrackId,
    },
    source: {
      ssrc: sender.ssrc,
      ...(withRtx && sender.rtxSsrc !== undefined ? { rtxSsrc: sender.rtxSsrc } : {}),
      cname,
    },
  };
}

/** RFC 8829 §5.2.1: the section an offer has for `transceiver`. */
export function offerMedia(
  transceiver: RTCRtpTransceiver,
  mid: string,
  context: MediaContext,
): MediaSectionPlan {
  const codecs = localCodecsFor(transceiver, context);
  const direction = transceiver.direction as Direction;
  const withRtx = codecs.some((codec) => isRtx(codec.mimeType));
  return {
    transceiver,
    localCodecs: codecs,
    negotiated: undefined,
    parameters: {
      kind: transceiver[internals].kind,
      mid,
      direction,
      codecs: codecs.map(sectionCodec),
      headerExtensions: localExtensionsFor(transceiver),
      ...sendingParts(transceiver, direction, withRtx, context.cname),
      rtcpRsize: true,
    },
  };
}

/**
 * RFC 8829 §5.3.1: the section our answer has for `transceiver`, or undefined when no codec is
 * common (the section is then rejected).
 */
export function answerMedia(
  transceiver: RTCRtpTransceiver,
  remote: RemoteMediaSection,
  mid: string,
  context: MediaContext,
): MediaSectionPlan | undefined {
  const local = localCodecsFor(transceiver, context);
  const preferred = transceiver[internals].preferences.length > 0;
  const codecs = negotiateCodecs(local, remote.codecs, 'answerer', {
    order: preferred ? 'local' : 'remote',
  });
  if (!codecs.some((codec) => codec.associatedPayloadType === undefined)) return undefined;
  const extensions = negotiateHeaderExtensions(
    localHeaderExtensions(transceiver[internals].kind).map(({ uri }) => uri),
    remote.headerExtensions,
  );
  const wanted = transceiver.direction === 'stopped' ? 'inactive' : transceiver.direction;
  const direction = answerDirection(remote.direction, wanted);
  // RFC 8853 §5.3: the offered simulcast streams are received, if the RID extension is common.
  const offeredRids = remote.rids.filter((rid) => rid.direction === 'send');
  const takeRids =
    offeredRids.length > 0 &&
    receives(direction) &&
    extensions.some(({ uri }) => uri === SDES_RTP_STREAM_ID_URI);
  const withRtx = codecs.some((codec) => codec.associatedPayloadType !== undefined);
  return {
    transceiver,
    localCodecs: local,
    negotiated: { codecs, extensions },
    parameters: {
      kind: transceiver[internals].kind,
      mid,
      direction,
      codecs: codecs.map((codec) => sectionCodec(codec)),
      headerExtensions: extensions,
      ...sendingParts(transceiver, direction, withRtx, context.cname),
      rtcpRsize: remote.rtcpRsize,
      ...(takeRids
        ? { rids: offeredRids.map(({ id }) => ({ id, direction: 'recv' as const })) }
        : {}),
    },
  };
}

/**
 * RFC 8829 §5.10/§5.11: the negotiated section once the answer is known, from our plan (the
 * offer or the answer we made) and the peer's section (its answer or offer).
 */
export function negotiatedSection(
  plan: MediaSectionPlan,
  remote: RemoteMediaSection,
): NegotiatedSection {
  const codecs =
    plan.negotiated?.codecs ?? negotiateCodecs(plan.localCodecs, remote.codecs, 'offerer');
  const extensions =
    plan.negotiated?.extensions ??
    negotiateHeaderExtensions(
      plan.parameters.headerExtensions.map(({ uri }) => uri),
      remote.headerExtensions,
    );
  return {
    mid: plan.parameters.mid,
    kind: plan.parameters.kind,
    codecs,
    localCodecs: plan.localCodecs,
    extensions: new Map(extensions.map(({ id, uri }) => [id, uri])),
    rtcpRsize: plan.parameters.rtcpRsize && remote.rtcpRsize,
    remoteSources: remote.sources.map(({ ssrc, rtxSsrc }) => ({ ssrc, rtxSsrc })),
    remoteRids: remote.rids.filter((rid) => rid.direction === 'send').map(({ id }) => id),
  };
}

/** RFC 8829 §5.2.1: the media plans of an offer's sections. */
export function planOffer(
  sections: readonly SectionState[],
  context: MediaContext,
): Map<string, MediaSectionPlan> {
  const media = new Map<string, MediaSectionPlan>();
  for (const section of sections) {
    if (section.kind === 'media') {
      media.set(section.mid, offerMedia(section.transceiver, section.mid, context));
    }
  }
  return media;
}

/**
 * RFC 8829 §5.3.1: an answer's sections and media plans. A media section is taken by the
 * transceiver the offer associated with it, unless it is stopping or no codec is common.
 */
export function planAnswer(
  remote: RemoteDescription,
  transceivers: readonly RTCRtpTransceiver[],
  context: MediaContext,
): { sections: SectionState[]; media: Map<string, MediaSectionPlan> } {
  const media = new Map<string, MediaSectionPlan>();
  const sections = answerSections(remote, (section) => {
    const transceiver = transceivers.find((t) => t.mid === section.mid);
    if (transceiver === undefined || section.media === undefined) return undefined;
    if (transceiver[internals].stopping) return undefined;
    const plan = answerMedia(transceiver, section.media, section.mid, context);
    if (plan === undefined) return undefined;
    media.set(section.mid, plan);
    return { kind: 'media', mid: section.mid, transceiver };
  });
  return { sections, media };
}
