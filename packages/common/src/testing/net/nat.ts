/**
 * A NAT box (NAPT) between a private realm and the realm outside it, behaving as RFC 4787
 * describes for UDP: its mapping behaviour (§4.1) decides when an internal endpoint gets a new
 * external port, its filtering behaviour (§5) decides which outside endpoints may send in, and
 * mappings expire after `mappingTimeoutMs` without outbound traffic (§4.3, REQ-5, REQ-6).
 *
 * The NAT holds only live state: expired mappings and filter permissions are forgotten, so a
 * long run through one NAT (a server behind it reaching many remotes) does not grow its tables.
 */

import {
  type AddressFamily,
  formatSocketAddress,
  type SocketAddress,
} from '../../transport/datagram.js';
import type { SeededRandom } from '../random.js';
import { addressFamily } from './address.js';
import type { NetworkContext, Packet } from './context.js';
import type { HostOptions, VirtualHost } from './host.js';
import {
  type DuplexLinkConditions,
  duplexConditions,
  type LinkConditions,
  VirtualLink,
} from './link.js';
import type { Realm } from './realm.js';

/**
 * What a mapping or a filter depends on besides the internal endpoint (RFC 4787 §4.1, §5):
 * nothing, the remote IP address, or the remote IP address and port.
 */
export type EndpointDependence =
  | 'endpoint-independent'
  | 'address-dependent'
  | 'address-and-port-dependent';

export interface NatBehavior {
  /** §4.1: when the NAT reuses an external port for a new destination. */
  readonly mapping: EndpointDependence;
  /** §5: which outside endpoints may reach an internal endpoint through its mapping. */
  readonly filtering: EndpointDependence;
}

export type NatPreset = 'full-cone' | 'restricted-cone' | 'port-restricted-cone' | 'symmetric';

/** The RFC 3489 NAT names as RFC 4787 behaviours, to spread into `NatOptions`. */
export const natPresets: Readonly<Record<NatPreset, NatBehavior>> = {
  'full-cone': { mapping: 'endpoint-independent', filtering: 'endpoint-independent' },
  'restricted-cone': { mapping: 'endpoint-independent', filtering: 'address-dependent' },
  'port-restricted-cone': {
    mapping: 'endpoint-independent',
    filtering: 'address-and-port-dependent',
  },
  symmetric: { mapping: 'address-and-port-dependent', filtering: 'address-and-port-dependent' },
};

/**
 * `mapping` defaults to endpoint-independent, which REQ-1 requires. `filtering` defaults to
 * address-and-port-dependent: stricter than either behaviour REQ-8 recommends (endpoint-independent
 * for transparency, address-dependent for security), but what many home routers do, and the
 * strictest case a traversal test should pass. Together: the port-restricted cone.
 */
export interface NatOptions extends Partial<NatBehavior> {
  /** Unique in the network. */
  readonly name: string;
  /** The NAT's one address in the realm outside; its family is the only one it translates. */
  readonly publicAddress: string;
  /**
   * Idle time after which a mapping expires. Default 120 000 ms, the shortest REQ-5 allows
   * (it recommends five minutes or more); shorter values model non-compliant NATs. Filter
   * permissions time out the same way, per remote: see `Mapping.permitted`.
   */
  readonly mappingTimeoutMs?: number;
  /** Try the internal port as the external port first (§4.2.1 "port preservation"). */
  readonly portPreservation?: boolean;
  /** Loop packets for the NAT's own public address back inside (§6, REQ-9); default true. */
  readonly hairpinning?: boolean;
  /** Conditions of the NAT's link to the outside realm. */
  readonly link?: LinkConditions | DuplexLinkConditions;
}

export interface NatStats {
  mappingsCreated: number;
  translatedOutbound: number;
  translatedInbound: number;
  hairpinned: number;
  droppedNoMapping: number;
  droppedFiltered: number;
}

interface Mapping {
  readonly key: string;
  readonly internal: SocketAddress;
  readonly external: SocketAddress;
  /**
   * The remotes this mapping has sent to, keyed as the filtering behaviour compares them, with
   * when it last sent to each. RFC 4787 §5 words filtering per internal endpoint; with EIM that is
   * this mapping's set, and with ADM/APDM each mapping only admits its own destinations, as real
   * NATs do. §5 leaves the lifetime of this state open: here a remote stays admitted while the
   * mapping keeps sending to it at least once per `mappingTimeoutMs`, like the per-session timers
   * of stateful NATs, so a mapping kept alive for hours neither admits everyone it ever reached
   * nor grows a permission per remote. Entries are in order of last use, oldest first.
   */
  readonly permitted: Map<string, number>;
  lastOutboundAt: number;
}

