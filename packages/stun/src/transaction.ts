/**
 * The client side of one STUN request/response transaction (RFC 8489 §6.2.1 over UDP, §6.2.2
 * over TCP and TLS), as a sans-I/O state machine: it never reads a clock or sets a timer, it is
 * handed `now` (ms) and says what it wants done through `pollTransmit()` and `pollTimeout()`.
 *
 *     const transaction = new StunTransaction(id, requestBytes, { reliable: false });
 *     transaction.start(now);
 *     // on every wake-up (start, timer, received response):
 *     for (let bytes; (bytes = transaction.pollTransmit()); ) socket.send(bytes);
 *     const deadline = transaction.pollTimeout(); // arm a timer, or stop when undefined
 *     // when the timer fires:        transaction.handleTimeout(now)
 *     // when a response is decoded:  transaction.handleResponse(message.transactionId, now)
 *
 * Schedule over UDP (RFC 8489 §6.2.1): the request goes out at once, then again after RTO, and
 * each further interval doubles, until Rc transmissions in all; Rm * RTO after the last one the
 * transaction has failed. With the defaults (RTO 500 ms, Rc 7, Rm 16) that is transmissions at
 * 0, 500, 1500, 3500, 7500, 15500 and 31500 ms and the timeout at 39500 ms. Over TCP/TLS the
 * transport retransmits, so the request goes out once and the transaction fails after Ti
 * (RFC 8489 §6.2.2, default 39.5 s).
 *
 * Why intervals are counted from the transmission actually made, not from when it was due: the
 * RFC defines them as intervals between transmissions ("starting with an interval of RTO,
 * doubling after each retransmission"), and the final Rm * RTO wait exists to give the last
 * request "ample time" to be answered. If the schedule were anchored to the due times, a driver
 * that woke up late (an event-loop stall, a suspended laptop) would send the overdue
 * retransmissions back to back, a burst that backs off nothing, and could cut the final wait
 * short. So a late `handleTimeout` makes exactly one transmission, and the next interval starts
 * at that `now`. The cost is drift: routine timer lateness (a millisecond or two per wake-up)
 * adds up over the seven transmissions, and a stall pushes the whole transaction later by its
 * length. Both are harmless, and the second is right: the request had no chance during the stall.
 */

import { bytesEqual } from '@typertc/common';
import { TRANSACTION_ID_LENGTH } from './constants.js';
import { StunError, StunTimeoutError } from './errors.js';

/** RFC 8489 §6.2.1 defaults. */
const DEFAULT_RTO_MS = 500;
const DEFAULT_MAX_TRANSMISSIONS = 7;
const DEFAULT_LAST_WAIT_FACTOR = 16;
/** RFC 8489 §6.2.2: Ti SHOULD be configurable and SHOULD default to 39.5 s. */
const DEFAULT_RELIABLE_TIMEOUT_MS = 39_500;

export interface StunTransactionOptions {
  /** Reliable transports (TCP, TLS) send once and wait Ti; UDP retransmits. */
  readonly reliable: boolean;
  /**
   * Initial RTO in ms (RFC 8489 §6.2.1: SHOULD be configurable, default 500). Callers that keep
   * an RTO estimate per server (RFC 8489 §6.2.1 and RFC 6298, fed by `rtt`) pass it here.
   */
  readonly rto?: number;
  /** Rc: transmissions in all (default 7). */
  readonly maxTransmissions?: number;
  /** Rm: the last wait is Rm * RTO (default 16). */
  readonly lastWaitFactor?: number;
  /** Ti for reliable transports in ms (default 39500). */
  readonly reliableTimeout?: number;
}

/**
 * `new` until `start`; `waiting` for a response; then one of `done` (a response matched),
 * `timed-out` (`error` says after how long) or `cancelled`. The last three are final.
 */
export type StunTransactionState = 'new' | 'waiting' | 'done' | 'timed-out' | 'cancelled';

function checkPositive(value: number, name: string): void {
  if (!Number.isFinite(value) || value <= 0) {
    throw new StunError(`${name} must be a positive number of milliseconds, got ${value}`);
  }
}

export class StunTransaction {
  /** A copy of the id given to the constructor. */
  readonly transactionId: Uint8Array;
  /** Sent as is on every transmission; the caller must not modify it while the transaction runs. */
  readonly #request: Uint8Array;
  readonly #maxTransmissions: number;
  readonly #rto: number;
  /** How long to wait after the last transmission: Rm * RTO over UDP, Ti over TCP/TLS. */
  readonly #lastWait: number;

  #state: StunTransactionState = 'new';
  #transmissions = 0;
  /** A transmission was decided that `pollTransmit` has not handed out yet. */
  #transmitPending = false;
  #startedAt = 0;
  /** When the next retransmission is due, or when the transaction fails after the last one. */
  #deadline = 0;
  /** The interval between the latest transmission and the next one (RTO, doubling). */
  #interval = 0;
  #error: StunTimeoutError | undefined;
  #rtt: number | undefined;

