/**
 * What a `TurnClient` is configured with and what it reports: options, states, events and the
 * counters of what it dropped.
 */

import type { AddressFamily, SocketAddress } from '@typertc/common';
import type { StunError } from '../errors.js';

/** How the client reaches the TURN server (RFC 8656 §3.1); the relayed transport is UDP. */
export type TurnServerTransport = 'udp' | 'tcp' | 'tls';

export interface TurnClientOptions {
  readonly transport: TurnServerTransport;
  /** Long-term credentials (RFC 8489 §9.2). */
  readonly username: string;
  readonly password: string;
  /**
   * REQUESTED-ADDRESS-FAMILY of the relayed address (RFC 8656 §7.1). When absent the attribute
   * is not sent and the server allocates IPv4, which also keeps RFC 5766 servers (that do not
   * know the attribute) working.
   */
  readonly requestedFamily?: AddressFamily;
  /** The allocation lifetime asked for, in seconds (default 600, RFC 8656 §7.2). */
  readonly lifetime?: number;
  /** SOFTWARE sent in every request (RFC 8489 §14.14). */
  readonly software?: string;
  /** Initial retransmission timeout over UDP, ms (RFC 8489 §6.2.1; default 500). */
  readonly rto?: number;
  /**
   * Datagrams `sendTo` keeps per peer address while its permission is being installed; beyond
   * it they are dropped and counted in `counters.droppedQueued`. Default 64.
   */
  readonly maxQueuedPerPeer?: number;
}

/**
 * `new` until `start`; `allocating` until the Allocate succeeds; `allocated` while the relay is
 * usable; `closing` while the deallocating Refresh is in flight; `closed` (by `close`) and
 * `failed` (the allocation could not be made or kept) are final.
 */
export type TurnClientState = 'new' | 'allocating' | 'allocated' | 'closing' | 'closed' | 'failed';

export type TurnEvent =
  /** The Allocate succeeded (RFC 8656 §7.3). `lifetime` in seconds, as granted. */
  | {
      readonly type: 'allocated';
      readonly relayed: SocketAddress;
      /** The server-reflexive address (XOR-MAPPED-ADDRESS); undefined if the server left it out. */
      readonly mapped: SocketAddress | undefined;
      readonly lifetime: number;
    }
  /** Application data a peer sent to the relayed address (Data indication or ChannelData). */
  | { readonly type: 'data'; readonly peer: SocketAddress; readonly data: Uint8Array }
  /** A Refresh succeeded; `lifetime` in seconds, as granted. */
  | { readonly type: 'refreshed'; readonly lifetime: number }
  /** A permission for the peer's IP address was installed (RFC 8656 §9). */
  | { readonly type: 'permission'; readonly peer: SocketAddress }
  /** CreatePermission failed (e.g. 403 Forbidden); data queued for the peer was dropped. */
  | { readonly type: 'permission-failed'; readonly peer: SocketAddress; readonly error: StunError }
  /** A channel was bound to the peer (RFC 8656 §12). */
  | { readonly type: 'channel'; readonly peer: SocketAddress; readonly channel: number }
  /** ChannelBind failed; data to the peer keeps going in Send indications. */
  | {
      readonly type: 'channel-failed';
      readonly peer: SocketAddress;
      readonly channel: number;
      readonly error: StunError;
    }
  /** The allocation could not be made or was lost; the client is `failed`. */
  | { readonly type: 'failed'; readonly error: StunError }
  /** `close` finished: the allocation was released (or the attempt to release it ended). */
  | { readonly type: 'closed' };

/** Input the client dropped, by reason. Every drop is counted, none is thrown. */
export interface TurnCounters {
  /** Bytes that were neither a well-formed STUN message nor ChannelData, or a response lacking what it must carry. */
  droppedParse: number;
  /** Messages whose FINGERPRINT did not match (RFC 8489 §7.3). */
  droppedFingerprint: number;
  /** Responses to authenticated requests whose MESSAGE-INTEGRITY(-SHA256) did not verify (RFC 8489 §9.2.5). */
  droppedIntegrity: number;
  /** Data from a peer without a permission, or ChannelData on a channel not bound. */
  droppedData: number;
  /** Responses matching no outstanding request (late duplicates, strays) and unexpected messages. */
  droppedUnmatched: number;
  /** Datagrams `sendTo` could not queue (queue full) or had queued for a permission that failed. */
  droppedQueued: number;
}
