/**
 * The offer/answer bookkeeping of a peer connection (RFC 8829 JSEP; W3C WebRTC 1.0 §4.4.1.5
 * "set the session description"): which m= sections exist and which are accepted, the local and
 * remote descriptions (current and pending), the ICE credentials of each generation, the DTLS
 * role, and when the transport stack is made and told what the descriptions say.
 *
 * Sections are the data channels' (RFC 8841) and one per transceiver (audio, video); what the
 * media sections say and do is in `jsep/media-negotiation.ts` and `jsep/remote-media.ts`.
 * Sections of other kinds in a remote offer are refused (port 0) and kept in place in later
 * offers, since m= sections are never removed (RFC 8829 §5.2.2).
 */

import { randomBytes } from 'node:crypto';
import type { CandidateGatherer } from '@typertc/ice';
import type { DataChannelManager } from '@typertc/sctp';
import type { RTCCertificate } from './certificate.js';
import type { NormalizedConfiguration } from './configuration.js';
import {
  RTCIceCandidate,
  type RTCIceCandidateInit,
  RTCSessionDescription,
  type RTCSessionDescriptionInit,
} from './description.js';
import { invalidModificationError, invalidStateError, operationError } from './errors.js';
import {
  type CreatedDescription,
  describe,
  LOCAL_MAX_MESSAGE_SIZE,
  negotiatedSctp,
} from './jsep/describe.js';
import { type Credentials, newCredentials, type RestartUndo } from './jsep/ice-credentials.js';
import { LocalCandidates } from './jsep/local-candidates.js';
import { buildLocalDescription } from './jsep/local-description.js';
import { applyNegotiatedMedia, transceiverNeedsNegotiation } from './jsep/media-apply.js';
import {
  type MediaContext,
  type MediaSectionPlan,
  planAnswer,
  planOffer,
} from './jsep/media-negotiation.js';
import {
  checkRemoteCandidate,
  type RemoteDescription,
  readRemoteDescription,
} from './jsep/remote-description.js';
import {
  type Association,
  associateRemoteOffer,
  processRemoteTracks,
  type RemoteMediaHost,
  type TrackEventInit,
  undoAssociation,
} from './jsep/remote-media.js';
import {
  answerSetup,
  bundleTransport,
  checkAnswerMatchesOffer,
  offerSections,
  type SectionState,
} from './jsep/sections.js';
import {
  type AppliedSdpType,
  nextSignalingState,
  type RTCSignalingState,
} from './jsep/signaling.js';
import { internals } from './media/internals.js';
import type { RTCRtpTransceiver } from './media/rtp-transceiver.js';
import { TransportStack } from './transport/transport-stack.js';

export interface NegotiationHost {
  config(): NormalizedConfiguration;
  readonly certificate: Promise<RTCCertificate>;
  readonly channels: DataChannelManager;
  /** The transport stack was made, for the section `mid`. */
  onTransport(stack: TransportStack, mid: string): void;
  /** The data channels' section was negotiated; `maxMessageSize` is the smaller of the two. */
  onSctp(maxMessageSize: number): void;
  /** Local candidates that may now be signalled (they wait for the local description). */
  onCandidatesSurfaced(candidates: RTCIceCandidate[]): void;
  /** Candidates gathered ahead (`iceCandidatePoolSize`) for the transport about to be made. */
  takePooledGatherer(config: NormalizedConfiguration): CandidateGatherer | undefined;
  /** The transceivers, and what the media sections need of the connection. */
  readonly media: RemoteMediaHost & {
    context(): MediaContext;
    /** A description changed what the transceivers send and receive. */
    onNegotiated(): void;
    /** Remote tracks started: `track` events are due. */
    onTracks(events: TrackEventInit[]): void;
  };
}

interface AppliedLocal {
  readonly type: AppliedSdpType;
  readonly created: CreatedDescription;
}

