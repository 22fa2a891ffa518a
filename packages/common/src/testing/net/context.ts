/**
 * The plumbing every part of the network shares: the packet in flight, why packets get dropped,
 * and the services (time, seeded randomness, accounting) the `VirtualNetwork` hands its parts.
 */

import type { Scheduler } from '../../time/clock.js';
import type { SocketAddress } from '../../transport/datagram.js';
import type { SeededRandom } from '../random.js';

/** A UDP datagram on the wire. NATs rewrite addresses by making a new `Packet`. */
export interface Packet {
  readonly src: SocketAddress;
  readonly dst: SocketAddress;
  /** A private copy made by the sender's `send()`: nothing else holds these bytes. */
  readonly data: Uint8Array;
}

export type DropReason =
  /** Random loss on a link (`LinkConditions.loss`). */
  | 'loss'
  /** Larger than the link's `mtu`. */
  | 'mtu'
  /** The link's bottleneck buffer (`queueBytes`) was full. */
  | 'queue-full'
  /** No host or NAT owns the destination address in the realm, and no NAT leads out of it. */
  | 'no-route'
  /** Nothing bound to the destination port, or the socket was closed. */
  | 'no-socket'
  /** A connected socket got a datagram from someone other than its remote. */
  | 'not-from-remote'
  /** Inbound to a NAT port that has no live mapping (never made, or timed out). */
  | 'nat-no-mapping'
  /** Inbound refused by the NAT's filtering behaviour (RFC 4787 §5). */
  | 'nat-filtered'
  /** Sent to the NAT's own public address by a NAT that does not hairpin (RFC 4787 §6). */
  | 'nat-no-hairpin'
  /** The NAT had no free external port left for a new mapping. */
  | 'nat-ports-exhausted';

export const dropReasons: readonly DropReason[] = [
  'loss',
  'mtu',
  'queue-full',
  'no-route',
  'no-socket',
  'not-from-remote',
  'nat-no-mapping',
  'nat-filtered',
  'nat-no-hairpin',
  'nat-ports-exhausted',
];

export interface NetworkContext {
  readonly scheduler: Scheduler;
  /** A generator for one part of the network, so adding a part leaves the others' streams alone. */
  random(label: string): SeededRandom;
  /** Reserves a host or NAT name; names label random streams, so they must be unique. */
  claimName(name: string): void;
  /** Accounts for a packet dropped by `where` (a link, host or NAT name). */
  drop(packet: Packet, reason: DropReason, where: string): void;
  /** Accounts for a packet handed to a socket's listeners. */
  delivered(packet: Packet): void;
}
