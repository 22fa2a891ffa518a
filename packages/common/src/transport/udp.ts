/**
 * `DatagramTransport` over a `node:dgram` UDP socket: the production binding for every layer
 * that runs over datagrams.
 */

import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { ClosedError, TypeRtcError } from '../errors.js';
import { Emitter } from '../events.js';
import { createLogger } from '../logger.js';
import type {
  AddressFamily,
  DatagramTransport,
  DatagramTransportEvents,
  SocketAddress,
} from './datagram.js';
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
   * Connects the transport: `send(data)` goes here, and datagrams from anywhere else are dropped
   * and counted (`stats.droppedFromOthers`), as a connected UDP socket would.
   */
  readonly remote?: SocketAddress;
  readonly receiveBufferSize?: number;
  readonly sendBufferSize?: number;
}

export interface UdpTransportStats {
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

export class UdpTransport implements DatagramTransport {
  readonly #socket: Socket;
  readonly #events = new Emitter<DatagramTransportEvents>();
  #closed = false;
  readonly localAddress: SocketAddress;
  readonly remoteAddress: SocketAddress | undefined;
  readonly stats: UdpTransportStats = {
    datagramsSent: 0,
    bytesSent: 0,
    datagramsReceived: 0,
    bytesReceived: 0,
    droppedFromOthers: 0,
  };

  /** Binds a UDP socket and resolves once it is listening. */
  static bind(options: UdpTransportOptions = {}): Promise<UdpTransport> {
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
        socket.off('error', onBindError);
        resolve(new UdpTransport(socket, options.remote));
      });
    });
  }

  private constructor(socket: Socket, remote: SocketAddress | undefined) {
    this.#socket = socket;
    const bound = socket.address();
    this.localAddress = {
      address: bound.address,
      port: bound.port,
      family: bound.family === 'IPv6' ? 'IPv6' : 'IPv4',
    };
    this.remoteAddress = remote;
    socket.on('message', (message: Buffer, from: RemoteInfo) => this.#receive(message, from));
    socket.on('error', (error) => {
      log.debug('%s socket error: %s', formatSocketAddress(this.localAddress), error.message);
      this.#events.emit('error', error);
    });
    socket.on('close', () => this.#finishClose());
  }

  get closed(): boolean {
    return this.#closed;
  }

  send(data: Uint8Array, to?: SocketAddress): void {
    if (this.#closed) throw new ClosedError('UDP transport');
    const destination = to ?? this.remoteAddress;
    if (destination === undefined) throw new NoDestinationError();
    this.stats.datagramsSent++;
    this.stats.bytesSent += data.byteLength;
    this.#socket.send(data, destination.port, destination.address);
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
    this.#socket.close();
    this.#finishClose();
  }

  #receive(message: Buffer, from: RemoteInfo): void {
    // A RemoteInfo already has the SocketAddress shape; passing it on allocates nothing more.
    if (this.remoteAddress !== undefined && !sameSocketAddress(from, this.remoteAddress)) {
      this.stats.droppedFromOthers++;
      return;
    }
    this.stats.datagramsReceived++;
    this.stats.bytesReceived += message.byteLength;
    this.#events.emit('datagram', message, from);
  }

  #finishClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#events.emit('close');
    this.#events.removeAllListeners();
  }
}
