/**
 * The data transfer of an established association (RFC 9260 §6; the TCB of §2.2 minus the
 * handshake): received DATA into the `ReceiveBuffer` and SACKs back, SACKs into `Outstanding`
 * and new DATA out of the `SendQueue`, FORWARD-TSN (RFC 3758), stream reset (RFC 6525), the
 * T3-rtx, delayed-SACK, reconfiguration and heartbeat timers.
 */

import {
  type ChunkHeader,
  createDataChunkFields,
  createSackFields,
  type DataChunkFields,
  encodeForwardTsnChunk,
  encodeHeartbeatChunk,
  encodeReconfigChunk,
  parseForwardTsnChunk,
  parseReconfigChunk,
  readDataChunk,
  readSackChunk,
  tsnAdd,
} from '../packet/index.js';
import type { ResolvedSctpOptions, SctpEvent } from './options.js';
import type { PacketBuilder } from './packet-builder.js';
import { ReceiveBuffer } from './receive/index.js';
import { type OutgoingChunk, Outstanding, type SendQueue } from './send/index.js';
import { StreamReset } from './stream-reset.js';

/** Gap ack blocks and duplicate TSNs one SACK reports at most (it must fit the MTU). */
const MAX_GAP_BLOCKS = 64;
const MAX_DUPLICATES = 32;

export interface SctpStats {
  /** Packets dropped: bad checksum, wrong ports or verification tag, malformed, unexpected. */
  droppedPackets: number;
  /** DATA chunks received again (reported back as duplicate TSNs). */
  duplicateChunks: number;
  retransmissions: number;
}

export interface DataPathInit {
  readonly options: ResolvedSctpOptions;
  readonly localTag: number;
  readonly peerTag: number;
  readonly localInitialTsn: number;
  readonly peerInitialTsn: number;
  readonly peerReceiverWindow: number;
  readonly peerForwardTsn: boolean;
  readonly sendQueue: SendQueue;
  readonly builder: PacketBuilder;
  readonly events: { push(event: SctpEvent): void };
  readonly stats: SctpStats;
}

export class DataPath {
  readonly localTag: number;
  readonly peerTag: number;
  readonly receive: ReceiveBuffer;
  readonly outstanding: Outstanding;
  readonly #options: ResolvedSctpOptions;
  readonly #peerForwardTsn: boolean;
  readonly #sendQueue: SendQueue;
  readonly #builder: PacketBuilder;
  readonly #events: { push(event: SctpEvent): void };
  readonly #stats: SctpStats;
  readonly #reset: StreamReset;
  readonly #data: DataChunkFields = createDataChunkFields();
  readonly #outgoing: DataChunkFields = createDataChunkFields();
  readonly #sack = createSackFields();
  readonly #gapStarts: number[] = [];
  readonly #gapEnds: number[] = [];
  readonly #duplicates: number[] = [];
  readonly #touchedStreams = new Set<number>();
  /** The next TSN to assign. */
  #nextTsn: number;
  #dataInPacket = false;
  /** Packets with DATA since our last SACK (§6.2: a SACK at least every second one). */
  #dataPacketsSinceSack = 0;
  #sackNow = false;
  #sackDeadline: number | undefined;
  #heartbeatDeadline: number;
  #unansweredHeartbeats = 0;
  /** T3 expiries since the last acknowledgement: the association error count (§8.1). */
  #errorCount = 0;
  /** The FORWARD-TSN point last announced (RFC 3758 §3.5 C5: each once). */
  #forwardTsnSent: number | undefined;

