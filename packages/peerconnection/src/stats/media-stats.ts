/**
 * The RTP part of a report (webrtc-stats, "The RTP statistics hierarchy"): `outbound-rtp` and
 * `inbound-rtp` per stream, `remote-inbound-rtp` and `remote-outbound-rtp` per stream the peer
 * has reported on, and one `codec` per codec those streams use, from the RTP engine's snapshot.
 * Every object names the transport, every stream its codec, and each local/remote pair the other
 * (webrtc-stats, Conformance: remoteId and localId where both sides exist).
 */

import { codecStatsId, rtpStreamStatsId } from './stats-ids.js';
import type {
  InboundStreamStatsSource,
  MediaStatsSource,
  OutboundStreamStatsSource,
  StatsCodec,
} from './stats-source.js';
import type {
  AnyRTCStats,
  RTCCodecStats,
  RTCInboundRtpStreamStats,
  RTCOutboundRtpStreamStats,
  RTCRemoteInboundRtpStreamStats,
  RTCRemoteOutboundRtpStreamStats,
} from './stats-types.js';

/**
 * The entries of `media` on the transport `transportId`, at the report's `timestamp`: codecs
 * first, then each stream followed by its remote counterpart. A second stream of the same type
 * and SSRC would take the first one's id (ids are unique within a report): it is left out.
 */
export function mediaStatsEntries(
  media: MediaStatsSource,
  transportId: string,
  timestamp: number,
): AnyRTCStats[] {
  const codecs = new Map<string, RTCCodecStats>();
  // A stream's codecId (webrtc-stats RTCRtpStreamStats), none before its codec is known; the
  // codec's entry is made when a stream first names it.
  const reference = (codec: StatsCodec | undefined): { codecId?: string } => {
    if (codec === undefined) return {};
    const id = codecStatsId(transportId, codec);
    if (!codecs.has(id)) codecs.set(id, codecStats(codec, id, transportId, timestamp));
    return { codecId: id };
  };
  const streams: AnyRTCStats[] = [];
  const seen = new Set<string>();
  for (const stream of media.outbound) {
    const id = rtpStreamStatsId('outbound-rtp', transportId, stream.kind, stream.ssrc);
    if (seen.has(id)) continue;
    seen.add(id);
    const codecId = reference(stream.codec);
    const remote = remoteInboundStats(stream, id, transportId, codecId);
    streams.push(outboundStats(stream, id, transportId, codecId, timestamp, remote?.id));
    if (remote !== undefined) streams.push(remote);
  }
  for (const stream of media.inbound) {
    const id = rtpStreamStatsId('inbound-rtp', transportId, stream.kind, stream.ssrc);
    if (seen.has(id)) continue;
    seen.add(id);
    const codecId = reference(stream.codec);
    const remote = remoteOutboundStats(stream, id, transportId, codecId);
    streams.push(inboundStats(stream, id, transportId, codecId, timestamp, remote?.id));
    if (remote !== undefined) streams.push(remote);
  }
  return [...codecs.values(), ...streams];
}

/** webrtc-stats RTCCodecStats. */
function codecStats(
  codec: StatsCodec,
  id: string,
  transportId: string,
  timestamp: number,
): RTCCodecStats {
  const { channels, sdpFmtpLine } = codec;
  return {
    id,
    type: 'codec',
    timestamp,
    payloadType: codec.payloadType,
    transportId,
    mimeType: codec.mimeType,
    clockRate: codec.clockRate,
    ...(channels === undefined ? {} : { channels }),
    // The a=fmtp parameters, where the codec has any: none, no member.
    ...(sdpFmtpLine ? { sdpFmtpLine } : {}),
  };
}

/**
 * webrtc-stats RTCInboundRtpStreamStats and RTCOutboundRtpStreamStats firCount, pliCount:
 * "Only exists for video".
 */
function videoFeedback(stream: InboundStreamStatsSource | OutboundStreamStatsSource): {
  firCount?: number;
  pliCount?: number;
} {
  return stream.kind === 'video' ? { firCount: stream.firCount, pliCount: stream.pliCount } : {};
}

