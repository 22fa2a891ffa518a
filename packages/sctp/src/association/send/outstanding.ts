/**
 * DATA chunks sent and not yet acknowledged: the retransmission queue, with what decides when
 * data may go out (RFC 9260 §6.1), what a SACK does to it (§6.2.1), the RTO and T3-rtx timer
 * (§6.3), congestion control and fast retransmit (§7.2), and the PR-SCTP sender (RFC 3758 §3.5).
 *
 * Sizes (flight size, rwnd, cwnd) are bytes of user data. Nothing here reads a clock or arms a
 * timer: the caller passes `now` and fires `handleT3Expiry` when `t3Deadline` has passed.
 */

import { SctpError } from '../../errors.js';
import {
  COMMON_HEADER_LENGTH,
  dataChunkSize,
  type ForwardTsnChunk,
  type SackFields,
  tsnAdd,
  tsnDiff,
  tsnLessOrEqual,
  tsnLessThan,
} from '../../packet/index.js';
import { CongestionControl, MAX_BURST } from './congestion.js';
import { forwardTsnFor } from './forward-tsn.js';
import { ChunkState, type OutstandingEntry, OutstandingRing } from './outstanding-ring.js';
import { RtoEstimator } from './rto.js';
import type { OutgoingChunk } from './send-queue.js';

/** What `handleSack` reads of a SACK (RFC 9260 §3.3.4). */
export type SackView = Readonly<
  Pick<
    SackFields,
    'cumulativeTsnAck' | 'advertisedReceiverWindow' | 'gapStarts' | 'gapEnds' | 'gapCount'
  >
>;

export interface SackResult {
  /**
   * `stale`: older than the cumulative ack point (§6.2.1 D i), ignored. `invalid`: it acks a
   * TSN never sent, a protocol violation for the caller to abort on; nothing was changed.
   */
  readonly status: 'processed' | 'stale' | 'invalid';
  /** User data newly acknowledged, by the cumulative ack and gap blocks. */
  readonly ackedBytes: number;
  readonly cumulativeAdvanced: boolean;
}

/** Where the unsent rest of an abandoned message goes: the `SendQueue`. */
export interface MessageDiscarder {
  discardMessage(messageId: number): number;
}

export interface OutstandingOptions {
  /** Path MTU: the unit cwnd is counted in (RFC 9260 §7.2). */
  readonly mtu: number;
  /** Our Initial TSN (§5.1): the TSN of the first DATA chunk. */
  readonly initialTsn: number;
  readonly rtoInitialMs: number;
  readonly rtoMinMs: number;
  readonly rtoMaxMs: number;
  /** The a_rwnd of the peer's INIT or INIT ACK (§6.2.1 A). */
  readonly peerReceiverWindow: number;
  /** Drops the unsent fragments of a message abandoned part-way (RFC 3758 §3.5). */
  readonly sendQueue: MessageDiscarder;
  /** Max.Burst (§6.1, §16); default 4. */
  readonly maxBurst?: number;
}

const STALE: SackResult = { status: 'stale', ackedBytes: 0, cumulativeAdvanced: false };
const INVALID: SackResult = { status: 'invalid', ackedBytes: 0, cumulativeAdvanced: false };

/** Miss indications that make a chunk lost (§7.2.4). */
const FAST_RETRANSMIT_THRESHOLD = 3;

export class Outstanding {
  /** Packets the caller may send in one go (§6.1 Max.Burst). */
  readonly maxBurst: number;
  readonly #mtu: number;
  readonly #sendQueue: MessageDiscarder;
  readonly #ring = new OutstandingRing();
  readonly #rto: RtoEstimator;
  readonly #congestion: CongestionControl;
  /** Cumulative TSN Ack Point: the ring's entry 0 is the TSN after it. */
  #cumulativeTsnAck: number;
  #nextTsn: number;
  #flight = 0;
  #peerWindow: number;
  #t3: number | undefined;
  /** The one chunk being timed for an RTT measurement (§6.3.1 C4) and when it was sent. */
  #timedTsn: number | undefined;
  #timedAt = 0;
  #lastTransmitAt: number | undefined;
  /** Entries in state toRetransmit, and those of them marked by fast retransmit. */
  #toRetransmit = 0;
  #fastPending = 0;
  /** No entry below these offsets is marked, so searches start there. */
  #retransmitHint = 0;
  #fastHint = 0;
  /** Bytes of the one packet fast retransmit may send past cwnd (§7.2.4 step 3). */
  #fastBudget = 0;
  #sackStamp = 0;
  /** The highest TSN a gap block ever reported: no gap-acked entry lies beyond it. */
  #highestGapAcked: number;