  constructor(init: DataPathInit, now: number) {
    const { options } = init;
    this.#options = options;
    this.localTag = init.localTag;
    this.peerTag = init.peerTag;
    this.#peerForwardTsn = init.peerForwardTsn;
    this.#sendQueue = init.sendQueue;
    this.#builder = init.builder;
    this.#events = init.events;
    this.#stats = init.stats;
    this.#nextTsn = init.localInitialTsn;
    this.#heartbeatDeadline = now + options.heartbeatIntervalMs;
    this.receive = new ReceiveBuffer({
      initialTsn: init.peerInitialTsn,
      windowBytes: options.receiveWindow,
      maxMessageSize: options.maxMessageSize,
    });
    this.outstanding = new Outstanding({
      mtu: options.mtu,
      initialTsn: init.localInitialTsn,
      rtoInitialMs: options.rtoInitialMs,
      rtoMinMs: options.rtoMinMs,
      rtoMaxMs: options.rtoMaxMs,
      peerReceiverWindow: init.peerReceiverWindow,
      sendQueue: init.sendQueue,
    });
    const sendQueue = init.sendQueue;
    const receive = this.receive;
    this.#reset = new StreamReset(
      {
        queuedBytes: (streamId) => sendQueue.bytesBeforeReset(streamId),
        lastAssignedTsn: () => tsnAdd(this.#nextTsn, -1),
        cumulativeReceivedTsn: () => receive.cumulativeTsn,
        outgoingReset: (streams) => {
          for (const stream of streams) sendQueue.resetSsn(stream);
        },
        outgoingResetRefused: (streams) => {
          for (const stream of streams) sendQueue.releaseStream(stream);
        },
        incomingReset: (streams) => {
          // §5.2.2: the messages of the TSNs before the reset reach the application first.
          this.#deliverMessages();
          receive.resetStreams(streams);
          this.#events.push({ type: 'stream-reset', streamIds: streams });
        },
      },
      init.localInitialTsn,
      init.peerInitialTsn,
    );
  }

  /** Whether everything we sent is acknowledged and nothing waits (§9.2's condition). */
  get drained(): boolean {
    return this.outstanding.empty && !this.#sendQueue.hasData();
  }

