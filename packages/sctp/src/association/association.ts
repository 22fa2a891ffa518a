/**
 * `SctpAssociation`: one SCTP association (RFC 9260) as WebRTC runs it over DTLS (RFC 8261): a
 * single path, no multihoming, FORWARD-TSN (RFC 3758) and stream reset (RFC 6525). A sans-I/O
 * core: fed packets and the time, it queues packets to send (`pollTransmit`), events
 * (`pollEvent`) and its next deadline (`pollTimeout`).
 *
 *     const sctp = new SctpAssociation({ maxMessageSize });
 *     sctp.connect(now);                         // both WebRTC peers do: a simultaneous open
 *     sctp.handleDatagram(packet, now);  sctp.handleTimeout(now);
 *     for (let p = sctp.pollTransmit(); p; p = sctp.pollTransmit()) dtls.send(p);
 *     sctp.send({ streamId, ppid, data, unordered }, now);
 *
 * Received packets are checked before anything is believed: the CRC-32c (§6.8), the ports, and
 * the verification tag (§8.5) — a packet that fails is dropped and counted, never answered.
 * SACKs are batched: DATA marks a SACK as due, and it goes out with the next `pollTransmit`
 * (at once on a gap, a duplicate, every second packet or an I-bit; otherwise within the delayed
 * ACK time, §6.2), so a burst of packets handled together gets one SACK.
 */

import { SctpError } from '../errors.js';
import {
  CHUNK_FLAG_T,
  type ChunkHeader,
  ChunkType,
  type CommonHeader,
  createChunkHeader,
  type ErrorCause,
  ErrorCauseCode,
  encodeAbortChunk,
  encodeCookieAckChunk,
  encodeErrorChunk,
  encodeHeartbeatAckChunk,
  encodeShutdownAckChunk,
  encodeShutdownChunk,
  encodeShutdownCompleteChunk,
  type InitChunk,
  parseCookieEchoChunk,
  parseHeartbeatChunk,
  parseInitChunk,
  readChunkHeader,
  readCommonHeader,
  unrecognizedChunkAction,
  verifyChecksum,
} from '../packet/index.js';
import { DataPath, type SctpStats } from './data-path.js';
import { Fifo } from './fifo.js';
import type { PeerInit } from './handshake.js';
import {
  type ResolvedSctpOptions,
  resolveSctpOptions,
  type SctpAssociationOptions,
  type SctpEvent,
  type SctpState,
} from './options.js';
import { PacketBuilder } from './packet-builder.js';
import { type OutgoingMessage, SendQueue } from './send/index.js';
import { Setup } from './setup.js';
import { RetransmissionTimer } from './timer.js';

export class SctpAssociation {
  readonly options: ResolvedSctpOptions;
  readonly stats: SctpStats = { droppedPackets: 0, duplicateChunks: 0, retransmissions: 0 };
  /**
   * Largest message either side may send: ours, or less if the peer's SDP says so
   * (`a=max-message-size`, RFC 8841 §6); set by the caller.
   */
  maxMessageSize: number;
  readonly #setup: Setup;
  readonly #transmits = new Fifo<Uint8Array>();
  readonly #events = new Fifo<SctpEvent>();
  readonly #builder: PacketBuilder;
  #sendQueue: SendQueue;
  readonly #control: Uint8Array[] = [];
  readonly #header: CommonHeader = { sourcePort: 0, destinationPort: 0, verificationTag: 0 };
  readonly #chunk: ChunkHeader = createChunkHeader();
  #state: SctpState = 'closed';
  #tcb: DataPath | undefined;
  readonly #t2 = new RetransmissionTimer();
  #now = 0;
  /** Something may be due to send: built at the next `pollTransmit`. */
  #dirty = false;

