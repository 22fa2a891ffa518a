/**
 * The TURN client's outstanding requests: each a STUN transaction (RFC 8489 §6.2), signed with
 * the long-term credentials once the server has challenged us (RFC 8489 §9.2), and retried in a
 * new transaction when the server asks for credentials (401) or a fresh nonce (438). A response
 * reaches its request only after its FINGERPRINT (checked by the caller) and MESSAGE-INTEGRITY
 * have been verified; anything else is dropped and counted, and the transaction keeps waiting.
 */

import { type SocketAddress, toHex } from '@typertc/common';
import {
  ERROR_CODE,
  type ErrorCodeValue,
  LIFETIME,
  NONCE,
  PASSWORD_ALGORITHMS,
  REALM,
  SOFTWARE,
  XOR_MAPPED_ADDRESS,
  XOR_RELAYED_ADDRESS,
} from '../attributes.js';
import { StunMethod } from '../constants.js';
import { StunError, StunErrorResponse, StunParseError, type StunTimeoutError } from '../errors.js';
import { StunMessage } from '../message.js';
import { StunTransaction } from '../transaction.js';
import type { ChannelBinding } from './channels.js';
import {
  type Challenge,
  type LongTermAuth,
  type Signature,
  verifyResponse,
} from './long-term-auth.js';
import type { Permission } from './permissions.js';
import { StunIntegrityError } from './turn-errors.js';
import type { TurnCounters } from './turn-types.js';

/** What a request is for, handed back with its result. */
export type RequestPurpose =
  | { readonly kind: 'allocate' }
  | { readonly kind: 'refresh' }
  | { readonly kind: 'close' }
  | { readonly kind: 'permission'; readonly permission: Permission }
  | { readonly kind: 'channel'; readonly binding: ChannelBinding };

/** The attributes of a success response the client acts on. */
export interface SuccessFields {
  readonly relayed: SocketAddress | undefined;
  readonly mapped: SocketAddress | undefined;
  /** LIFETIME in seconds. */
  readonly lifetime: number | undefined;
}

export type RequestResult =
  | { readonly purpose: RequestPurpose; readonly ok: true; readonly fields: SuccessFields }
  | { readonly purpose: RequestPurpose; readonly ok: false; readonly error: StunError };

export interface TurnRequestsOptions {
  /** TCP or TLS: the transaction sends once and waits Ti (RFC 8489 §6.2.2). */
  readonly reliable: boolean;
  readonly rto: number | undefined;
  readonly software: string | undefined;
}

/** A bound on 438 retries of one request, so a server that keeps saying "stale" cannot loop us. */
const MAX_STALE_NONCE_RETRIES = 3;

interface PendingRequest {
  readonly purpose: RequestPurpose;
  readonly method: number;
  /** The method's name, for error messages ("Allocate"). */
  readonly name: string;
  /** Adds the method's own attributes to each attempt. */
  readonly addAttributes: (request: StunMessage) => void;
  transaction: StunTransaction;
  /** What the current attempt was signed with; undefined for an unauthenticated attempt. */
  signature: Signature | undefined;
  /** A 401 answering a signed attempt has been retried once already. */
  reauthenticated: boolean;
  staleNonceRetries: number;
  /** Responses to the current attempt dropped for a failed integrity check. */
  discarded: number;
}

type Reply =
  | { readonly kind: 'success'; readonly fields: SuccessFields }
  | {
      readonly kind: 'error';
      readonly code: number;
      readonly reason: string;
      readonly challenge: Challenge;
    };

const NO_CHALLENGE: Challenge = { realm: undefined, nonce: undefined, algorithms: undefined };

function isChallenge(code: number): boolean {
  return code === 401 || code === 438;
}

/**
 * The attributes of a response, decoded up front so a malformed one is dropped before it is
 * accepted. @throws StunParseError for a malformed attribute or a missing required one.
 */
