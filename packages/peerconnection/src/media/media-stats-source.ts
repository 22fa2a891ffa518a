/**
 * The media part of `getStats()`: each sender's and receiver's counters as the stats builder
 * reads them (`stats/stats-source.ts`). Times become DOMHighResTimeStamps (performance.timeOrigin
 * + the monotonic milliseconds the streams keep), the timestamps of the report itself.
 */

import type {
  InboundStreamStatsSource,
  MediaStatsSource,
  OutboundStreamStatsSource,
  StatsCodec,
} from '../stats/index.js';
import type { NegotiatedCodec } from './codec-negotiation.js';
import { internals } from './internals.js';
import type { RTCRtpTransceiver } from './rtp-transceiver.js';

function statsCodec(codec: NegotiatedCodec | undefined): StatsCodec | undefined {
  if (codec === undefined) return undefined;
  return {
    payloadType: codec.payloadType,
    mimeType: codec.mimeType,
    clockRate: codec.clockRate,
    ...(codec.channels === undefined ? {} : { channels: codec.channels }),
    ...(codec.sdpFmtpLine === undefined ? {} : { sdpFmtpLine: codec.sdpFmtpLine }),
  };
}

const at = (monotonic: number) => performance.timeOrigin + monotonic;

/** Senders from their first packet on, and every SSRC a receiver has heard (webrtc-stats). */
export function mediaStatsSource(transceivers: readonly RTCRtpTransceiver[]): MediaStatsSource {
  const outbound: OutboundStreamStatsSource[] = [];
  const inbound: InboundStreamStatsSource[] = [];
  for (const transceiver of transceivers) {
    const state = transceiver[internals];
    const mid = state.mid ?? '';
    const stream = transceiver.sender[internals].stream;
    const counters = stream.counters;
    if (counters.packetsSent > 0) {
      const remote = stream.remote;
      outbound.push({
        kind: state.kind,
        mid,
        ssrc: stream.ssrc,
        ...(stream.rtxSsrc === undefined ? {} : { rtxSsrc: stream.rtxSsrc }),
        ...(transceiver.sender.track === null ? {} : { trackId: transceiver.sender.track.id }),
        codec: statsCodec(stream.lastCodec),
        active: stream.sending,
        packetsSent: counters.packetsSent,
        bytesSent: counters.bytesSent,
        headerBytesSent: counters.headerBytesSent,
        retransmittedPacketsSent: counters.retransmittedPacketsSent,
        retransmittedBytesSent: counters.retransmittedBytesSent,
        nackCount: counters.nackCount,
        pliCount: counters.pliCount,
        firCount: counters.firCount,
        ...(counters.lastPacketSentAt === undefined
          ? {}
          : { lastPacketSentTimestamp: at(counters.lastPacketSentAt) }),
        ...(remote === undefined
          ? {}
          : {
              remote: {
                packetsLost: remote.packetsLost,
                fractionLost: remote.fractionLost,
                jitterSeconds: remote.jitterSeconds,
                ...(remote.roundTripTimeSeconds === undefined
                  ? {}
                  : { roundTripTimeSeconds: remote.roundTripTimeSeconds }),
                totalRoundTripTimeSeconds: remote.totalRoundTripTimeSeconds,
                roundTripTimeMeasurements: remote.roundTripTimeMeasurements,
                reportsReceived: remote.reportsReceived,
                lastReportTimestamp: at(remote.lastReportTimestamp),
              },
            }),
      });
    }
    const receiver = transceiver.receiver[internals].stream;
    for (const source of receiver.streams.values()) {
      const remote = source.remote;
      inbound.push({
        kind: state.kind,
        mid,
        ssrc: source.ssrc,
        ...(source.rid === undefined ? {} : { rid: source.rid }),
        trackIdentifier: receiver.track.id,
        codec: statsCodec(source.codec),
        packetsReceived: source.packetsReceived,
        bytesReceived: source.bytesReceived,
        headerBytesReceived: source.headerBytesReceived,
        packetsLost: source.stats.lost,
        jitterSeconds: source.stats.jitter / source.stats.clockRate,
        nackCount: source.nackCount,
        pliCount: source.pliCount,
        firCount: source.firCount,
        retransmittedPacketsReceived: source.retransmittedPacketsReceived,
        retransmittedBytesReceived: source.retransmittedBytesReceived,
        ...(source.lastPacketReceivedAt === undefined
          ? {}
          : { lastPacketReceivedTimestamp: at(source.lastPacketReceivedAt) }),
        ...(remote === undefined
          ? {}
          : {
              remote: {
                packetsSent: remote.packetsSent,
                bytesSent: remote.bytesSent,
                remoteTimestamp: remote.remoteTimestamp,
                reportsSent: remote.reportsSent,
                lastReportTimestamp: at(remote.lastReportTimestamp),
              },
            }),
      });
    }
  }
  return { outbound, inbound };
}