  /** The earliest of this path's timers. */
  get deadline(): number | undefined {
    let earliest = this.#heartbeatDeadline;
    for (const at of [this.outstanding.t3Deadline, this.#sackDeadline, this.#reset.deadline]) {
      if (at !== undefined && at < earliest) earliest = at;
    }
    return earliest;
  }

  /** RFC 6525 §5.1.2: after what is queued now; what is queued later waits for the reset. */
  resetStream(streamId: number): void {
    this.#sendQueue.holdStream(streamId);
    this.#reset.reset(streamId);
  }

  /**
   * A DATA chunk (§6.2). False when it must abort the association: a message over the maximum
   * size (RFC 8831 §6.6). `owned`: the packet's memory is ours to keep (see
   * `SctpAssociation.handleDatagram`).
   */
  onData(packet: Uint8Array, chunk: ChunkHeader, owned: boolean): boolean {
    const data = this.#data;
    readDataChunk(packet, chunk, data);
    // A kept view holds its whole buffer, while the receive window counts only the user data:
    // keeping views only of chunks that fill half their buffer bounds memory to twice the window.
    const userData = data.userData;
    const retainable = owned && 2 * userData.length >= userData.buffer.byteLength;
    const verdict = this.receive.receiveData(data, retainable);
    if (verdict === 'invalid') return false;
    if (verdict === 'duplicate') {
      this.#stats.duplicateChunks++;
      this.#sackNow = true;
    }
    // §6.2: a chunk dropped for want of room is answered at once, so the sender learns.
    if (verdict === 'dropped') this.#sackNow = true;
    // RFC 7053: the sender asked for a SACK without delay; §6.7: a gap is reported at once.
    if (data.immediate) this.#sackNow = true;
    if (verdict === 'new' && data.tsn !== this.receive.cumulativeTsn) this.#sackNow = true;
    this.#dataInPacket = true;
    return true;
  }

  onSack(packet: Uint8Array, chunk: ChunkHeader, now: number): void {
    readSackChunk(packet, chunk, this.#sack);
    const result = this.outstanding.handleSack(this.#sack, now);
    if (result.ackedBytes > 0) this.#errorCount = 0;
    // Abandoned messages (PR-SCTP) may have left the queue without a chunk being sent.
    this.#touchAllStreams();
  }

  onForwardTsn(packet: Uint8Array, chunk: ChunkHeader): void {
    const forward = parseForwardTsnChunk(packet, chunk);
    this.receive.forwardTsn(forward.newCumulativeTsn, forward.streams);
    // RFC 3758 §3.6: a SACK answers every FORWARD-TSN.
    this.#sackNow = true;
    this.#reset.cumulativeTsnAdvanced();
  }

  /** RE-CONFIG (RFC 6525 §5.2): the responses go into `control`. */
  onReconfig(packet: Uint8Array, chunk: ChunkHeader, control: Uint8Array[]): void {
    for (const parameter of parseReconfigChunk(packet, chunk)) {
      const response = this.#reset.handle(parameter);
      if (response !== undefined) control.push(encodeReconfigChunk([response]));
    }
  }

  onHeartbeatAck(): void {
    this.#unansweredHeartbeats = 0;
  }

  /** After a packet: schedule the SACK (§6.2) and hand complete messages out as events. */
  endOfPacket(now: number): void {
    if (this.#dataInPacket) {
      this.#dataInPacket = false;
      if (++this.#dataPacketsSinceSack >= 2) this.#sackNow = true;
      this.#sackDeadline ??= now + this.#options.delayedAckMs;
      this.#reset.cumulativeTsnAdvanced();
    }
    this.#deliverMessages();
  }

  /** Complete messages out as events. */
  #deliverMessages(): void {
    for (let m = this.receive.takeMessage(); m; m = this.receive.takeMessage()) {
      this.#events.push({ type: 'message', ...m });
    }
  }

  /**
   * The timers due at `now`. Returns a reason when the peer is unreachable (§8.1: more
   * consecutive T3 expiries or unanswered heartbeats than Association.Max.Retrans).
   */
  handleTimeout(now: number, control: Uint8Array[]): string | undefined {
    const max = this.#options.maxRetransmissions;
    const t3 = this.outstanding.t3Deadline;
    if (t3 !== undefined && now >= t3) {
      this.outstanding.handleT3Expiry(now);
      // RFC 3758 §3.5 A5: an unanswered FORWARD-TSN goes again when T3 expires.
      this.#forwardTsnSent = undefined;
      this.#touchAllStreams();
      if (++this.#errorCount > max) return 'the peer stopped acknowledging (RFC 9260 §8.1)';
    }
    if (this.#sackDeadline !== undefined && now >= this.#sackDeadline) this.#sackNow = true;
    if (now >= this.#heartbeatDeadline) {
      this.#heartbeatDeadline = now + this.#options.heartbeatIntervalMs;
      if (++this.#unansweredHeartbeats > max) return 'the peer stopped answering heartbeats';
      // §8.3: the information is ours alone; the time it was sent.
      const info = new Uint8Array(8);
      new DataView(info.buffer).setFloat64(0, now);
      control.push(encodeHeartbeatChunk(info));
    }
    return undefined;
  }

  /**
   * Writes what is due after the control chunks: the SACK, FORWARD-TSN, RE-CONFIG,
   * retransmissions, then new data if `sendNewData` (§6.1, §6.10).
   */
  write(now: number, sendNewData: boolean): void {
    const builder = this.#builder;
    if (this.#sackNow) this.#writeSack();
    this.#writeForwardTsn();
    const reconfig = this.#reset.poll(now, this.outstanding.rto);
    if (reconfig !== undefined) builder.addChunk(encodeReconfigChunk([reconfig]));
    for (let chunk = this.outstanding.nextRetransmission(now); chunk; ) {
      this.#stats.retransmissions++;
      this.#writeChunk(chunk);
      chunk = this.outstanding.nextRetransmission(now);
    }
    if (sendNewData) this.#writeNewData(now);
    builder.flush();
    this.#reportBufferedAmounts();
  }

  #writeSack(): void {
    const { receive } = this;
    const gaps = receive.gapBlocks(this.#gapStarts, this.#gapEnds, MAX_GAP_BLOCKS);
    const duplicates = receive.takeDuplicates(this.#duplicates);
    this.#builder.addSack(
      receive.cumulativeTsn,
      receive.advertisedWindow,
      this.#gapStarts,
      this.#gapEnds,
      gaps,
      this.#duplicates,
      Math.min(duplicates, MAX_DUPLICATES),
    );
    this.#sackNow = false;
    this.#sackDeadline = undefined;
    this.#dataPacketsSinceSack = 0;
  }

  /** RFC 3758 §3.5 C1–C5: tell the peer to skip abandoned messages. */
  #writeForwardTsn(): void {
    if (!this.#peerForwardTsn) return;
    const forward = this.outstanding.forwardTsn();
    if (forward === undefined || forward.newCumulativeTsn === this.#forwardTsnSent) return;
    this.#forwardTsnSent = forward.newCumulativeTsn;
    this.#builder.addChunk(encodeForwardTsnChunk(forward));
  }

  #writeNewData(now: number): void {
    const maxPayload = this.#builder.maxDataPayload;
    const queue = this.#sendQueue;
    // §6.1 D's Max.Burst is not applied: SACKs come one per received burst here (see
    // `SctpAssociation.pollTransmit`), each acknowledging many packets, and four packets per
    // SACK would cap the rate; the congestion window alone bounds what is in flight.
    for (;;) {
      const size = queue.nextChunkSize(maxPayload, now);
      if (size === 0 || !this.outstanding.canSend(size)) break;
      const chunk = queue.nextChunk(maxPayload, this.#nextTsn, now);
      if (chunk === undefined) break;
      this.#nextTsn = tsnAdd(this.#nextTsn, 1);
      this.outstanding.sent(chunk, now);
      this.#writeChunk(chunk);
      this.#touchedStreams.add(chunk.streamId);
    }
  }

  /** A chunk of the send side as a DATA chunk in the packet being built. */
  #writeChunk(chunk: OutgoingChunk): void {
    const out = this.#outgoing;
    out.tsn = chunk.tsn;
    out.streamId = chunk.streamId;
    out.ssn = chunk.ssn;
    out.ppid = chunk.ppid;
    out.unordered = chunk.unordered;
    out.beginning = chunk.beginning;
    out.ending = chunk.ending;
    out.userData = chunk.payload;
    this.#builder.addData(out);
  }

  /** Streams whose bufferedAmount may have changed other than by sending (abandonment). */
  #touchAllStreams(): void {
    for (const streamId of this.#activeStreams.keys()) this.#touchedStreams.add(streamId);
  }

  /** Streams that have had data queued, to report their bufferedAmount as it drains. */
  /** Streams with data queued, and the bufferedAmount last reported for each (-1: none yet). */
  readonly #activeStreams = new Map<number, number>();

  /** Called when the application queues data on a stream. */
  queued(streamId: number): void {
    if (!this.#activeStreams.has(streamId)) this.#activeStreams.set(streamId, -1);
  }

  #reportBufferedAmounts(): void {
    for (const streamId of this.#touchedStreams) {
      const bufferedAmount = this.#sendQueue.bufferedAmountOf(streamId);
      // Only changes are news: a SACK touches every busy stream, most of them unchanged.
      if (this.#activeStreams.get(streamId) === bufferedAmount) continue;
      this.#events.push({ type: 'buffered-amount', streamId, bufferedAmount });
      if (bufferedAmount === 0) this.#activeStreams.delete(streamId);
      else this.#activeStreams.set(streamId, bufferedAmount);
    }
    this.#touchedStreams.clear();
  }
}