function readReply(
  response: StunMessage,
  method: number,
  error: ErrorCodeValue | undefined,
): Reply {
  if (error !== undefined) {
    const challenge = isChallenge(error.code)
      ? {
          realm: response.get(REALM),
          nonce: response.get(NONCE),
          algorithms: response.get(PASSWORD_ALGORITHMS),
        }
      : NO_CHALLENGE;
    return { kind: 'error', code: error.code, reason: error.reason, challenge };
  }
  const fields = {
    relayed: response.get(XOR_RELAYED_ADDRESS),
    mapped: response.get(XOR_MAPPED_ADDRESS),
    lifetime: response.get(LIFETIME),
  };
  // RFC 8656 §7.2: an Allocate success response carries the relayed address and the lifetime.
  if (
    method === StunMethod.Allocate &&
    (fields.relayed === undefined || fields.lifetime === undefined)
  ) {
    throw new StunParseError('Allocate success response lacks XOR-RELAYED-ADDRESS or LIFETIME', 0);
  }
  return { kind: 'success', fields };
}

export class TurnRequests {
  readonly #auth: LongTermAuth;
  readonly #options: TurnRequestsOptions;
  readonly #counters: TurnCounters;
  readonly #transmit: (bytes: Uint8Array) => void;
  /** By the hex transaction id of each request's current attempt. */
  readonly #pending = new Map<string, PendingRequest>();

  constructor(
    auth: LongTermAuth,
    options: TurnRequestsOptions,
    counters: TurnCounters,
    transmit: (bytes: Uint8Array) => void,
  ) {
    this.#auth = auth;
    this.#options = options;
    this.#counters = counters;
    this.#transmit = transmit;
  }

  /**
   * Sends a request in a new transaction.
   * @throws StunError when the request cannot be encoded (an attribute value out of range).
   */
  send(
    method: number,
    name: string,
    purpose: RequestPurpose,
    addAttributes: (request: StunMessage) => void,
    now: number,
  ): void {
    const attempt = this.#prepare(method, addAttributes);
    const pending: PendingRequest = {
      purpose,
      method,
      name,
      addAttributes,
      ...attempt,
      reauthenticated: false,
      staleNonceRetries: 0,
      discarded: 0,
    };
    this.#start(pending, now);
  }

  /**
   * Offers a decoded success or error response. Returns the result of the request it finishes;
   * undefined when it was dropped (no such request, malformed, not authentic) or led to a retry.
   */
  handleResponse(response: StunMessage, now: number): RequestResult | undefined {
    const key = toHex(response.transactionId);
    const pending = this.#pending.get(key);
    if (pending === undefined) {
      this.#counters.droppedUnmatched++;
      return undefined;
    }
    // A response to another method under this id, or one with comprehension-required
    // attributes we do not know (RFC 8489 §7.3.3, §7.3.4: discarded), is not this request's.
    if (response.method !== pending.method || response.unknownComprehensionRequired().length > 0) {
      this.#counters.droppedUnmatched++;
      return undefined;
    }
    let reply: Reply;
    try {
      const error = response.messageClass === 'error' ? response.get(ERROR_CODE) : undefined;
      if (response.messageClass === 'error' && error === undefined) {
        throw new StunParseError('error response without ERROR-CODE', 0);
      }
      // RFC 8489 §9.2.5: a response to a signed request must be authentic, except a 401 or 438
      // challenge, which a server cannot sign when it does not accept our nonce or key.
      const unsignedChallenge =
        error !== undefined &&
        isChallenge(error.code) &&
        response.integrityAt < 0 &&
        response.integritySha256At < 0;
      if (
        pending.signature !== undefined &&
        !unsignedChallenge &&
        !verifyResponse(response, pending.signature)
      ) {
        this.#counters.droppedIntegrity++;
        pending.discarded++;
        return undefined;
      }
      reply = readReply(response, pending.method, error);
    } catch (error) {
      if (!(error instanceof StunParseError)) throw error;
      this.#counters.droppedParse++;
      return undefined;
    }
    pending.transaction.handleResponse(response.transactionId, now);
    this.#pending.delete(key);
    if (reply.kind === 'success')
      return { purpose: pending.purpose, ok: true, fields: reply.fields };
    return this.#handleError(pending, reply, now);
  }

  /** Retransmits what is due and returns the requests that timed out. */
  handleTimeout(now: number): RequestResult[] {
    const results: RequestResult[] = [];
    for (const [key, pending] of this.#pending) {
      const transaction = pending.transaction;
      transaction.handleTimeout(now);
      this.#drain(transaction);
      if (transaction.state !== 'timed-out') continue;
      this.#pending.delete(key);
      const timeout = transaction.error as StunTimeoutError;
      const error =
        pending.discarded > 0
          ? new StunIntegrityError(timeout.transmissions, timeout.elapsedMs, pending.discarded)
          : timeout;
      results.push({ purpose: pending.purpose, ok: false, error });
    }
    return results;
  }

