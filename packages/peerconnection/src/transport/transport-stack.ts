/**
 * The transports of one BUNDLE group (RFC 8843; WebRTC 1.0 §5.5-5.7): an ICE transport, the
 * RFC 7983 demultiplexer over it, the DTLS transport once the roles are known (RFC 8842: from
 * `a=setup`), and SCTP over DTLS for the data channels once DTLS is connected (RFC 8261).
 * The peer connection owns the stack and turns its events into the W3C ones.
 */

import { Emitter } from '@typertc/common';
import { type DtlsCertificate, type DtlsState, DtlsTransport } from '@typertc/dtls';
import {
  type CandidateGatherer,
  type GatheringError,
  type IceCredentials,
  type IceRole,
  type IceSelectedPair,
  IceTransport,
  type IceTransportPolicy,
  type IceTransportState,
  type RTCIceServer,
  type UdpMux,
} from '@typertc/ice';
import { type DataChannelManager, type SctpState, SctpTransport } from '@typertc/sctp';
import {
  DTLS_SRTP_EXPORTER_LABEL,
  dtlsSrtpKeyingMaterialLength,
  SRTP_PROFILES,
  SrtpContext,
  type SrtpProfile,
  srtpKeysFromKeyingMaterial,
  srtpProfileByDtlsId,
} from '@typertc/srtp';
import { Demultiplexer } from './demux.js';

/**
 * The use_srtp profiles every handshake offers or accepts, preferred first (RFC 5764 §4.1.2,
 * RFC 7714 §14.2). A data-only session negotiates them too, as browsers do: media added by a
 * later offer/answer is keyed from this same handshake (RFC 8843 §7.1), and werift fails a
 * connection whose handshake chose no profile.
 */
const SRTP_PROFILE_PREFERENCE: readonly SrtpProfile[] = [
  'SRTP_AEAD_AES_128_GCM',
  'SRTP_AEAD_AES_256_GCM',
  'SRTP_AES128_CM_HMAC_SHA1_80',
  'SRTP_AES128_CM_HMAC_SHA1_32',
];
const DTLS_SRTP_PROFILE_IDS = SRTP_PROFILE_PREFERENCE.map(
  (name) => SRTP_PROFILES[name].dtlsId as number,
);

/**
 * The SRTP contexts of the BUNDLE group (RFC 5764 §4.2), keyed from the DTLS exporter with the
 * profile the handshake chose: `outbound` protects what this side sends, `inbound` unprotects
 * what the peer sends. The media issue routes RTP and RTCP through them.
 */
export interface SrtpSession {
  readonly profile: SrtpProfile;
  readonly outbound: SrtpContext;
  readonly inbound: SrtpContext;
}

export interface TransportStackOptions {
  readonly role: IceRole;
  readonly credentials: IceCredentials;
  readonly iceServers: readonly RTCIceServer[];
  readonly iceTransportPolicy: IceTransportPolicy;
  readonly udpMux: UdpMux | undefined;
  /** A gatherer started ahead (`iceCandidatePoolSize`), which the ICE transport adopts. */
  readonly gatherer: CandidateGatherer | undefined;
}

export interface SctpParameters {
  readonly channels: DataChannelManager;
  readonly localPort: number;
  readonly remotePort: number;
  readonly maxMessageSize: number;
  readonly remoteMaxMessageSize: number;
}

/**
 * What the stack reports besides gathering. Candidates and the gathering state are the ICE
 * transport's own sticky events (`ice.on('candidate')`, `ice.on('gathering-state')`): a listener
 * added late still hears what a pooled gatherer found before the stack existed.
 */
export interface TransportStackEvents {
  'candidate-error': (error: GatheringError) => void;
  'ice-state': (state: IceTransportState) => void;
  'selected-pair': (pair: IceSelectedPair) => void;
  'dtls-state': (state: DtlsState, error?: Error) => void;
  'sctp-state': (state: SctpState) => void;
}

