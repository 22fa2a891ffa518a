/**
 * The ICE part of a report: webrtc-stats RTCIceCandidateStats (`local-candidate`,
 * `remote-candidate`) and RTCIceCandidatePairStats (`candidate-pair`) from an
 * `IceTransport.getStats()` snapshot, whose times are on the transport's clock and in ms.
 */

import type { IceCandidate, IceCandidatePairStats, IceTransportStats } from '@typertc/ice';
import { candidatePairStatsId, statsIdOf } from './stats-ids.js';
import type { RTCIceCandidatePairStats, RTCIceCandidateStats } from './stats-types.js';

/** What the ICE entries add to a report, and the selected pair's id for the transport. */
export interface IceStatsEntries {
  readonly candidates: RTCIceCandidateStats[];
  readonly pairs: RTCIceCandidatePairStats[];
  readonly selectedCandidatePairId: string | undefined;
}

/**
 * One entry per candidate and per pair of `ice`. `timestamp` is the report's time; the
 * snapshot's own times are moved onto the report's timeline by their distance from `ice.now`.
 */
export function iceStatsEntries(
  ice: IceTransportStats,
  transportId: string,
  timestamp: number,
): IceStatsEntries {
  const candidates: RTCIceCandidateStats[] = [];
  for (const { candidate, url, relayProtocol } of ice.localCandidates) {
    candidates.push({
      ...candidateStats(candidate, 'local-candidate', transportId, timestamp),
      // webrtc-stats: url for local srflx and relay candidates, relayProtocol for relay ones;
      // the ICE transport gives them for those only.
      ...(url === undefined ? {} : { url }),
      ...(relayProtocol === undefined ? {} : { relayProtocol }),
      ...usernameFragment(candidate, ice.localUfrag),
    });
  }
  for (const candidate of ice.remoteCandidates) {
    candidates.push({
      ...candidateStats(candidate, 'remote-candidate', transportId, timestamp),
      ...usernameFragment(candidate, ice.remoteUfrag),
    });
  }
  const pairs: RTCIceCandidatePairStats[] = [];
  const seen = new Set<string>();
  let selectedCandidatePairId: string | undefined;
  for (const pair of ice.pairs) {
    const entry = pairStats(pair, transportId, timestamp, timestamp - ice.now);
    // Ids are unique within a report: a second pair of the same two candidates (which ICE
    // prunes as redundant, RFC 8445 §6.1.2.4) would only repeat the first.
    if (seen.has(entry.id)) continue;
    seen.add(entry.id);
    pairs.push(entry);
    if (pair.selected) selectedCandidatePairId = entry.id;
  }
  return { candidates, pairs, selectedCandidatePairId };
}

function candidateStats(
  candidate: IceCandidate,
  type: RTCIceCandidateStats['type'],
  transportId: string,
  timestamp: number,
): RTCIceCandidateStats {
  return {
    id: statsIdOf('I', candidate),
    type,
    timestamp,
    transportId,
    address: candidate.address,
    port: candidate.port,
    protocol: candidate.transport,
    candidateType: candidate.type,
    priority: candidate.priority,
    foundation: candidate.foundation,
    ...(candidate.relatedAddress === undefined ? {} : { relatedAddress: candidate.relatedAddress }),
    ...(candidate.relatedPort === undefined ? {} : { relatedPort: candidate.relatedPort }),
    ...(candidate.tcpType === undefined ? {} : { tcpType: candidate.tcpType }),
  };
}

/** The candidate's own ufrag (RFC 8838 §9), else its side's current one. */
function usernameFragment(
  candidate: IceCandidate,
  current: string | undefined,
): { usernameFragment?: string } {
  const ufrag = candidate.ufrag ?? current;
  return ufrag === undefined ? {} : { usernameFragment: ufrag };
}

/** `offset` moves a time on the transport's clock onto the report's timeline. */
function pairStats(
  pair: IceCandidatePairStats,
  transportId: string,
  timestamp: number,
  offset: number,
): RTCIceCandidatePairStats {
  const localCandidateId = statsIdOf('I', pair.local);
  const remoteCandidateId = statsIdOf('I', pair.remote);
  const { lastPacketSentAt, lastPacketReceivedAt, currentRoundTripTimeMs } = pair;
  return {
    id: candidatePairStatsId(localCandidateId, remoteCandidateId),
    type: 'candidate-pair',
    timestamp,
    transportId,
    localCandidateId,
    remoteCandidateId,
    state: pair.state,
    nominated: pair.nominated,
    packetsSent: pair.packetsSent,
    packetsReceived: pair.packetsReceived,
    bytesSent: pair.bytesSent,
    bytesReceived: pair.bytesReceived,
    ...(lastPacketSentAt === undefined
      ? {}
      : { lastPacketSentTimestamp: lastPacketSentAt + offset }),
    ...(lastPacketReceivedAt === undefined
      ? {}
      : { lastPacketReceivedTimestamp: lastPacketReceivedAt + offset }),
    // webrtc-stats: round-trip times are in seconds.
    totalRoundTripTime: pair.totalRoundTripTimeMs / 1000,
    ...(currentRoundTripTimeMs === undefined
      ? {}
      : { currentRoundTripTime: currentRoundTripTimeMs / 1000 }),
    requestsReceived: pair.requestsReceived,
    requestsSent: pair.requestsSent,
    responsesReceived: pair.responsesReceived,
    responsesSent: pair.responsesSent,
    consentRequestsSent: pair.consentRequestsSent,
  };
}
