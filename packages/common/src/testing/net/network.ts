/**
 * The in-memory network: a public realm (the internet) of hosts and NATs, each NAT with a private
 * realm of its own, every packet carried over simulated links. Time comes from a `Scheduler`
 * (`ManualClock` in tests) and every random choice from a generator seeded by `seed`, so the same
 * seed and the same calls give the same run, packet for packet.
 *
 *     const clock = new ManualClock();
 *     const net = new VirtualNetwork(clock, { seed: 7 });
 *     const server = net.addHost({ name: 'server', addresses: ['203.0.113.1'] });
 *     const home = net.addNat({ name: 'home', publicAddress: '198.51.100.7' }); // EIM + APDF
 *     const laptop = home.addHost({ name: 'laptop', addresses: ['192.168.1.2'] });
 *     const socket = laptop.bind(); // a DatagramTransport
 */

import { Emitter } from '../../events.js';
import type { Scheduler } from '../../time/clock.js';
import type { SocketAddress } from '../../transport/datagram.js';
import { SeededRandom } from '../random.js';
import { type DropReason, dropReasons, type NetworkContext, type Packet } from './context.js';
import { VirtualNetworkError } from './errors.js';
import type { HostOptions, VirtualHost } from './host.js';
import type { NatOptions, VirtualNat } from './nat.js';
import { Realm } from './realm.js';

export interface NetworkOptions {
  /** Seeds every random choice the network makes; default 0. */
  readonly seed?: number;
}

/** A datagram handed to a socket's listeners. */
export interface PacketDelivery {
  readonly time: number;
  /** The sender as the receiver sees it (after any NAT). */
  readonly from: SocketAddress;
  readonly to: SocketAddress;
  /** A copy: listeners of the socket may change their bytes. */
  readonly data: Uint8Array;
}

/** A datagram the network dropped. */
export interface PacketDrop {
  readonly time: number;
  readonly from: SocketAddress;
  readonly to: SocketAddress;
  readonly size: number;
  readonly reason: DropReason;
  /** The link, host, NAT, socket or realm that dropped it. */
  readonly where: string;
}

export interface VirtualNetworkEvents {
  deliver: (delivery: PacketDelivery) => void;
  drop: (drop: PacketDrop) => void;
}

export interface NetworkStats {
  /** Datagrams handed to sockets, network-wide. */
  delivered: number;
  /** Datagrams dropped, network-wide, by reason. */
  dropped: Record<DropReason, number>;
}

export class VirtualNetwork {
  readonly seed: number;
  readonly stats: NetworkStats;
  readonly #events = new Emitter<VirtualNetworkEvents>();
  readonly #internet: Realm;

  constructor(
    readonly scheduler: Scheduler,
    options: NetworkOptions = {},
  ) {
    this.seed = options.seed ?? 0;
    const dropped = {} as Record<DropReason, number>;
    for (const reason of dropReasons) dropped[reason] = 0;
    this.stats = { delivered: 0, dropped };
    const random = new SeededRandom(this.seed);
    const names = new Set<string>();
    const context: NetworkContext = {
      scheduler,
      random: (label) => random.fork(label),
      claimName: (name) => {
        if (names.has(name)) {
          throw new VirtualNetworkError(`name ${name} is already taken`, 'DUPLICATE_NAME');
        }
        names.add(name);
      },
      drop: (packet, reason, where) => this.#drop(packet, reason, where),
      delivered: (packet) => this.#delivered(packet),
    };
    this.#internet = new Realm(context, 'internet');
  }

  /** Adds a host with public addresses. */
  addHost(options: HostOptions): VirtualHost {
    return this.#internet.addHost(options);
  }

  /** Adds a NAT whose public address is on the internet; put hosts behind it with its `addHost`. */
  addNat(options: NatOptions): VirtualNat {
    return this.#internet.addNat(options);
  }

  /** Observes every delivery or drop, for traces and assertions. Returns the remover. */
  on<K extends keyof VirtualNetworkEvents>(
    event: K,
    listener: VirtualNetworkEvents[K],
  ): () => void {
    return this.#events.on(event, listener);
  }

  off<K extends keyof VirtualNetworkEvents>(event: K, listener: VirtualNetworkEvents[K]): void {
    this.#events.off(event, listener);
  }

  #drop(packet: Packet, reason: DropReason, where: string): void {
    this.stats.dropped[reason]++;
    if (this.#events.listenerCount('drop') === 0) return;
    this.#events.emit('drop', {
      time: this.scheduler.now(),
      from: packet.src,
      to: packet.dst,
      size: packet.data.byteLength,
      reason,
      where,
    });
  }

  #delivered(packet: Packet): void {
    this.stats.delivered++;
    if (this.#events.listenerCount('deliver') === 0) return;
    this.#events.emit('deliver', {
      time: this.scheduler.now(),
      from: packet.src,
      to: packet.dst,
      data: new Uint8Array(packet.data),
    });
  }
}
