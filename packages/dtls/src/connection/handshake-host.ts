/**
 * What the client and server handshakes need from the connection that runs them: the options,
 * the shared `HandshakeContext`, our message sequence numbers and flights, the record keys, and
 * the peer certificate check (which may wait for the remote fingerprints).
 */

import type { PeerCertificate } from '../certificate/signature.js';
import type { FlightItem } from './flight.js';
import type { HandshakeContext } from './handshake-context.js';
import type { ResolvedOptions } from './options.js';

export interface HandshakeHost {
  readonly options: ResolvedOptions;
  readonly context: HandshakeContext;
  /**
   * Server: a ClientHello with a valid cookie starts the handshake; our messages answer with its
   * message_seq (RFC 6347 §4.2.2) and the client's next one follows it.
   */
  beginHandshake(clientHelloSeq: number): void;
  /** A message of ours: takes the next message_seq and enters the transcript. */
  message(msgType: number, body: Uint8Array, epoch?: number): FlightItem;
  /** Sends a flight (and keeps it for retransmission unless `final`). */
  sendFlight(items: readonly FlightItem[], final: boolean, now: number): void;
  /** Derives the record keys: the peer's epoch 1 can be read from now on. */
  installReadKeys(): void;
  /** Our ChangeCipherSpec: what we send from now on is epoch 1. */
  installWriteKeys(): void;
  /** The peer's certificate, to check against the remote fingerprints (now or when given). */
  checkPeerCertificate(peer: PeerCertificate): void;
  /** Both Finished messages verified. */
  complete(): void;
}