/** webrtc-stats RTCOutboundRtpStreamStats (with RTCSentRtpStreamStats, RTCRtpStreamStats). */
function outboundStats(
  stream: OutboundStreamStatsSource,
  id: string,
  transportId: string,
  codecId: { codecId?: string },
  timestamp: number,
  remoteId: string | undefined,
): RTCOutboundRtpStreamStats {
  const { rid, rtxSsrc } = stream;
  // Not reported: mediaSourceId (no media-source objects), and lastPacketSentTimestamp, which
  // webrtc-stats no longer has on outbound-rtp.
  return {
    id,
    type: 'outbound-rtp',
    timestamp,
    ssrc: stream.ssrc,
    kind: stream.kind,
    transportId,
    ...codecId,
    mid: stream.mid,
    ...(rid === undefined ? {} : { rid }),
    packetsSent: stream.packetsSent,
    bytesSent: stream.bytesSent,
    headerBytesSent: stream.headerBytesSent,
    retransmittedPacketsSent: stream.retransmittedPacketsSent,
    retransmittedBytesSent: stream.retransmittedBytesSent,
    ...(rtxSsrc === undefined ? {} : { rtxSsrc }),
    nackCount: stream.nackCount,
    ...videoFeedback(stream),
    active: stream.active,
    ...(remoteId === undefined ? {} : { remoteId }),
  };
}

/**
 * webrtc-stats RTCRemoteInboundRtpStreamStats (with RTCReceivedRtpStreamStats), once a report
 * block arrived. Its timestamp is that block's arrival (WebRTC 1.0 RTCStats timestamp: for
 * stats from a remote source, when the information arrived).
 */
function remoteInboundStats(
  stream: OutboundStreamStatsSource,
  localId: string,
  transportId: string,
  codecId: { codecId?: string },
): RTCRemoteInboundRtpStreamStats | undefined {
  const { remote } = stream;
  if (remote === undefined) return undefined;
  const { roundTripTimeSeconds } = remote;
  return {
    id: rtpStreamStatsId('remote-inbound-rtp', transportId, stream.kind, stream.ssrc),
    type: 'remote-inbound-rtp',
    timestamp: remote.lastReportTimestamp,
    ssrc: stream.ssrc,
    kind: stream.kind,
    transportId,
    ...codecId,
    packetsLost: remote.packetsLost,
    jitter: remote.jitterSeconds,
    localId,
    // Absent until a report block with a DLSR other than 0 gave a round trip.
    ...(roundTripTimeSeconds === undefined ? {} : { roundTripTime: roundTripTimeSeconds }),
    totalRoundTripTime: remote.totalRoundTripTimeSeconds,
    fractionLost: remote.fractionLost,
    roundTripTimeMeasurements: remote.roundTripTimeMeasurements,
  };
}

/** webrtc-stats RTCInboundRtpStreamStats (with RTCReceivedRtpStreamStats, RTCRtpStreamStats). */
function inboundStats(
  stream: InboundStreamStatsSource,
  id: string,
  transportId: string,
  codecId: { codecId?: string },
  timestamp: number,
  remoteId: string | undefined,
): RTCInboundRtpStreamStats {
  const { rtxSsrc, lastPacketReceivedTimestamp } = stream;
  // Not reported: rid, which inbound-rtp does not have.
  return {
    id,
    type: 'inbound-rtp',
    timestamp,
    ssrc: stream.ssrc,
    kind: stream.kind,
    transportId,
    ...codecId,
    trackIdentifier: stream.trackIdentifier,
    mid: stream.mid,
    ...(remoteId === undefined ? {} : { remoteId }),
    packetsReceived: stream.packetsReceived,
    packetsLost: stream.packetsLost,
    jitter: stream.jitterSeconds,
    bytesReceived: stream.bytesReceived,
    headerBytesReceived: stream.headerBytesReceived,
    ...(lastPacketReceivedTimestamp === undefined ? {} : { lastPacketReceivedTimestamp }),
    nackCount: stream.nackCount,
    ...videoFeedback(stream),
    retransmittedPacketsReceived: stream.retransmittedPacketsReceived,
    retransmittedBytesReceived: stream.retransmittedBytesReceived,
    ...(rtxSsrc === undefined ? {} : { rtxSsrc }),
  };
}

/**
 * webrtc-stats RTCRemoteOutboundRtpStreamStats (with RTCSentRtpStreamStats), once an SR
 * arrived; its timestamp is the SR's arrival, `remoteTimestamp` the sender's time in it.
 */
function remoteOutboundStats(
  stream: InboundStreamStatsSource,
  localId: string,
  transportId: string,
  codecId: { codecId?: string },
): RTCRemoteOutboundRtpStreamStats | undefined {
  const { remote } = stream;
  if (remote === undefined) return undefined;
  return {
    id: rtpStreamStatsId('remote-outbound-rtp', transportId, stream.kind, stream.ssrc),
    type: 'remote-outbound-rtp',
    timestamp: remote.lastReportTimestamp,
    ssrc: stream.ssrc,
    kind: stream.kind,
    transportId,
    ...codecId,
    packetsSent: remote.packetsSent,
    bytesSent: remote.bytesSent,
    localId,
    remoteTimestamp: remote.remoteTimestamp,
    reportsSent: remote.reportsSent,
  };
}
