/**
 * An address space: the public internet, or the private side of a NAT. A packet sent into a
 * realm goes to whichever host or NAT owns its destination address there, and otherwise out
 * through the realm's NAT; in the internet, which has no way out, it is dropped as no-route.
 */

import { addressFamily, canonicalAddress } from './address.js';
import type { NetworkContext, Packet } from './context.js';
import { VirtualNetworkError } from './errors.js';
import { type HostOptions, VirtualHost } from './host.js';
import type { VirtualLink } from './link.js';
import { type NatOptions, VirtualNat } from './nat.js';

export class Realm {
  readonly #context: NetworkContext;
  /** For each address in the realm, the link down to the host or NAT that owns it. */
  readonly #downlinks = new Map<string, VirtualLink>();
  readonly #gateway: ((packet: Packet) => void) | undefined;

  /** `gateway` takes packets for addresses outside the realm (a NAT's outbound side). */
  constructor(
    context: NetworkContext,
    readonly name: string,
    gateway?: (packet: Packet) => void,
  ) {
    this.#context = context;
    this.#gateway = gateway;
  }

  addHost(given: HostOptions): VirtualHost {
    const options = { ...given, addresses: given.addresses.map(canonicalAddress) };
    if (options.addresses.length === 0) {
      throw new VirtualNetworkError(`host ${options.name} needs an address`, 'INVALID_ADDRESS');
    }
    this.#checkFree(options.addresses);
    // Built before the name is claimed: if its link conditions are invalid, nothing has changed.
    const host = new VirtualHost(this.#context, options, (packet) => this.route(packet));
    this.#context.claimName(options.name);
    for (const address of host.addresses) this.#downlinks.set(address, host.downlink);
    return host;
  }

  addNat(given: NatOptions): VirtualNat {
    const options = { ...given, publicAddress: canonicalAddress(given.publicAddress) };
    this.#checkFree([options.publicAddress]);
    const timeout = options.mappingTimeoutMs;
    if (timeout !== undefined && !(timeout > 0)) {
      throw new VirtualNetworkError(
        `NAT ${options.name}: mappingTimeoutMs ${timeout} must be positive`,
        'INVALID_NAT_CONFIG',
      );
    }
    // The private realm's way out is the NAT made next; nothing is routed before it exists.
    const inside = new Realm(this.#context, `${options.name} inside`, (packet) =>
      nat.outbound(packet),
    );
    const nat = new VirtualNat(this.#context, options, inside, (packet) => this.route(packet));
    this.#context.claimName(options.name);
    this.#downlinks.set(nat.publicAddress, nat.downlink);
    return nat;
  }

  /** A packet sent by a host or NAT of this realm, off its uplink, or let in by its NAT. */
  route(packet: Packet): void {
    const downlink = this.#downlinks.get(packet.dst.address);
    if (downlink !== undefined) downlink.transmit(packet);
    else if (this.#gateway !== undefined) this.#gateway(packet);
    else this.#context.drop(packet, 'no-route', this.name);
  }

  #checkFree(addresses: readonly string[]): void {
    for (const [index, address] of addresses.entries()) {
      addressFamily(address); // throws on anything but an IPv4 or IPv6 address
      if (this.#downlinks.has(address) || addresses.indexOf(address) !== index) {
        throw new VirtualNetworkError(
          `address ${address} is already used in ${this.name}`,
          'DUPLICATE_ADDRESS',
        );
      }
    }
  }
}