export class Negotiation {
  readonly certificate: Promise<RTCCertificate>;
  signalingState: RTCSignalingState = 'stable';
  currentLocal: RTCSessionDescription | null = null;
  pendingLocal: RTCSessionDescription | null = null;
  currentRemote: RTCSessionDescription | null = null;
  pendingRemote: RTCSessionDescription | null = null;
  remoteCanTrickle: boolean | null = null;
  localDescriptionSet = false;
  readonly #host: NegotiationHost;
  readonly #sessionId = BigInt(`0x${randomBytes(8).toString('hex')}`) >> 2n;
  #sessionVersion = 0;
  /** The m= sections of the current negotiation (or the pending offer's, once applied). */
  #sections: SectionState[] = [];
  #stableSections: SectionState[] = [];
  #credentials: Credentials = newCredentials();
  /** Set when the peer restarted ICE: the credentials our answer carries. */
  #answerCredentials: Credentials | undefined;
  #restartRequested = false;
  /** What our pending offer's ICE restart replaced, while the offer can still be rolled back. */
  #restartUndo: RestartUndo | undefined;
  #dataChannelsWanted = false;
  /** Every mid a description used, so a recycled m= line gets a new one (RFC 8829 §5.2.2). */
  readonly #usedMids = new Set<string>();
  /** Transceivers our pending offer gave a mid, which its rollback takes back. */
  #offerMids: RTCRtpTransceiver[] = [];
  /** What the pending remote offer associated, which its rollback undoes. */
  #association: Association | undefined;
  #lastOffer: CreatedDescription | undefined;
  #lastAnswer: CreatedDescription | undefined;
  /** What the applied local description was built from, to rebuild it with new candidates. */
  #appliedLocal: AppliedLocal | undefined;
  /** The current (stable) local description's, which a rollback returns to. */
  #currentAppliedLocal: AppliedLocal | undefined;
  #remote: RemoteDescription | undefined;
  #currentRemoteParsed: RemoteDescription | undefined;
  #stack: TransportStack | undefined;
  #dtlsRole: 'client' | 'server' | undefined;
  readonly #candidates = new LocalCandidates((list) =>
    this.#host.onCandidatesSurfaced(list.map((c) => this.#candidateObject(c))),
  );
  #closed = false;

  constructor(host: NegotiationHost) {
    this.#host = host;
    this.certificate = host.certificate;
  }

  /** W3C localDescription: the pending or current one, with the candidates gathered so far. */
  get localDescription(): RTCSessionDescription | null {
    const applied = this.#appliedLocal;
    if (applied === undefined) return null;
    const { parameters } = applied.created;
    const sdp = buildLocalDescription({
      ...parameters,
      transport: {
        ...parameters.transport,
        candidates: this.#candidates.list,
        endOfCandidates: this.#candidates.ended,
      },
    });
    return new RTCSessionDescription({ type: applied.type, sdp });
  }

  // --- creating descriptions ---

  async createOffer(iceRestart: boolean): Promise<RTCSessionDescriptionInit> {
    const certificate = await this.certificate;
    this.#checkOpen();
    if (this.signalingState !== 'stable' && this.signalingState !== 'have-local-offer') {
      throw invalidStateError(`createOffer in signaling state ${this.signalingState}`);
    }
    const restart = (iceRestart || this.#restartRequested) && this.#stack !== undefined;
    const credentials = restart ? newCredentials() : this.#credentials;
    const sections = offerSections(
      this.#stableSections,
      this.#host.media.transceivers(),
      this.#dataChannelsWanted,
      this.#usedMids,
    );
    const media = planOffer(sections, this.#host.media.context());
    const created = this.#describe(sections, media, credentials, 'actpass', certificate, !restart);
    this.#lastOffer = created;
    return { type: 'offer', sdp: created.sdp };
  }

  async createAnswer(): Promise<RTCSessionDescriptionInit> {
    const certificate = await this.certificate;
    this.#checkOpen();
    const remote = this.#remote;
    if (
      remote === undefined ||
      (this.signalingState !== 'have-remote-offer' && this.signalingState !== 'have-local-pranswer')
    ) {
      throw invalidStateError(`createAnswer in signaling state ${this.signalingState}`);
    }
    const { sections, media } = planAnswer(
      remote,
      this.#host.media.transceivers(),
      this.#host.media.context(),
    );
    const setup = answerSetup(remote, this.#dtlsRole);
    const credentials = this.#answerCredentials ?? this.#credentials;
    const created = this.#describe(sections, media, credentials, setup, certificate, true);
    this.#lastAnswer = created;
    return { type: 'answer', sdp: created.sdp };
  }

  // --- applying descriptions ---

  async setLocal(description?: RTCSessionDescriptionInit): Promise<void> {
    this.#checkOpen();
    if (description?.type === 'rollback') {
      this.#rollbackLocal();
      return;
    }
    const state = this.signalingState;
    const type: AppliedSdpType =
      description?.type ??
      (state === 'stable' || state === 'have-local-offer' || state === 'have-remote-pranswer'
        ? 'offer'
        : 'answer');
    let sdp = description?.sdp ?? '';
    if (sdp === '') {
      sdp =
        (type === 'offer' ? await this.createOffer(false) : await this.createAnswer()).sdp ?? '';
    }
    const created = type === 'offer' ? this.#lastOffer : this.#lastAnswer;
    // W3C §4.4.1.5: only what createOffer/createAnswer returned may be applied, unchanged.
    if (created === undefined || created.sdp !== sdp) {
      throw invalidModificationError(`the ${type} is not the last one created`);
    }
    const next = nextSignalingState(this.signalingState, 'local', type);
    if (next === undefined) {
      throw invalidStateError(`setLocalDescription(${type}) in ${this.signalingState}`);
    }
    const applied = new RTCSessionDescription({ type, sdp });
    if (type === 'offer') {
      this.#ensureStack('controlling', created);
      if (this.#stack !== undefined && created.credentials !== this.#credentials) {
        const replaced = this.#candidates.restart();
        // Kept until the answer, for a rollback to return to (RFC 8829 §4.1.8.2).
        this.#restartUndo ??= {
          credentials: this.#credentials,
          candidates: replaced,
          requested: this.#restartRequested,
        };
        this.#credentials = created.credentials;
        this.#stack.ice.restart({
          localUfrag: created.credentials.ufrag,
          localPassword: created.credentials.password,
        });
        this.#restartRequested = false;
      }
      for (const section of created.sections) {
        if (section.kind !== 'media' || section.transceiver.mid !== null) continue;
        section.transceiver[internals].mid = section.mid;
        this.#offerMids.push(section.transceiver);
      }
      this.pendingLocal = applied;
    } else {
      this.#ensureStack('controlled', created);
      this.#credentials = created.credentials;
      this.#answerCredentials = undefined;
      const remote = this.#remote as RemoteDescription;
      this.#startDtls(
        created.parameters.transport.setup === 'active' ? 'client' : 'server',
        remote,
      );
      this.#applyData(created.sections, remote);
      const sections = applyNegotiatedMedia(
        created,
        remote,
        'answerer',
        this.#host.media.transceivers(),
      );
      this.#host.media.onNegotiated();
      if (type === 'answer') {
        this.currentLocal = applied;
        this.currentRemote = this.pendingRemote;
        this.pendingLocal = null;
        this.pendingRemote = null;
        this.#association = undefined;
        this.#stableSections = sections;
        this.#currentAppliedLocal = { type, created };
        this.#currentRemoteParsed = remote;
      } else {
        this.pendingLocal = applied;
      }
    }
    this.#sections = [...created.sections];
    for (const section of created.sections) this.#usedMids.add(section.mid);
    this.#appliedLocal = { type, created };
    this.localDescriptionSet = true;
    this.signalingState = next;
    this.#candidates.surface();
  }

  async setRemote(
    description: RTCSessionDescriptionInit,
    onImplicitRollback: () => void,
  ): Promise<void> {
    this.#checkOpen();
    const type = description.type;
    if (type === 'rollback') {
      this.#rollbackRemote();
      return;
    }
    if (type !== 'offer' && type !== 'answer' && type !== 'pranswer') {
      throw new TypeError(`unknown description type ${String(type)}`);
    }
    if (
      type === 'offer' &&
      (this.signalingState === 'have-local-offer' || this.signalingState === 'have-local-pranswer')
    ) {
      this.#rollbackLocal();
      onImplicitRollback();
    }
    const remote = readRemoteDescription(description.sdp ?? '');
    const next = nextSignalingState(this.signalingState, 'remote', type);
    if (next === undefined) {
      throw invalidStateError(`setRemoteDescription(${type}) in ${this.signalingState}`);
    }
    if (type !== 'offer')
      checkAnswerMatchesOffer(this.#appliedLocal?.created.sections ?? [], remote);
    const applied = new RTCSessionDescription({ type, sdp: description.sdp ?? '' });
    const transport = bundleTransport(remote);
    this.remoteCanTrickle = /a=ice-options:[^\r\n]*\btrickle\b/.test(description.sdp ?? '');
    if (type === 'offer') {
      if (this.#stack === undefined) {
        // Gathering starts now rather than at setLocalDescription, to connect sooner; the
        // candidates are signalled only once the answer is applied (W3C §4.4.1.5).
        this.#createStack('controlled', this.#credentials, remote);
      } else if (this.#stack.remoteCredentials === undefined) {
        // Our own offer was rolled back before any answer (glare): the peer's offer makes it
        // the controlling agent (RFC 8445 §6.1.1).
        this.#stack.ice.setRole('controlled');
      } else if (
        transport !== undefined &&
        this.#stack.remoteCredentials !== undefined &&
        this.#stack.remoteCredentials.ufrag !== transport.ufrag
      ) {
        // RFC 8445 §9: the peer restarted ICE, so this side restarts too, with the credentials
        // its answer will carry; our restart first, then the peer's new credentials.
        const credentials = newCredentials();
        this.#answerCredentials = credentials;
        this.#candidates.restart();
        this.#stack.ice.restart({
          localUfrag: credentials.ufrag,
          localPassword: credentials.password,
        });
      }
      this.pendingRemote = applied;
      this.#association = associateRemoteOffer(remote, this.#host.media);
    }
    for (const section of remote.sections) this.#usedMids.add(section.mid);
    this.#remote = remote;
    if (transport !== undefined) this.#stack?.applyRemoteTransport(transport, remote.iceLite);
    if (type !== 'offer') {
      const ours = this.#appliedLocal?.created as CreatedDescription;
      const theirSetup = transport?.setup;
      // RFC 8842 §5.3: the answerer chose; active there makes this side the DTLS server.
      this.#startDtls(theirSetup === 'active' ? 'server' : 'client', remote);
      this.#applyData(ours.sections, remote);
      const sections = applyNegotiatedMedia(
        ours,
        remote,
        'offerer',
        this.#host.media.transceivers(),
      );
      this.#host.media.onNegotiated();
      if (type === 'answer') {
        this.#restartUndo = undefined;
        this.#offerMids = [];
        this.currentRemote = applied;
        this.currentLocal = this.pendingLocal;
        this.pendingLocal = null;
        this.pendingRemote = null;
        this.#stableSections = sections;
        this.#appliedLocal = { type: 'offer', created: ours };
        this.#currentAppliedLocal = this.#appliedLocal;
        this.#currentRemoteParsed = remote;
      } else {
        this.pendingRemote = applied;
      }
    }
    this.signalingState = next;
    const tracks = processRemoteTracks(remote, this.#host.media);
    if (tracks.length > 0) this.#host.media.onTracks(tracks);
  }

  /** W3C addIceCandidate, after the operations chain reached it. */
  addRemoteCandidate(init: RTCIceCandidateInit | RTCIceCandidate | null): void {
    this.#checkOpen();
    const remote = this.#remote;
    if (remote === undefined || this.#stack === undefined) {
      throw invalidStateError('addIceCandidate before a remote description');
    }
    const candidate = init?.candidate ?? '';
    checkRemoteCandidate(remote, init, this.#stack.remoteCredentials?.ufrag);
    try {
      this.#stack.addRemoteCandidate(candidate === '' ? null : candidate);
    } catch (error) {
      throw operationError(`the candidate cannot be used: ${(error as Error).message}`);
    }
  }

  requestIceRestart(): void {
    this.#restartRequested = true;
  }

  dataChannelCreated(): void {
    this.#dataChannelsWanted = true;
  }

  /** W3C §4.7.3 "check if negotiation is needed", for data channels and ICE restarts. */
  negotiationNeeded(): boolean {
    if (this.#restartRequested && this.#stack !== undefined) return true;
    if (
      this.#dataChannelsWanted &&
      !this.#stableSections.some((section) => section.kind === 'application')
    ) {
      return true;
    }
    return this.#host.media
      .transceivers()
      .some((t) =>
        transceiverNeedsNegotiation(
          t,
          this.#stableSections,
          this.#currentAppliedLocal,
          this.#currentRemoteParsed,
        ),
      );
  }

  /**
   * Whether our candidates are surfaced as they come: false before the first local description
   * and while an ICE restart's new credentials wait for theirs (W3C §4.4.1.5).
   */
  get candidatesSurfaced(): boolean {
    return this.#candidates.surfaced;
  }

  localGatheringComplete(): void {
    this.#candidates.end();
  }

  close(): void {
    this.#closed = true;
    this.signalingState = 'closed';
    this.#stack?.close();
  }

  // --- internals ---

  #checkOpen(): void {
    if (this.#closed) throw invalidStateError('the peer connection is closed');
  }

  #describe(
    sections: readonly SectionState[],
    media: ReadonlyMap<string, MediaSectionPlan>,
    credentials: Credentials,
    setup: 'actpass' | 'active' | 'passive',
    certificate: RTCCertificate,
    withCandidates: boolean,
  ): CreatedDescription {
    return describe({
      sessionId: this.#sessionId.toString(),
      sessionVersion: this.#sessionVersion++,
      sections,
      media,
      credentials,
      setup,
      certificate,
      candidates: withCandidates ? this.#candidates.list : [],
      endOfCandidates: withCandidates && this.#candidates.ended,
    });
  }

  #ensureStack(role: 'controlling' | 'controlled', created: CreatedDescription): void {
    if (this.#stack !== undefined) return;
    this.#createStack(role, created.credentials, undefined);
  }

  #createStack(
    role: 'controlling' | 'controlled',
    credentials: Credentials,
    remote: RemoteDescription | undefined,
  ): void {
    const config = this.#host.config();
    const stack = new TransportStack({
      role: remote?.iceLite === true ? 'controlling' : role,
      credentials,
      iceServers: config.iceServers,
      iceTransportPolicy: config.iceTransportPolicy,
      udpMux: config.udpMux,
      gatherer: this.#host.takePooledGatherer(config),
    });
    this.#stack = stack;
    this.#credentials = credentials;
    const mid =
      remote?.sections.find((s) => !s.rejected)?.mid ?? this.#lastOffer?.sections[0]?.mid ?? '0';
    stack.ice.on('candidate', ({ candidateString: candidate }) => {
      this.#candidates.add(candidate);
    });
    this.#host.onTransport(stack, mid);
  }

  #candidateObject(candidate: string): RTCIceCandidate {
    const mid = this.#sections.find((s) => s.kind !== 'rejected')?.mid ?? '0';
    const index = this.#sections.findIndex((s) => s.mid === mid);
    return new RTCIceCandidate({
      candidate,
      sdpMid: mid,
      sdpMLineIndex: Math.max(0, index),
      usernameFragment: this.#stack?.ice.localCredentials.ufrag ?? null,
    });
  }

  #startDtls(role: 'client' | 'server', remote: RemoteDescription): void {
    const stack = this.#stack;
    const transport = bundleTransport(remote);
    if (stack === undefined || transport === undefined) return;
    if (this.#dtlsRole === undefined) this.#dtlsRole = role;
    void this.certificate.then((certificate) => {
      if (this.#closed) return;
      stack.startDtls(
        this.#dtlsRole as 'client' | 'server',
        certificate.dtlsCertificate,
        transport.fingerprints,
      );
    });
  }

  #applyData(sections: readonly SectionState[], remote: RemoteDescription): void {
    const sctp = negotiatedSctp(sections, remote);
    if (sctp === undefined || this.#stack === undefined) return;
    this.#host.onSctp(sctp.maxMessageSize);
    this.#stack.configureSctp({
      channels: this.#host.channels,
      localPort: sctp.localPort,
      remotePort: sctp.remotePort,
      maxMessageSize: LOCAL_MAX_MESSAGE_SIZE,
      remoteMaxMessageSize: sctp.remoteMaxMessageSize,
    });
  }

  #rollbackLocal(): void {
    if (
      this.signalingState !== 'have-local-offer' &&
      this.signalingState !== 'have-local-pranswer'
    ) {
      throw invalidStateError(`rollback of a local description in ${this.signalingState}`);
    }
    this.pendingLocal = null;
    this.#undoRestart();
    for (const transceiver of this.#offerMids.splice(0)) transceiver[internals].mid = null;
    this.#sections = [...this.#stableSections];
    this.#appliedLocal = this.#currentAppliedLocal;
    this.signalingState = 'stable';
  }

  /**
   * A rolled-back offer's ICE restart is undone (RFC 8829 §4.1.8.2: rollback discards what the
   * offer changed): old credentials and candidates. If the ICE transport cannot go back (it had
   * no connected generation to return to), the restart stands and the next offer restarts
   * again, so that the description never names credentials the agent no longer has.
   */
  #undoRestart(): void {
    const undo = this.#restartUndo;
    this.#restartUndo = undefined;
    if (undo === undefined || this.#stack === undefined) return;
    if (this.#stack.ice.cancelRestart()) {
      this.#credentials = undo.credentials;
      this.#candidates.restore(undo.candidates);
      this.#restartRequested = undo.requested;
    } else {
      this.#restartRequested = true;
    }
  }

  #rollbackRemote(): void {
    if (
      this.signalingState !== 'have-remote-offer' &&
      this.signalingState !== 'have-remote-pranswer'
    ) {
      throw invalidStateError(`rollback of a remote description in ${this.signalingState}`);
    }
    this.pendingRemote = null;
    if (this.#association !== undefined) undoAssociation(this.#association, this.#host.media);
    this.#association = undefined;
    this.#remote = this.#currentRemoteParsed;
    this.#answerCredentials = undefined;
    this.signalingState = 'stable';
  }
}
