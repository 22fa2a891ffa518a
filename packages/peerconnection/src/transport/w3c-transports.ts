/**
 * The W3C transport objects a peer connection exposes (WebRTC 1.0 §5.5 RTCDtlsTransport, §5.6
 * RTCIceTransport, §6.1.1 RTCSctpTransport): state holders over a `TransportStack`, each an
 * EventTarget with its `statechange` event. The peer connection moves their states, through
 * the `update*` methods (not W3C API), in the order the specification's algorithms give.
 */

import type { IceGatheringState, IceRole, IceTransportState } from '@typertc/ice';
import { RTCIceCandidate } from '../description.js';
import { type EventHandler, EventHandlers } from '../event-handlers.js';
import type { TransportStack } from './transport-stack.js';

export type RTCIceTransportState = IceTransportState;
export type RTCIceGathererState = IceGatheringState;
export type RTCDtlsTransportState = 'new' | 'connecting' | 'connected' | 'closed' | 'failed';
export type RTCSctpTransportState = 'connecting' | 'connected' | 'closed';

export interface RTCIceCandidatePair {
  readonly local: RTCIceCandidate;
  readonly remote: RTCIceCandidate;
}

export interface RTCIceParameters {
  readonly usernameFragment: string;
  readonly password: string;
}

/** W3C §5.6. `component` is always `rtp`: WebRTC multiplexes RTCP (RFC 8834 §5.1.1). */
export class RTCIceTransport extends EventTarget {
  readonly component = 'rtp';
  readonly #stack: TransportStack;
  readonly #mid: string;
  readonly #handlers = new EventHandlers(this);
  #state: RTCIceTransportState = 'new';
  #gatheringState: RTCIceGathererState = 'new';

  constructor(stack: TransportStack, mid: string) {
    super();
    this.#stack = stack;
    this.#mid = mid;
  }

  get role(): IceRole {
    return this.#stack.ice.role;
  }
  get state(): RTCIceTransportState {
    return this.#state;
  }
  get gatheringState(): RTCIceGathererState {
    return this.#gatheringState;
  }

