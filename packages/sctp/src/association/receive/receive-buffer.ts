/**
 * The receive side of an association (RFC 9260 §6.2): which TSNs arrived (for the SACK's
 * cumulative TSN ack, gap ack blocks and duplicate TSNs), reassembly of fragmented messages
 * (§6.9), delivery in the order §6.5–§6.6 require, FORWARD-TSN (RFC 3758 §3.6) and incoming
 * stream resets (RFC 6525 §5.2.2).
 *
 * Memory is bounded by the receiver window: the bytes held — fragments and complete messages
 * the application has not taken — never exceed `windowBytes`; a chunk that does not fit is
 * dropped unacknowledged, and the peer retransmits it once the window opens again (a
 * well-behaved sender never overruns the a_rwnd it was given, §6.1 rule A). TSNs are held at
 * most 65535 ahead of the cumulative point (the largest gap ack offset).
 */

import { tsnDiff, tsnLessThan } from '../../packet/tsn.js';
import { Delivery, type ReceivedMessage } from './delivery.js';
import { Reassembly, type ReceivedChunk } from './reassembly.js';
import { MAX_TSN_AHEAD, ReceivedTsnSet } from './tsn-set.js';

export interface ReceiveBufferOptions {
  /** The peer's Initial TSN, from its INIT or INIT ACK (RFC 9260 §5.1). */
  readonly initialTsn: number;
  /** Our receiver window a_rwnd (RFC 9260 §6.2), in bytes of user data. */
  readonly windowBytes: number;
  /** Largest user message accepted; a bigger one is a reason to abort. */
  readonly maxMessageSize: number;
}

/**
 * What became of a DATA chunk: `new` (kept; ack it), `duplicate` (already received or below the
 * cumulative point; report it in the next SACK, RFC 9260 §6.2), `dropped` (no room: too far
 * ahead or over the window; not acked, the peer retransmits) or `invalid` (no user data, a
 * message over the maximum size or a reused SSN: abort the association).
 */
export type ReceiveResult = 'new' | 'duplicate' | 'dropped' | 'invalid';

/** Duplicate TSNs remembered for one SACK; more are not reported (RFC 9260 §6.2 sets no minimum). */
export const MAX_REPORTED_DUPLICATES = 32;

function checkPositiveInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
}

export class ReceiveBuffer {
  readonly #windowBytes: number;
  readonly #tsns: ReceivedTsnSet;
  readonly #delivery = new Delivery();
  readonly #reassembly: Reassembly;
  readonly #duplicates: number[] = [];
  #duplicateCount = 0;

  constructor(options: ReceiveBufferOptions) {
    const { initialTsn, windowBytes, maxMessageSize } = options;
    if (initialTsn >>> 0 !== initialTsn) {
      throw new RangeError(`initialTsn must be a 32-bit unsigned integer, got ${initialTsn}`);
    }
    checkPositiveInteger('windowBytes', windowBytes);
    checkPositiveInteger('maxMessageSize', maxMessageSize);
    this.#windowBytes = windowBytes;
    this.#tsns = new ReceivedTsnSet(initialTsn);
    this.#reassembly = new Reassembly(this.#tsns, this.#delivery, maxMessageSize);
  }

  /** The cumulative TSN ack point: every TSN up to it was received or skipped (FORWARD-TSN). */
  get cumulativeTsn(): number {
    return this.#tsns.cumulative;
  }

  /** Bytes held: fragments waiting for their message and complete messages not yet taken. */
  get bufferedBytes(): number {
    return this.#reassembly.bytes + this.#delivery.bytes;
  }

  /** The a_rwnd to advertise (RFC 9260 §6.2): the window less what is held. */
  get advertisedWindow(): number {
    return Math.max(0, this.#windowBytes - this.bufferedBytes);
  }

  /**
   * A DATA chunk arrived. Its user data may be a view into the packet: what is kept is copied,
   * unless `retainable` says the view may be kept (see `Reassembly.add`).
   */
  receiveData(chunk: ReceivedChunk, retainable = false): ReceiveResult {
    const length = chunk.userData.length;
    // RFC 9260 §6.2: a DATA chunk without user data is answered with an ABORT ("No User Data").
    if (length === 0) return 'invalid';
    if (this.#tsns.has(chunk.tsn)) {
      if (this.#duplicateCount < MAX_REPORTED_DUPLICATES) {
        this.#duplicates[this.#duplicateCount++] = chunk.tsn;
      }
      return 'duplicate';
    }
    const ahead = tsnDiff(this.#tsns.cumulative, chunk.tsn);
    if (ahead > MAX_TSN_AHEAD || this.bufferedBytes + length > this.#windowBytes) return 'dropped';
    this.#tsns.add(chunk.tsn);
    return this.#reassembly.add(chunk, retainable) ? 'new' : 'invalid';
  }

  /**
   * FORWARD-TSN (RFC 3758 §3.6): the cumulative point moves to `newCumulativeTsn` (and on over
   * TSNs received after it), partial messages missing a TSN now skipped are dropped, and each
   * listed stream stops waiting for ordered messages up to the listed SSN, delivering those that
   * did arrive. An old FORWARD-TSN (not ahead of the cumulative point) moves nothing, but its
   * streams are still applied: a chunk received after the sender abandoned it may have moved
   * the point already while a message waits behind the skipped SSN.
   */
  forwardTsn(
    newCumulativeTsn: number,
    streams: readonly { streamId: number; ssn: number }[],
  ): void {
    if (tsnLessThan(this.#tsns.cumulative, newCumulativeTsn)) {
      this.#tsns.advanceTo(newCumulativeTsn);
      this.#reassembly.dropStranded();
    }
    for (const { streamId, ssn } of streams) this.#delivery.skip(streamId, ssn);
  }

  /**
   * Gap ack blocks (RFC 9260 §3.3.4) as start and end offsets from the cumulative TSN, lowest
   * first, at most `max`, written into `starts` and `ends`; returns how many.
   */
  gapBlocks(starts: number[], ends: number[], max: number): number {
    return this.#tsns.gapBlocks(starts, ends, max);
  }

  /**
   * The TSNs received in duplicate since the last call (one entry per arrival, at most
   * MAX_REPORTED_DUPLICATES), written into `into`; returns how many, and forgets them.
   */
  takeDuplicates(into: number[]): number {
    const count = this.#duplicateCount;
    for (let i = 0; i < count; i++) into[i] = this.#duplicates[i] as number;
    this.#duplicateCount = 0;
    return count;
  }

  /**
   * The next complete message for the application: ordered messages of a stream by SSN,
   * unordered ones as soon as they are complete (RFC 9260 §6.6); undefined if none. Taking it
   * opens the window by its size.
   */
  takeMessage(): ReceivedMessage | undefined {
    return this.#delivery.take();
  }

  /**
   * An incoming stream reset was performed (RFC 6525 §5.2.2; the caller waits until the
   * cumulative TSN reaches the request's Sender's Last Assigned TSN): the streams' next SSN is 0.
   * Nothing held is dropped.
   */
  resetStreams(streams: readonly number[]): void {
    for (const streamId of streams) this.#delivery.reset(streamId);
  }
}
