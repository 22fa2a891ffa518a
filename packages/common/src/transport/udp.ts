/**
 * `DatagramTransport` over a `node:dgram` UDP socket: the production binding for every layer
 * that runs over datagrams.
 */

import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { createLogger } from '../logger.js';
import { BaseDatagramTransport } from './base.js';
import type { AddressFamily, SocketAddress } from './datagram.js';
import { formatSocketAddress, sameSocketAddress } from './datagram.js';

const log = createLogger('udp');

export interface UdpTransportOptions {
  /** Default IPv4. */
  readonly family?: AddressFamily;
  /** Local address to bind; default all interfaces of the family. */
  readonly address?: string;
  /** Local port; default 0, an ephemeral port chosen by the OS. */
  readonly port?: number;
  /**
   * Connects the transport — and the socket (`connect(2)`): `send(data)` goes here without an
   * address lookup per datagram, and datagrams from anywhere else are dropped by the kernel.
   */
  readonly remote?: SocketAddress;
  readonly receiveBufferSize?: number;
  readonly sendBufferSize?: number;
}

export class UdpTransport extends BaseDatagramTransport {
  readonly #socket: Socket;
  override readonly localAddress: SocketAddress;

  /** Binds a UDP socket and resolves once it is listening. (Named `open`, not `bind`: a static `bind` would shadow `Function.prototype.bind`.) */
  static open(options: UdpTransportOptions = {}): Promise<UdpTransport> {
    const family = options.family ?? 'IPv4';
    const socket = createSocket({
      type: family === 'IPv6' ? 'udp6' : 'udp4',
      ...(options.receiveBufferSize === undefined
        ? {}
        : { recvBufferSize: options.receiveBufferSize }),
      ...(options.sendBufferSize === undefined ? {} : { sendBufferSize: options.sendBufferSize }),
    });
    return new Promise((resolve, reject) => {
      const onBindError = (error: Error): void => {
        socket.close();
        reject(error);
      };
      socket.once('error', onBindError);
      socket.bind(options.port ?? 0, options.address, () => {
        const remote = options.remote;
        if (remote === undefined) {
          socket.off('error', onBindError);
          resolve(new UdpTransport(socket, undefined));
          return;
        }
        // A connected socket sends without an address lookup per datagram (Node resolves even
        // a literal asynchronously), and the kernel filters other senders too.
        socket.connect(remote.port, remote.address, () => {
          socket.off('error', onBindError);
          resolve(new UdpTransport(socket, remote));
        });
      });
    });
  }

  private constructor(socket: Socket, remote: SocketAddress | undefined) {
    super('UDP transport', remote);
    this.#socket = socket;
    const bound = socket.address();
    this.localAddress = {
      address: bound.address,
      port: bound.port,
      family: bound.family === 'IPv6' ? 'IPv6' : 'IPv4',
    };
    // A RemoteInfo already has the SocketAddress shape; passing it on allocates nothing more.
    socket.on('message', (message: Buffer, from: RemoteInfo) => {
      if (!this.acceptsFrom(from)) return;
      // Handed on as a plain Uint8Array over the same memory: a Buffer's slice() aliases, and
      // the layers above rely on Uint8Array's, which copies.
      this.emitDatagram(new Uint8Array(message.buffer, message.byteOffset, message.length), from);
    });
    socket.on('error', (error) => {
      log.debug('%s socket error: %s', formatSocketAddress(this.localAddress), error.message);
      this.emitError(error);
    });
    socket.on('close', () => this.closedByMedium());
  }

  protected override transmit(data: Uint8Array, destination: SocketAddress): void {
    const remote = this.remoteAddress;
    if (remote !== undefined && sameSocketAddress(destination, remote)) this.#socket.send(data);
    else this.#socket.send(data, destination.port, destination.address);
  }

  protected override release(): void {
    this.#socket.close();
  }
}