  constructor(options: OutstandingOptions) {
    this.#mtu = options.mtu;
    this.#sendQueue = options.sendQueue;
    this.maxBurst = options.maxBurst ?? MAX_BURST;
    this.#rto = new RtoEstimator(options);
    this.#congestion = new CongestionControl(options.mtu, options.peerReceiverWindow);
    this.#peerWindow = options.peerReceiverWindow;
    this.#nextTsn = options.initialTsn >>> 0;
    this.#cumulativeTsnAck = tsnAdd(this.#nextTsn, -1);
    this.#highestGapAcked = this.#cumulativeTsnAck;
  }

  get rto(): number {
    return this.#rto.rto;
  }

  get srtt(): number | undefined {
    return this.#rto.srtt;
  }

  /** When T3-rtx fires, if it is running. */
  get t3Deadline(): number | undefined {
    return this.#t3;
  }

  /** Bytes sent and neither acknowledged, abandoned nor waiting to be resent. */
  get bytesInFlight(): number {
    return this.#flight;
  }

  get cwnd(): number {
    return this.#congestion.cwnd;
  }

  get ssthresh(): number {
    return this.#congestion.ssthresh;
  }

  get partialBytesAcked(): number {
    return this.#congestion.partialBytesAcked;
  }

  get inFastRecovery(): boolean {
    return this.#congestion.inFastRecovery;
  }

  /** Our view of the peer's receiver window, rwnd (§6.2.1). */
  get peerReceiverWindow(): number {
    return this.#peerWindow;
  }

  get cumulativeTsnAck(): number {
    return this.#cumulativeTsnAck;
  }

  /** The TSN the next new DATA chunk must carry. */
  get nextTsn(): number {
    return this.#nextTsn;
  }

  /** Chunks waiting to be resent. */
  get pendingRetransmissions(): number {
    return this.#toRetransmit;
  }

  /** Nothing outstanding: every chunk sent is cumulatively acknowledged. */
  get empty(): boolean {
    return this.#ring.count === 0;
  }

