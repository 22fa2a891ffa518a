/**
 * Stats object ids (webrtc-stats, "Lifetime considerations for monitored objects"): an id is
 * stable for its monitored object across reports, and never used again for another object, even
 * after the first is deleted. Ids are therefore numbered per object, in the order objects are
 * first reported, rather than derived from what they contain: a data channel's stream id or a
 * candidate's address may come back on a new object. RTP streams and codecs are the exception:
 * webrtc-stats identifies them by what they are (an SSRC of a transport, a codec of a
 * transport), and the RTP engine's snapshot may be new objects every time, so their ids are
 * made from those. An SSRC is unique within its RTP session (RFC 3550 §8), and a new stream on
 * an old SSRC is the rare case these ids accept.
 */

import type { StatsCodec } from './stats-source.js';

const numbered = new WeakMap<object, string>();
let lastNumber = 0;

/** The id of a monitored object: `prefix` and its number, the same for it every time. */
export function statsIdOf(prefix: string, object: object): string {
  let id = numbered.get(object);
  if (id === undefined) {
    id = `${prefix}${++lastNumber}`;
    numbered.set(object, id);
  }
  return id;
}

/** The one peer-connection stats object of a report. */
export const PEER_CONNECTION_STATS_ID = 'P';

/** A certificate's id names its fingerprint: the same certificate, the same stats object. */
export function certificateStatsId(fingerprint: string): string {
  return `CF${fingerprint}`;
}

/** A pair's id, from its candidates'. */
export function candidatePairStatsId(localId: string, remoteId: string): string {
  return `CP${localId}_${remoteId}`;
}

/** webrtc-stats RTCRtpStreamStats types, and the prefix of their ids. */
const RTP_STREAM_PREFIXES = {
  'outbound-rtp': 'OT',
  'inbound-rtp': 'IT',
  'remote-inbound-rtp': 'RI',
  'remote-outbound-rtp': 'RO',
} as const;

/**
 * An RTP stream object's id, from its type, transport, kind and SSRC: an outbound-rtp and the
 * remote-inbound-rtp about it share the SSRC and differ by type.
 */
export function rtpStreamStatsId(
  type: keyof typeof RTP_STREAM_PREFIXES,
  transportId: string,
  kind: 'audio' | 'video',
  ssrc: number,
): string {
  return `${RTP_STREAM_PREFIXES[type]}${transportId}_${kind === 'audio' ? 'A' : 'V'}${ssrc}`;
}

/**
 * A codec's id, from its transport and everything that makes it that codec, written as SDP
 * writes it: `CO<transport>_<pt>_<mime type>/<clock rate>[/<channels>][;<fmtp>]`. One object per
 * payload type per transport (webrtc-stats RTCCodecStats), shared by both directions, and two
 * where the directions' fmtp lines differ. A MIME type holds one `/` and no `;`, so two
 * different codecs never share an id. An empty fmtp line is none.
 */
export function codecStatsId(transportId: string, codec: StatsCodec): string {
  const channels = codec.channels === undefined ? '' : `/${codec.channels}`;
  const fmtp = codec.sdpFmtpLine ? `;${codec.sdpFmtpLine}` : '';
  return `CO${transportId}_${codec.payloadType}_${codec.mimeType}/${codec.clockRate}${channels}${fmtp}`;
}
