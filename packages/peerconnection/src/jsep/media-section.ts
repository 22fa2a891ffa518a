/**
 * RTP media sections (m=audio, m=video) as JSEP writes and reads them (RFC 8829 §5.2.1 offers,
 * §5.3.1 answers, §5.8 parsing): direction (RFC 3264 §5.1), codecs with rtpmap, fmtp and
 * rtcp-fb (RFC 8866 §6.6, §6.15; RFC 4585 §4.2), header extensions (RFC 8285 §8), rtcp-mux
 * and rtcp-rsize (RFC 5761, RFC 5506), msid (RFC 8830), SSRCs with their CNAME and RTX group
 * (RFC 5576, RFC 4588 §8), and simulcast RIDs (RFC 8851, RFC 8853). The transport attributes
 * are the bundle's, written by `local-description.ts`.
 */

import {
  type Attribute,
  type Codec,
  codecs,
  type Direction,
  FmtpParameters,
  findAttributes,
  type HeaderExtension,
  hasAttribute,
  headerExtensions,
  type MediaDescription,
  mediaDirection,
  type SessionDescription,
} from '@typertc/sdp';

/** RFC 8829 §5.2.1: the profile of every WebRTC media section. */
export const RTP_PROTOCOL = 'UDP/TLS/RTP/SAVPF';

export interface SectionCodec {
  readonly payloadType: number;
  /** The rtpmap encoding name: `opus`, `VP8`, `rtx`. */
  readonly encodingName: string;
  readonly clockRate: number;
  readonly channels?: number;
  /** The fmtp parameters, as their text: `minptime=10;useinbandfec=1`. */
  readonly fmtp?: string;
  readonly rtcpFeedback: readonly { readonly type: string; readonly parameter?: string }[];
}

/** One RTP source the section sends: its SSRC, the RTX one repairing it, and its CNAME. */
export interface SectionSource {
  readonly ssrc: number;
  readonly rtxSsrc?: number;
  readonly cname: string;
}

export interface MediaSectionParameters {
  readonly kind: 'audio' | 'video';
  readonly mid: string;
  readonly direction: Direction;
  readonly codecs: readonly SectionCodec[];
  readonly headerExtensions: readonly { readonly id: number; readonly uri: string }[];
  /** RFC 8830 §2: the streams the sent track belongs to (`-` for none) and its id. */
  readonly msid?: { readonly streamIds: readonly string[]; readonly trackId: string };
  readonly source?: SectionSource;
  readonly rtcpRsize: boolean;
  /**
   * Simulcast streams (RFC 8851 `a=rid`, RFC 8853 `a=simulcast`): in an answer to a simulcast
   * offer, the offer's RIDs with the direction reversed.
   */
  readonly rids?: readonly { readonly id: string; readonly direction: 'send' | 'recv' }[];
}

/**
 * The m= line's formats and the section's attributes other than the transport's: what a local
 * media section carries besides the bundle's credentials and candidates.
 */
export function mediaSectionAttributes(section: MediaSectionParameters): {
  formats: string[];
  attributes: Attribute[];
} {
  const attributes: Attribute[] = [{ name: 'mid', value: section.mid }];
  for (const { id, uri } of section.headerExtensions) {
    attributes.push({
      name: 'extmap',
      id,
      direction: undefined,
      uri,
      extensionAttributes: undefined,
    });
  }
  attributes.push({ name: section.direction });
  if (section.msid !== undefined) {
    const streams = section.msid.streamIds.length > 0 ? section.msid.streamIds : ['-'];
    for (const streamId of streams) {
      attributes.push({ name: 'msid', streamId, trackId: section.msid.trackId });
    }
  }
  // RFC 8829 §5.2.1: rtcp-mux always (RFC 8843 needs it), rtcp-rsize when we can take it.
  attributes.push({ name: 'rtcp-mux' });
  if (section.rtcpRsize) attributes.push({ name: 'rtcp-rsize' });
  for (const codec of section.codecs) {
    attributes.push({
      name: 'rtpmap',
      payloadType: codec.payloadType,
      encodingName: codec.encodingName,
      clockRate: codec.clockRate,
      channels: codec.channels,
    });
    for (const { type, parameter } of codec.rtcpFeedback) {
      attributes.push({ name: 'rtcp-fb', payloadType: codec.payloadType, type, parameter });
    }
    if (codec.fmtp !== undefined && codec.fmtp !== '') {
      attributes.push({
        name: 'fmtp',
        format: String(codec.payloadType),
        parameters: FmtpParameters.parse(codec.fmtp),
      });
    }
  }
  const rids = section.rids ?? [];
  for (const { id, direction } of rids) {
    attributes.push({ name: 'rid', id, direction, payloadTypes: undefined, restrictions: [] });
  }
  const ridDirection = rids[0]?.direction;
  if (ridDirection !== undefined) {
    // RFC 8853 §5.1: each RID its own simulcast stream, in preference order.
    attributes.push({
      name: 'simulcast',
      directions: [
        {
          direction: ridDirection,
          streams: rids
            .filter((rid) => rid.direction === ridDirection)
            .map(({ id }) => [{ rid: id, paused: false }]),
        },
      ],
      draftSyntax: false,
    });
  }
  const source = section.source;
  if (source !== undefined) {
    // RFC 5576 §4.2, RFC 4588 §8.6: the RTX SSRC is grouped with the one it repairs.
    if (source.rtxSsrc !== undefined) {
      attributes.push({
        name: 'ssrc-group',
        semantics: 'FID',
        ssrcs: [source.ssrc, source.rtxSsrc],
      });
    }
    for (const ssrc of source.rtxSsrc === undefined
      ? [source.ssrc]
      : [source.ssrc, source.rtxSsrc]) {
      attributes.push({ name: 'ssrc', ssrc, attribute: 'cname', value: source.cname });
      if (section.msid !== undefined) {
        const streamId = section.msid.streamIds[0] ?? '-';
        attributes.push({
          name: 'ssrc',
          ssrc,
          attribute: 'msid',
          value: `${streamId} ${section.msid.trackId}`,
        });
      }
    }
  }
  return { formats: section.codecs.map((codec) => String(codec.payloadType)), attributes };
}