  constructor(options: SctpAssociationOptions = {}) {
    this.options = resolveSctpOptions(options);
    this.#setup = new Setup(this.options);
    this.maxMessageSize = this.options.maxMessageSize;
    this.#sendQueue = new SendQueue({ maxMessageSize: this.options.maxMessageSize });
    this.#builder = new PacketBuilder(
      this.options.mtu,
      this.options.localPort,
      this.options.remotePort,
      this.#transmits,
    );
  }

  get state(): SctpState {
    return this.#state;
  }

  get established(): boolean {
    return this.#state === 'established';
  }

  /** Starts the association: sends INIT and waits for the INIT-ACK (§5.1 step A). */
  connect(now: number): void {
    if (this.#state !== 'closed' || this.#tcb !== undefined) return;
    this.#now = now;
    this.#state = 'cookie-wait';
    this.#sendHandshakeChunk(this.#setup.start(now), 0);
  }

  /**
   * Queues a message (RFC 8831 §6.6) at `now`: its PR-SCTP lifetime (RFC 3758) starts then, and
   * data sent at once is timed (RTT, T3-rtx) from then. Without `now`, the time of the last
   * input is used, which after an idle spell is in the past. Throws `SctpError` unless
   * established, or over size.
   */
  send(message: OutgoingMessage, now = this.#now): void {
    if (this.#state !== 'established') {
      throw new SctpError(`cannot send: the association is ${this.#state}`, 'SCTP_NOT_ESTABLISHED');
    }
    if (message.data.length > this.maxMessageSize) {
      throw new SctpError(
        `a ${message.data.length}-byte message is over the maximum of ${this.maxMessageSize}`,
        'SCTP_MESSAGE_TOO_LARGE',
      );
    }
    this.#now = now;
    this.#sendQueue.enqueue(message, now);
    this.#tcb?.queued(message.streamId);
    this.#dirty = true;
  }

  /** Bytes queued on a stream by `send` and not yet handed to the network. */
  bufferedAmount(streamId: number): number {
    return this.#sendQueue.bufferedAmountOf(streamId);
  }

  /**
   * Resets an outgoing stream (RFC 6525 §5.1.2), after its queued data: closes a channel. `now`
   * as for `send`.
   */
  resetStream(streamId: number, now = this.#now): void {
    const tcb = this.#tcb;
    if (tcb === undefined) return;
    this.#now = now;
    tcb.resetStream(streamId);
    this.#dirty = true;
  }

  /** Graceful shutdown (§9.2): once everything queued is acknowledged, SHUTDOWN. */
  shutdown(now: number): void {
    this.#now = now;
    if (this.#state !== 'established') {
      if (this.#state === 'cookie-wait' || this.#state === 'cookie-echoed') this.#close('closed');
      return;
    }
    this.#state = 'shutdown-pending';
    this.#sendShutdownStep();
    this.#dirty = true;
  }

  /** Aborts at once (§9.1): ABORT with a user-initiated-abort cause. */
  abort(reason = 'aborted by the application'): void {
    if (this.#state === 'closed') return;
    const info = new TextEncoder().encode(reason.slice(0, 200));
    this.#sendAbort([{ code: ErrorCauseCode.userInitiatedAbort, info }]);
    this.#close('aborted', reason);
  }

  /**
   * The next packet to send. Packets are built here, from everything the inputs since the last
   * call made due: a burst of received packets handled together gets one SACK (§6.2), and
   * messages sent together share packets (§6.10). Call it until undefined, then `pollTimeout`.
   */
  pollTransmit(): Uint8Array | undefined {
    if (this.#dirty) {
      this.#dirty = false;
      this.#flush(this.#now);
    }
    return this.#transmits.shift();
  }

  pollEvent(): SctpEvent | undefined {
    return this.#events.shift();
  }

  pollTimeout(): number | undefined {
    const deadlines: (number | undefined)[] = [this.#setup.t1.deadline, this.#t2.deadline];
    const tcb = this.#tcb;
    if (tcb !== undefined) {
      deadlines.push(tcb.deadline);
    }
    let earliest: number | undefined;
    for (const at of deadlines) {
      if (at !== undefined && (earliest === undefined || at < earliest)) earliest = at;
    }
    return earliest;
  }

  handleTimeout(now: number): void {
    this.#now = now;
    const { rtoMaxMs, maxInitRetransmissions, maxRetransmissions } = this.options;
    const t1 = this.#setup.t1;
    if (t1.expired(now, rtoMaxMs)) {
      if (t1.expiries > maxInitRetransmissions) {
        this.#close('aborted', 'the peer never answered the handshake');
        return;
      }
      const tag = this.#state === 'cookie-wait' ? 0 : this.#setup.peerTag;
      this.#sendHandshakeChunk(this.#setup.chunk, tag);
    }
    if (this.#t2.expired(now, rtoMaxMs)) {
      if (this.#t2.expiries > maxRetransmissions) {
        this.#close('aborted', 'the peer never completed the shutdown');
        return;
      }
      this.#sendShutdownStep();
    }
    const tcb = this.#tcb;
    if (tcb === undefined) return;
    const unreachable = tcb.handleTimeout(now, this.#control);
    if (unreachable !== undefined) {
      this.#sendAbort([]);
      this.#close('aborted', unreachable);
      return;
    }
    this.#dirty = true;
  }

  /**
   * One received SCTP packet (the payload of one DTLS record). `owned` says the caller gives
   * `packet` away (it never reads or writes it again): user data may then be kept as views of
   * it instead of copies, which saves an allocation per DATA chunk on the data path.
   */
  handleDatagram(packet: Uint8Array, now: number, owned = false): void {
    this.#now = now;
    if (!this.#accept(packet)) {
      this.stats.droppedPackets++;
      return;
    }
    try {
      this.#processChunks(packet, now, owned);
    } catch (error) {
      if (!(error instanceof Error) || !error.name.startsWith('Sctp')) throw error;
      // A malformed chunk from an authenticated peer: §6.10 says discard the packet; a
      // protocol violation inside an association (empty DATA, §6.2) aborts it.
      this.stats.droppedPackets++;
    }
    this.#afterInput(now);
  }

  // --- receiving ---

  /** The checksum, ports and, for the common case, the verification tag (§8.5). */
  #accept(packet: Uint8Array): boolean {
    if (packet.length < 16) return false;
    // RFC 9653 §5.3: having offered zero checksums, a packet with one is accepted unverified
    // (DTLS authenticated it); any other checksum must be right.
    if (!(this.options.zeroChecksum && hasZeroChecksum(packet)) && !verifyChecksum(packet)) {
      return false;
    }
    const header = this.#header;
    readCommonHeader(packet, header);
    return (
      header.destinationPort === this.options.localPort &&
      header.sourcePort === this.options.remotePort
    );
  }

  #processChunks(packet: Uint8Array, now: number, owned: boolean): void {
    const chunk = this.#chunk;
    const tag = this.#header.verificationTag;
    readChunkHeader(packet, 12, chunk);
    // §8.5.1: packets with INIT carry tag 0 and nothing else; ABORT and SHUTDOWN-COMPLETE with
    // the T bit carry the peer's own tag; COOKIE-ECHO is checked against its cookie.
    if (chunk.type === ChunkType.init) {
      if (tag !== 0 || chunk.next < packet.length) throw new SctpError('bad INIT packet');
      this.#onInit(parseInitChunk(packet, chunk), now);
      return;
    }
    const reflected =
      (chunk.type === ChunkType.abort || chunk.type === ChunkType.shutdownComplete) &&
      (chunk.flags & CHUNK_FLAG_T) !== 0;
    const expectedTag = reflected
      ? this.#peerTag()
      : (this.#tcb?.localTag ?? this.#setup.local.tag);
    if (chunk.type !== ChunkType.cookieEcho && tag !== expectedTag) {
      this.stats.droppedPackets++;
      return;
    }
    for (let offset = 12; offset < packet.length; offset = chunk.next) {
      readChunkHeader(packet, offset, chunk);
      if (!this.#processChunk(packet, chunk, now, owned)) return;
    }
  }

  /** One chunk; false to stop processing the packet. */
  #processChunk(packet: Uint8Array, chunk: ChunkHeader, now: number, owned: boolean): boolean {
    const tcb = this.#tcb;
    switch (chunk.type) {
      case ChunkType.data:
        if (tcb !== undefined && !tcb.onData(packet, chunk, owned)) {
          this.#sendAbort([{ code: ErrorCauseCode.protocolViolation, info: new Uint8Array(0) }]);
          this.#close('aborted', 'the peer sent a message over the maximum message size');
          return false;
        }
        return true;
      case ChunkType.sack:
        if (tcb === undefined) return true;
        tcb.onSack(packet, chunk, now);
        if (this.#state === 'shutdown-pending' || this.#state === 'shutdown-received') {
          this.#sendShutdownStep();
        }
        return true;
      case ChunkType.initAck:
        this.#onInitAck(parseInitChunk(packet, chunk), now);
        return true;
      case ChunkType.cookieEcho:
        return this.#onCookieEcho(parseCookieEchoChunk(packet, chunk), now);
      case ChunkType.cookieAck:
        if (this.#state === 'cookie-echoed') {
          const peer = this.#setup.onCookieAck();
          if (peer !== undefined) this.#createTcb(peer, now);
        }
        return true;
      case ChunkType.heartbeat:
        // §8.3: answered by an association (a closed endpoint must not keep its peer's alive),
        // unless the echo cannot fit our MTU: a peer's packet may be bigger than ours.
        if (tcb !== undefined) {
          const ack = encodeHeartbeatAckChunk(parseHeartbeatChunk(packet, chunk));
          if (this.#builder.fits(ack.length)) this.#control.push(ack);
        }
        return true;
      case ChunkType.heartbeatAck:
        tcb?.onHeartbeatAck();
        return true;
      case ChunkType.abort:
        this.#close('aborted', 'the peer aborted the association');
        return false;
      case ChunkType.shutdown:
        this.#onShutdown();
        return true;
      case ChunkType.shutdownAck:
        // §9.2: only the SHUTDOWN sender (or both, shutting down at once) expects it.
        if (this.#state !== 'shutdown-sent' && this.#state !== 'shutdown-ack-sent') return true;
        this.#control.push(encodeShutdownCompleteChunk(false));
        this.#flush(now);
        this.#close('closed');
        return false;
      case ChunkType.shutdownComplete:
        if (this.#state === 'shutdown-ack-sent') this.#close('closed');
        return false;
      case ChunkType.forwardTsn:
        tcb?.onForwardTsn(packet, chunk);
        return true;
      case ChunkType.reconfig:
        tcb?.onReconfig(packet, chunk, this.#control);
        return true;
      case ChunkType.error:
        return true;
      default:
        return this.#onUnknownChunk(packet, chunk);
    }
  }

  #onUnknownChunk(packet: Uint8Array, chunk: ChunkHeader): boolean {
    const action = unrecognizedChunkAction(chunk.type);
    if (action === 'stop-report' || action === 'skip-report') {
      const info = packet.slice(chunk.offset, chunk.offset + chunk.length);
      const error = encodeErrorChunk([{ code: ErrorCauseCode.unrecognizedChunkType, info }]);
      // §3.3.10.6 carries the whole chunk: one too big for our MTU goes unreported.
      if (this.#builder.fits(error.length)) this.#control.push(error);
    }
    return action === 'skip' || action === 'skip-report';
  }

  /** An INIT: answer with an INIT-ACK, keeping no state (§5.1, §5.2.1, §5.2.2). */
  #onInit(init: InitChunk, now: number): void {
    const initAck = this.#setup.initAckFor(init, this.#tcb, now);
    const builder = this.#builder;
    const zeroChecksum = builder.zeroChecksum;
    // RFC 9653 §5.2: an INIT-ACK always carries the real checksum (a restarted peer may not
    // have offered zero checksums).
    builder.setVerificationTag(init.initiateTag);
    builder.zeroChecksum = false;
    builder.addChunk(initAck);
    builder.flush();
    builder.zeroChecksum = zeroChecksum;
  }

  #onInitAck(initAck: InitChunk, now: number): void {
    if (this.#state !== 'cookie-wait') return;
    const cookieEcho = this.#setup.onInitAck(initAck, now);
    if (cookieEcho === undefined) {
      this.#sendAbort([
        { code: ErrorCauseCode.missingMandatoryParameter, info: Uint8Array.of(0, 1, 0, 7) },
      ]);
      this.#close('aborted', 'INIT-ACK without a State Cookie');
      return;
    }
    this.#state = 'cookie-echoed';
    this.#sendHandshakeChunk(cookieEcho, this.#setup.peerTag);
  }

  /** A COOKIE-ECHO (§5.1.5, §5.2.4); false when the packet is to be discarded. */
  #onCookieEcho(cookie: Uint8Array, now: number): boolean {
    const setup = this.#setup;
    const current =
      this.#tcb ??
      (this.#state === 'closed'
        ? undefined
        : { localTag: setup.local.tag, peerTag: setup.peerTag });
    const tag = this.#header.verificationTag;
    const outcome = setup.onCookieEcho(cookie, tag, current, this.#tcb !== undefined, now);
    if (outcome.kind === 'discard') {
      this.stats.droppedPackets++;
      return false;
    }
    if (outcome.kind === 'establish') {
      if (outcome.restart) {
        // §5.2.4.1 A: as if an ABORT came, then a new COOKIE-ECHO. The new peer's streams
        // start at SSN 0, so ours start over too; what was queued for the old one is dropped.
        this.#tcb = undefined;
        this.#sendQueue = new SendQueue({ maxMessageSize: this.options.maxMessageSize });
        this.#events.push({ type: 'restarted' });
      }
      if (this.#tcb === undefined) this.#createTcb(outcome.peer, now);
    }
    this.#builder.setVerificationTag(setup.peerTag);
    this.#control.push(encodeCookieAckChunk());
    return true;
  }

  #createTcb(peer: PeerInit, now: number): void {
    const local = this.#setup.local;
    this.#tcb = new DataPath(
      {
        options: this.options,
        localTag: local.tag,
        peerTag: peer.initiateTag,
        localInitialTsn: local.initialTsn,
        peerInitialTsn: peer.initialTsn,
        peerReceiverWindow: peer.advertisedReceiverWindow,
        peerForwardTsn: peer.forwardTsn,
        sendQueue: this.#sendQueue,
        builder: this.#builder,
        events: this.#events,
        stats: this.stats,
      },
      now,
    );
    // RFC 9653 §5.2: zero checksums once both sides offered them (over DTLS).
    this.#builder.zeroChecksum = this.options.zeroChecksum && peer.zeroChecksum;
    this.#state = 'established';
    this.#events.push({ type: 'established' });
  }

  #onShutdown(): void {
    // §9.2: also in SHUTDOWN-SENT (both shut down at once): answer with a SHUTDOWN-ACK.
    if (
      this.#state === 'established' ||
      this.#state === 'shutdown-pending' ||
      this.#state === 'shutdown-sent'
    ) {
      this.#state = 'shutdown-received';
    }
    this.#sendShutdownStep();
  }

  // --- after input, and sending ---

  #afterInput(now: number): void {
    this.#tcb?.endOfPacket(now);
    this.#dirty = true;
  }

  /** Writes every chunk that is due into packets (§6.10: control chunks before DATA). */
  #flush(now: number): void {
    const tcb = this.#tcb;
    const builder = this.#builder;
    if (tcb !== undefined) builder.setVerificationTag(tcb.peerTag);
    for (const chunk of this.#control.splice(0)) builder.addChunk(chunk);
    if (tcb === undefined) {
      builder.flush();
      return;
    }
    // §9.2: the application can queue nothing more once a shutdown is under way (`send`
    // refuses), but what it queued before still goes out, on either side.
    const sendNewData =
      this.#state === 'established' ||
      this.#state === 'shutdown-pending' ||
      this.#state === 'shutdown-received';
    tcb.write(now, sendNewData);
  }

  #sendHandshakeChunk(chunk: Uint8Array | undefined, verificationTag: number): void {
    if (chunk === undefined) return;
    this.#builder.setVerificationTag(verificationTag);
    this.#builder.addChunk(chunk);
    this.#builder.flush();
  }

  /** The peer's tag: the association's, or the one its INIT-ACK gave during set-up. */
  #peerTag(): number {
    return this.#tcb?.peerTag ?? this.#setup.peerTag;
  }

  /** §9.2: SHUTDOWN once our data is acknowledged; SHUTDOWN-ACK in answer to the peer's. */
  #sendShutdownStep(): void {
    const tcb = this.#tcb;
    if (tcb === undefined || !tcb.drained) return;
    if (this.#state === 'shutdown-pending' || this.#state === 'shutdown-sent') {
      this.#control.push(encodeShutdownChunk(tcb.receive.cumulativeTsn));
      if (this.#state === 'shutdown-pending') this.#t2.start(this.#now, tcb.outstanding.rto);
      this.#state = 'shutdown-sent';
    } else if (this.#state === 'shutdown-received' || this.#state === 'shutdown-ack-sent') {
      this.#control.push(encodeShutdownAckChunk());
      if (this.#state === 'shutdown-received') this.#t2.start(this.#now, tcb.outstanding.rto);
      this.#state = 'shutdown-ack-sent';
    }
  }

  #sendAbort(causes: readonly ErrorCause[]): void {
    const tag = this.#peerTag();
    this.#builder.setVerificationTag(tag);
    this.#builder.addChunk(encodeAbortChunk({ tagReflected: false, causes }));
    this.#builder.flush();
  }

  #close(outcome: 'closed' | 'aborted', reason = ''): void {
    if (this.#state === 'closed' && this.#tcb === undefined && outcome === 'closed') return;
    this.#state = 'closed';
    this.#tcb = undefined;
    this.#builder.zeroChecksum = false;
    this.#setup.finished();
    this.#t2.stop();
    this.#control.length = 0;
    this.#events.push(outcome === 'closed' ? { type: 'closed' } : { type: 'aborted', reason });
  }
}

function hasZeroChecksum(packet: Uint8Array): boolean {
  return packet[8] === 0 && packet[9] === 0 && packet[10] === 0 && packet[11] === 0;
}
