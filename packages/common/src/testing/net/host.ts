/**
 * A machine with one or more IP addresses in a realm (the internet, or a NAT's private side),
 * reached over its own link. Sockets bind to one of its addresses.
 */

import {
  type AddressFamily,
  formatSocketAddress,
  type SocketAddress,
} from '../../transport/datagram.js';
import { addressFamily, canonicalAddress, checkPort } from './address.js';
import type { NetworkContext, Packet } from './context.js';
import { AddressInUseError, AddressNotAvailableError } from './errors.js';
import {
  type DuplexLinkConditions,
  duplexConditions,
  type LinkConditions,
  VirtualLink,
} from './link.js';
import { type SocketOwner, VirtualUdpSocket } from './socket.js';

export interface HostOptions {
  /** Unique in the network; it labels the host's random streams and its drops. */
  readonly name: string;
  /** IPv4 and/or IPv6 addresses, unique within the realm. */
  readonly addresses: readonly string[];
  /** Conditions of the host's link; one set for both directions, or `{ up, down }`. */
  readonly link?: LinkConditions | DuplexLinkConditions;
}

export interface BindOptions {
  /** One of the host's addresses; default the first of `family`. Wildcards are not modelled. */
  readonly address?: string;
  /** Default 0: the next free port of the dynamic range 49152-65535 (RFC 6335 §6), in order. */
  readonly port?: number;
  /** Default the family of `address`, else IPv4. */
  readonly family?: AddressFamily;
  /** Connects the socket: `send(data)` goes here and datagrams from anyone else are dropped. */
  readonly remote?: SocketAddress;
}

export interface HostStats {
  /** Datagrams for a port nothing is bound to (a real host would answer ICMP port unreachable). */
  droppedNoSocket: number;
}

const firstEphemeralPort = 49152;
const lastEphemeralPort = 65535;

export class VirtualHost {
  readonly name: string;
  readonly addresses: readonly string[];
  /** From the host into its realm. */
  readonly uplink: VirtualLink;
  /** From the realm to the host. */
  readonly downlink: VirtualLink;
  readonly stats: HostStats = { droppedNoSocket: 0 };
  readonly #context: NetworkContext;
  readonly #sockets = new Map<string, VirtualUdpSocket>();
  readonly #owner: SocketOwner;
  #nextEphemeralPort = firstEphemeralPort;

  /** @internal Hosts are made by `VirtualNetwork.addHost()` and `VirtualNat.addHost()`. */
  constructor(context: NetworkContext, options: HostOptions, route: (packet: Packet) => void) {
    this.#context = context;
    this.name = options.name;
    this.addresses = [...options.addresses];
    const { up, down } = duplexConditions(options.link);
    this.uplink = new VirtualLink(context, `${this.name} up`, up, route);
    this.downlink = new VirtualLink(context, `${this.name} down`, down, (packet) =>
      this.#receive(packet),
    );
    this.#owner = {
      transmit: (packet) => this.uplink.transmit(packet),
      unbind: (socket) => this.#sockets.delete(formatSocketAddress(socket.localAddress)),
    };
  }

  /** Opens a UDP socket. Throws `AddressInUseError` if the address and port are taken. */
  bind(options: BindOptions = {}): VirtualUdpSocket {
    const address = this.#localAddress(options);
    const family = addressFamily(address);
    const port =
      options.port === undefined || options.port === 0
        ? this.#ephemeralPort(address, family)
        : options.port;
    checkPort(port);
    const local: SocketAddress = { address, port, family };
    const key = formatSocketAddress(local);
    if (this.#sockets.has(key)) throw new AddressInUseError(local);
    const remote =
      options.remote === undefined
        ? undefined
        : { ...options.remote, address: canonicalAddress(options.remote.address) };
    const socket = new VirtualUdpSocket(this.#owner, this.#context, local, remote);
    this.#sockets.set(key, socket);
    return socket;
  }

  #localAddress(options: BindOptions): string {
    if (options.address !== undefined) {
      const address = canonicalAddress(options.address);
      if (!this.addresses.includes(address)) {
        throw new AddressNotAvailableError(this.name, options.address);
      }
      if (options.family !== undefined && addressFamily(address) !== options.family) {
        throw new AddressNotAvailableError(this.name, `${address} of family ${options.family}`);
      }
      return address;
    }
    const family = options.family ?? 'IPv4';
    const address = this.addresses.find((candidate) => addressFamily(candidate) === family);
    if (address === undefined) throw new AddressNotAvailableError(this.name, `of family ${family}`);
    return address;
  }

  #ephemeralPort(address: string, family: AddressFamily): number {
    const count = lastEphemeralPort - firstEphemeralPort + 1;
    for (let tried = 0; tried < count; tried++) {
      const port = this.#nextEphemeralPort;
      this.#nextEphemeralPort = port === lastEphemeralPort ? firstEphemeralPort : port + 1;
      if (!this.#sockets.has(formatSocketAddress({ address, port, family }))) return port;
    }
    throw new AddressInUseError({ address, port: 0, family });
  }

  #receive(packet: Packet): void {
    const socket = this.#sockets.get(formatSocketAddress(packet.dst));
    if (socket === undefined) {
      this.stats.droppedNoSocket++;
      this.#context.drop(packet, 'no-socket', this.name);
      return;
    }
    socket.receive(packet);
  }
}
