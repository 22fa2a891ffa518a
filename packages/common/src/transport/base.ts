/**
 * What every `DatagramTransport` implementation shares: events, counters, the closed state,
 * default-destination sends and the connected-peer filter. Subclasses supply `transmit` (put
 * bytes on their medium) and `release` (free the medium), and pass each datagram that arrives
 * through `acceptsFrom` and `emitDatagram` — so a UDP socket and an in-memory socket behave
 * identically.
 */

import { ClosedError, TypeRtcError } from '../errors.js';
import { Emitter } from '../events.js';
import type { DatagramTransport, DatagramTransportEvents, SocketAddress } from './datagram.js';
import { sameSocketAddress } from './datagram.js';

export interface DatagramTransportStats {
  datagramsSent: number;
  bytesSent: number;
  datagramsReceived: number;
  bytesReceived: number;
  /** Datagrams dropped because a connected transport got them from another address. */
  droppedFromOthers: number;
}

/** No destination: `send(data)` without an address on a transport that is not connected. */
export class NoDestinationError extends TypeRtcError {
  constructor() {
    super('send() needs a destination: the transport is not connected', 'NO_DESTINATION');
  }
}

export abstract class BaseDatagramTransport implements DatagramTransport {
  abstract readonly localAddress: SocketAddress;
  readonly stats: DatagramTransportStats = {
    datagramsSent: 0,
    bytesSent: 0,
    datagramsReceived: 0,
    bytesReceived: 0,
    droppedFromOthers: 0,
  };
  readonly #events = new Emitter<DatagramTransportEvents>();
  readonly #description: string;
  #closed = false;

  /**
   * @param description names the transport in errors ("UDP transport").
   * @param remoteAddress connects the transport: the default destination, and the only source
   *   datagrams are accepted from.
   */
  constructor(
    description: string,
    readonly remoteAddress: SocketAddress | undefined,
  ) {
    this.#description = description;
  }

  get closed(): boolean {
    return this.#closed;
  }

  send(data: Uint8Array, to?: SocketAddress): void {
    if (this.#closed) throw new ClosedError(this.#description);
    const destination = to ?? this.remoteAddress;
    if (destination === undefined) throw new NoDestinationError();
    this.transmit(data, destination);
    this.stats.datagramsSent++;
    this.stats.bytesSent += data.byteLength;
  }

  on<K extends keyof DatagramTransportEvents>(
    event: K,
    listener: DatagramTransportEvents[K],
  ): () => void {
    return this.#events.on(event, listener);
  }

  off<K extends keyof DatagramTransportEvents>(
    event: K,
    listener: DatagramTransportEvents[K],
  ): void {
    this.#events.off(event, listener);
  }

  close(): void {
    if (this.#closed) return;
    this.release();
    this.closedByMedium();
  }

  /** Sends one datagram on the medium; may throw a typed error (nothing is counted then). */
  protected abstract transmit(data: Uint8Array, destination: SocketAddress): void;

  /** Frees the medium; called once, by the first `close()`. */
  protected abstract release(): void;

  /**
   * The connected-peer filter: false (and counted in `stats.droppedFromOthers`) when a
   * connected transport gets a datagram from another address. Call before `emitDatagram`.
   */
  protected acceptsFrom(from: SocketAddress): boolean {
    if (this.remoteAddress === undefined || sameSocketAddress(from, this.remoteAddress)) {
      return true;
    }
    this.stats.droppedFromOthers++;
    return false;
  }

  /** Counts an accepted datagram and hands it to the listeners. */
  protected emitDatagram(data: Uint8Array, from: SocketAddress): void {
    this.stats.datagramsReceived++;
    this.stats.bytesReceived += data.byteLength;
    this.#events.emit('datagram', data, from);
  }

  protected emitError(error: Error): void {
    this.#events.emit('error', error);
  }

  /** Marks the transport closed and emits `close` once (the medium went away, or `close()`). */
  protected closedByMedium(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#events.emit('close');
    this.#events.removeAllListeners();
  }
}
