/**
 * `TurnTransport`: a `DatagramTransport` whose local address is a relayed address on a TURN
 * server (RFC 8656). It binds a `TurnClient` to a real connection (UDP, TCP or TLS) and to real
 * timers — one timer, armed at the client's `pollTimeout()` after every input — so any layer
 * that runs over datagrams (ICE, DTLS, SCTP) can run through a relay.
 *
 *     const relay = await TurnTransport.connect({ server, transport: 'udp', username, password });
 *     relay.localAddress;                   // the relayed address, to give to the peer
 *     relay.on('datagram', (data, peer) => ...);
 *     relay.send(bytes, peer);              // a permission is made as needed
 *     await relay.bindChannel(peer);        // optional: 4-byte ChannelData instead of Send
 *     relay.close();                        // deallocates (best effort) and releases the socket
 */

import type { ConnectionOptions } from 'node:tls';
import {
  BaseDatagramTransport,
  ClosedError,
  RealClock,
  type Scheduler,
  type SocketAddress,
  type TimerHandle,
} from '@typertc/common';
import { StunError } from '../errors.js';
import { canonicalIp } from './permissions.js';
import { openServerLink, type ServerLink } from './server-link.js';
import { TurnClient } from './turn-client.js';
import type { TurnClientOptions, TurnEvent } from './turn-types.js';

export interface TurnTransportOptions extends TurnClientOptions {
  /** The TURN server's address. */
  readonly server: SocketAddress;
  /** For `transport: 'tls'`: `ca`, `servername` and the like, passed to `tls.connect`. */
  readonly tls?: ConnectionOptions;
  /** Time and timers; default the real clock. */
  readonly scheduler?: Scheduler;
}

/** The server closed the connection, or it failed, before the allocation was made. */
export class TurnConnectionClosedError extends StunError {
  constructor() {
    super('the connection to the TURN server closed', 'TURN_CONNECTION_CLOSED');
  }
}

interface Waiter<T> {
  readonly resolve: (value: T) => void;
  readonly reject: (error: Error) => void;
}

/** Callers waiting for an event, by a key naming what they wait for. */
class Waiters {
  readonly #byKey = new Map<string, Waiter<unknown>[]>();

