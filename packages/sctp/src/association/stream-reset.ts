/**
 * Stream reconfiguration (RFC 6525) as data channels use it (RFC 8831 §6.7): closing a channel
 * resets its outgoing stream, the peer resets its side back, and a stream id can then be used
 * again from SSN 0.
 *
 * Outgoing: streams to reset wait until all their queued data has TSNs; then one Outgoing SSN
 * Reset Request (§4.1) carries them with the last TSN we assigned, retransmitted every RTO until
 * the peer answers `performed` (or `denied`). Incoming: the peer's request is performed once
 * every TSN up to its last assigned one has arrived (§5.2.2), answered `in progress` until then.
 */

import {
  type OutgoingSsnResetRequest,
  ParameterType,
  type ReconfigParameter,
  ReconfigResult,
  tsnLessOrEqual,
} from '../packet/index.js';

export interface StreamResetHost {
  /** Bytes of a stream still waiting for TSNs. */
  queuedBytes(streamId: number): number;
  /** The last TSN we assigned. */
  lastAssignedTsn(): number;
  /** The peer's TSNs we have all received up to. */
  cumulativeReceivedTsn(): number;
  /** Our outgoing streams were reset: their SSNs start again at 0. */
  outgoingReset(streams: readonly number[]): void;
  /** The peer refused to reset our outgoing streams: they go on as they were. */
  outgoingResetRefused(streams: readonly number[]): void;
  /** The peer's outgoing streams were reset: our incoming side starts again at SSN 0. */
  incomingReset(streams: readonly number[]): void;
}

/**
 * Streams one request names at most: an Outgoing SSN Reset Request of 16 bytes and 2 per stream
 * in a RE-CONFIG chunk must fit a packet of the smallest MTU allowed (256); more wait their turn.
 */
const MAX_STREAMS_PER_REQUEST = 100;

interface InFlight {
  readonly request: OutgoingSsnResetRequest;
  deadline: number;
}

export class StreamReset {
  readonly #host: StreamResetHost;
  readonly #waiting = new Set<number>();
  #inFlight: InFlight | undefined;
  #nextRequestSequence: number;
  /** The next request sequence number we expect from the peer (§5.2.1). */
  #peerNextRequest: number;
  #lastResponse: { readonly sequence: number; result: number } | undefined;
  #deferred: OutgoingSsnResetRequest | undefined;

  constructor(host: StreamResetHost, localInitialTsn: number, peerInitialTsn: number) {
    this.#host = host;
    // §4.1, §5.1.1: request sequence numbers start at the initial TSN.
    this.#nextRequestSequence = localInitialTsn;
    this.#peerNextRequest = peerInitialTsn;
  }

  /** Whether any reset is waiting or unanswered. */
  get pending(): boolean {
    return this.#waiting.size > 0 || this.#inFlight !== undefined;
  }

  /** When to retransmit the request in flight. */
  get deadline(): number | undefined {
    return this.#inFlight?.deadline;
  }

  /** Asks for the outgoing stream to be reset once its queued data has gone out. */
  reset(streamId: number): void {
    this.#waiting.add(streamId);
  }

  /**
   * The RE-CONFIG parameters to send now: a new request when its streams are ready and none is
   * in flight, or the one in flight again after its timer (`rto` later).
   */
  poll(now: number, rto: number): ReconfigParameter | undefined {
    const inFlight = this.#inFlight;
    if (inFlight !== undefined) {
      if (now < inFlight.deadline) return undefined;
      inFlight.deadline = now + rto;
      return inFlight.request;
    }
    const ready = [...this.#waiting]
      .filter((s) => this.#host.queuedBytes(s) === 0)
      .slice(0, MAX_STREAMS_PER_REQUEST);
    if (ready.length === 0) return undefined;
    for (const stream of ready) this.#waiting.delete(stream);
    const request: OutgoingSsnResetRequest = {
      type: ParameterType.outgoingSsnResetRequest,
      requestSequence: this.#nextRequestSequence,
      responseSequence: (this.#peerNextRequest - 1) >>> 0,
      lastAssignedTsn: this.#host.lastAssignedTsn(),
      streams: ready,
    };
    this.#nextRequestSequence = (this.#nextRequestSequence + 1) >>> 0;
    this.#inFlight = { request, deadline: now + rto };
    return request;
  }

  /**
   * A RE-CONFIG parameter from the peer; returns the response to send, if any. Only Outgoing
   * SSN Reset Requests and responses are handled: the rest is `denied` (WebRTC uses no other).
   */
  handle(parameter: ReconfigParameter): ReconfigParameter | undefined {
    switch (parameter.type) {
      case ParameterType.reconfigurationResponse:
        this.#onResponse(parameter.responseSequence, parameter.result);
        return undefined;
      case ParameterType.outgoingSsnResetRequest:
        return this.#onOutgoingRequest(parameter);
      default:
        return this.#respond(parameter.requestSequence, ReconfigResult.denied);
    }
  }

  /** The cumulative TSN moved: a deferred incoming reset may now be performed (§5.2.2). */
  cumulativeTsnAdvanced(): void {
    const deferred = this.#deferred;
    if (deferred === undefined) return;
    if (!tsnLessOrEqual(deferred.lastAssignedTsn, this.#host.cumulativeReceivedTsn())) return;
    this.#deferred = undefined;
    this.#host.incomingReset(deferred.streams);
    if (this.#lastResponse?.sequence === deferred.requestSequence) {
      this.#lastResponse.result = ReconfigResult.successPerformed;
    }
  }

  #onResponse(sequence: number, result: number): void {
    const inFlight = this.#inFlight;
    if (inFlight === undefined || sequence !== inFlight.request.requestSequence) return;
    // `in progress`: the peer waits for our data; the timer re-sends the request (§5.2.7).
    if (result === ReconfigResult.inProgress) return;
    this.#inFlight = undefined;
    if (
      result === ReconfigResult.successPerformed ||
      result === ReconfigResult.successNothingToDo
    ) {
      this.#host.outgoingReset(inFlight.request.streams);
    } else {
      this.#host.outgoingResetRefused(inFlight.request.streams);
    }
  }

  #onOutgoingRequest(request: OutgoingSsnResetRequest): ReconfigParameter | undefined {
    const sequence = request.requestSequence;
    const last = this.#lastResponse;
    // §5.2.1: a retransmitted request gets the same answer (updated if since performed).
    if (last !== undefined && sequence === last.sequence)
      return this.#respond(sequence, last.result);
    if (sequence !== this.#peerNextRequest) {
      return this.#respond(sequence, ReconfigResult.errorBadSequenceNumber);
    }
    this.#peerNextRequest = (sequence + 1) >>> 0;
    // §5.2.2: performed once every TSN the peer assigned before it has arrived.
    if (tsnLessOrEqual(request.lastAssignedTsn, this.#host.cumulativeReceivedTsn())) {
      this.#host.incomingReset(request.streams);
      this.#lastResponse = { sequence, result: ReconfigResult.successPerformed };
    } else {
      this.#deferred = request;
      this.#lastResponse = { sequence, result: ReconfigResult.inProgress };
    }
    return this.#respond(sequence, this.#lastResponse.result);
  }

  #respond(responseSequence: number, result: number): ReconfigParameter {
    return { type: ParameterType.reconfigurationResponse, responseSequence, result };
  }
}
