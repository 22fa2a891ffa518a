/**
 * `RTCPeerConnection` (W3C WebRTC 1.0 §4) with data channels (§6), over one transport stack per
 * BUNDLE group (RFC 8843). This file holds the W3C surface: the operations chain, the signaling
 * state machine, the aggregate states and the order their events fire in. Building and reading
 * SDP is in `jsep/`, the transports in `transport/`, and the offer/answer bookkeeping in
 * `negotiation.ts`.
 */

import type { DtlsState } from '@typertc/dtls';
import type { GatheringError, IceGatheringState, IceTransportState } from '@typertc/ice';
import type { RtcpPacket } from '@typertc/rtp-rtcp';
import {
  DataChannelManager,
  type RTCDataChannel,
  RTCDataChannelEvent,
  type RTCDataChannelInit,
  RTCError,
  RTCErrorEvent,
  type SctpState,
} from '@typertc/sctp';
import { RTCCertificate } from './certificate.js';
import { takeDefaultCertificate } from './certificate-pool.js';
import {
  configurationView,
  type NormalizedConfiguration,
  normalizeConfiguration,
  type RTCConfiguration,
  updateConfiguration,
} from './configuration.js';
import {
  RTCIceCandidate,
  type RTCIceCandidateInit,
  type RTCSessionDescription,
  type RTCSessionDescriptionInit,
} from './description.js';
import { invalidStateError } from './errors.js';
import { iceCandidateErrorEvent, RTCPeerConnectionIceEvent } from './events.js';
import type { RTCSignalingState } from './jsep/signaling.js';
import { mediaStatsSource } from './media/media-stats-source.js';
import type { MediaStream, MediaStreamTrack } from './media/media-stream-track.js';
import type { RTCRtpReceiver } from './media/rtp-receiver.js';
import type { RTCRtpSender } from './media/rtp-sender.js';
import type { RTCRtpTransceiver, RTCRtpTransceiverInit } from './media/rtp-transceiver.js';
import { TransceiverSet } from './media/transceiver-set.js';
import { Negotiation } from './negotiation.js';
import {
  PeerConnectionEventTarget,
  type PeerConnectionEventType,
} from './peer-connection-events.js';
import { buildStatsReport, type RTCStatsReport } from './stats/index.js';
import { selectStats } from './stats/stats-select.js';
import { CandidatePool } from './transport/candidate-pool.js';
import type { TransportStack } from './transport/transport-stack.js';
import {
  connectionStateOf,
  RTCDtlsTransport,
  RTCIceTransport,
  RTCSctpTransport,
} from './transport/w3c-transports.js';

export type RTCIceConnectionState = IceTransportState;
export type RTCIceGatheringState = IceGatheringState;
export type RTCPeerConnectionState =
  | 'new'
  | 'connecting'
  | 'connected'
  | 'disconnected'
  | 'failed'
  | 'closed';

export interface RTCOfferOptions {
  readonly iceRestart?: boolean;
}

export class RTCPeerConnection extends PeerConnectionEventTarget {
  #config: NormalizedConfiguration;
  readonly #channels = new DataChannelManager();
  readonly #pool = new CandidatePool();
  readonly #negotiation: Negotiation;
  readonly #media: TransceiverSet;
  /** W3C §4.4.1.2 operations chain: each operation starts when the previous one settles. */
  #chain: Promise<unknown> = Promise.resolve();
  #pendingOperations = 0;
  #closed = false;
  #iceConnectionState: RTCIceConnectionState = 'new';
  #connectionState: RTCPeerConnectionState = 'new';
  #iceGatheringState: RTCIceGatheringState = 'new';
  #negotiationNeeded = false;
  /** Gathering states reached while our candidates wait for a local description. */
  readonly #heldGatheringStates: IceGatheringState[] = [];
  /** The section the transport's candidates are signalled for. */
  #transportMid: string | undefined;
  #stack: TransportStack | undefined;
  /** What stats are read from; kept after close(), where the transports stay in the report. */
  #statsStack: TransportStack | undefined;
  #iceTransport: RTCIceTransport | undefined;
  #dtlsTransport: RTCDtlsTransport | undefined;
  #sctpTransport: RTCSctpTransport | null = null;