  /** The earliest retransmission or timeout among the outstanding requests. */
  pollTimeout(): number | undefined {
    let earliest: number | undefined;
    for (const { transaction } of this.#pending.values()) {
      const deadline = transaction.pollTimeout();
      if (deadline !== undefined && (earliest === undefined || deadline < earliest)) {
        earliest = deadline;
      }
    }
    return earliest;
  }

  /** Abandons every outstanding request: their responses will be dropped as unmatched. */
  cancelAll(): void {
    for (const { transaction } of this.#pending.values()) transaction.cancel();
    this.#pending.clear();
  }

  #handleError(
    pending: PendingRequest,
    reply: Extract<Reply, { kind: 'error' }>,
    now: number,
  ): RequestResult | undefined {
    const { code, reason, challenge } = reply;
    const fail = (context: string): RequestResult => ({
      purpose: pending.purpose,
      ok: false,
      error: new StunErrorResponse(code, reason, context),
    });
    if (code === 401) {
      const used = pending.signature;
      // RFC 8489 §9.2.5: the first 401 brings the credentials' realm and nonce. A 401 to a signed
      // request is a rejection unless it brings a new realm or nonce (the server restarted or
      // expired its nonce); that is retried once, never more, so wrong credentials fail at once.
      const worthRetrying =
        used === undefined ||
        (!pending.reauthenticated &&
          (challenge.realm !== used.realm || challenge.nonce !== used.nonce));
      if (!worthRetrying) return fail(`TURN ${pending.name}`);
      const refusal = this.#auth.acceptChallenge(challenge);
      if (refusal !== undefined) return fail(`TURN ${pending.name} (${refusal})`);
      pending.reauthenticated = used !== undefined;
      return this.#retry(pending, now);
    }
    if (code === 438 && this.#auth.ready) {
      // RFC 8489 §9.2.5: retry with the NONCE the 438 carries.
      if (pending.staleNonceRetries >= MAX_STALE_NONCE_RETRIES) {
        return fail(`TURN ${pending.name} (stale nonce ${MAX_STALE_NONCE_RETRIES} times over)`);
      }
      const refusal = this.#auth.acceptStaleNonce(challenge);
      if (refusal !== undefined) return fail(`TURN ${pending.name} (${refusal})`);
      pending.staleNonceRetries++;
      return this.#retry(pending, now);
    }
    return fail(`TURN ${pending.name}`);
  }

  /** The same request in a new transaction (RFC 8489 §9.2.5 asks for a new one). */
  #retry(pending: PendingRequest, now: number): RequestResult | undefined {
    try {
      Object.assign(pending, this.#prepare(pending.method, pending.addAttributes), {
        discarded: 0,
      });
    } catch (error) {
      // The server's realm, nonce or algorithm list made the request unencodable.
      if (!(error instanceof StunError)) throw error;
      return { purpose: pending.purpose, ok: false, error };
    }
    this.#start(pending, now);
    return undefined;
  }

  #prepare(
    method: number,
    addAttributes: (request: StunMessage) => void,
  ): { transaction: StunTransaction; signature: Signature | undefined } {
    const request = new StunMessage('request', method);
    addAttributes(request);
    if (this.#options.software !== undefined) request.add(SOFTWARE, this.#options.software);
    let bytes: Uint8Array;
    let signature: Signature | undefined;
    if (this.#auth.ready) {
      ({ bytes, signature } = this.#auth.sign(request));
    } else {
      // RFC 8656 §7.1: the first Allocate goes without credentials, to learn realm and nonce.
      bytes = request.encode({ fingerprint: true });
    }
    const transaction = new StunTransaction(request.transactionId, bytes, {
      reliable: this.#options.reliable,
      ...(this.#options.rto === undefined ? {} : { rto: this.#options.rto }),
    });
    return { transaction, signature };
  }

  #start(pending: PendingRequest, now: number): void {
    this.#pending.set(toHex(pending.transaction.transactionId), pending);
    pending.transaction.start(now);
    this.#drain(pending.transaction);
  }

  #drain(transaction: StunTransaction): void {
    for (let bytes = transaction.pollTransmit(); bytes; bytes = transaction.pollTransmit()) {
      this.#transmit(bytes);
    }
  }
}
