/**
 * Server-reflexive candidates for one host socket (RFC 8445 §5.1.1.2), as a sans-I/O state
 * machine: a Binding request to every STUN server of the socket's address family, each in its
 * own `StunTransaction` (RFC 8489 §6.2.1 retransmissions), the XOR-MAPPED-ADDRESS of each success
 * becoming a candidate whose base is the host socket.
 *
 *     const gatherer = new SrflxGatherer({ base: socket.localAddress, servers });
 *     gatherer.start(now);
 *     // after every input: send each pollTransmit() from the host socket, read pollEvent()
 *     // until undefined, arm a timer at pollTimeout() that calls handleTimeout(now).
 *     // for every datagram the socket receives: gatherer.handleDatagram(data, from, now)
 *
 * Requests start one per Ta (RFC 8445 §5.1.1.2: new STUN transactions are paced, Ta defaulting
 * to 50 ms, §14.2), so a long server list does not burst out of the socket at once.
 */

import { type AddressFamily, parseIpAddress, type SocketAddress } from '@typertc/common';
import {
  ERROR_CODE,
  isStunMessage,
  newTransactionId,
  StunError,
  StunErrorResponse,
  StunMessage,
  StunMethod,
  StunParseError,
  StunTransaction,
  type StunTransactionOptions,
  XOR_MAPPED_ADDRESS,
} from '@typertc/stun';
import { createLocalCandidate, type LocalCandidate } from '../candidate.js';

/** RFC 8445 §14.2: the default pacing interval between new STUN transactions. */
const DEFAULT_TA_MS = 50;

export interface SrflxGathererOptions {
  /** The host socket's address: the base of every candidate (RFC 8445 §5.1.1.3). */
  readonly base: SocketAddress;
  /** The STUN servers; those of the other address family are skipped, duplicates asked once. */
  readonly servers: readonly SocketAddress[];
  /** The host candidate's local preference (RFC 8445 §5.1.2.1); default 65535. */
  readonly localPreference?: number;
  /** Default 1. */
  readonly component?: number;
  /** Retransmission schedule of each Binding request (RFC 8489 §6.2.1); default the RFC's. */
  readonly transaction?: Omit<StunTransactionOptions, 'reliable'>;
  /** Pacing between the start of two requests, ms (RFC 8445 §5.1.1.2); default 50. */
  readonly pacing?: number;
  /** Transaction ids; default random (RFC 8489 §6). For tests. */
  readonly newTransactionId?: () => Uint8Array;
}

export type SrflxGatheringEvent =
  /** A new server-reflexive candidate, learnt from `server`. */
  | {
      readonly type: 'candidate';
      readonly candidate: LocalCandidate;
      readonly server: SocketAddress;
    }
  /**
   * `server` gave no candidate: the transaction timed out (`StunTimeoutError`), it answered with
   * an error (`StunErrorResponse`) or with a success lacking a usable XOR-MAPPED-ADDRESS.
   */
  | { readonly type: 'server-failed'; readonly server: SocketAddress; readonly error: StunError }
  /** Every server has answered or failed; nothing more will come. */
  | { readonly type: 'done' };

/** A success from a server that named nothing usable as a candidate. */
export class SrflxResponseError extends StunError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'ICE_SRFLX_RESPONSE', options);
  }
}

interface ServerQuery {
  readonly server: SocketAddress;
  readonly transaction: StunTransaction;
  /** Whether the outcome was reported (a candidate, a redundant mapping or a failure). */
  settled: boolean;
}

function addressKey(address: SocketAddress): string {
  return `${address.family} ${parseIpAddress(address.address).bytes.join('.')} ${address.port}`;
}

export class SrflxGatherer {
  readonly #base: SocketAddress;
  readonly #localPreference: number | undefined;
  readonly #component: number | undefined;
  readonly #pacing: number;
  /** Every server of the base's family, once each, in the order given. */
  readonly #queries: ServerQuery[] = [];
  #started = 0;
  #nextStartAt = 0;
  #closed = false;
  #doneReported = false;
  readonly #events: SrflxGatheringEvent[] = [];
  readonly #transmits: { data: Uint8Array; to: SocketAddress }[] = [];
  /**
   * Transport addresses already handed out, the host's own included: a mapping equal to one of
   * them is redundant (RFC 8445 §5.1.3: same address and base; the first found has the highest
   * priority, since every srflx candidate of this base shares one).
   */
  readonly #known = new Set<string>();

  constructor(options: SrflxGathererOptions) {
    this.#base = options.base;
    this.#localPreference = options.localPreference;
    this.#component = options.component;
    this.#pacing = options.pacing ?? DEFAULT_TA_MS;
    this.#known.add(addressKey(options.base));
    const newId = options.newTransactionId ?? newTransactionId;
    const asked = new Set<string>();
    for (const server of options.servers) {
      const key = addressKey(server);
      if (server.family !== options.base.family || asked.has(key)) continue;
      asked.add(key);
      const id = newId();
      const request = new StunMessage('request', StunMethod.Binding, id).encode({
        fingerprint: true,
      });
      const transaction = new StunTransaction(id, request, {
        ...options.transaction,
        reliable: false,
      });
      this.#queries.push({ server, transaction, settled: false });
    }
  }

  get family(): AddressFamily {
    return this.#base.family;
  }

