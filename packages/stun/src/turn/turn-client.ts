/**
 * A TURN client (RFC 8656) as a sans-I/O state machine: it makes one allocation on a TURN server,
 * keeps it, its permissions and its channel bindings alive, and relays application datagrams to
 * and from peers through it. It reads no clock and sets no timer (DESIGN.md, principle 1):
 *
 *     const client = new TurnClient({ transport: 'udp', username, password });
 *     client.start(now);
 *     // after every input (start, a received datagram or stream frame, a timer, a user call):
 *     for (let bytes; (bytes = client.pollTransmit()); ) socket.send(bytes, server);
 *     for (let event; (event = client.pollEvent()); ) handle(event);
 *     const deadline = client.pollTimeout(); // arm one timer: client.handleTimeout(now)
 *     // bytes from the server:  client.handleMessage(datagramOrFrame, now)
 *
 * Over TCP and TLS each input to `handleMessage` is one frame cut by `StreamFramer`, and the
 * requests are not retransmitted (RFC 8489 §6.2.2). Malformed or unauthentic input is dropped
 * and counted in `counters`; `handleMessage` never throws.
 */

import type { SocketAddress } from '@typertc/common';
import {
  DATA,
  LIFETIME,
  REQUESTED_ADDRESS_FAMILY,
  REQUESTED_TRANSPORT,
  SOFTWARE,
  XOR_PEER_ADDRESS,
} from '../attributes.js';
import { parseChannelData } from '../channel-data.js';
import { StunMethod, TRANSPORT_UDP } from '../constants.js';
import { StunError, StunErrorResponse, StunParseError } from '../errors.js';
import { StunMessage } from '../message.js';
import { LongTermAuth } from './long-term-auth.js';
import { PeerBindings } from './peer-bindings.js';
import { TurnStateError } from './turn-errors.js';
import { type RequestPurpose, type RequestResult, TurnRequests } from './turn-requests.js';
import type { TurnClientOptions, TurnClientState, TurnCounters, TurnEvent } from './turn-types.js';

/** The lifetime to ask for by default: 10 minutes, the least a server grants (RFC 8656 §7.2). */
const DEFAULT_LIFETIME_S = 600;
const DEFAULT_MAX_QUEUED_PER_PEER = 64;
/** Refresh a minute before the allocation expires (RFC 8656 §8: refresh before expiry)... */
const REFRESH_MARGIN_MS = 60_000;
/** ...or, for lifetimes too short for that margin to leave half of them, half-way. */
const SHORT_LIFETIME_MS = 2 * REFRESH_MARGIN_MS;
/** A floor on the refresh interval, should a server grant a lifetime of (nearly) zero. */
const MIN_REFRESH_DELAY_MS = 1_000;

function refreshDelay(lifetimeSeconds: number): number {
  const lifetime = lifetimeSeconds * 1000;
  const delay = lifetime > SHORT_LIFETIME_MS ? lifetime - REFRESH_MARGIN_MS : lifetime / 2;
  return Math.max(delay, MIN_REFRESH_DELAY_MS);
}

export class TurnClient {
  /** What was dropped, by reason. */
  readonly counters: TurnCounters = {
    droppedParse: 0,
    droppedFingerprint: 0,
    droppedIntegrity: 0,
    droppedData: 0,
    droppedUnmatched: 0,
    droppedQueued: 0,
  };
  readonly #options: TurnClientOptions;
  readonly #lifetime: number;
  readonly #requests: TurnRequests;
  readonly #peers: PeerBindings;
  readonly #outgoing: Uint8Array[] = [];
  readonly #events: TurnEvent[] = [];
  #state: TurnClientState = 'new';
  #relayed: SocketAddress | undefined;
  #mapped: SocketAddress | undefined;
  /** When the allocation is next refreshed; undefined while a refresh is in flight. */
  #refreshAt: number | undefined;
  /** A Refresh (not the deallocating one) is in flight. */
  #refreshing = false;

