/**
 * The connection from a TURN client to its server (RFC 8656 §3.1): a connected `node:dgram`
 * socket, a `node:net` TCP connection or a `node:tls` one. It hands the client whole messages:
 * datagrams as they come, stream bytes cut into STUN messages and ChannelData by
 * `StreamFramer` (RFC 8489 §6.2.2, RFC 8656 §12.5).
 */

import { createSocket, type Socket as DatagramSocket } from 'node:dgram';
import { connect as netConnect, type Socket as StreamSocket } from 'node:net';
import { type ConnectionOptions, connect as tlsConnect } from 'node:tls';
import type { SocketAddress } from '@typertc/common';
import { StunParseError } from '../errors.js';
import { StreamFramer } from '../stream-framer.js';
import type { TurnServerTransport } from './turn-types.js';

export interface ServerLinkHandlers {
  /** One STUN message or ChannelData frame from the server. */
  message(bytes: Uint8Array): void;
  /**
   * A socket error. `fatal` for stream errors and framing errors, after which the connection is
   * gone (`closed` follows); datagram errors (an ICMP unreachable, say) are not fatal.
   */
  error(error: Error, fatal: boolean): void;
  /** The connection is gone. */
  closed(): void;
}

export interface ServerLink {
  /**
   * Sends one message; does nothing once the link is closing. Relayed data may be dropped (and
   * counted in `dropped`) when a stream is not draining.
   */
  write(bytes: Uint8Array): void;
  /** Relayed data messages dropped because the connection to the server was not draining. */
  readonly dropped: number;
  /** Releases the socket once what was written has gone out. */
  close(): void;
}

/** Opens the link and resolves once it can carry messages (connected, TLS handshake done). */
/** How much a TCP/TLS connection may hold unsent before relayed data is dropped. */
const MAX_BUFFERED_BYTES = 1 << 20;
/** How long `close()` waits for the deallocating Refresh to drain before destroying. */
const CLOSE_GRACE_MS = 1_000;

/** ChannelData (first two bits 01, RFC 8656 §12.4) or a STUN indication (Send). */
function isRelayedData(bytes: Uint8Array): boolean {
  const first = bytes[0] as number;
  if ((first & 0xc0) === 0x40) return true;
  // RFC 8489 §5: the class bits C1 (0x0100) and C0 (0x0010); 01 is an indication.
  const type = (first << 8) | (bytes[1] as number);
  return (type & 0x0110) === 0x0010;
}

export function openServerLink(
  transport: TurnServerTransport,
  server: SocketAddress,
  tls: ConnectionOptions | undefined,
  handlers: ServerLinkHandlers,
): Promise<ServerLink> {
  if (transport === 'udp') return openDatagramLink(server, handlers);
  const socket =
    transport === 'tcp'
      ? netConnect({ host: server.address, port: server.port })
      : tlsConnect({ host: server.address, port: server.port, ...tls });
  return openStreamLink(socket, transport === 'tcp' ? 'connect' : 'secureConnect', handlers);
}

function openDatagramLink(
  server: SocketAddress,
  handlers: ServerLinkHandlers,
): Promise<ServerLink> {
  const socket = createSocket(server.family === 'IPv6' ? 'udp6' : 'udp4');
  return new Promise((resolve, reject) => {
    const onConnectError = (error: Error): void => {
      socket.close();
      reject(error);
    };
    socket.once('error', onConnectError);
    // A connected socket only receives from the server, and sends need no address.
    socket.connect(server.port, server.address, () => {
      socket.off('error', onConnectError);
      resolve(new DatagramLink(socket, handlers));
    });
  });
}

class DatagramLink implements ServerLink {
  /** UDP sends are never held back: the network drops instead. */
  readonly dropped = 0;
  readonly #socket: DatagramSocket;
  #inFlight = 0;
  #closing = false;
  /** One callback for every send, not a closure per datagram. */
  readonly #onSent = (): void => {
    this.#inFlight--;
    if (this.#closing && this.#inFlight === 0) this.#socket.close();
  };

  constructor(socket: DatagramSocket, handlers: ServerLinkHandlers) {
    this.#socket = socket;
    socket.on('message', (message: Buffer) => handlers.message(message));
    socket.on('error', (error) => handlers.error(error, false));
    socket.on('close', () => handlers.closed());
  }

  write(bytes: Uint8Array): void {
    if (this.#closing) return;
    this.#inFlight++;
    this.#socket.send(bytes, this.#onSent);
  }

  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    if (this.#inFlight === 0) this.#socket.close();
  }
}

function openStreamLink(
  socket: StreamSocket,
  readyEvent: 'connect' | 'secureConnect',
  handlers: ServerLinkHandlers,
): Promise<ServerLink> {
  return new Promise((resolve, reject) => {
    const onConnectError = (error: Error): void => {
      socket.destroy();
      reject(error);
    };
    socket.once('error', onConnectError);
    socket.once(readyEvent, () => {
      socket.off('error', onConnectError);
      resolve(new StreamLink(socket, handlers));
    });
  });
}

class StreamLink implements ServerLink {
  readonly #socket: StreamSocket;
  readonly #framer = new StreamFramer();
  #closing = false;
  dropped = 0;

  constructor(socket: StreamSocket, handlers: ServerLinkHandlers) {
    this.#socket = socket;
    // Small messages (a Refresh, a ChannelData) should not wait for Nagle's algorithm.
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      if (this.#closing) return;
      try {
        this.#framer.push(chunk);
        for (let frame = this.#framer.next(); frame; frame = this.#framer.next()) {
          handlers.message(frame);
          if (this.#closing) return;
        }
      } catch (error) {
        if (!(error instanceof StunParseError)) throw error;
        // Nothing says where the next message would start: the stream is lost.
        handlers.error(error, true);
        this.#closing = true;
        socket.destroy();
      }
    });
    socket.on('error', (error) => handlers.error(error, true));
    socket.on('close', () => handlers.closed());
  }

  write(bytes: Uint8Array): void {
    if (this.#closing) return;
    // A stream that stops draining would queue without limit: past the bound, relayed data
    // (ChannelData, first bits 01; indications) is dropped like a congested UDP path drops it,
    // while requests — the Refresh that keeps the allocation — still go.
    if (this.#socket.writableLength > MAX_BUFFERED_BYTES && isRelayedData(bytes)) {
      this.dropped++;
      return;
    }
    this.#socket.write(bytes);
  }

  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    // Flush what was written (the deallocating Refresh), then let go of the socket — at the
    // latest after a grace period, should the server have stopped reading.
    const socket = this.#socket;
    const deadline = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
    deadline.unref();
    socket.end(() => {
      clearTimeout(deadline);
      socket.destroy();
    });
  }
}
