/**
 * `IceTransport.getStats()`: a snapshot of what webrtc-stats reports of an ICE transport
 * (RTCTransportStats' ICE members), its candidates (RTCIceCandidateStats) and its candidate pairs
 * (RTCIceCandidatePairStats), as plain objects in the transport's own terms: times in ms on its
 * clock, round-trip times in ms. The W3C report is built from it by `@typertc/peerconnection`.
 */

import type { DatagramTransportStats } from '@typertc/common';
import type { IceTransportState } from '../agent/agent-types.js';
import type { IceAgent } from '../agent/ice-agent.js';
import type { IceCandidatePairStats } from '../agent/pair-stats.js';
import type { IceCandidate, LocalCandidate } from '../candidate.js';
import type { IceServerTransport } from '../gather/ice-servers.js';
import type { IceLocalCandidateEvent, IceRole } from './ice-transport-types.js';

/** A local candidate and where it came from. */
export interface IceLocalCandidateStats {
  readonly candidate: LocalCandidate;
  /** The STUN or TURN server's URL, for a server-reflexive or relayed candidate. */
  readonly url?: string;
  /** A relayed candidate's transport to its TURN server. */
  readonly relayProtocol?: IceServerTransport;
}

export interface IceTransportStats {
  /** The transport's clock when the snapshot was taken: the `...At` times are on it. */
  readonly now: number;
  readonly role: IceRole;
  readonly state: IceTransportState;
  readonly localUfrag: string;
  readonly remoteUfrag?: string;
  /** Data packets (not STUN) sent and received on the selected pairs, and their bytes. */
  readonly packetsSent: number;
  readonly bytesSent: number;
  readonly packetsReceived: number;
  readonly bytesReceived: number;
  /**
   * webrtc-stats RTCTransportStats.selectedCandidatePairChanges: a pair selected, replaced by
   * another, or lost (consent expired, closed) each counts one.
   */
  readonly selectedCandidatePairChanges: number;
  /** The local candidates, the peer-reflexive ones discovered by checks included. */
  readonly localCandidates: readonly IceLocalCandidateStats[];
  /** The peer's candidates, the peer-reflexive ones learned from its checks included. */
  readonly remoteCandidates: readonly IceCandidate[];
  /** Every candidate of these pairs is in the two lists above. */
  readonly pairs: readonly IceCandidatePairStats[];
}

export interface IceTransportStatsInput {
  readonly agent: IceAgent;
  readonly role: IceRole;
  /** The current generation's signalled candidates, with their server URLs. */
  readonly signalled: readonly IceLocalCandidateEvent[];
  readonly datagrams: Readonly<DatagramTransportStats>;
  readonly selectedCandidatePairChanges: number;
  readonly now: number;
}

/** Gathers the snapshot; each candidate appears once, however many pairs name it. */
export function collectIceTransportStats(input: IceTransportStatsInput): IceTransportStats {
  const { agent, datagrams } = input;
  const pairs = agent.pairStats();
  const locals = unique([...agent.localCandidates, ...pairs.map((pair) => pair.local)]);
  const remotes = unique([...agent.remoteCandidates, ...pairs.map((pair) => pair.remote)]);
  const origins = new Map(input.signalled.map((event) => [event.candidate, event]));
  const remoteUfrag = agent.remoteUfrag;
  return {
    now: input.now,
    role: input.role,
    state: agent.state,
    localUfrag: agent.localUfrag,
    ...(remoteUfrag === undefined ? {} : { remoteUfrag }),
    packetsSent: datagrams.datagramsSent,
    bytesSent: datagrams.bytesSent,
    packetsReceived: datagrams.datagramsReceived,
    bytesReceived: datagrams.bytesReceived,
    selectedCandidatePairChanges: input.selectedCandidatePairChanges,
    localCandidates: locals.map((candidate) => {
      const origin = origins.get(candidate);
      return {
        candidate,
        ...(origin?.url === undefined ? {} : { url: origin.url }),
        ...(origin?.relayProtocol === undefined ? {} : { relayProtocol: origin.relayProtocol }),
      };
    }),
    remoteCandidates: remotes,
    pairs,
  };
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