  /** @throws StunError for options out of range or credentials SASLprep rejects. */
  constructor(options: TurnClientOptions) {
    const lifetime = options.lifetime ?? DEFAULT_LIFETIME_S;
    if (!Number.isInteger(lifetime) || lifetime < 1 || lifetime > 0xffff_ffff) {
      throw new StunError(`lifetime must be a whole number of seconds >= 1, got ${lifetime}`);
    }
    const maxQueued = options.maxQueuedPerPeer ?? DEFAULT_MAX_QUEUED_PER_PEER;
    if (!Number.isInteger(maxQueued) || maxQueued < 0) {
      throw new StunError(`maxQueuedPerPeer must be an integer >= 0, got ${maxQueued}`);
    }
    // SOFTWARE is checked now: an invalid one would otherwise throw from `start`.
    if (options.software !== undefined) {
      SOFTWARE.encode(options.software, { transactionId: new Uint8Array(12), offset: 0 });
    }
    this.#options = options;
    this.#lifetime = lifetime;
    const transmit = (bytes: Uint8Array): void => {
      this.#outgoing.push(bytes);
    };
    this.#requests = new TurnRequests(
      new LongTermAuth(options.username, options.password),
      { reliable: options.transport !== 'udp', rto: options.rto, software: options.software },
      this.counters,
      transmit,
    );
    this.#peers = new PeerBindings({
      requests: this.#requests,
      counters: this.counters,
      transmit,
      emit: (event) => this.#events.push(event),
      padChannelData: options.transport !== 'udp',
      maxQueuedPerPeer: maxQueued,
    });
  }

  get state(): TurnClientState {
    return this.#state;
  }

  /** The relayed transport address, once allocated. */
  get relayedAddress(): SocketAddress | undefined {
    return this.#relayed;
  }

  /** The server-reflexive address the server saw us from, once allocated. */
  get mappedAddress(): SocketAddress | undefined {
    return this.#mapped;
  }

  /** Whether a channel is bound to the peer at `now` (ChannelData can be sent). */
  isChannelBound(peer: SocketAddress, now: number): boolean {
    return this.#peers.isChannelBound(peer, now);
  }

  /** Whether the server holds a permission for the peer's IP address at `now`. */
  hasPermission(peer: SocketAddress, now: number): boolean {
    return this.#peers.hasPermission(peer, now);
  }

  /** Sends the Allocate request (RFC 8656 §7.1). @throws TurnStateError unless `new`. */
  start(now: number): void {
    if (this.#state !== 'new') throw new TurnStateError('start', this.#state);
    const family = this.#options.requestedFamily;
    const lifetime = this.#lifetime;
    this.#requests.send(
      StunMethod.Allocate,
      'Allocate',
      { kind: 'allocate' },
      (request) => {
        request.add(REQUESTED_TRANSPORT, TRANSPORT_UDP).add(LIFETIME, lifetime);
        if (family !== undefined) request.add(REQUESTED_ADDRESS_FAMILY, family);
      },
      now,
    );
    this.#state = 'allocating';
  }

  /**
   * One datagram from the server (UDP) or one frame from `StreamFramer` (TCP, TLS): a STUN
   * message or ChannelData. Never throws; what cannot be used is dropped and counted.
   */
  handleMessage(bytes: Uint8Array, now: number): void {
    if (!this.#active()) {
      this.counters.droppedUnmatched++;
      return;
    }
    try {
      // RFC 8656 §12 (Table 3), RFC 7983: the first byte tells STUN (0-3) from ChannelData
      // (64-79); the two decoders reject what else shares their top two bits.
      const kind = bytes.length === 0 ? -1 : (bytes[0] as number) >>> 6;
      if (kind === 0) {
        this.#handleStun(StunMessage.decode(bytes), now);
      } else if (kind === 1) {
        const { channel, data } = parseChannelData(bytes);
        if (this.#state === 'allocated') this.#peers.receiveChannelData(channel, data, now);
        else this.counters.droppedData++;
      } else {
        this.counters.droppedParse++;
      }
    } catch (error) {
      if (!(error instanceof StunParseError)) throw error;
      this.counters.droppedParse++;
    }
  }

  /** Call at (or after) `pollTimeout()`: retransmits, refreshes, expires. */
  handleTimeout(now: number): void {
    if (!this.#active()) return;
    for (const result of this.#requests.handleTimeout(now)) {
      // Once one result has ended the allocation, the others have nothing left to report.
      if (!this.#active()) break;
      this.#handleResult(result, now);
    }
    if (this.#state !== 'allocated') return;
    if (this.#refreshAt !== undefined && this.#refreshAt <= now) this.#sendRefresh(now);
    this.#peers.handleTimeout(now);
  }

  /**
   * Installs (or refreshes) a permission for the peer's IP address (RFC 8656 §9). `permission`
   * or `permission-failed` follows. @throws TurnStateError unless allocated.
   */
  createPermission(peer: SocketAddress, now: number): void {
    this.#requireAllocated('createPermission');
    this.#peers.createPermission(peer, now);
  }

  /**
   * Binds a channel to the peer (RFC 8656 §12) unless one is bound or being bound, and returns
   * its number. `channel` or `channel-failed` follows a new binding; until it is bound, data to
   * the peer goes in Send indications.
   * @throws TurnStateError unless allocated; StunError when the 4096 numbers are used up.
   */
  bindChannel(peer: SocketAddress, now: number): number {
    this.#requireAllocated('bindChannel');
    return this.#peers.bindChannel(peer, now);
  }

  /**
   * Relays `data` to the peer: as ChannelData on a bound channel, else in a Send indication
   * (RFC 8656 §11, §12). Without a permission for the peer, one is requested and the data waits
   * for it (at most `maxQueuedPerPeer` datagrams; more are dropped and counted).
   * @throws TurnStateError unless allocated; StunError for more than 65504 bytes.
   */
  sendTo(data: Uint8Array, peer: SocketAddress, now: number): void {
    this.#requireAllocated('sendTo');
    this.#peers.sendTo(data, peer, now);
  }

  /**
   * Refreshes the allocation now (it also happens by itself before expiry); `refreshed` follows.
   * Does nothing while a refresh is in flight. @throws TurnStateError unless allocated.
   */
  refresh(now: number): void {
    this.#requireAllocated('refresh');
    if (!this.#refreshing) this.#sendRefresh(now);
  }

  /**
   * Releases the allocation with a Refresh of LIFETIME 0 (RFC 8656 §8.1); `closed` follows its
   * response, or its failure. Before the allocation exists, closes at once.
   */
  close(now: number): void {
    if (this.#state === 'allocated') {
      this.#reset();
      this.#requests.send(
        StunMethod.Refresh,
        'Refresh',
        { kind: 'close' },
        (request) => request.add(LIFETIME, 0),
        now,
      );
      this.#state = 'closing';
    } else if (this.#state === 'new' || this.#state === 'allocating') {
      this.#finish('closed', { type: 'closed' });
    }
  }

  /** The next bytes to send to the server, or undefined. */
  pollTransmit(): Uint8Array | undefined {
    return this.#outgoing.shift();
  }

  /** The next event, or undefined. */
  pollEvent(): TurnEvent | undefined {
    return this.#events.shift();
  }

  /** When `handleTimeout` must next be called, or undefined when nothing is scheduled. */
  pollTimeout(): number | undefined {
    if (!this.#active()) return undefined;
    let earliest = this.#requests.pollTimeout();
    for (const deadline of [this.#refreshAt, this.#peers.pollTimeout()]) {
      if (deadline !== undefined && (earliest === undefined || deadline < earliest)) {
        earliest = deadline;
      }
    }
    return earliest;
  }

  #active(): boolean {
    return this.#state === 'allocating' || this.#state === 'allocated' || this.#state === 'closing';
  }

  #requireAllocated(operation: string): void {
    if (this.#state !== 'allocated') throw new TurnStateError(operation, this.#state);
  }

  #handleStun(message: StunMessage, now: number): void {
    if (message.fingerprint === 'invalid') {
      this.counters.droppedFingerprint++;
    } else if (message.messageClass === 'success' || message.messageClass === 'error') {
      const result = this.#requests.handleResponse(message, now);
      if (result !== undefined) this.#handleResult(result, now);
    } else if (message.messageClass === 'indication' && message.method === StunMethod.Data) {
      // RFC 8489 §7.3.2: an indication with unknown comprehension-required attributes is
      // discarded. RFC 8656 §11.4: XOR-PEER-ADDRESS and DATA are both required.
      if (message.unknownComprehensionRequired().length > 0) {
        this.counters.droppedParse++;
        return;
      }
      const peer = message.get(XOR_PEER_ADDRESS);
      const data = message.get(DATA);
      if (peer === undefined || data === undefined) this.counters.droppedParse++;
      else if (this.#state === 'allocated') this.#peers.receiveIndication(peer, data, now);
      else this.counters.droppedData++;
    } else {
      this.counters.droppedUnmatched++;
    }
  }

  #handleResult(result: RequestResult, now: number): void {
    const purpose: RequestPurpose = result.purpose;
    if (purpose.kind === 'close') {
      this.#finish('closed', { type: 'closed' });
    } else if (!result.ok) {
      this.#handleFailure(purpose, result.error, now);
    } else if (purpose.kind === 'allocate') {
      const { relayed, mapped, lifetime } = result.fields;
      this.#state = 'allocated';
      this.#relayed = relayed;
      this.#mapped = mapped;
      this.#refreshAt = now + refreshDelay(lifetime as number);
      this.#events.push({
        type: 'allocated',
        relayed: relayed as SocketAddress,
        mapped,
        lifetime: lifetime as number,
      });
    } else if (purpose.kind === 'refresh') {
      this.#refreshing = false;
      const lifetime = result.fields.lifetime ?? this.#lifetime;
      this.#refreshAt = now + refreshDelay(lifetime);
      this.#events.push({ type: 'refreshed', lifetime });
    } else if (purpose.kind === 'permission') {
      this.#peers.permissionInstalled(purpose.permission, now);
    } else {
      this.#peers.channelBound(purpose.binding, now);
    }
  }

  /**
   * A failed request. The allocation's own requests, and any answered with 437 (Allocation
   * Mismatch: the server has no allocation for us), fail the client; a failed permission or
   * channel is reported and the allocation carries on.
   */
  #handleFailure(purpose: RequestPurpose, error: StunError, now: number): void {
    if (
      purpose.kind === 'allocate' ||
      purpose.kind === 'refresh' ||
      (error instanceof StunErrorResponse && error.errorCode === 437)
    ) {
      this.#finish('failed', { type: 'failed', error });
    } else if (purpose.kind === 'permission') {
      this.#peers.permissionFailed(purpose.permission, error, now);
    } else if (purpose.kind === 'channel') {
      this.#peers.channelFailed(purpose.binding, error);
    }
  }

  #sendRefresh(now: number): void {
    const lifetime = this.#lifetime;
    this.#requests.send(
      StunMethod.Refresh,
      'Refresh',
      { kind: 'refresh' },
      (request) => request.add(LIFETIME, lifetime),
      now,
    );
    this.#refreshing = true;
    this.#refreshAt = undefined;
  }

  /** Forgets every request, timer, permission and channel (data still queued is counted). */
  #reset(): void {
    this.#requests.cancelAll();
    this.#refreshing = false;
    this.#refreshAt = undefined;
    this.#peers.clear();
  }

  #finish(state: 'closed' | 'failed', event: TurnEvent): void {
    this.#reset();
    this.#state = state;
    this.#events.push(event);
  }
}