const defaultMappingTimeoutMs = 120_000;
/** External ports come from the non-privileged range (§4.2.1 keeps 0-1023 for such sources). */
const firstExternalPort = 1024;
const lastExternalPort = 65535;

/** How `dependence` tells remotes apart, or undefined when it does not. */
function remoteKey(dependence: EndpointDependence, remote: SocketAddress): string | undefined {
  switch (dependence) {
    case 'endpoint-independent':
      return undefined;
    case 'address-dependent':
      return remote.address;
    case 'address-and-port-dependent':
      return formatSocketAddress(remote);
  }
}

export class VirtualNat {
  readonly name: string;
  readonly publicAddress: string;
  readonly mapping: EndpointDependence;
  readonly filtering: EndpointDependence;
  readonly mappingTimeoutMs: number;
  readonly portPreservation: boolean;
  readonly hairpinning: boolean;
  /** From the NAT into the outside realm. */
  readonly uplink: VirtualLink;
  /** From the outside realm to the NAT. */
  readonly downlink: VirtualLink;
  readonly stats: NatStats = {
    mappingsCreated: 0,
    translatedOutbound: 0,
    translatedInbound: 0,
    hairpinned: 0,
    droppedNoMapping: 0,
    droppedFiltered: 0,
  };
  readonly #context: NetworkContext;
  readonly #inside: Realm;
  readonly #random: SeededRandom;
  readonly #family: AddressFamily;
  /** Live mappings, in order of their last outbound packet: idle ones are at the front. */
  readonly #byKey = new Map<string, Mapping>();
  readonly #byExternalPort = new Map<number, Mapping>();

  /** @internal NATs are made by `VirtualNetwork.addNat()` and `VirtualNat.addNat()`. */
  constructor(
    context: NetworkContext,
    options: NatOptions,
    inside: Realm,
    routeOutside: (packet: Packet) => void,
  ) {
    this.#context = context;
    this.name = options.name;
    this.#inside = inside;
    this.#random = context.random(`nat ${this.name} ports`);
    this.publicAddress = options.publicAddress;
    this.#family = addressFamily(options.publicAddress);
    this.mapping = options.mapping ?? 'endpoint-independent';
    this.filtering = options.filtering ?? 'address-and-port-dependent';
    this.mappingTimeoutMs = options.mappingTimeoutMs ?? defaultMappingTimeoutMs;
    this.portPreservation = options.portPreservation ?? false;
    this.hairpinning = options.hairpinning ?? true;
    const { up, down } = duplexConditions(options.link);
    this.uplink = new VirtualLink(context, `${this.name} up`, up, routeOutside);
    this.downlink = new VirtualLink(context, `${this.name} down`, down, (packet) =>
      this.#inbound(packet),
    );
  }

  /** How many mappings are alive now. */
  get mappingCount(): number {
    this.#expireIdle(this.#context.scheduler.now());
    return this.#byKey.size;
  }

  /** Adds a host on the private side. */
  addHost(options: HostOptions): VirtualHost {
    return this.#inside.addHost(options);
  }

  /** Adds a NAT on the private side, whose public address is a private address here. */
  addNat(options: NatOptions): VirtualNat {
    return this.#inside.addNat(options);
  }

  /** @internal A packet from inside for an address outside the private realm. */
  outbound(packet: Packet): void {
    // The NAT translates its public address's family only; the other family has no way out.
    if (packet.dst.family !== this.#family) {
      this.#context.drop(packet, 'no-route', this.name);
      return;
    }
    const hairpin = packet.dst.address === this.publicAddress;
    if (hairpin && !this.hairpinning) {
      this.#context.drop(packet, 'nat-no-hairpin', this.name);
      return;
    }
    const now = this.#context.scheduler.now();
    this.#expireIdle(now);
    const mapping = this.#mappingFor(packet.src, packet.dst, now);
    if (mapping === undefined) {
      this.#context.drop(packet, 'nat-ports-exhausted', this.name);
      return;
    }
    // REQ-6: outbound packets refresh the mapping; inbound ones do not (REQ-6a leaves it open).
    // Moving it to the end keeps #byKey in order of last use, which #expireIdle relies on.
    mapping.lastOutboundAt = now;
    this.#byKey.delete(mapping.key);
    this.#byKey.set(mapping.key, mapping);
    const permit = remoteKey(this.filtering, packet.dst);
    if (permit !== undefined) {
      this.#expirePermits(mapping, now);
      mapping.permitted.delete(permit);
      mapping.permitted.set(permit, now);
    }
    this.stats.translatedOutbound++;
    const translated: Packet = { src: mapping.external, dst: packet.dst, data: packet.data };
    if (hairpin) {
      // REQ-9a: the hairpinned packet comes from the sender's external address and port, and
      // meets the receiver's mapping and filter exactly as a packet from outside would. It turns
      // round inside the box, so the NAT's own links do not carry it.
      this.stats.hairpinned++;
      this.#inbound(translated);
      return;
    }
    this.uplink.transmit(translated);
  }

