/** The options (and which go together), events and shapes of the Node `IceTransport`. */

import type { DatagramTransportEvents, Scheduler } from '@typertc/common';
import type { IceAgentCommonOptions, IceTransportState } from '../agent/agent-types.js';
import type { IceCandidate, LocalCandidate } from '../candidate.js';
import { IceError } from '../errors.js';
import type {
  CandidateGatherer,
  CandidateGathererOptions,
  GatheringError,
} from '../gather/gatherer.js';
import type { IceServerTransport } from '../gather/ice-servers.js';
import type { UdpMux } from '../mux/udp-mux.js';

export type IceRole = 'controlling' | 'controlled';

/** W3C `RTCIceTransportPolicy`: `relay` uses relayed candidates only (WebRTC 1.0 §4.2.1). */
export type IceTransportPolicy = 'all' | 'relay';

/** W3C `RTCIceGathererState`. */
export type IceGatheringState = 'new' | 'gathering' | 'complete';

/** The ICE credentials of one side (RFC 8445 §5.3; W3C `RTCIceParameters`). */
export interface IceCredentials {
  readonly ufrag: string;
  readonly password: string;
}

export interface IceTransportOptions
  extends Omit<CandidateGathererOptions, 'scheduler' | 'sharedSocket'> {
  /** A lite agent's is always `controlled` (RFC 8445 §6.1.1). */
  readonly role: IceRole;
  /**
   * Act as an ICE-lite agent (RFC 8445 §2.5), as servers with a public address do: host
   * candidates only (so no `iceServers`), no checks of its own, completes on the peer's
   * nomination.
   */
  readonly lite?: boolean;
  /** Default `all`. */
  readonly iceTransportPolicy?: IceTransportPolicy;
  /**
   * Host candidates on this shared port instead of sockets of their own (single-port server
   * mode): the transport attaches to the mux under its local ufrag. Relayed candidates are still
   * gathered; server-reflexive ones are not (see `SharedSocket`).
   */
  readonly udpMux?: UdpMux;
  /**
   * A gatherer already started (W3C `iceCandidatePoolSize`); the gather options above are then
   * ignored. The transport owns it from here on and closes it with itself; an ICE restart
   * gathers again with its options. Not with `udpMux`.
   */
  readonly gatherer?: CandidateGatherer;
  /** The agent's options other than the role (credentials, Ta, RTO, nomination delay...). */
  readonly agent?: IceAgentCommonOptions;
  /** Time and the one timer; default the real clock. Also drives a gatherer made here. */
  readonly scheduler?: Scheduler;
}

/** A local candidate for the peer, with its W3C `RTCIceCandidate.candidate` string. */
export interface IceLocalCandidateEvent {
  readonly candidate: LocalCandidate;
  readonly candidateString: string;
  /** The STUN or TURN server it came from (W3C RTCPeerConnectionIceEvent.url). */
  readonly url?: string;
  /** A relayed candidate's transport to its TURN server. */
  readonly relayProtocol?: IceServerTransport;
}

export interface IceSelectedPair {
  /** The local candidate as the peer sees it (prflx when a NAT mapped the base). */
  readonly local: LocalCandidate;
  readonly remote: IceCandidate;
}

export interface IceTransportEvents extends DatagramTransportEvents {
  /**
   * A local candidate to signal (trickle ICE, RFC 8838 §4). Sticky: see `on`. After an ICE
   * restart, the new generation's candidates.
   */
  candidate: (event: IceLocalCandidateEvent) => void;
  /** Sticky: see `on`. `complete` is where the peer is told end-of-candidates. */
  'gathering-state': (state: IceGatheringState) => void;
  /**
   * A STUN or TURN server, or a host address, that gave no candidate (W3C icecandidateerror).
   * Not sticky: a pre-gathered gatherer's earlier errors stay on the gatherer.
   */
  'candidate-error': (error: GatheringError) => void;
  state: (state: IceTransportState) => void;
  'selected-pair': (pair: IceSelectedPair) => void;
  /** A role conflict (RFC 8445 §7.3.1.1) switched this side's role. */
  'role-changed': (role: IceRole) => void;
}

/** Checks the options that cannot go together, before anything is opened. */
export function validateIceTransportOptions(options: IceTransportOptions): void {
  if (options.udpMux !== undefined && options.gatherer !== undefined) {
    throw new IceError('a pre-gathered gatherer cannot use a UdpMux port; pass one or the other');
  }
  if (options.lite !== true) return;
  if (options.role !== 'controlled') {
    throw new IceError('RFC 8445 §6.1.1: a lite agent is always controlled');
  }
  if ((options.iceServers?.length ?? 0) > 0 || options.iceTransportPolicy === 'relay') {
    throw new IceError('RFC 8445 §5.2: a lite agent has host candidates only, so no iceServers');
  }
}