  /** W3C §4.4.1.1. Throws as `setConfiguration` does for a bad configuration. */
  constructor(configuration: RTCConfiguration = {}) {
    super();
    this.#config = normalizeConfiguration(configuration);
    const given = this.#config.certificates[0];
    const certificate = given !== undefined ? Promise.resolve(given) : takeDefaultCertificate();
    if (given === undefined) {
      // As browsers do, getConfiguration() reports the certificate made for the connection;
      // it is then fixed like a given one (W3C §4.4.1.6: certificates cannot change).
      certificate.then(
        (generated) => {
          this.#config = { ...this.#config, certificates: [generated] };
        },
        () => undefined, // the operations that await it report the failure
      );
    }
    const self = this;
    this.#media = new TransceiverSet({
      get closed() {
        return self.#closed;
      },
      updateNegotiationNeeded: () => this.#updateNegotiationNeeded(),
      codecConfiguration: () => this.#config.codecs,
      transport: () => this.#dtlsTransport ?? null,
      getStats: (selector) => this.getStats(selector),
    });
    this.#negotiation = new Negotiation({
      media: this.#media.negotiationHost((event) => {
        if (!this.#closed) this.dispatchEvent(event);
      }),
      config: () => this.#config,
      certificate,
      channels: this.#channels,
      onTransport: (stack, mid) => this.#adoptTransport(stack, mid),
      onSctp: (maxMessageSize) => this.#adoptSctp(maxMessageSize),
      // W3C §5.3 "surface the candidate" and the gathering-state steps queue a task: the
      // events fire after the operation that surfaced them has resolved, so an offer is sent
      // before its candidates. setImmediate keeps them in order with each other.
      takePooledGatherer: (config) => this.#pool.take(config),
      onCandidatesSurfaced: (candidates) =>
        setImmediate(() => {
          // Held gathering states go in their place: `gathering` before the candidates that
          // waited, `complete` (with its end-of-candidates) after them.
          const held = this.#heldGatheringStates.splice(0);
          const mid = this.#transportMid ?? '0';
          for (const state of held) if (state !== 'complete') this.#onGatheringState(state, mid);
          for (const candidate of candidates) this.#fireCandidate(candidate);
          if (held.includes('complete')) this.#onGatheringState('complete', mid);
        }),
    });
    this.#pool.update(this.#config);
    this.#channels.on('datachannel', (channel) => {
      this.dispatchEvent(new RTCDataChannelEvent('datachannel', { channel }));
    });
  }

  /** W3C §4.4.3: a certificate for `certificates`; ECDSA P-256 and RSASSA-PKCS1-v1_5 2048. */
  static generateCertificate(keygenAlgorithm: Parameters<typeof RTCCertificate.generate>[0]) {
    return RTCCertificate.generate(keygenAlgorithm);
  }

  // --- attributes ---

  get localDescription(): RTCSessionDescription | null {
    return this.#negotiation.localDescription;
  }
  get currentLocalDescription(): RTCSessionDescription | null {
    return this.#negotiation.currentLocal;
  }
  get pendingLocalDescription(): RTCSessionDescription | null {
    return this.#negotiation.pendingLocal;
  }
  get remoteDescription(): RTCSessionDescription | null {
    return this.#negotiation.pendingRemote ?? this.#negotiation.currentRemote;
  }
  get currentRemoteDescription(): RTCSessionDescription | null {
    return this.#negotiation.currentRemote;
  }
  get pendingRemoteDescription(): RTCSessionDescription | null {
    return this.#negotiation.pendingRemote;
  }
  get signalingState(): RTCSignalingState {
    return this.#closed ? 'closed' : this.#negotiation.signalingState;
  }
  get iceGatheringState(): RTCIceGatheringState {
    return this.#iceGatheringState;
  }
  get iceConnectionState(): RTCIceConnectionState {
    return this.#iceConnectionState;
  }
  get connectionState(): RTCPeerConnectionState {
    return this.#connectionState;
  }
  /** W3C §4.4.1: whether the peer can take trickled candidates; null before an offer/answer. */
  get canTrickleIceCandidates(): boolean | null {
    return this.#negotiation.remoteCanTrickle;
  }
  /** W3C §6.1: the data channels' transport, once a description negotiated them. */
  get sctp(): RTCSctpTransport | null {
    return this.#sctpTransport;
  }

  // --- offer/answer (W3C §4.4.2) ---

  createOffer(options: RTCOfferOptions = {}): Promise<RTCSessionDescriptionInit> {
    return this.#enqueue(() => this.#negotiation.createOffer(options.iceRestart === true));
  }

  createAnswer(): Promise<RTCSessionDescriptionInit> {
    return this.#enqueue(() => this.#negotiation.createAnswer());
  }

  /**
   * W3C §4.4.2: with no argument (or no sdp), the offer or answer the state calls for is
   * created and applied (implicit description, used by perfect negotiation).
   */
  setLocalDescription(description?: RTCSessionDescriptionInit): Promise<void> {
    return this.#enqueue(async () => {
      const before = this.signalingState;
      await this.#negotiation.setLocal(description);
      this.#afterDescription(before);
    });
  }

  /** W3C §4.4.2; an offer in `have-local-offer` rolls the local one back first (glare). */
  setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
    return this.#enqueue(async () => {
      let before = this.signalingState;
      await this.#negotiation.setRemote(description, () => {
        // The implicit rollback is its own state change (W3C §4.4.1.5, rollback steps).
        this.#fire('signalingstatechange');
        before = this.signalingState;
      });
      this.#afterDescription(before);
    });
  }

  /**
   * W3C §4.4.2 addIceCandidate: a candidate for the remote description's section named by
   * `sdpMid` (or `sdpMLineIndex`); null, or an empty candidate, is end-of-candidates.
   */
  addIceCandidate(candidate?: RTCIceCandidateInit | RTCIceCandidate | null): Promise<void> {
    if (
      candidate !== undefined &&
      candidate !== null &&
      candidate.candidate !== undefined &&
      candidate.candidate !== '' &&
      (candidate.sdpMid ?? null) === null &&
      (candidate.sdpMLineIndex ?? null) === null
    ) {
      return Promise.reject(new TypeError('a candidate needs sdpMid or sdpMLineIndex'));
    }
    return this.#enqueue(async () => this.#negotiation.addRemoteCandidate(candidate ?? null));
  }

  /** W3C §4.4.1.7 restartIce: the next offer restarts ICE. */
  restartIce(): void {
    if (this.#closed) return;
    this.#negotiation.requestIceRestart();
    this.#updateNegotiationNeeded();
  }

  getConfiguration(): RTCConfiguration {
    return configurationView(this.#config);
  }

  /** W3C §4.4.1.6: certificates, bundlePolicy and rtcpMuxPolicy cannot change. */
  setConfiguration(configuration: RTCConfiguration): void {
    if (this.#closed) throw invalidStateError('the peer connection is closed');
    this.#config = updateConfiguration(
      this.#config,
      configuration,
      this.#negotiation.localDescriptionSet,
    );
    // W3C §4.4.1.6 step 11: the pool follows the new configuration until a transport exists.
    if (this.#stack === undefined) this.#pool.update(this.#config);
  }

  /**
   * W3C §8.2 getStats: a snapshot of the whole connection (webrtc-stats: peer-connection,
   * transport, candidate-pair, local/remote-candidate, certificate, data-channel, codec and the
   * RTP streams). With a selector (a track, sender or receiver), only its RTP streams and
   * their codecs are kept (§8.5, the stats selection algorithm).
   */
  async getStats(
    selector: MediaStreamTrack | RTCRtpSender | RTCRtpReceiver | null = null,
  ): Promise<RTCStatsReport> {
    const certificate = await this.#negotiation.certificate.catch(() => undefined);
    const stack = this.#statsStack;
    const report = buildStatsReport(
      {
        ice: stack?.ice,
        dtls: stack?.dtls,
        dataChannels: this.#channels,
        certificate,
        media: mediaStatsSource(this.#media.transceivers()),
      },
      performance.timeOrigin + performance.now(),
    );
    return selector === null ? report : selectStats(report, this.#media.selectedSsrcs(selector));
  }

  // --- media (W3C §5.1) ---

  /** W3C §5.1 addTrack: a sender for `track`, on a transceiver reused or added. */
  addTrack(track: MediaStreamTrack, ...streams: MediaStream[]): RTCRtpSender {
    return this.#media.addTrack(track, streams);
  }

  removeTrack(sender: RTCRtpSender): void {
    this.#media.removeTrack(sender);
  }

  addTransceiver(
    trackOrKind: MediaStreamTrack | 'audio' | 'video',
    init?: RTCRtpTransceiverInit,
  ): RTCRtpTransceiver {
    return this.#media.addTransceiver(trackOrKind, init);
  }

  getTransceivers(): RTCRtpTransceiver[] {
    return [...this.#media.transceivers()];
  }

  getSenders(): RTCRtpSender[] {
    return this.getTransceivers().map((transceiver) => transceiver.sender);
  }

  getReceivers(): RTCRtpReceiver[] {
    return this.getTransceivers().map((transceiver) => transceiver.receiver);
  }

  /**
   * Server extension: RTCP of the application's own (packets, or a whole compound packet's
   * bytes), protected with SRTCP and sent. Throws `InvalidStateError` before SRTP is keyed.
   */
  sendRtcp(packets: readonly RtcpPacket[] | Uint8Array): void {
    this.#media.sendRtcp(packets);
  }

  // --- data channels (W3C §6.2) ---

  createDataChannel(label: string, init?: RTCDataChannelInit): RTCDataChannel {
    if (this.#closed) throw invalidStateError('the peer connection is closed');
    const channel = this.#channels.createDataChannel(label, init);
    this.#negotiation.dataChannelCreated();
    this.#updateNegotiationNeeded();
    return channel;
  }

  /** W3C §4.4.1.8: everything stops at once; no event fires; calling again does nothing. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#channels.close();
    this.#media.close();
    this.#pool.close();
    this.#negotiation.close();
    this.#stack = undefined;
    this.#sctpTransport?.updateState('closed');
    this.#dtlsTransport?.updateState('closed');
    this.#iceTransport?.updateState('closed');
    this.#iceConnectionState = 'closed';
    this.#connectionState = 'closed';
  }

  // --- internals ---

  /** Runs `operation` on the operations chain (W3C §4.4.1.2 "chain an operation"). */
  #enqueue<T>(operation: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(invalidStateError('the peer connection is closed'));
    this.#pendingOperations++;
    const result = this.#chain.then(async () => {
      if (this.#closed) throw invalidStateError('the peer connection is closed');
      return operation();
    });
    this.#chain = result.then(
      () => this.#operationDone(),
      () => this.#operationDone(),
    );
    return result;
  }

  #operationDone(): void {
    this.#pendingOperations--;
    // W3C §4.4.1.2 step 7.4: once the chain is empty, see whether negotiation is needed.
    if (this.#pendingOperations === 0 && !this.#closed) this.#updateNegotiationNeeded();
  }

  #afterDescription(before: RTCSignalingState): void {
    if (this.#closed) return;
    if (this.signalingState !== before) this.#fire('signalingstatechange');
    if (this.signalingState === 'stable') this.#negotiationNeeded = false;
  }

  /** W3C §4.7.3 "update the negotiation-needed flag". */
  #updateNegotiationNeeded(): void {
    if (this.#closed || this.#pendingOperations > 0) return;
    if (this.signalingState !== 'stable') return;
    if (!this.#negotiation.negotiationNeeded()) {
      this.#negotiationNeeded = false;
      return;
    }
    if (this.#negotiationNeeded) return;
    this.#negotiationNeeded = true;
    setImmediate(() => {
      if (this.#closed || !this.#negotiationNeeded || this.signalingState !== 'stable') return;
      if (!this.#negotiation.negotiationNeeded()) {
        this.#negotiationNeeded = false;
        return;
      }
      this.#fire('negotiationneeded');
    });
  }

  #adoptTransport(stack: TransportStack, mid: string): void {
    this.#stack = stack;
    this.#transportMid = mid;
    this.#statsStack = stack;
    const ice = new RTCIceTransport(stack, mid);
    const dtls = new RTCDtlsTransport(stack, ice);
    this.#iceTransport = ice;
    this.#dtlsTransport = dtls;
    this.#media.session.attach(stack);
    const events = stack.events;
    stack.ice.on('gathering-state', (state) => {
      // The gathering state is surfaced with the candidates (W3C §4.4.1.5): an answerer gathers
      // from the remote offer on, but its candidates and their end wait for its answer.
      if (this.#negotiation.candidatesSurfaced) {
        setImmediate(() => this.#onGatheringState(state, mid));
      } else {
        this.#heldGatheringStates.push(state);
      }
    });
    events.on('candidate-error', (error) => this.#onCandidateError(error));
    events.on('ice-state', (state) => this.#onIceState(state));
    events.on('selected-pair', () => {
      if (!this.#closed) ice.dispatchEvent(new Event('selectedcandidatepairchange'));
    });
    events.on('dtls-state', (state, error) => this.#onDtlsState(state, error));
    events.on('sctp-state', (state) => this.#onSctpState(state));
  }

  #adoptSctp(maxMessageSize: number): void {
    if (this.#sctpTransport !== null) {
      this.#sctpTransport.updateMaxMessageSize(maxMessageSize);
      return;
    }
    this.#sctpTransport = new RTCSctpTransport(
      this.#dtlsTransport as RTCDtlsTransport,
      maxMessageSize,
    );
  }

  #fireCandidate(candidate: RTCIceCandidate): void {
    if (this.#closed) return;
    this.dispatchEvent(new RTCPeerConnectionIceEvent('icecandidate', { candidate }));
  }

  /** W3C §5.6 "gathering state changes" and §4.4.1.? "update the ICE gathering state". */
  #onGatheringState(state: IceGatheringState, mid: string): void {
    if (this.#closed) return;
    const ice = this.#iceTransport as RTCIceTransport;
    if (state === 'complete') {
      // The transport's end-of-candidates first: an empty candidate for its section.
      this.#negotiation.localGatheringComplete();
      const ufrag = this.#stack?.ice.localCredentials.ufrag ?? null;
      this.#fireCandidate(
        new RTCIceCandidate({
          candidate: '',
          sdpMid: mid,
          sdpMLineIndex: 0,
          usernameFragment: ufrag,
        }),
      );
    }
    ice.updateGatheringState(state);
    if (state === this.#iceGatheringState) return;
    this.#iceGatheringState = state;
    this.#fire('icegatheringstatechange');
    if (state === 'complete') {
      this.dispatchEvent(new RTCPeerConnectionIceEvent('icecandidate', { candidate: null }));
    }
  }

  #onCandidateError(error: GatheringError): void {
    if (this.#closed) return;
    this.dispatchEvent(iceCandidateErrorEvent(error));
  }

  #onIceState(state: IceTransportState): void {
    if (this.#closed) return;
    (this.#iceTransport as RTCIceTransport).updateState(state);
    if (state !== this.#iceConnectionState) {
      this.#iceConnectionState = state;
      this.#fire('iceconnectionstatechange');
    }
    this.#updateConnectionState();
  }

  #onDtlsState(state: DtlsState, error: Error | undefined): void {
    if (this.#closed) return;
    const dtls = this.#dtlsTransport as RTCDtlsTransport;
    if (state === 'failed' && error !== undefined) {
      // W3C §5.5.1: the fingerprint check's failure has its own errorDetail.
      const detail = /fingerprint/i.test(error.message) ? 'fingerprint-failure' : 'dtls-failure';
      dtls.dispatchEvent(
        new RTCErrorEvent('error', { error: new RTCError({ errorDetail: detail }, error.message) }),
      );
    }
    dtls.updateState(state);
    this.#updateConnectionState();
  }

  #onSctpState(state: SctpState): void {
    if (this.#closed || this.#sctpTransport === null) return;
    if (state === 'established') this.#sctpTransport.updateState('connected');
    else if (state === 'closed') this.#sctpTransport.updateState('closed');
  }

  #updateConnectionState(): void {
    const state = connectionStateOf(
      this.#iceTransport?.state ?? 'new',
      this.#dtlsTransport?.state ?? 'new',
    );
    if (state === this.#connectionState) return;
    this.#connectionState = state;
    this.#fire('connectionstatechange');
  }

  #fire(type: PeerConnectionEventType): void {
    this.dispatchEvent(new Event(type));
  }
}