  #inbound(packet: Packet): void {
    const now = this.#context.scheduler.now();
    this.#expireIdle(now);
    const mapping = this.#byExternalPort.get(packet.dst.port);
    if (mapping === undefined) {
      this.stats.droppedNoMapping++;
      this.#context.drop(packet, 'nat-no-mapping', this.name);
      return;
    }
    const key = remoteKey(this.filtering, packet.src);
    if (key !== undefined && !this.#admits(mapping, key, now)) {
      this.stats.droppedFiltered++;
      this.#context.drop(packet, 'nat-filtered', this.name);
      return;
    }
    this.stats.translatedInbound++;
    // The internal endpoint's address is in the private realm, so this never leaves it again.
    this.#inside.route({ src: packet.src, dst: mapping.internal, data: packet.data });
  }

  /** The live mapping for `internal` towards `remote`, made if there is none (§4.1). */
  #mappingFor(internal: SocketAddress, remote: SocketAddress, now: number): Mapping | undefined {
    const internalKey = formatSocketAddress(internal);
    const remotePart = remoteKey(this.mapping, remote);
    const key = remotePart === undefined ? internalKey : `${internalKey} to ${remotePart}`;
    const existing = this.#byKey.get(key);
    if (existing !== undefined) return existing;
    const port = this.#allocatePort(internal.port);
    if (port === undefined) return undefined;
    const mapping: Mapping = {
      key,
      internal,
      external: { address: this.publicAddress, port, family: this.#family },
      permitted: new Map(),
      lastOutboundAt: now,
    };
    this.#byKey.set(key, mapping);
    this.#byExternalPort.set(port, mapping);
    this.stats.mappingsCreated++;
    return mapping;
  }

  /**
   * Forgets every mapping that has seen no outbound packet for `mappingTimeoutMs` (REQ-5).
   * Expiry is applied whenever the NAT handles a packet rather than by timers, so a NAT never
   * keeps a simulation (or, on `RealClock`, the process) busy. `#byKey` is in order of last
   * use, so this stops at the first live mapping: constant time per packet, amortised.
   */
  #expireIdle(now: number): void {
    for (const mapping of this.#byKey.values()) {
      if (now - mapping.lastOutboundAt < this.mappingTimeoutMs) return;
      this.#byKey.delete(mapping.key);
      this.#byExternalPort.delete(mapping.external.port);
    }
  }

  /** Forgets the remotes `mapping` has not sent to for `mappingTimeoutMs`, oldest first. */
  #expirePermits(mapping: Mapping, now: number): void {
    for (const [remote, sentAt] of mapping.permitted) {
      if (now - sentAt < this.mappingTimeoutMs) return;
      mapping.permitted.delete(remote);
    }
  }

  /** Whether `mapping`'s filter still admits the remote keyed `key` (§5). */
  #admits(mapping: Mapping, key: string, now: number): boolean {
    this.#expirePermits(mapping, now);
    return mapping.permitted.has(key);
  }

  /**
   * The internal port itself when preserving ports and it is free, else a free port found by
   * probing from a seeded random start: external ports then differ from internal ones, as they
   * do on most NATs, and code that confuses the two fails here rather than in the field. Called
   * after `#expireIdle`, so only live mappings hold ports.
   */
  #allocatePort(internalPort: number): number | undefined {
    if (this.portPreservation && !this.#byExternalPort.has(internalPort)) return internalPort;
    const count = lastExternalPort - firstExternalPort + 1;
    const start = this.#random.int(0, count - 1);
    for (let probe = 0; probe < count; probe++) {
      const port = firstExternalPort + ((start + probe) % count);
      if (!this.#byExternalPort.has(port)) return port;
    }
    return undefined;
  }
}