/** What a remote media section says, as the answerer or the offerer needs it. */
export interface RemoteMediaSection {
  readonly kind: 'audio' | 'video';
  readonly direction: Direction;
  readonly codecs: readonly Codec[];
  readonly headerExtensions: readonly HeaderExtension[];
  readonly rtcpMux: boolean;
  readonly rtcpRsize: boolean;
  /** The stream ids (none for `-`) and track id of `a=msid`, if any. */
  readonly msid:
    | { readonly streamIds: readonly string[]; readonly trackId: string | undefined }
    | undefined;
  /** The sources announced by `a=ssrc` (RFC 5576), each with its FID (RTX) partner. */
  readonly sources: readonly {
    readonly ssrc: number;
    readonly rtxSsrc: number | undefined;
    readonly cname: string | undefined;
  }[];
  /** RFC 8851 `a=rid` lines: the simulcast streams it sends (`send`) or wants (`recv`). */
  readonly rids: readonly { readonly id: string; readonly direction: 'send' | 'recv' }[];
}

/** Reads an audio or video section; undefined for any other kind. */
export function readMediaSection(
  session: SessionDescription,
  media: MediaDescription,
): RemoteMediaSection | undefined {
  if (media.kind !== 'audio' && media.kind !== 'video') return undefined;
  const msidLines = findAttributes(media.attributes, 'msid');
  const first = msidLines[0];
  const msid =
    first === undefined
      ? undefined
      : {
          streamIds: msidLines.map((line) => line.streamId).filter((id) => id !== '-'),
          trackId: first.trackId,
        };
  return {
    kind: media.kind,
    direction: mediaDirection(session, media),
    codecs: codecs(media),
    headerExtensions: headerExtensions(session, media),
    rtcpMux: hasAttribute(media.attributes, 'rtcp-mux'),
    rtcpRsize: hasAttribute(media.attributes, 'rtcp-rsize'),
    msid,
    sources: readSources(media),
    rids: findAttributes(media.attributes, 'rid').map(({ id, direction }) => ({ id, direction })),
  };
}

/** `a=ssrc` sources (RFC 5576 §4.1), the repairing SSRC of each FID group (§4.2) folded in. */
function readSources(media: MediaDescription): RemoteMediaSection['sources'] {
  const rtxOf = new Map<number, number>();
  const repairs = new Set<number>();
  for (const group of findAttributes(media.attributes, 'ssrc-group')) {
    const [primary, rtx] = group.ssrcs;
    if (group.semantics !== 'FID' || primary === undefined || rtx === undefined) continue;
    rtxOf.set(primary, rtx);
    repairs.add(rtx);
  }
  const cnames = new Map<number, string | undefined>();
  for (const line of findAttributes(media.attributes, 'ssrc')) {
    if (!cnames.has(line.ssrc) || line.attribute === 'cname') {
      cnames.set(line.ssrc, line.attribute === 'cname' ? line.value : cnames.get(line.ssrc));
    }
  }
  return [...cnames]
    .filter(([ssrc]) => !repairs.has(ssrc))
    .map(([ssrc, cname]) => ({ ssrc, rtxSsrc: rtxOf.get(ssrc), cname }));
}

/** RFC 3264 §6.1: our direction in an answer, from the offer's and what we want. */
export function answerDirection(offered: Direction, wanted: Direction): Direction {
  const theySend = offered === 'sendrecv' || offered === 'sendonly';
  const theyReceive = offered === 'sendrecv' || offered === 'recvonly';
  const weSend = (wanted === 'sendrecv' || wanted === 'sendonly') && theyReceive;
  const weReceive = (wanted === 'sendrecv' || wanted === 'recvonly') && theySend;
  if (weSend && weReceive) return 'sendrecv';
  if (weSend) return 'sendonly';
  if (weReceive) return 'recvonly';
  return 'inactive';
}