  /**
   * Whether a new DATA chunk of `bytes` may be sent now (§6.1): nothing waits to be resent
   * (rule C), the flight size is below cwnd (rule B, a packet may overshoot it), and the peer's
   * window has room, or nothing is outstanding so the chunk is the zero window probe (rule A).
   */
  canSend(bytes: number): boolean {
    if (this.#toRetransmit > 0 || this.#flight >= this.#congestion.cwnd) return false;
    return bytes <= this.#peerWindow || this.#ring.count === 0;
  }

  /** `chunk` (from the SendQueue, numbered `nextTsn`) goes on the wire for the first time. */
  sent(chunk: OutgoingChunk, now: number): void {
    if (chunk.tsn !== this.#nextTsn) {
      throw new SctpError(`DATA chunk TSN ${chunk.tsn} sent out of turn: next is ${this.#nextTsn}`);
    }
    if (this.#ring.count === 0 && this.#lastTransmitAt !== undefined) {
      this.#congestion.onIdle(now - this.#lastTransmitAt, this.#rto.rto);
    }
    this.#ring.push(chunk);
    this.#nextTsn = tsnAdd(chunk.tsn, 1);
    if (this.#timedTsn === undefined) {
      this.#timedTsn = chunk.tsn;
      this.#timedAt = now;
    }
    this.#transmitted(chunk.payload.length, now);
  }

  /** An RTT measured outside DATA, e.g. from a HEARTBEAT ACK (§8.3). */
  addRttSample(rttMs: number): void {
    this.#rto.addSample(rttMs);
  }

  /** A SACK arrived (§6.2.1 D). */
  handleSack(sack: SackView, now: number): SackResult {
    const cumulative = sack.cumulativeTsnAck;
    if (tsnLessThan(cumulative, this.#cumulativeTsnAck)) return STALE;
    const ring = this.#ring;
    const advance = tsnDiff(this.#cumulativeTsnAck, cumulative);
    if (advance < 0 || advance > ring.count) return INVALID;
    const flightBefore = this.#flight;
    const stamp = ++this.#sackStamp;

    let ackedBytes = 0;
    for (let i = 0; i < advance; i++) ackedBytes += this.#acknowledge(ring.at(i), now);
    ring.shift(advance);
    this.#cumulativeTsnAck = cumulative;
    this.#retransmitHint = Math.max(0, this.#retransmitHint - advance);
    this.#fastHint = Math.max(0, this.#fastHint - advance);

    // Gap blocks: offset g from the cumulative ack is ring entry g - 1. `newlyAckedEnd` and
    // `reportedEnd` are one past the highest entry newly acked / reported by any block.
    let newlyAckedEnd = 0;
    let reportedEnd = 0;
    for (let b = 0; b < sack.gapCount; b++) {
      const start = Math.max(sack.gapStarts[b] as number, 1);
      const end = Math.min(sack.gapEnds[b] as number, ring.count);
      for (let g = start; g <= end; g++) {
        const entry = ring.at(g - 1);
        entry.sackStamp = stamp;
        const bytes = this.#acknowledge(entry, now);
        if (bytes > 0) {
          ackedBytes += bytes;
          newlyAckedEnd = Math.max(newlyAckedEnd, g);
        }
      }
      if (start <= end) reportedEnd = Math.max(reportedEnd, end);
    }
    if (reportedEnd > 0) {
      const reported = tsnAdd(cumulative, reportedEnd);
      if (tsnLessThan(this.#highestGapAcked, reported)) this.#highestGapAcked = reported;
    }

    this.#congestion.onCumulativeAck(cumulative); // D iv: may end Fast Recovery

    // §7.2.4: a miss indication for each chunk still missing below the highest TSN newly acked
    // (HTNA); in Fast Recovery, a SACK that advances the cumulative ack counts every chunk
    // missing below the highest TSN it reports.
    const missEnd =
      this.#congestion.inFastRecovery && advance > 0 ? reportedEnd - 1 : newlyAckedEnd - 1;
    const scanEnd = Math.min(
      ring.count,
      Math.max(missEnd, tsnDiff(cumulative, this.#highestGapAcked)),
    );
    let lost = false;
    for (let offset = 0; offset < scanEnd; offset++) {
      const entry = ring.at(offset);
      if (entry.state === ChunkState.acked && entry.sackStamp !== stamp) {
        lost = this.#renege(entry, offset, now) || lost;
      } else if (entry.state === ChunkState.inFlight && offset < missEnd) {
        lost = this.#missIndication(entry, offset, now) || lost;
      }
    }
    // §7.2.4 steps 2-3: entering Fast Recovery cuts cwnd once, and the first packet of
    // retransmissions goes out regardless of cwnd.
    if (lost && this.#congestion.enterFastRecovery(tsnAdd(this.#nextTsn, -1))) {
      this.#fastBudget = this.#fastPending > 0 ? this.#mtu - COMMON_HEADER_LENGTH : 0;
    }

    this.#peerWindow = Math.max(0, sack.advertisedReceiverWindow - this.#flight); // D ii
    this.#congestion.onAck(ackedBytes, flightBefore, advance > 0);
    if (ring.count === 0) {
      this.#congestion.onAllAcked();
      this.#t3 = undefined; // §6.3.2 R2
    } else if (advance > 0) {
      this.#t3 = now + this.#rto.rto; // R3: the earliest outstanding TSN was acked
    }
    return { status: 'processed', ackedBytes, cumulativeAdvanced: advance > 0 };
  }

  /**
   * T3-rtx expired (§6.3.3): cwnd to one MTU (E1), RTO doubled (E2), and every chunk in flight
   * marked for retransmission, lowest TSN first (E3); chunks a gap block reported stay as they
   * are, the peer has them. PR-SCTP chunks past their limits are abandoned instead. The timer
   * restarts at once while anything is outstanding (E4), abandoned chunks included: their
   * FORWARD TSN must be resent if lost (RFC 3758 §3.5 C5).
   */
  handleT3Expiry(now: number): void {
    this.#congestion.onT3Expiry();
    this.#rto.backOff();
    const ring = this.#ring;
    for (let offset = 0; offset < ring.count; offset++) {
      const entry = ring.at(offset);
      entry.fastPending = false;
      if (entry.state !== ChunkState.inFlight) continue;
      if (this.#mustAbandon(entry, now)) this.#abandonMessage(offset);
      else this.#markLost(entry, offset);
    }
    this.#fastPending = 0;
    this.#fastBudget = 0;
    this.#t3 = ring.count > 0 ? now + this.#rto.rto : undefined;
  }

  /**
   * The next chunk to resend, of at most `maxPayload` bytes (the room left in the packet being
   * built, for a caller that fills packets exactly): fast retransmits first, then T3-marked
   * chunks, lowest TSN first, within cwnd (§6.1 C) except for the one fast retransmit packet
   * (§7.2.4 step 3). Undefined when none is due, the next does not fit, or cwnd is full. A chunk
   * whose lifetime ran out while it waited is abandoned with its whole message (RFC 3758 §3.5)
   * instead of returned.
   */
  nextRetransmission(
    now: number,
    maxPayload = Number.POSITIVE_INFINITY,
  ): OutgoingChunk | undefined {
    const ring = this.#ring;
    while (this.#toRetransmit > 0) {
      const fast = this.#fastPending > 0;
      let offset = fast ? this.#fastHint : this.#retransmitHint;
      while (offset < ring.count && !isDue(ring.at(offset), fast)) offset++;
      if (fast) this.#fastHint = offset;
      else this.#retransmitHint = offset;
      if (offset >= ring.count) return undefined;

      const entry = ring.at(offset);
      const { expiresAt } = entry.chunk;
      if (expiresAt !== undefined && now > expiresAt) {
        this.#abandonMessage(offset);
        continue;
      }
      const size = entry.size;
      if (size > maxPayload) return undefined;
      const cost = dataChunkSize(size);
      const pastCwnd = entry.fastPending && cost <= this.#fastBudget;
      if (!pastCwnd && this.#flight >= this.#congestion.cwnd) return undefined;
      if (pastCwnd) this.#fastBudget -= cost;

      this.#unmark(entry);
      entry.state = ChunkState.inFlight;
      entry.transmissions++;
      // §7.2.4 step 4 and §6.3.2 R1: resending the lowest outstanding TSN restarts T3-rtx.
      if (offset === 0) this.#t3 = now + this.#rto.rto;
      this.#transmitted(size, now);
      return entry.chunk;
    }
    return undefined;
  }

  /**
   * RFC 3758 §3.5 C1-C4: the FORWARD TSN to send when abandoned chunks directly follow the
   * cumulative ack point (Advanced.Peer.Ack.Point is past it); undefined otherwise. Due after
   * each SACK and T3-rtx expiry while it is defined (C3, A5).
   */
  forwardTsn(): ForwardTsnChunk | undefined {
    return forwardTsnFor(this.#ring, this.#cumulativeTsnAck);
  }

  #transmitted(size: number, now: number): void {
    this.#flight += size;
    this.#peerWindow = Math.max(0, this.#peerWindow - size); // §6.2.1 B
    this.#t3 ??= now + this.#rto.rto; // §6.3.2 R1
    this.#lastTransmitAt = now;
  }

  /**
   * Acks the entry (cumulatively or by a gap block) and returns its bytes if it was not acked
   * before; 0 for one already acked or abandoned. Takes the RTT sample if it is the timed one.
   */
  #acknowledge(entry: OutstandingEntry, now: number): number {
    if (entry.state === ChunkState.inFlight) this.#flight -= entry.size;
    else if (entry.state === ChunkState.toRetransmit) this.#unmark(entry);
    else return 0;
    entry.state = ChunkState.acked;
    if (entry.chunk.tsn === this.#timedTsn) {
      // §6.3.1 C5: the timer is dropped when anything up to this TSN is resent, so the sample
      // is unambiguous.
      this.#rto.addSample(now - this.#timedAt);
      this.#timedTsn = undefined;
    }
    return entry.size;
  }

  /**
   * §6.2.1 D iii: a gap-acked chunk is missing from this SACK (the peer dropped it). It is
   * outstanding again, gets a miss indication, and T3-rtx runs for it (§6.3.2 R4).
   */
  #renege(entry: OutstandingEntry, offset: number, now: number): boolean {
    entry.state = ChunkState.inFlight;
    this.#flight += entry.size;
    this.#t3 ??= now + this.#rto.rto;
    return this.#missIndication(entry, offset, now);
  }

  /** Counts a miss indication (§7.2.4); returns true when it made the chunk lost. */
  #missIndication(entry: OutstandingEntry, offset: number, now: number): boolean {
    entry.missIndications++;
    if (entry.missIndications < FAST_RETRANSMIT_THRESHOLD || entry.fastRetransmitted) return false;
    if (this.#mustAbandon(entry, now)) {
      this.#abandonMessage(offset);
      return true;
    }
    this.#markLost(entry, offset);
    // Step 5: a chunk is fast retransmitted once at most.
    entry.fastRetransmitted = true;
    entry.fastPending = true;
    this.#fastPending++;
    this.#fastHint = Math.min(this.#fastHint, offset);
    return true;
  }

  /** Moves an in-flight entry to the retransmission queue. */
  #markLost(entry: OutstandingEntry, offset: number): void {
    this.#flight -= entry.size;
    this.#peerWindow += entry.size; // §6.2.1 C
    entry.state = ChunkState.toRetransmit;
    entry.missIndications = 0;
    this.#toRetransmit++;
    this.#retransmitHint = Math.min(this.#retransmitHint, offset);
    // §6.3.1 C5 (Karn): no RTT sample from a chunk sent after one that is now resent.
    if (this.#timedTsn !== undefined && tsnLessOrEqual(entry.chunk.tsn, this.#timedTsn)) {
      this.#timedTsn = undefined;
    }
  }

  #unmark(entry: OutstandingEntry): void {
    this.#toRetransmit--;
    if (!entry.fastPending) return;
    entry.fastPending = false;
    if (--this.#fastPending === 0) this.#fastBudget = 0;
  }

  /** PR-SCTP (RFC 3758 §3.5): the chunk's message used up its retransmissions or lifetime. */
  #mustAbandon(entry: OutstandingEntry, now: number): boolean {
    const { maxRetransmits, expiresAt } = entry.chunk;
    return (
      (maxRetransmits !== undefined && entry.transmissions > maxRetransmits) ||
      (expiresAt !== undefined && now > expiresAt)
    );
  }

  /**
   * Abandons every fragment of the message of the entry at `offset` (they have consecutive
   * TSNs, §6.9), and has the SendQueue drop the fragments not sent yet.
   */
  #abandonMessage(offset: number): void {
    const ring = this.#ring;
    const messageId = ring.at(offset).chunk.messageId;
    let first = offset;
    while (first > 0 && ring.at(first - 1).chunk.messageId === messageId) first--;
    let last = offset;
    while (last + 1 < ring.count && ring.at(last + 1).chunk.messageId === messageId) last++;
    for (let i = first; i <= last; i++) this.#abandon(ring.at(i));
    if (!ring.at(last).chunk.ending) this.#sendQueue.discardMessage(messageId);
  }

  #abandon(entry: OutstandingEntry): void {
    if (entry.state === ChunkState.abandoned) return;
    if (entry.state === ChunkState.inFlight) this.#flight -= entry.size;
    else if (entry.state === ChunkState.toRetransmit) this.#unmark(entry);
    entry.state = ChunkState.abandoned;
    if (entry.chunk.tsn === this.#timedTsn) this.#timedTsn = undefined;
  }
}

function isDue(entry: OutstandingEntry, fastOnly: boolean): boolean {
  return fastOnly ? entry.fastPending : entry.state === ChunkState.toRetransmit;
}