export class TransportStack {
  readonly ice: IceTransport;
  readonly demux: Demultiplexer;
  readonly events = new Emitter<TransportStackEvents>();
  #dtls: DtlsTransport | undefined;
  #dtlsError: Error | undefined;
  #sctp: SctpTransport | undefined;
  #srtp: SrtpSession | undefined;
  #sctpParameters: SctpParameters | undefined;
  #remoteCredentials: IceCredentials | undefined;
  readonly #remoteCandidates = new Set<string>();
  /** Remote candidates of this generation the ICE agent took. */
  #usableRemoteCandidates = 0;
  #endOfCandidatesHeld = false;
  readonly #unsubscribes: (() => void)[] = [];
  #closed = false;

  constructor(options: TransportStackOptions) {
    this.ice = IceTransport.create({
      role: options.role,
      agent: { localUfrag: options.credentials.ufrag, localPassword: options.credentials.password },
      iceServers: options.iceServers,
      iceTransportPolicy: options.iceTransportPolicy,
      ...(options.udpMux === undefined ? {} : { udpMux: options.udpMux }),
      ...(options.gatherer === undefined ? {} : { gatherer: options.gatherer }),
    });
    this.demux = new Demultiplexer(this.ice);
    const ice = this.ice;
    const events = this.events;
    this.#unsubscribes.push(
      ice.on('candidate-error', (error) => events.emit('candidate-error', error)),
      ice.on('state', (state) => events.emit('ice-state', state)),
      ice.on('selected-pair', (pair) => events.emit('selected-pair', pair)),
    );
  }

  get dtls(): DtlsTransport | undefined {
    return this.#dtls;
  }

  get dtlsError(): Error | undefined {
    return this.#dtlsError;
  }

  get sctp(): SctpTransport | undefined {
    return this.#sctp;
  }

  /** Once DTLS is connected with a use_srtp profile (always, with a WebRTC peer). */
  get srtp(): SrtpSession | undefined {
    return this.#srtp;
  }

  get remoteCredentials(): IceCredentials | undefined {
    return this.#remoteCredentials;
  }

  get remoteCandidates(): readonly string[] {
    return [...this.#remoteCandidates];
  }

  /**
   * The peer's ICE credentials; new ones are an ICE restart on its side (RFC 8445 §9), after
   * which its candidates are a new set.
   */
  setRemoteCredentials(credentials: IceCredentials, lite: boolean): void {
    const current = this.#remoteCredentials;
    if (current?.ufrag === credentials.ufrag && current.password === credentials.password) return;
    this.#remoteCredentials = credentials;
    this.#remoteCandidates.clear();
    this.#usableRemoteCandidates = 0;
    this.#endOfCandidatesHeld = false;
    this.ice.setRemoteCredentials(credentials);
    if (lite) this.ice.setRemoteLite(true);
  }

  /**
   * What a remote description says of the bundle's transport: credentials (new ones are the
   * peer's ICE restart), its candidates, end-of-candidates.
   */
  applyRemoteTransport(
    transport: {
      readonly ufrag: string;
      readonly password: string;
      readonly candidates: readonly string[];
      readonly endOfCandidates: boolean;
    },
    lite: boolean,
  ): void {
    this.setRemoteCredentials({ ufrag: transport.ufrag, password: transport.password }, lite);
    for (const candidate of transport.candidates) {
      try {
        this.addRemoteCandidate(candidate);
      } catch {
        // W3C §4.4.1.5: a candidate the agent cannot use (an mDNS name, say) is skipped.
      }
    }
    if (transport.endOfCandidates) this.addRemoteCandidate(null);
  }

  /** A remote candidate string, or null for end-of-candidates; each is given to ICE once. */
  addRemoteCandidate(candidate: string | null): void {
    if (candidate === null) {
      // End-of-candidates with none we could use (a browser's are all mDNS names, which are not
      // resolved here) would fail ICE at once (RFC 8838 §8), yet the peer can still reach us
      // with checks from a peer-reflexive address (RFC 8445 §7.3.1.3): it is held back until
      // one of its candidates is usable.
      if (this.#usableRemoteCandidates === 0) {
        this.#endOfCandidatesHeld = true;
        return;
      }
      this.ice.addRemoteCandidate(null);
      return;
    }
    if (this.#remoteCandidates.has(candidate)) return;
    this.#remoteCandidates.add(candidate);
    this.ice.addRemoteCandidate(candidate);
    this.#usableRemoteCandidates++;
    if (this.#endOfCandidatesHeld) {
      this.#endOfCandidatesHeld = false;
      this.ice.addRemoteCandidate(null);
    }
  }

  /**
   * Starts DTLS in `role` (once; the roles never change within a session, RFC 8842 §5.5),
   * checking the peer's certificate against `remoteFingerprints` (RFC 8122 §5).
   */
  startDtls(
    role: 'client' | 'server',
    certificate: DtlsCertificate,
    remoteFingerprints: readonly { readonly algorithm: string; readonly value: string }[],
  ): void {
    if (this.#dtls !== undefined || this.#closed) return;
    const dtls = DtlsTransport.create({
      transport: this.demux.dtls,
      role,
      certificate,
      srtpProfiles: DTLS_SRTP_PROFILE_IDS,
      // The demultiplexer takes DTLS only from ICE-proved paths (RFC 8445 §12.2), so the
      // cookie round trip (RFC 6347 §4.2.1, against spoofed sources) would prove nothing new.
      cookieExchange: false,
      // RFC 8122 §5: hash function names are case-insensitive; ours are lower case.
      remoteFingerprints: remoteFingerprints.map(({ algorithm, value }) => ({
        algorithm: algorithm.toLowerCase(),
        value,
      })),
    });
    this.#dtls = dtls;
    this.#unsubscribes.push(
      dtls.on('state', (state) => {
        if (state === 'connected') {
          this.#keySrtp(dtls, role);
          this.#startSctpIfReady();
        }
        this.events.emit('dtls-state', state, state === 'failed' ? this.#dtlsError : undefined);
      }),
      dtls.on('error', (error) => {
        this.#dtlsError ??= error;
      }),
    );
  }

  /** The data channels' association: started as soon as DTLS is connected. */
  configureSctp(parameters: SctpParameters): void {
    this.#sctpParameters = parameters;
    this.#startSctpIfReady();
  }

  /** Ends everything: SCTP aborted, DTLS closed (close_notify), ICE sockets closed. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#sctp?.abort('the peer connection closed');
    this.#dtls?.close();
    for (const unsubscribe of this.#unsubscribes.splice(0)) unsubscribe();
    this.demux.close();
    // The ABORT and close_notify just queued leave on the socket only after node:dgram's
    // address lookup (a process.nextTick even for a literal): closing the socket now would drop
    // them, and the peer would learn of the close only when consent expires (RFC 7675, 30 s).
    setImmediate(() => this.ice.close());
  }

  /** RFC 5764 §4.2: the exporter's output split into this side's and the peer's keys. */
  #keySrtp(dtls: DtlsTransport, role: 'client' | 'server'): void {
    const id = dtls.connection.srtpProfile;
    const profile = id === undefined ? undefined : srtpProfileByDtlsId(id);
    if (profile === undefined) return;
    const material = dtls.connection.exportKeyingMaterial(
      DTLS_SRTP_EXPORTER_LABEL,
      dtlsSrtpKeyingMaterialLength(profile),
    );
    const keys = srtpKeysFromKeyingMaterial(profile, material, role);
    this.#srtp = {
      profile,
      outbound: new SrtpContext({ profile, ...keys.local }),
      inbound: new SrtpContext({ profile, ...keys.remote }),
    };
  }

  #startSctpIfReady(): void {
    const dtls = this.#dtls;
    const parameters = this.#sctpParameters;
    if (this.#sctp !== undefined || dtls === undefined || parameters === undefined) return;
    if (dtls.connection.state !== 'connected') return;
    const sctp = SctpTransport.create({
      transport: dtls,
      role: dtls.connection.options.role,
      channels: parameters.channels,
      localPort: parameters.localPort,
      remotePort: parameters.remotePort,
      maxMessageSize: parameters.maxMessageSize,
      remoteMaxMessageSize: parameters.remoteMaxMessageSize,
    });
    this.#sctp = sctp;
    this.#unsubscribes.push(sctp.on('state', (state) => this.events.emit('sctp-state', state)));
  }
}
