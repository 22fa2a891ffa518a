/**
 * A UDP socket on a virtual host: the in-memory counterpart of `UdpTransport`, with the same
 * `DatagramTransport` shape and the same stats, so a layer tested here runs unchanged on
 * `node:dgram`.
 */

import { BaseDatagramTransport } from '../../transport/base.js';
import { formatSocketAddress, type SocketAddress } from '../../transport/datagram.js';
import { addressFamily, canonicalAddress, checkPort } from './address.js';
import type { NetworkContext, Packet } from './context.js';
import { AddressFamilyMismatchError } from './errors.js';

/** What a socket needs from the host it is bound on. */
export interface SocketOwner {
  /** Puts a packet on the host's uplink. */
  transmit(packet: Packet): void;
  /** Frees the socket's address and port. */
  unbind(socket: VirtualUdpSocket): void;
}

export class VirtualUdpSocket extends BaseDatagramTransport {
  readonly #owner: SocketOwner;
  readonly #context: NetworkContext;

  /** @internal Sockets are made by `VirtualHost.bind()`. */
  constructor(
    owner: SocketOwner,
    context: NetworkContext,
    override readonly localAddress: SocketAddress,
    remoteAddress: SocketAddress | undefined,
  ) {
    super('virtual UDP socket', remoteAddress);
    this.#owner = owner;
    this.#context = context;
  }

  /**
   * Copies `data` (the bytes on the wire are the sender's no longer) and puts it on the host's
   * uplink. Delivery happens later, from a scheduler timer, never inside this call.
   */
  protected override transmit(data: Uint8Array, destination: SocketAddress): void {
    const family = addressFamily(destination.address);
    if (family !== this.localAddress.family) {
      throw new AddressFamilyMismatchError(this.localAddress, destination.address);
    }
    checkPort(destination.port);
    const address = family === 'IPv6' ? canonicalAddress(destination.address) : destination.address;
    this.#owner.transmit({
      src: this.localAddress,
      dst: { address, port: destination.port, family },
      data: new Uint8Array(data),
    });
  }

  protected override release(): void {
    this.#owner.unbind(this);
  }

  /** @internal A packet addressed to this socket came off the host's downlink. */
  receive(packet: Packet): void {
    if (!this.acceptsFrom(packet.src)) {
      this.#context.drop(packet, 'not-from-remote', formatSocketAddress(this.localAddress));
      return;
    }
    // Trace first: once emitted, the bytes are the listener's to change.
    this.#context.delivered(packet);
    this.emitDatagram(packet.data, packet.src);
  }
}
