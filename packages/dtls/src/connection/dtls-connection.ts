/**
 * `DtlsConnection`: a DTLS 1.2 client or server as a sans-I/O state machine (DESIGN.md
 * principle 1). It performs no I/O and reads no clock: the caller feeds it datagrams and the
 * time, and takes what it wants sent, its events, its decrypted data and its next deadline.
 *
 *     const dtls = new DtlsConnection({ role: 'client', certificate, remoteFingerprints });
 *     dtls.start(now);
 *     for (let d = dtls.pollTransmit(); d; d = dtls.pollTransmit()) socket.send(d);
 *     dtls.handleDatagram(datagram, now);  dtls.handleTimeout(now);  dtls.pollTimeout();
 *     dtls.pollEvent();          // connected | closed | failed
 *     dtls.pollApplicationData() // the peer's data, record by record
 *     dtls.send(bytes);          // once connected
 *
 * Failures end in a fatal alert sent to the peer (RFC 5246 §7.2.2) and a `failed` event whose
 * error names the cause: a `DtlsVerificationError` for a failed check, a `DtlsAlert` for an
 * alert sent or received, `DtlsTimeoutError`. Until the handshake has verified both Finished
 * messages and the peer certificate's fingerprint, no key leaves the connection.
 */

import { AlertDescription, AlertLevel } from '../alert.js';
import { type CertificateFingerprint, matchesFingerprint } from '../certificate/fingerprint.js';
import type { PeerCertificate } from '../certificate/signature.js';
import { HelloCookies } from '../crypto/cookie.js';
import { DtlsAlert, DtlsError, DtlsTimeoutError, DtlsVerificationError } from '../errors.js';
import {
  fragmentMessage,
  type HandshakeFragment,
  HandshakeType,
  readHandshakeFragments,
} from '../handshake/handshake-header.js';
import { HandshakeReassembler } from '../handshake/reassembler.js';
import { ContentType, MAX_PLAINTEXT_LENGTH } from '../record/index.js';
import { alertFor } from './alert-for.js';
import { ClientHandshake } from './client-handshake.js';
import { Flight, type FlightItem } from './flight.js';
import { HandshakeContext } from './handshake-context.js';
import type { HandshakeHost } from './handshake-host.js';
import {
  type DtlsConnectionOptions,
  type DtlsEvent,
  type DtlsRole,
  type DtlsState,
  type ResolvedOptions,
  resolveOptions,
} from './options.js';
import { RecordLayer, type RecordStats } from './record-layer.js';
import { ServerHandshake } from './server-handshake.js';

/** Queued outgoing datagrams and received records kept at most (a stalled caller). */
const MAX_QUEUED = 1024;
/**
 * The longest ClientHello a server reassembles. Hybrid post-quantum key shares (X25519MLKEM768,
 * 1,216 bytes) make Chromium's about 1.4 KB; this leaves room for more shares and extensions.
 */
const MAX_CLIENT_HELLO_LENGTH = 16_384;

const CONTEXTS = new WeakMap<DtlsConnection, HandshakeContext>();

/**
 * The handshake state of a connection, secrets included: for tests that forge records with the
 * real keys. Not exported by the package.
 */
export function handshakeContextOf(connection: DtlsConnection): HandshakeContext {
  return CONTEXTS.get(connection) as HandshakeContext;
}