  /** Whether every server has answered or failed (or `close` was called). */
  get done(): boolean {
    return this.#doneReported || this.#closed;
  }

  /** Starts the first request now, the others paced after it. */
  start(now: number): void {
    this.#nextStartAt = now;
    this.#advance(now);
  }

  /**
   * Offers a datagram the host socket received. Returns true, and takes it, only when it is a
   * STUN response to one of this gatherer's requests (RFC 8489 §6.3.3 matches by transaction
   * id); anything else is left to the socket's other users.
   */
  handleDatagram(data: Uint8Array, _from: SocketAddress, now: number): boolean {
    if (!isStunMessage(data)) return false;
    const query = this.#queries.find((q) => matchesId(data, q.transaction.transactionId));
    if (query === undefined) return false;
    let message: StunMessage;
    try {
      message = StunMessage.decode(data);
    } catch (error) {
      if (error instanceof StunParseError) return true; // ours, but garbled: wait for another
      throw error;
    }
    const isResponse = message.messageClass === 'success' || message.messageClass === 'error';
    if (!isResponse || message.method !== StunMethod.Binding || message.fingerprint === 'invalid') {
      return true;
    }
    if (!query.transaction.handleResponse(message.transactionId, now)) return true; // duplicate
    this.#settle(query, message);
    this.#advance(now);
    return true;
  }

  handleTimeout(now: number): void {
    for (const query of this.#queries) {
      query.transaction.handleTimeout(now);
      this.#collect(query);
    }
    this.#advance(now);
  }

  pollTransmit(): { data: Uint8Array; to: SocketAddress } | undefined {
    return this.#transmits.shift();
  }

  pollEvent(): SrflxGatheringEvent | undefined {
    return this.#events.shift();
  }

  /** When `handleTimeout` should next be called; undefined when nothing is pending. */
  pollTimeout(): number | undefined {
    if (this.#closed) return undefined;
    let earliest = this.#started < this.#queries.length ? this.#nextStartAt : undefined;
    for (const { transaction } of this.#queries) {
      const at = transaction.pollTimeout();
      if (at !== undefined && (earliest === undefined || at < earliest)) earliest = at;
    }
    return earliest;
  }

  /** Cancels every request; no further transmissions or events. */
  close(): void {
    this.#closed = true;
    for (const { transaction } of this.#queries) transaction.cancel();
    this.#transmits.length = 0;
  }

  /** Starts the requests that are due, queues transmissions, and reports `done` once. */
  #advance(now: number): void {
    if (this.#closed) return;
    while (this.#started < this.#queries.length && now >= this.#nextStartAt) {
      const query = this.#queries[this.#started++] as ServerQuery;
      query.transaction.start(now);
      this.#collect(query);
      this.#nextStartAt = now + this.#pacing;
    }
    if (!this.#doneReported && this.#queries.every((q) => q.settled)) {
      this.#doneReported = true;
      this.#events.push({ type: 'done' });
    }
  }

  /** Moves a transaction's due transmission to the queue, and reports its timeout. */
  #collect(query: ServerQuery): void {
    const data = query.transaction.pollTransmit();
    if (data !== undefined) this.#transmits.push({ data, to: query.server });
    const error = query.transaction.error;
    if (error !== undefined && !query.settled) {
      query.settled = true;
      this.#events.push({ type: 'server-failed', server: query.server, error });
    }
  }

  #settle(query: ServerQuery, response: StunMessage): void {
    query.settled = true;
    const server = query.server;
    try {
      const mapped = this.#mappedAddress(response);
      const key = addressKey(mapped);
      if (this.#known.has(key)) return;
      this.#known.add(key);
      const candidate = createLocalCandidate({
        type: 'srflx',
        address: mapped.address,
        port: mapped.port,
        base: this.#base,
        serverAddress: server.address,
        ...(this.#localPreference === undefined ? {} : { localPreference: this.#localPreference }),
        ...(this.#component === undefined ? {} : { component: this.#component }),
      });
      this.#events.push({ type: 'candidate', candidate, server });
    } catch (error) {
      if (!(error instanceof StunError)) throw error;
      this.#events.push({ type: 'server-failed', server, error });
    }
  }

  /** The mapped address of a response; throws `StunError` for an error or unusable success. */
  #mappedAddress(response: StunMessage): SocketAddress {
    let mapped: SocketAddress | undefined;
    try {
      if (response.messageClass === 'error') {
        const code = response.get(ERROR_CODE);
        throw new StunErrorResponse(code?.code ?? 0, code?.reason ?? '', 'Binding request');
      }
      mapped = response.get(XOR_MAPPED_ADDRESS);
    } catch (error) {
      if (!(error instanceof StunParseError)) throw error;
      throw new SrflxResponseError('malformed Binding response', { cause: error });
    }
    if (mapped === undefined) {
      throw new SrflxResponseError('Binding success without XOR-MAPPED-ADDRESS');
    }
    if (mapped.family !== this.#base.family || mapped.port === 0) {
      throw new SrflxResponseError('Binding success with an unusable XOR-MAPPED-ADDRESS');
    }
    return mapped;
  }
}

function matchesId(data: Uint8Array, id: Uint8Array): boolean {
  for (let i = 0; i < id.length; i++) if (data[8 + i] !== id[i]) return false;
  return true;
}
