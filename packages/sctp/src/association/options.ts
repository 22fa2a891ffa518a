/** What an `SctpAssociation` is configured with, its defaults, and what it reports. */

import type { SctpStreamEvent } from '../datachannel/stream-transport.js';
import { SctpError } from '../errors.js';

export interface SctpAssociationOptions {
  /** SCTP ports (RFC 8841 `a=sctp-port`); default 5000 both. */
  readonly localPort?: number;
  readonly remotePort?: number;
  /**
   * Largest message accepted from the peer and sent to it (RFC 8841 `a=max-message-size`);
   * default 256 KiB. Up to 16 MiB and more: reassembly is bounded by `receiveWindow` too.
   */
  readonly maxMessageSize?: number;
  /** Bytes of SCTP packet per datagram (RFC 8261 §5: below the DTLS path MTU); default 1200. */
  readonly mtu?: number;
  /**
   * Our receiver window a_rwnd (RFC 9260 §6.2); default 1 MiB, and never less than
   * `maxMessageSize`: a message is reassembled whole within the window.
   */
  readonly receiveWindow?: number;
  /** Streams we open and accept (RFC 9260 §5.1.1); default 65535 both, as WebRTC peers do. */
  readonly streams?: number;
  /**
   * RTO bounds (RFC 9260 §6.3.1, §16): initial 1 s and max 60 s as the RFC has them; the
   * minimum defaults to 200 ms instead of 1 s, as WebRTC implementations run (a data channel
   * on a 20 ms path should not wait a second to repair a loss).
   */
  readonly rtoInitialMs?: number;
  readonly rtoMinMs?: number;
  readonly rtoMaxMs?: number;
  /** Delayed SACK (RFC 9260 §6.2: at most 500 ms); default 200 ms. */
  readonly delayedAckMs?: number;
  /** Idle heartbeats (RFC 9260 §8.3, HB.interval); default 30 s. */
  readonly heartbeatIntervalMs?: number;
  /** Association.Max.Retrans (RFC 9260 §8.1, §16); default 10. */
  readonly maxRetransmissions?: number;
  /** Max.Init.Retransmits (RFC 9260 §16); default 8. */
  readonly maxInitRetransmissions?: number;
  /**
   * RFC 9653: the packets travel inside DTLS (RFC 8261), whose authentication covers more than
   * the CRC-32c, so offer to skip the checksum, and skip it when the peer offers too. Only for
   * a DTLS transport; default false.
   */
  readonly zeroChecksum?: boolean;
}

export interface ResolvedSctpOptions {
  readonly localPort: number;
  readonly remotePort: number;
  readonly maxMessageSize: number;
  readonly mtu: number;
  readonly receiveWindow: number;
  readonly streams: number;
  readonly rtoInitialMs: number;
  readonly rtoMinMs: number;
  readonly rtoMaxMs: number;
  readonly delayedAckMs: number;
  readonly heartbeatIntervalMs: number;
  readonly maxRetransmissions: number;
  readonly maxInitRetransmissions: number;
  readonly zeroChecksum: boolean;
}

function positiveInteger(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new SctpError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}

export function resolveSctpOptions(options: SctpAssociationOptions): ResolvedSctpOptions {
  return {
    localPort: positiveInteger('localPort', options.localPort ?? 5000, 1, 65535),
    remotePort: positiveInteger('remotePort', options.remotePort ?? 5000, 1, 65535),
    maxMessageSize: positiveInteger(
      'maxMessageSize',
      options.maxMessageSize ?? 256 * 1024,
      1,
      2 ** 30,
    ),
    mtu: positiveInteger('mtu', options.mtu ?? 1200, 256, 65507),
    receiveWindow: Math.max(
      positiveInteger('receiveWindow', options.receiveWindow ?? 1024 * 1024, 1500, 2 ** 31),
      options.maxMessageSize ?? 0,
    ),
    streams: positiveInteger('streams', options.streams ?? 65535, 1, 65535),
    rtoInitialMs: options.rtoInitialMs ?? 1000,
    rtoMinMs: options.rtoMinMs ?? 200,
    rtoMaxMs: options.rtoMaxMs ?? 60_000,
    delayedAckMs: options.delayedAckMs ?? 200,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 30_000,
    maxRetransmissions: options.maxRetransmissions ?? 10,
    maxInitRetransmissions: options.maxInitRetransmissions ?? 8,
    zeroChecksum: options.zeroChecksum ?? false,
  };
}

/** W3C-ish states of the association: RFC 9260 §4's states, coarsened. */
export type SctpState =
  | 'closed'
  | 'cookie-wait'
  | 'cookie-echoed'
  | 'established'
  | 'shutdown-pending'
  | 'shutdown-sent'
  | 'shutdown-received'
  | 'shutdown-ack-sent';

/**
 * What the association reports through `pollEvent()`: exactly the stream events the data
 * channel layer consumes (`SctpStreamEvent`), defined once there.
 */
export type SctpEvent = SctpStreamEvent;