  /**
   * @param transactionId the request's 12-byte transaction id.
   * @param request the encoded request, sent unchanged on each transmission.
   * @throws StunError for an id that is not 12 bytes or an option out of range (a caller bug).
   */
  constructor(transactionId: Uint8Array, request: Uint8Array, options: StunTransactionOptions) {
    if (transactionId.length !== TRANSACTION_ID_LENGTH) {
      throw new StunError(
        `a STUN transaction id is ${TRANSACTION_ID_LENGTH} bytes, got ${transactionId.length}`,
      );
    }
    const rto = options.rto ?? DEFAULT_RTO_MS;
    const maxTransmissions = options.maxTransmissions ?? DEFAULT_MAX_TRANSMISSIONS;
    const lastWaitFactor = options.lastWaitFactor ?? DEFAULT_LAST_WAIT_FACTOR;
    const reliableTimeout = options.reliableTimeout ?? DEFAULT_RELIABLE_TIMEOUT_MS;
    checkPositive(rto, 'rto');
    checkPositive(reliableTimeout, 'reliableTimeout');
    if (!Number.isInteger(maxTransmissions) || maxTransmissions < 1) {
      throw new StunError(`maxTransmissions must be an integer >= 1, got ${maxTransmissions}`);
    }
    if (!Number.isFinite(lastWaitFactor) || lastWaitFactor <= 0) {
      throw new StunError(`lastWaitFactor must be a positive number, got ${lastWaitFactor}`);
    }

    this.transactionId = transactionId.slice();
    this.#request = request;
    this.#rto = rto;
    // RFC 8489 §6.2.2: over a reliable transport the client does not retransmit; the transport
    // does, and the transaction only has the overall Ti to succeed in.
    this.#maxTransmissions = options.reliable ? 1 : maxTransmissions;
    this.#lastWait = options.reliable ? reliableTimeout : lastWaitFactor * rto;
  }

  get state(): StunTransactionState {
    return this.#state;
  }

  /** Why the transaction failed, once `state` is `timed-out`. */
  get error(): StunTimeoutError | undefined {
    return this.#error;
  }

  /**
   * Transmissions the schedule has made so far, counted when decided: one `pollTransmit` has yet
   * to hand out is included, and a caller that polls only after two were decided gets one copy.
   */
  get transmissions(): number {
    return this.#transmissions;
  }

  /**
   * The round-trip time in ms from the first transmission to the response, only when there was
   * no retransmission: with several copies in flight nobody knows which one was answered
   * (Karn's rule, RFC 6298 §3), so such a sample would be wrong. For callers that adapt RTO.
   */
  get rtt(): number | undefined {
    return this.#rtt;
  }

  /**
   * Queues the first transmission and starts the clock.
   * @throws StunError if the transaction was already started or cancelled.
   */
  start(now: number): void {
    if (this.#state !== 'new') {
      throw new StunError(
        `a STUN transaction starts once; this one is ${this.#state}`,
        'STUN_TRANSACTION_STATE',
      );
    }
    this.#state = 'waiting';
    this.#startedAt = now;
    this.#interval = this.#rto;
    this.#transmit(now);
  }

  /** The request bytes when a transmission is due (at most one per decision), else undefined. */
  pollTransmit(): Uint8Array | undefined {
    if (!this.#transmitPending) return undefined;
    this.#transmitPending = false;
    return this.#request;
  }

  /** When `handleTimeout` should next be called; undefined unless the transaction is waiting. */
  pollTimeout(): number | undefined {
    return this.#state === 'waiting' ? this.#deadline : undefined;
  }

  /**
   * Retransmits or gives up if the deadline has come; before it, or in any state but `waiting`,
   * does nothing. However late the call, it makes at most one transmission (see the file comment).
   */
  handleTimeout(now: number): void {
    if (this.#state !== 'waiting' || now < this.#deadline) return;
    if (this.#transmissions < this.#maxTransmissions) {
      this.#interval *= 2;
      this.#transmit(now);
      return;
    }
    this.#state = 'timed-out';
    this.#transmitPending = false;
    this.#error = new StunTimeoutError(this.#transmissions, now - this.#startedAt);
  }

  /**
   * Offers the transaction id of a received response (success or error class: the caller has
   * decoded the message and checked its class). Returns true when it is this transaction's and
   * the transaction was waiting: the transaction is then `done`, stops retransmitting, and takes
   * an RTT sample. Returns false otherwise, and changes nothing: a response that arrives after a
   * timeout or a cancel does not reopen the transaction, and a second response to a
   * retransmitted request is a duplicate the caller drops. Ids are not secret, so the
   * comparison need not be constant-time.
   */
  handleResponse(transactionId: Uint8Array, now: number): boolean {
    if (this.#state !== 'waiting' || !bytesEqual(transactionId, this.transactionId)) return false;
    this.#state = 'done';
    this.#transmitPending = false;
    if (this.#transmissions === 1) this.#rtt = now - this.#startedAt;
    return true;
  }

  /** Stops the transaction for good (the caller gave up, or the connection closed). */
  cancel(): void {
    if (this.#state !== 'new' && this.#state !== 'waiting') return;
    this.#state = 'cancelled';
    this.#transmitPending = false;
  }

  #transmit(now: number): void {
    this.#transmissions++;
    this.#transmitPending = true;
    this.#deadline =
      now + (this.#transmissions < this.#maxTransmissions ? this.#interval : this.#lastWait);
  }
}
