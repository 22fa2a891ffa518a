/**
 * `buildStatsReport`: the report `RTCPeerConnection.getStats()` resolves with (WebRTC 1.0,
 * Statistics Model; webrtc-stats), built at once from what the peer connection holds. It reads
 * counters and states and changes nothing.
 *
 * What is in it: the `peer-connection` object; once the transports exist, one `transport`, its
 * candidates and candidate pairs, and the certificates it names (ours, and the peer's once
 * verified), and the RTP streams on it with their codecs (media-stats.ts); one `data-channel`
 * per channel not yet closed. References between them are ids of objects in the same report
 * (webrtc-stats "stats object reference").
 */

import { fingerprint } from '@typertc/dtls';
import { srtpProfileByDtlsId } from '@typertc/srtp';
import { iceStatsEntries } from './ice-stats.js';
import { mediaStatsEntries } from './media-stats.js';
import { certificateStatsId, PEER_CONNECTION_STATS_ID, statsIdOf } from './stats-ids.js';
import { RTCStatsReport } from './stats-report.js';
import type {
  CertificateStatsSource,
  DataChannelsStatsSource,
  DtlsStatsSource,
  IceStatsSource,
  StatsSource,
} from './stats-source.js';
import type {
  AnyRTCStats,
  RTCCertificateStats,
  RTCDataChannelStats,
  RTCPeerConnectionStats,
  RTCTransportStats,
} from './stats-types.js';

/** The hash certificates are fingerprinted with, as our SDP's a=fingerprint (RFC 8122 §5). */
const FINGERPRINT_ALGORITHM = 'sha-256';

/**
 * The report of `source` at `timestamp`: a DOMHighResTimeStamp, performance.timeOrigin +
 * performance.now() (webrtc-stats, RTCStats timestamp), the `timestamp` of every object in it.
 */
export function buildStatsReport(source: StatsSource, timestamp: number): RTCStatsReport {
  const entries: AnyRTCStats[] = [peerConnectionStats(source.dataChannels, timestamp)];
  const { ice, media } = source;
  if (ice !== undefined) {
    const transportId = statsIdOf('T', ice);
    entries.push(...transportEntries(ice, transportId, source.dtls, source.certificate, timestamp));
    // RTP streams and codecs name their transport: none without one.
    if (media !== undefined) entries.push(...mediaStatsEntries(media, transportId, timestamp));
  }
  entries.push(...dataChannelStats(source.dataChannels, timestamp));
  return new RTCStatsReport(entries);
}

function peerConnectionStats(
  channels: DataChannelsStatsSource,
  timestamp: number,
): RTCPeerConnectionStats {
  const { dataChannelsOpened, dataChannelsClosed } = channels.stats;
  return {
    id: PEER_CONNECTION_STATS_ID,
    type: 'peer-connection',
    timestamp,
    dataChannelsOpened,
    dataChannelsClosed,
  };
}

/** The transport, the certificates it names, its candidates and its pairs. */
function transportEntries(
  iceSource: IceStatsSource,
  transportId: string,
  dtls: DtlsStatsSource | undefined,
  certificate: CertificateStatsSource | undefined,
  timestamp: number,
): AnyRTCStats[] {
  const ice = iceSource.getStats();
  const local =
    certificate === undefined ? undefined : localCertificateStats(certificate, timestamp);
  const remoteDer = dtls?.connection.remoteCertificate;
  const remote =
    remoteDer === undefined
      ? undefined
      : certificateStats(
          fingerprint(remoteDer, FINGERPRINT_ALGORITHM),
          FINGERPRINT_ALGORITHM,
          remoteDer,
          timestamp,
        );
  const { candidates, pairs, selectedCandidatePairId } = iceStatsEntries(
    ice,
    transportId,
    timestamp,
  );
  const version = dtls?.connection.protocolVersion;
  const cipher = dtls?.connection.cipherSuite;
  const srtpId = dtls?.connection.srtpProfile;
  const srtpCipher = srtpId === undefined ? undefined : srtpProfileByDtlsId(srtpId);
  const transport: RTCTransportStats = {
    id: transportId,
    type: 'transport',
    timestamp,
    packetsSent: ice.packetsSent,
    packetsReceived: ice.packetsReceived,
    bytesSent: ice.bytesSent,
    bytesReceived: ice.bytesReceived,
    iceRole: ice.role,
    iceLocalUsernameFragment: ice.localUfrag,
    dtlsState: dtls?.state ?? 'new',
    iceState: ice.state,
    ...(selectedCandidatePairId === undefined ? {} : { selectedCandidatePairId }),
    ...(local === undefined ? {} : { localCertificateId: local.id }),
    ...(remote === undefined ? {} : { remoteCertificateId: remote.id }),
    // webrtc-stats tlsVersion: the version as a hex string, e.g. `FEFD` for DTLS 1.2.
    ...(version === undefined
      ? {}
      : { tlsVersion: version.toString(16).toUpperCase().padStart(4, '0') }),
    ...(cipher === undefined ? {} : { dtlsCipher: cipher }),
    ...(srtpCipher === undefined ? {} : { srtpCipher }),
    dtlsRole: dtls?.connection.role ?? 'unknown',
    selectedCandidatePairChanges: ice.selectedCandidatePairChanges,
  };
  const certificates: RTCCertificateStats[] = [];
  if (local !== undefined) certificates.push(local);
  // One certificate on both sides (a test's, say) is one monitored object, reported once.
  if (remote !== undefined && remote.id !== local?.id) certificates.push(remote);
  return [transport, ...certificates, ...candidates, ...pairs];
}

/** Ours, with the fingerprint our SDP's a=fingerprint carries. */
function localCertificateStats(
  certificate: CertificateStatsSource,
  timestamp: number,
): RTCCertificateStats {
  const der = certificate.dtlsCertificate.der;
  const [announced] = certificate.getFingerprints();
  return announced === undefined
    ? certificateStats(
        fingerprint(der, FINGERPRINT_ALGORITHM),
        FINGERPRINT_ALGORITHM,
        der,
        timestamp,
      )
    : certificateStats(announced.value, announced.algorithm, der, timestamp);
}

function certificateStats(
  value: string,
  algorithm: string,
  der: Uint8Array,
  timestamp: number,
): RTCCertificateStats {
  return {
    id: certificateStatsId(value),
    type: 'certificate',
    timestamp,
    fingerprint: value,
    fingerprintAlgorithm: algorithm,
    base64Certificate: Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64'),
  };
}

function dataChannelStats(
  channels: DataChannelsStatsSource,
  timestamp: number,
): RTCDataChannelStats[] {
  return channels.channels.map((channel) => {
    const { messagesSent, bytesSent, messagesReceived, bytesReceived } = channel.stats;
    return {
      id: statsIdOf('D', channel),
      type: 'data-channel',
      timestamp,
      label: channel.label,
      protocol: channel.protocol,
      ...(channel.id === null ? {} : { dataChannelIdentifier: channel.id }),
      state: channel.readyState,
      messagesSent,
      bytesSent,
      messagesReceived,
      bytesReceived,
    };
  });
}