  wait<T>(key: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const list = this.#byKey.get(key) ?? [];
      list.push({ resolve: resolve as (value: unknown) => void, reject });
      this.#byKey.set(key, list);
    });
  }

  /** Settles the key's waiters; returns whether there were any. */
  settle(key: string, outcome: { value: unknown } | { error: Error }): boolean {
    const list = this.#byKey.get(key);
    if (list === undefined) return false;
    this.#byKey.delete(key);
    for (const waiter of list) {
      if ('error' in outcome) waiter.reject(outcome.error);
      else waiter.resolve(outcome.value);
    }
    return true;
  }

  rejectAll(error: Error): void {
    for (const key of [...this.#byKey.keys()]) this.settle(key, { error });
  }
}

const UNALLOCATED: SocketAddress = { address: '0.0.0.0', port: 0, family: 'IPv4' };

export class TurnTransport extends BaseDatagramTransport {
  /** The sans-I/O core, for its state and `counters`. */
  readonly client: TurnClient;
  readonly #scheduler: Scheduler;
  readonly #waiters = new Waiters();
  #link: ServerLink | undefined;
  #timer: TimerHandle | undefined;
  #timerAt: number | undefined;
  #allocation: Waiter<void> | undefined;

  /**
   * Connects to the server, allocates, and resolves once the relayed address is known. Rejects
   * with the client's typed error (`StunErrorResponse` for, e.g., a 401 on wrong credentials,
   * `StunTimeoutError` when the server does not answer) or the socket's error.
   */
  static async connect(options: TurnTransportOptions): Promise<TurnTransport> {
    const transport = new TurnTransport(
      new TurnClient(options),
      options.scheduler ?? new RealClock(),
    );
    const allocated = new Promise<void>((resolve, reject) => {
      transport.#allocation = { resolve, reject };
    });
    const link = await openServerLink(options.transport, options.server, options.tls, {
      message: (bytes) => transport.#handleMessage(bytes),
      error: (error, fatal) => transport.#handleLinkError(error, fatal),
      closed: () => transport.#handleLinkClosed(),
    });
    transport.#link = link;
    if (transport.closed) {
      // The connection failed between opening and now; `allocated` carries the error.
      link.close();
    } else {
      try {
        transport.client.start(transport.#scheduler.now());
      } catch (error) {
        link.close();
        throw error;
      }
      transport.#pump();
    }
    await allocated;
    return transport;
  }

  private constructor(client: TurnClient, scheduler: Scheduler) {
    super('TURN transport', undefined);
    this.client = client;
    this.#scheduler = scheduler;
  }

  /** The relayed transport address: where peers send to reach this transport. */
  override get localAddress(): SocketAddress {
    return this.client.relayedAddress ?? UNALLOCATED;
  }

  /** Our address as the TURN server saw it (server-reflexive), if it said. */
  /**
   * Datagrams dropped because the TCP/TLS connection to the server stopped draining (more than
   * 1 MiB waiting); always 0 over UDP.
   */
  get droppedUnsent(): number {
    return this.#link?.dropped ?? 0;
  }

  get mappedAddress(): SocketAddress | undefined {
    return this.client.mappedAddress;
  }

  /** Installs a permission for the peer's IP address; resolves when the server confirms. */
  createPermission(peer: SocketAddress): Promise<void> {
    return this.#request<void>(() => {
      this.client.createPermission(peer, this.#scheduler.now());
      return `permission ${canonicalIp(peer.address)}`;
    });
  }

  /** Binds a channel to the peer; resolves with its number once bound. */
  bindChannel(peer: SocketAddress): Promise<number> {
    return this.#request<number>(() => {
      const now = this.#scheduler.now();
      const channel = this.client.bindChannel(peer, now);
      return this.client.isChannelBound(peer, now) ? { value: channel } : `channel ${channel}`;
    });
  }

  /** Refreshes the allocation now; resolves when the server confirms. */
  refresh(): Promise<void> {
    return this.#request<void>(() => {
      this.client.refresh(this.#scheduler.now());
      return 'refresh';
    });
  }

  /**
   * Runs a client call and waits for the event it leads to: `call` returns the waiter's key,
   * or the value when there is nothing to wait for. Errors the call throws reject the promise.
   */
  #request<T>(call: () => string | { value: T }): Promise<T> {
    let outcome: string | { value: T };
    try {
      if (this.closed) throw new ClosedError('TURN transport');
      outcome = call();
    } catch (error) {
      return Promise.reject(error);
    }
    if (typeof outcome !== 'string') return Promise.resolve(outcome.value);
    const done = this.#waiters.wait<T>(outcome);
    this.#pump();
    return done;
  }

  protected override transmit(data: Uint8Array, destination: SocketAddress): void {
    this.client.sendTo(data, destination, this.#scheduler.now());
    this.#pump();
  }

  /** Sends the deallocating Refresh (nobody waits for its answer) and lets go of the socket. */
  protected override release(): void {
    if (this.client.state === 'allocated') {
      this.client.close(this.#scheduler.now());
      for (let bytes = this.client.pollTransmit(); bytes; bytes = this.client.pollTransmit()) {
        this.#link?.write(bytes);
      }
    }
    this.#teardown(new ClosedError('TURN transport'));
  }

  #handleMessage(bytes: Uint8Array): void {
    if (this.closed) return;
    this.client.handleMessage(bytes, this.#scheduler.now());
    this.#pump();
  }

  #handleLinkError(error: Error, fatal: boolean): void {
    if (fatal) this.#fail(error);
    else if (this.#allocation === undefined) this.emitError(error);
  }

  #handleLinkClosed(): void {
    if (this.closed) return;
    this.#fail(new TurnConnectionClosedError());
  }

  /** Sends what the client wants sent, dispatches its events, and re-arms the one timer. */
  #pump(): void {
    if (this.closed) return;
    for (let bytes = this.client.pollTransmit(); bytes; bytes = this.client.pollTransmit()) {
      this.#link?.write(bytes);
    }
    for (let event = this.client.pollEvent(); event; event = this.client.pollEvent()) {
      this.#dispatch(event);
      if (this.closed) return;
    }
    const at = this.client.pollTimeout();
    if (at === this.#timerAt) return;
    this.#timer?.cancel();
    this.#timerAt = at;
    this.#timer = at === undefined ? undefined : this.#scheduler.setTimer(at, this.#onTimer);
  }

  readonly #onTimer = (): void => {
    this.#timer = undefined;
    this.#timerAt = undefined;
    if (this.closed) return;
    this.client.handleTimeout(this.#scheduler.now());
    this.#pump();
  };

  #dispatch(event: TurnEvent): void {
    switch (event.type) {
      case 'allocated':
        this.#allocation?.resolve();
        this.#allocation = undefined;
        return;
      case 'data':
        this.emitDatagram(event.data, event.peer);
        return;
      case 'refreshed':
        this.#waiters.settle('refresh', { value: undefined });
        return;
      case 'permission':
        this.#waiters.settle(`permission ${event.peer.address}`, { value: undefined });
        return;
      case 'permission-failed':
        if (!this.#waiters.settle(`permission ${event.peer.address}`, { error: event.error })) {
          this.emitError(event.error);
        }
        return;
      case 'channel':
        this.#waiters.settle(`channel ${event.channel}`, { value: event.channel });
        return;
      case 'channel-failed':
        if (!this.#waiters.settle(`channel ${event.channel}`, { error: event.error })) {
          this.emitError(event.error);
        }
        return;
      case 'failed':
        this.#fail(event.error);
        return;
      case 'closed':
        return;
    }
  }

  /** The allocation is lost: reject whoever waits, report the error, close. */
  #fail(error: Error): void {
    if (this.closed) return;
    if (this.#allocation === undefined) this.emitError(error);
    this.#teardown(error);
    this.closedByMedium();
  }

  #teardown(error: Error): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#timerAt = undefined;
    this.#link?.close();
    this.#allocation?.reject(error);
    this.#allocation = undefined;
    this.#waiters.rejectAll(error);
  }
}
