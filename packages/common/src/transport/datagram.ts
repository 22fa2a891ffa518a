/**
 * The seam every datagram protocol runs over: a UDP socket, an ICE transport, a DTLS transport,
 * or a host on the in-memory network all offer this shape, so DTLS can be tested straight
 * against OpenSSL and SCTP straight over a lossy simulated link (DESIGN.md, principle 2).
 */

export type AddressFamily = 'IPv4' | 'IPv6';

export interface SocketAddress {
  readonly address: string;
  readonly port: number;
  readonly family: AddressFamily;
}

export interface DatagramTransportEvents {
  /**
   * One datagram arrived. `data` belongs to the listener: the transport never reuses it, and
   * the listener may keep or overwrite it. It is a plain Uint8Array, never a Node Buffer
   * (whose slice() does not copy). `from` is the sender's address as seen by this transport.
   */
  datagram: (data: Uint8Array, from: SocketAddress) => void;
  /** The transport closed, by `close()` or because the layer below went away. */
  close: () => void;
  /** A non-fatal error from the layer below (an ICMP error reported by the socket, say). */
  error: (error: Error) => void;
}

export interface DatagramTransport {
  /** Where this transport receives. */
  readonly localAddress: SocketAddress;
  /** The peer `send(data)` goes to when no address is given; undefined if not connected. */
  readonly remoteAddress: SocketAddress | undefined;
  readonly closed: boolean;

  /**
   * Sends one datagram. The transport may still read `data` after returning (a socket sends
   * asynchronously), so the caller hands the bytes over and must not modify them afterwards.
   * Throws `ClosedError` after `close()`, and a `TypeRtcError` when no destination is known.
   */
  send(data: Uint8Array, to?: SocketAddress): void;

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof DatagramTransportEvents>(
    event: K,
    listener: DatagramTransportEvents[K],
  ): () => void;

  off<K extends keyof DatagramTransportEvents>(
    event: K,
    listener: DatagramTransportEvents[K],
  ): void;

  /** Stops sending and receiving and emits `close` once; further calls do nothing. */
  close(): void;
}

/** Whether two socket addresses name the same endpoint. */
export function sameSocketAddress(a: SocketAddress, b: SocketAddress): boolean {
  return a.port === b.port && a.address === b.address && a.family === b.family;
}

/** `1.2.3.4:5` or `[::1]:5`. */
export function formatSocketAddress(address: SocketAddress): string {
  return address.family === 'IPv6'
    ? `[${address.address}]:${address.port}`
    : `${address.address}:${address.port}`;
}