export class DtlsConnection {
  readonly options: ResolvedOptions;
  readonly #context = new HandshakeContext();
  readonly #records = new RecordLayer();
  readonly #reassembler = new HandshakeReassembler();
  /**
   * The server's ClientHello before the cookie exchange: one message at most, so a spoofed
   * sender can hold no more than MAX_CLIENT_HELLO_LENGTH of this connection's memory.
   */
  readonly #initialHello = new HandshakeReassembler({
    maxMessageLength: MAX_CLIENT_HELLO_LENGTH,
    maxMessagesAhead: 0,
  });
  readonly #client: ClientHandshake | undefined;
  readonly #server: ServerHandshake | undefined;
  readonly #transmits: Uint8Array[] = [];
  readonly #events: DtlsEvent[] = [];
  readonly #received: Uint8Array[] = [];
  #remoteFingerprints: readonly CertificateFingerprint[] | undefined;
  #state: DtlsState = 'new';
  #flight: Flight | undefined;
  /** Our next handshake message_seq (RFC 6347 §4.2.2). */
  #sendSeq = 0;
  /** The peer's last message before our current flight: its re-sending means ours was lost. */
  #peerFlightEnd = { messageSeq: -1, msgType: -1 };
  /** The type of the peer's last handshake message delivered. */
  #lastPeerType = -1;
  #startedAt = 0;
  /** Both Finished verified; `connected` waits for the fingerprints if they are not known. */
  #handshakeDone = false;
  #peerVerified = false;
  #error: Error | undefined;

  constructor(options: DtlsConnectionOptions) {
    this.options = resolveOptions(options);
    this.#remoteFingerprints = options.remoteFingerprints;
    CONTEXTS.set(this, this.#context);
    // What the role handshakes may do to the connection; none of it is public.
    const host: HandshakeHost = {
      options: this.options,
      context: this.#context,
      beginHandshake: (clientHelloSeq) => {
        this.#sendSeq = clientHelloSeq;
        this.#reassembler.reset(clientHelloSeq + 1);
        this.#lastPeerType = HandshakeType.clientHello;
      },
      message: (msgType, body, epoch) => this.#message(msgType, body, epoch),
      sendFlight: (items, final, now) => this.#sendFlight(items, final, now),
      installReadKeys: () => {
        this.#records.setReadCipher(this.#context.recordCiphers(this.role).read);
      },
      installWriteKeys: () => {
        this.#records.setWriteCipher(this.#context.recordCiphers(this.role).write);
      },
      checkPeerCertificate: (peer) => this.#checkPeerCertificate(peer),
      complete: () => {
        this.#handshakeDone = true;
        if (this.#peerVerified) this.#connect();
      },
    };
    if (this.options.role === 'client') {
      this.#client = new ClientHandshake(host);
    } else {
      this.#server = new ServerHandshake(host, options.cookies ?? new HelloCookies());
    }
  }

  get role(): DtlsRole {
    return this.options.role;
  }

  get state(): DtlsState {
    return this.#state;
  }

  /** Why the connection failed, once `failed`. */
  get error(): Error | undefined {
    return this.#error;
  }

  /** Records dropped as forged, replayed or malformed. */
  get stats(): Readonly<RecordStats> {
    return this.#records.stats;
  }

  /** The negotiated suite's name, once the ServerHello is in. */
  get cipherSuite(): string | undefined {
    return this.#context.suite?.name;
  }

  /**
   * The negotiated protocol version as on the wire (RFC 6347 §4.1: 0xfefd is DTLS 1.2), once the
   * ServerHello is in; webrtc-stats RTCTransportStats.tlsVersion reports it in hex.
   */
  get protocolVersion(): number | undefined {
    return this.#context.version;
  }

  /** The use_srtp profile agreed on (RFC 5764 §4.1.2), if any. */
  get srtpProfile(): number | undefined {
    return this.#state === 'connected' ? this.#context.srtpProfile : undefined;
  }

  /** The peer's certificate (DER) once it has been verified. */
  get remoteCertificate(): Uint8Array | undefined {
    return this.#peerVerified ? this.#context.peerCertificate?.der : undefined;
  }

  /**
   * The peer's fingerprints, when they were not known at construction (the remote description
   * came after the handshake started). Verifies a certificate already received.
   */
  setRemoteFingerprints(fingerprints: readonly CertificateFingerprint[]): void {
    this.#remoteFingerprints = fingerprints;
    const peer = this.#context.peerCertificate;
    if (peer === undefined || this.#state !== 'connecting') return;
    this.#guard(() => {
      this.#checkPeerCertificate(peer);
      if (this.#handshakeDone) this.#connect();
    });
  }

  /** Starts the handshake: a client sends its ClientHello; a server waits for one. */
  start(now: number): void {
    if (this.#state !== 'new') return;
    this.#state = 'connecting';
    this.#startedAt = now;
    this.#guard(() => this.#client?.start(now));
  }

  /**
   * One datagram from the peer. `owned` says the caller gives `datagram` away (it never reads
   * or writes it again): records are then decrypted in place and application data is handed
   * out as views of it, which saves an allocation per record on the data path. Either way the
   * application data `pollApplicationData` returns belongs to its caller.
   */
  handleDatagram(datagram: Uint8Array, now: number, owned = false): void {
    if (this.#state === 'new') this.start(now);
    if (this.#state !== 'connecting' && this.#state !== 'connected') return;
    this.#now = now;
    try {
      this.#records.open(datagram, this.#onRecord, owned);
    } catch (error) {
      this.#failWith(error);
    }
  }

  handleTimeout(now: number): void {
    if (this.#state !== 'connecting' && this.#state !== 'connected') return;
    if (this.#state === 'connecting' && now - this.#startedAt >= this.options.handshakeTimeoutMs) {
      this.#fail(new DtlsTimeoutError(now - this.#startedAt), undefined);
      return;
    }
    const flight = this.#flight;
    const deadline = flight?.deadline;
    if (flight !== undefined && deadline !== undefined && now >= deadline) {
      flight.backOff();
      this.#transmit(flight, now);
    }
  }

  /** The next time `handleTimeout` is due; undefined when nothing is pending. */
  pollTimeout(): number | undefined {
    if (this.#state !== 'connecting') return undefined;
    const giveUpAt = this.#startedAt + this.options.handshakeTimeoutMs;
    const deadline = this.#flight?.deadline;
    return deadline === undefined ? giveUpAt : Math.min(deadline, giveUpAt);
  }

  pollTransmit(): Uint8Array | undefined {
    return this.#transmits.shift();
  }

  pollEvent(): DtlsEvent | undefined {
    return this.#events.shift();
  }

  /** The next application data record from the peer, decrypted. */
  pollApplicationData(): Uint8Array | undefined {
    return this.#received.shift();
  }

  /**
   * Sends `data` as one application data record. Throws `DtlsError` unless connected, or if
   * `data` is longer than a record holds (2^14 bytes, RFC 5246 §6.2.1).
   */
  send(data: Uint8Array): void {
    if (this.#state !== 'connected') {
      throw new DtlsError(`cannot send: the connection is ${this.#state}`, 'DTLS_NOT_CONNECTED');
    }
    if (data.length > MAX_PLAINTEXT_LENGTH) {
      throw new DtlsError(`${data.length} bytes do not fit one record`, 'DTLS_RECORD_TOO_LONG');
    }
    this.#queue(this.#records.seal(ContentType.applicationData, data));
  }

  /**
   * Keying material (RFC 5705 §4), e.g. `exportKeyingMaterial('EXTRACTOR-dtls_srtp', 60)` for
   * DTLS-SRTP (RFC 5764 §4.2). Only once connected: no key leaves an unverified handshake.
   */
  exportKeyingMaterial(label: string, length: number, context?: Uint8Array): Uint8Array {
    if (this.#state !== 'connected') {
      throw new DtlsError('keying material is exported only once connected', 'DTLS_NOT_CONNECTED');
    }
    return this.#context.exportKeyingMaterial(label, length, context);
  }

  /** Sends close_notify (RFC 5246 §7.2.1) if connected, and closes. */
  close(): void {
    if (this.#state === 'closed' || this.#state === 'failed') return;
    if (this.#state === 'connected')
      this.#sendAlert(AlertLevel.warning, AlertDescription.closeNotify);
    this.#state = 'closed';
    this.#flight = undefined;
    this.#events.push({ type: 'closed' });
  }

  // --- for the role handshakes (through the host) ---

  #message(msgType: number, body: Uint8Array, epoch = 0): FlightItem {
    const messageSeq = this.#sendSeq++;
    this.#context.add(msgType, messageSeq, body);
    return { kind: 'handshake', msgType, messageSeq, body, epoch };
  }

  #sendFlight(items: readonly FlightItem[], final: boolean, now: number): void {
    const flight = new Flight(items, final, this.options.initialRetransmitMs);
    this.#flight = flight;
    const messageSeq = this.#reassembler.nextMessageSeq - 1;
    this.#peerFlightEnd = { messageSeq, msgType: this.#lastPeerType };
    this.#transmit(flight, now);
  }

  #checkPeerCertificate(peer: PeerCertificate): void {
    const expected = this.#remoteFingerprints;
    if (expected === undefined) return; // checked by setRemoteFingerprints
    if (!matchesFingerprint(peer.der, expected)) {
      throw new DtlsVerificationError(
        'fingerprint',
        'the peer certificate matches none of the expected fingerprints',
      );
    }
    this.#peerVerified = true;
  }

  // --- records in ---

  /** The time of the datagram being handled, for the record callback. */
  #now = 0;

  readonly #onRecord = (
    contentType: number,
    epoch: number,
    sequenceNumber: number,
    data: Uint8Array,
  ): void => {
    if (this.#state === 'failed' || this.#state === 'closed') return;
    switch (contentType) {
      case ContentType.handshake:
        this.#onHandshakeRecord(epoch, sequenceNumber, data);
        return;
      case ContentType.alert:
        // Once both Finished are verified the peer writes in epoch 1, so a plaintext alert is a
        // forgery anyone can send: dropped, not obeyed (RFC 6347 §4.1.2.7).
        if (epoch === 0 && this.#handshakeDone) {
          this.#records.stats.droppedRecords++;
          return;
        }
        this.#onAlert(data);
        return;
      case ContentType.applicationData:
        // RFC 6347 §4.1: data only under the negotiated keys, only once connected.
        if (epoch === 1 && this.#state === 'connected' && this.#received.length < MAX_QUEUED) {
          this.#received.push(data);
        } else {
          this.#records.stats.droppedRecords++;
        }
        return;
      case ContentType.changeCipherSpec:
        // The epoch of each record says which keys it needs, so CCS needs no action here.
        return;
      default:
        // RFC 5246 §6.2.1: an unknown content type is unexpected; in DTLS a forged datagram
        // must not kill the connection, so it is dropped (§4.1.2.7).
        this.#records.stats.droppedRecords++;
    }
  };

  #onHandshakeRecord(epoch: number, recordSeq: number, data: Uint8Array): void {
    const now = this.#now;
    let fragments: HandshakeFragment[];
    try {
      fragments = readHandshakeFragments(data);
    } catch (error) {
      if (epoch === 0) {
        this.#records.stats.droppedRecords++; // unauthenticated: could be anyone's
        return;
      }
      throw error;
    }
    for (const fragment of fragments) {
      // A Finished is only believed under the new keys (RFC 5246 §7.4.9).
      if (fragment.msgType === HandshakeType.finished && epoch !== 1) continue;
      if (this.#server !== undefined && this.#sendSeq === 0) {
        this.#onInitialClientHello(fragment, recordSeq, now);
        continue;
      }
      if (this.#handshakeDone && epoch === 0) {
        // After the handshake only the peer's re-sent last flight comes in the clear (§4.2.4);
        // anything new is anyone's forgery and must not move the message sequence.
        if (fragment.messageSeq < this.#reassembler.nextMessageSeq) {
          this.#onPeerRetransmission(fragment, now);
        } else {
          this.#records.stats.droppedRecords++;
        }
        continue;
      }
      const verdict = this.#reassembler.add(fragment);
      if (verdict === 'duplicate') {
        this.#onPeerRetransmission(fragment, now);
        continue;
      }
      for (let m = this.#reassembler.takeMessage(); m; m = this.#reassembler.takeMessage()) {
        this.#flight?.acknowledged();
        this.#lastPeerType = m.msgType;
        if (this.#state !== 'connecting') {
          // After the handshake, under the keys: the peer asks to renegotiate, which we refuse
          // (RFC 5746 §4.4 lets us answer with a warning no_renegotiation).
          this.#sendAlert(AlertLevel.warning, AlertDescription.noRenegotiation);
          continue;
        }
        if (this.#client !== undefined) this.#client.handle(m.msgType, m.messageSeq, m.body, now);
        else this.#server?.handle(m.msgType, m.messageSeq, m.body, now);
      }
    }
  }

  /** The server before its first flight: a ClientHello, stateless until its cookie checks out. */
  #onInitialClientHello(fragment: HandshakeFragment, recordSeq: number, now: number): void {
    const hello = this.#initialHello;
    if (fragment.msgType !== HandshakeType.clientHello) {
      this.#records.stats.droppedRecords++;
      return;
    }
    // A newer ClientHello (the one answering a HelloVerifyRequest) replaces a partial older one.
    if (fragment.messageSeq > hello.nextMessageSeq) hello.reset(fragment.messageSeq);
    const verdict = hello.add(fragment);
    if (verdict === 'rejected' || verdict === 'duplicate') {
      this.#records.stats.droppedRecords++;
      return;
    }
    const message = hello.takeMessage();
    if (message === undefined) return; // more fragments to come
    hello.reset(message.messageSeq);
    const server = this.#server as ServerHandshake;
    const outcome = server.handleInitialClientHello(message.messageSeq, message.body, now);
    if (outcome.kind === 'dropped') {
      this.#records.stats.droppedRecords++;
    } else if (outcome.kind === 'verify-request') {
      // §4.2.1: the HelloVerifyRequest repeats the ClientHello's message and record sequence
      // numbers, and is not retransmitted (the client re-sends its ClientHello instead).
      const [verifyRequest] = fragmentMessage(
        HandshakeType.helloVerifyRequest,
        fragment.messageSeq,
        outcome.body,
        this.options.mtu,
      ) as [Uint8Array];
      this.#queue(this.#records.seal(ContentType.handshake, verifyRequest, 0, recordSeq));
    }
  }

  /** RFC 6347 §4.2.4: the peer re-sent its last flight, so ours did not arrive: re-send it. */
  #onPeerRetransmission(fragment: HandshakeFragment, now: number): void {
    const flight = this.#flight;
    // Once per copy of the peer's flight: on its last message's final fragment only. That
    // message must have its type, so a forged fragment (anyone can send epoch 0) cannot pose as
    // an epoch-1 Finished, which is skipped before this when it arrives in the clear.
    const end = this.#peerFlightEnd;
    const lastFragment = fragment.fragmentOffset + fragment.fragmentLength === fragment.length;
    if (
      flight === undefined ||
      fragment.messageSeq !== end.messageSeq ||
      fragment.msgType !== end.msgType ||
      !lastFragment
    ) {
      return;
    }
    this.#transmit(flight, now);
  }

  #onAlert(data: Uint8Array): void {
    if (data.length !== 2) {
      this.#records.stats.droppedRecords++;
      return;
    }
    const [level, description] = [data[0] as number, data[1] as number];
    if (description === AlertDescription.closeNotify) {
      // RFC 5246 §7.2.1: answer with our own close_notify and close.
      if (this.#state === 'connected') {
        this.#sendAlert(AlertLevel.warning, AlertDescription.closeNotify);
      }
      this.#state = 'closed';
      this.#flight = undefined;
      this.#events.push({ type: 'closed' });
      return;
    }
    // Warnings (no_renegotiation, say) change nothing; a fatal alert ends the connection.
    if (level === AlertLevel.fatal) this.#fail(new DtlsAlert(description, false), undefined);
  }

  // --- out ---

  #transmit(flight: Flight, now: number): void {
    for (const datagram of flight.datagrams(this.#records, this.options.mtu)) this.#queue(datagram);
    flight.sent(now);
  }

  #queue(datagram: Uint8Array): void {
    if (this.#transmits.length < MAX_QUEUED) this.#transmits.push(datagram);
  }

  #sendAlert(level: number, description: number): void {
    this.#queue(this.#records.seal(ContentType.alert, Uint8Array.of(level, description)));
  }

  #connect(): void {
    if (this.#state !== 'connecting') return;
    this.#state = 'connected';
    // The server's final flight stays, to be re-sent if the client's Finished comes again; the
    // client's is done with (RFC 6347 §4.2.4: in FINISHED only the last flight's sender
    // re-sends, so a replayed flight 4 gets no answer).
    if (this.#flight !== undefined && !this.#flight.final) this.#flight = undefined;
    this.#events.push({ type: 'connected' });
  }

  /** Runs a step; any failure becomes a fatal alert and the `failed` state. */
  #guard(step: () => unknown): void {
    try {
      step();
    } catch (error) {
      this.#failWith(error);
    }
  }

  /** Fails the connection with what a step threw, and the alert that tells the peer why. */
  #failWith(error: unknown): void {
    this.#fail(error instanceof Error ? error : new Error(String(error)), alertFor(error));
  }

  #fail(error: Error, alert: number | undefined): void {
    if (this.#state === 'failed' || this.#state === 'closed') return;
    if (alert !== undefined) this.#sendAlert(AlertLevel.fatal, alert);
    this.#state = 'failed';
    this.#error = error;
    this.#context.master?.fill(0);
    this.#flight = undefined;
    this.#received.length = 0;
    this.#events.push({ type: 'failed', error });
  }
}