  getLocalCandidates(): RTCIceCandidate[] {
    return this.#stack.ice.localCandidates.map(
      (event) => new RTCIceCandidate({ candidate: event.candidateString, sdpMid: this.#mid }),
    );
  }

  getRemoteCandidates(): RTCIceCandidate[] {
    return this.#stack.remoteCandidates.map(
      (candidate) => new RTCIceCandidate({ candidate, sdpMid: this.#mid }),
    );
  }

  getSelectedCandidatePair(): RTCIceCandidatePair | null {
    const pair = this.#stack.ice.selectedPair;
    if (pair === undefined) return null;
    return {
      local: candidateObject(pair.local, this.#mid),
      remote: candidateObject(pair.remote, this.#mid),
    };
  }

  getLocalParameters(): RTCIceParameters | null {
    const { ufrag, password } = this.#stack.ice.localCredentials;
    return { usernameFragment: ufrag, password };
  }

  getRemoteParameters(): RTCIceParameters | null {
    const remote = this.#stack.remoteCredentials;
    return remote === undefined
      ? null
      : { usernameFragment: remote.ufrag, password: remote.password };
  }

  get onstatechange(): EventHandler {
    return this.#handlers.get('statechange');
  }
  set onstatechange(handler: EventHandler) {
    this.#handlers.set('statechange', handler);
  }
  get ongatheringstatechange(): EventHandler {
    return this.#handlers.get('gatheringstatechange');
  }
  set ongatheringstatechange(handler: EventHandler) {
    this.#handlers.set('gatheringstatechange', handler);
  }
  get onselectedcandidatepairchange(): EventHandler {
    return this.#handlers.get('selectedcandidatepairchange');
  }
  set onselectedcandidatepairchange(handler: EventHandler) {
    this.#handlers.set('selectedcandidatepairchange', handler);
  }

  /** Not W3C API: the peer connection reports a new state; false when it did not change. */
  updateState(state: RTCIceTransportState): boolean {
    if (state === this.#state) return false;
    this.#state = state;
    this.dispatchEvent(new Event('statechange'));
    return true;
  }

  /** Not W3C API: the peer connection reports a new gathering state. */
  updateGatheringState(state: RTCIceGathererState): boolean {
    if (state === this.#gatheringState) return false;
    this.#gatheringState = state;
    this.dispatchEvent(new Event('gatheringstatechange'));
    return true;
  }
}

function candidateObject(
  candidate: {
    readonly foundation: string;
    readonly component: number;
    readonly transport: string;
    readonly priority: number;
    readonly address: string;
    readonly port: number;
    readonly type: string;
    readonly relatedAddress?: string;
    readonly relatedPort?: number;
  },
  mid: string,
): RTCIceCandidate {
  let text = `candidate:${candidate.foundation} ${candidate.component} ${candidate.transport} ${candidate.priority} ${candidate.address} ${candidate.port} typ ${candidate.type}`;
  if (candidate.relatedAddress !== undefined) text += ` raddr ${candidate.relatedAddress}`;
  if (candidate.relatedPort !== undefined) text += ` rport ${candidate.relatedPort}`;
  return new RTCIceCandidate({ candidate: text, sdpMid: mid });
}

/** W3C §5.5. */
export class RTCDtlsTransport extends EventTarget {
  readonly iceTransport: RTCIceTransport;
  readonly #stack: TransportStack;
  readonly #handlers = new EventHandlers(this);
  #state: RTCDtlsTransportState = 'new';

  constructor(stack: TransportStack, iceTransport: RTCIceTransport) {
    super();
    this.#stack = stack;
    this.iceTransport = iceTransport;
  }

  get state(): RTCDtlsTransportState {
    return this.#state;
  }

  /** The peer's certificate chain, DER, once verified (W3C §5.5.1). */
  getRemoteCertificates(): ArrayBuffer[] {
    const der = this.#stack.dtls?.connection.remoteCertificate;
    return der === undefined ? [] : [der.slice().buffer];
  }

  get onstatechange(): EventHandler {
    return this.#handlers.get('statechange');
  }
  set onstatechange(handler: EventHandler) {
    this.#handlers.set('statechange', handler);
  }
  get onerror(): EventHandler {
    return this.#handlers.get('error');
  }
  set onerror(handler: EventHandler) {
    this.#handlers.set('error', handler);
  }

  /** Not W3C API: the peer connection reports a new state. */
  updateState(state: RTCDtlsTransportState): boolean {
    if (state === this.#state) return false;
    this.#state = state;
    this.dispatchEvent(new Event('statechange'));
    return true;
  }
}

/** W3C §6.1.1. */
export class RTCSctpTransport extends EventTarget {
  readonly transport: RTCDtlsTransport;
  readonly #handlers = new EventHandlers(this);
  #state: RTCSctpTransportState = 'connecting';
  #maxMessageSize: number;

  constructor(transport: RTCDtlsTransport, maxMessageSize: number) {
    super();
    this.transport = transport;
    this.#maxMessageSize = maxMessageSize;
  }

  get state(): RTCSctpTransportState {
    return this.#state;
  }

  /** W3C §6.1.1.2: the smaller of ours and the peer's `a=max-message-size`. */
  get maxMessageSize(): number {
    return this.#maxMessageSize;
  }

  /** RFC 8831 §6.2: 65,535 stream ids, less the one reserved (65535). */
  get maxChannels(): number | null {
    return this.#state === 'connected' ? 65_535 : null;
  }

  get onstatechange(): EventHandler {
    return this.#handlers.get('statechange');
  }
  set onstatechange(handler: EventHandler) {
    this.#handlers.set('statechange', handler);
  }

  /** Not W3C API: a renegotiation changed the peer's maximum. */
  updateMaxMessageSize(size: number): void {
    this.#maxMessageSize = size;
  }

  /** Not W3C API: the peer connection reports a new state. */
  updateState(state: RTCSctpTransportState): boolean {
    if (state === this.#state) return false;
    this.#state = state;
    this.dispatchEvent(new Event('statechange'));
    return true;
  }
}

/** W3C §4.3.3 RTCPeerConnectionState, from the ICE and DTLS transports' states. */
export function connectionStateOf(
  ice: RTCIceTransportState,
  dtls: RTCDtlsTransportState,
): 'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' {
  if (ice === 'failed' || dtls === 'failed') return 'failed';
  if (ice === 'disconnected') return 'disconnected';
  if ((ice === 'new' || ice === 'closed') && (dtls === 'new' || dtls === 'closed')) return 'new';
  // W3C: "connected" once every ICE transport is connected, completed or closed and every DTLS
  // transport connected or closed (a peer's close_notify closes DTLS; ICE goes on).
  if (
    (ice === 'connected' || ice === 'completed' || ice === 'closed') &&
    (dtls === 'connected' || dtls === 'closed')
  ) {
    return 'connected';
  }
  return 'connecting';
}
