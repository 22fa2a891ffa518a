/**
 * A UDP socket on a virtual host: the in-memory counterpart of `UdpTransport`, with the same
 * `DatagramTransport` shape and the same stats, so a layer tested here runs unchanged on
 * `node:dgram`.
 */

import { ClosedError } from '../../errors.js';
import { Emitter } from '../../events.js';
import {
  type DatagramTransport,
  type DatagramTransportEvents,
  formatSocketAddress,
  type SocketAddress,
  sameSocketAddress,
} from '../../transport/datagram.js';
import { NoDestinationError, type UdpTransportStats } from '../../transport/udp.js';
import { addressFamily, checkPort } from './address.js';
import type { NetworkContext, Packet } from './context.js';
import { AddressFamilyMismatchError } from './errors.js';

/** What a socket needs from the host it is bound on. */
export interface SocketOwner {
  /** Puts a packet on the host's uplink. */
  transmit(packet: Packet): void;
  /** Frees the socket's address and port. */
  unbind(socket: VirtualUdpSocket): void;
}

export class VirtualUdpSocket implements DatagramTransport {
  readonly stats: UdpTransportStats = {
    datagramsSent: 0,
    bytesSent: 0,
    datagramsReceived: 0,
    bytesReceived: 0,
    droppedFromOthers: 0,
  };
  readonly #events = new Emitter<DatagramTransportEvents>();
  readonly #owner: SocketOwner;
  readonly #context: NetworkContext;
  #closed = false;

  /** @internal Sockets are made by `VirtualHost.bind()`. */
  constructor(
    owner: SocketOwner,
    context: NetworkContext,
    readonly localAddress: SocketAddress,
    readonly remoteAddress: SocketAddress | undefined,
  ) {
    this.#owner = owner;
    this.#context = context;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Copies `data` (the bytes on the wire are the sender's no longer) and puts it on the host's
   * uplink. Delivery happens later, from a scheduler timer, never inside this call.
   */
  send(data: Uint8Array, to?: SocketAddress): void {
    if (this.#closed) throw new ClosedError('virtual UDP socket');
    const destination = to ?? this.remoteAddress;
    if (destination === undefined) throw new NoDestinationError();
    const family = addressFamily(destination.address);
    if (family !== this.localAddress.family) {
      throw new AddressFamilyMismatchError(this.localAddress, destination.address);
    }
    checkPort(destination.port);
    this.stats.datagramsSent++;
    this.stats.bytesSent += data.byteLength;
    this.#owner.transmit({
      src: this.localAddress,
      dst: { address: destination.address, port: destination.port, family },
      data: data.slice(),
    });
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
    this.#closed = true;
    this.#owner.unbind(this);
    this.#events.emit('close');
    this.#events.removeAllListeners();
  }

  /** @internal A packet addressed to this socket came off the host's downlink. */
  receive(packet: Packet): void {
    // A connected UDP socket only accepts its peer, as `UdpTransport` does.
    if (this.remoteAddress !== undefined && !sameSocketAddress(packet.src, this.remoteAddress)) {
      this.stats.droppedFromOthers++;
      this.#context.drop(packet, 'not-from-remote', formatSocketAddress(this.localAddress));
      return;
    }
    this.stats.datagramsReceived++;
    this.stats.bytesReceived += packet.data.byteLength;
    this.#context.delivered(packet);
    this.#events.emit('datagram', packet.data, packet.src);
  }
}
