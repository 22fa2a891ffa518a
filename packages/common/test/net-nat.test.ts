import { describe, expect, it } from 'vitest';
import {
  type EndpointDependence,
  type NatBehavior,
  type NatOptions,
  natPresets,
  type PacketDrop,
  type VirtualNat,
  VirtualNetwork,
  type VirtualUdpSocket,
} from '../src/testing/index.js';
import { ManualClock } from '../src/time/clock.js';
import type { SocketAddress } from '../src/transport/datagram.js';

const publicAddress = '198.51.100.1';
const dependences: readonly EndpointDependence[] = [
  'endpoint-independent',
  'address-dependent',
  'address-and-port-dependent',
];

/**
 * A client behind a NAT, and on the internet two servers with two ports each: `first` and
 * `firstOtherPort` share an IP address, `second` has another.
 */
function natWorld(nat: Omit<NatOptions, 'name' | 'publicAddress'>, seed = 1) {
  const clock = new ManualClock();
  const net = new VirtualNetwork(clock, { seed });
  const serverA = net.addHost({ name: 'server-a', addresses: ['203.0.113.10'] });
  const serverB = net.addHost({ name: 'server-b', addresses: ['203.0.113.20'] });
  const box = net.addNat({ name: 'nat', publicAddress, ...nat });
  const client = box.addHost({ name: 'client', addresses: ['192.168.0.2'] }).bind({ port: 5000 });
  const drops: PacketDrop[] = [];
  net.on('drop', (drop) => drops.push(drop));
  return {
    clock,
    net,
    nat: box,
    client,
    drops,
    first: serverA.bind({ port: 3478 }),
    firstOtherPort: serverA.bind({ port: 3479 }),
    second: serverB.bind({ port: 3478 }),
  };
}

/** Sends from `from` to `to` and returns where `to` saw it come from, if it arrived. */
function probe(
  clock: ManualClock,
  from: VirtualUdpSocket,
  to: VirtualUdpSocket,
  target: SocketAddress = to.localAddress,
): SocketAddress | undefined {
  let seen: SocketAddress | undefined;
  const off = to.on('datagram', (_data, source) => {
    seen = source;
  });
  from.send(new Uint8Array([1]), target);
  clock.runUntilIdle();
  off();
  return seen;
}

describe('VirtualNat mapping (RFC 4787 §4.1)', () => {
  it.each(dependences)('%s mapping', (mapping) => {
    const world = natWorld({ mapping, filtering: 'endpoint-independent' });
    const { clock, client } = world;
    const viaFirst = probe(clock, client, world.first);
    const viaFirstOtherPort = probe(clock, client, world.firstOtherPort);
    const viaSecond = probe(clock, client, world.second);
    const viaFirstAgain = probe(clock, client, world.first);

    for (const seen of [viaFirst, viaFirstOtherPort, viaSecond]) {
      expect(seen).toMatchObject({ address: publicAddress, family: 'IPv4' });
      expect(seen?.port).not.toBe(5000);
    }
    // The same destination always reuses its mapping.
    expect(viaFirstAgain).toEqual(viaFirst);
    const ports = [viaFirst, viaFirstOtherPort, viaSecond].map((seen) => seen?.port);
    if (mapping === 'endpoint-independent') {
      expect(new Set(ports).size).toBe(1);
      expect(world.nat.stats.mappingsCreated).toBe(1);
    } else if (mapping === 'address-dependent') {
      expect(ports[1]).toBe(ports[0]);
      expect(ports[2]).not.toBe(ports[0]);
      expect(world.nat.stats.mappingsCreated).toBe(2);
    } else {
      expect(new Set(ports).size).toBe(3);
      expect(world.nat.stats.mappingsCreated).toBe(3);
    }
  });

  it('preserves the internal port when asked, and only while it is free', () => {
    const clock = new ManualClock();
    const net = new VirtualNetwork(clock, { seed: 1 });
    const server = net.addHost({ name: 'server', addresses: ['203.0.113.10'] }).bind();
    const nat = net.addNat({ name: 'nat', publicAddress, portPreservation: true });
    const one = nat.addHost({ name: 'one', addresses: ['192.168.0.2'] }).bind({ port: 5000 });
    const two = nat.addHost({ name: 'two', addresses: ['192.168.0.3'] }).bind({ port: 5000 });
    expect(probe(clock, one, server)?.port).toBe(5000);
    const second = probe(clock, two, server)?.port;
    expect(second).toBeDefined();
    expect(second).not.toBe(5000);
  });
});

describe('VirtualNat filtering (RFC 4787 §5)', () => {
  it.each(
    dependences.flatMap((mapping) => dependences.map((filtering) => ({ mapping, filtering }))),
  )('$mapping mapping with $filtering filtering', ({ mapping, filtering }) => {
    const world = natWorld({ mapping, filtering });
    const { clock, client } = world;
    const mapped = probe(clock, client, world.first) as SocketAddress;
    expect(mapped).toBeDefined();

    // Everyone sends to the mapping the client opened towards `first`.
    const fromContacted = probe(clock, world.first, client, mapped);
    const fromContactedAddress = probe(clock, world.firstOtherPort, client, mapped);
    const fromStranger = probe(clock, world.second, client, mapped);

    expect(fromContacted).toEqual(world.first.localAddress);
    expect(fromContactedAddress !== undefined).toBe(filtering !== 'address-and-port-dependent');
    expect(fromStranger !== undefined).toBe(filtering === 'endpoint-independent');
    const refused = [fromContactedAddress, fromStranger].filter((seen) => seen === undefined);
    expect(world.nat.stats.droppedFiltered).toBe(refused.length);
    expect(world.drops.map((drop) => drop.reason)).toEqual(refused.map(() => 'nat-filtered'));
  });

  it('drops inbound packets for a port with no mapping', () => {
    const world = natWorld(natPresets['full-cone']);
    const target = { address: publicAddress, port: 40000, family: 'IPv4' } as const;
    expect(probe(world.clock, world.first, world.client, target)).toBeUndefined();
    expect(world.nat.stats.droppedNoMapping).toBe(1);
    expect(world.drops).toEqual([
      expect.objectContaining({ reason: 'nat-no-mapping', where: 'nat', to: target }),
    ]);
  });
});

describe('VirtualNat determinism', () => {
  /** The external ports a symmetric NAT gives the client towards the three servers. */
  function ports(seed: number, bystander = false): (number | undefined)[] {
    const world = natWorld(natPresets.symmetric, seed);
    if (bystander) world.net.addNat({ name: 'other', publicAddress: '198.51.100.99' });
    return [world.first, world.firstOtherPort, world.second].map(
      (server) => probe(world.clock, world.client, server)?.port,
    );
  }

  it('picks the same external ports for the same seed, and others for another seed', () => {
    const first = ports(5);
    expect(first.every((port) => port !== undefined && port >= 1024 && port <= 65535)).toBe(true);
    expect(ports(5)).toEqual(first);
    // Another NAT has its own random stream: adding one changes nothing here.
    expect(ports(5, true)).toEqual(first);
    expect(ports(6)).not.toEqual(first);
  });
});

describe('VirtualNat presets', () => {
  it('names the RFC 3489 types by their RFC 4787 behaviours', () => {
    expect(natPresets).toEqual({
      'full-cone': { mapping: 'endpoint-independent', filtering: 'endpoint-independent' },
      'restricted-cone': { mapping: 'endpoint-independent', filtering: 'address-dependent' },
      'port-restricted-cone': {
        mapping: 'endpoint-independent',
        filtering: 'address-and-port-dependent',
      },
      symmetric: {
        mapping: 'address-and-port-dependent',
        filtering: 'address-and-port-dependent',
      },
    });
  });

  /**
   * Two peers behind NATs learn their public endpoints from a server, then send to each other's
   * learned endpoint three times: UDP hole punching, the core of ICE's server-reflexive checks.
   * Returns how many datagrams each peer received.
   */
  function holePunch(left: NatBehavior, right: NatBehavior): [number, number] {
    const clock = new ManualClock();
    const net = new VirtualNetwork(clock, { seed: 11 });
    const server = net.addHost({ name: 'server', addresses: ['203.0.113.10'] }).bind();
    const [one, two] = [left, right].map((behavior, i) =>
      net
        .addNat({ name: `nat-${i}`, publicAddress: `198.51.100.${i + 1}`, ...behavior })
        .addHost({ name: `peer-${i}`, addresses: ['192.168.0.2'] })
        .bind(),
    ) as [VirtualUdpSocket, VirtualUdpSocket];
    const learnedOne = probe(clock, one, server) as SocketAddress;
    const learnedTwo = probe(clock, two, server) as SocketAddress;
    const received: [number, number] = [0, 0];
    one.on('datagram', () => received[0]++);
    two.on('datagram', () => received[1]++);
    for (let round = 0; round < 3; round++) {
      one.send(new Uint8Array([1]), learnedTwo);
      two.send(new Uint8Array([2]), learnedOne);
      clock.advance(10);
    }
    return received;
  }

  it('lets cone NATs punch holes and stops two symmetric NATs', () => {
    const { 'port-restricted-cone': portRestricted, symmetric, 'full-cone': fullCone } = natPresets;
    // Both permissions exist before either packet reaches the other NAT.
    expect(holePunch(portRestricted, portRestricted)).toEqual([3, 3]);
    // The symmetric side sends from a new port, which the full cone admits; the full cone's
    // packets go to a mapping that only admits the server.
    expect(holePunch(fullCone, symmetric)).toEqual([3, 0]);
    expect(holePunch(symmetric, symmetric)).toEqual([0, 0]);
  });
});

describe('VirtualNat mapping lifetime (RFC 4787 §4.3)', () => {
  /** Whether a datagram `first` sends to `mapped` now gets through to the client. */
  function reaches(world: ReturnType<typeof natWorld>, mapped: SocketAddress): boolean {
    return probe(world.clock, world.first, world.client, mapped) !== undefined;
  }

  it('expires a mapping 120 s after the last outbound packet by default (REQ-5)', () => {
    const world = natWorld(natPresets['port-restricted-cone']);
    expect(world.nat.mappingTimeoutMs).toBe(120_000);
    const mapped = probe(world.clock, world.client, world.first) as SocketAddress;

    world.clock.advanceTo(119_999);
    expect(reaches(world, mapped)).toBe(true);
    world.clock.advanceTo(120_000);
    expect(reaches(world, mapped)).toBe(false);
    expect(world.drops.map((drop) => drop.reason)).toEqual(['nat-no-mapping']);

    // The next outbound packet makes a new mapping, on a new random port.
    const remapped = probe(world.clock, world.client, world.first) as SocketAddress;
    expect(remapped.port).not.toBe(mapped.port);
    expect(world.nat.stats.mappingsCreated).toBe(2);
    expect(reaches(world, remapped)).toBe(true);
    expect(reaches(world, mapped)).toBe(false);
  });

  it('is refreshed by outbound packets only (REQ-6)', () => {
    const world = natWorld({ ...natPresets['full-cone'], mappingTimeoutMs: 30_000 });
    const mapped = probe(world.clock, world.client, world.first) as SocketAddress;

    // Inbound traffic every 10 s does not keep the mapping alive.
    for (let at = 10_000; at < 30_000; at += 10_000) {
      world.clock.advanceTo(at);
      expect(reaches(world, mapped)).toBe(true);
    }
    world.clock.advanceTo(30_000);
    expect(reaches(world, mapped)).toBe(false);

    const fresh = probe(world.clock, world.client, world.first) as SocketAddress;
    world.clock.advanceTo(50_000);
    expect(probe(world.clock, world.client, world.second)).toEqual(fresh);
    world.clock.advanceTo(79_999);
    expect(reaches(world, fresh)).toBe(true);
    world.clock.advanceTo(80_000);
    expect(reaches(world, fresh)).toBe(false);
  });

  it('forgets idle mappings, so a NAT reaching ever new remotes keeps bounded state', () => {
    const world = natWorld({ ...natPresets.symmetric, mappingTimeoutMs: 10_000 });
    const server = world.net
      .addHost({ name: 'many-ports', addresses: ['203.0.113.30'] })
      .bind({ port: 1 });
    // One datagram a second, each to a new remote port: a new APDM mapping every time.
    for (let second = 0; second < 100; second++) {
      world.clock.advanceTo(second * 1000);
      world.client.send(new Uint8Array(1), { ...server.localAddress, port: 2000 + second });
      world.clock.runUntilIdle();
      // Mappings made in the last 10 s are alive, and nothing older.
      expect(world.nat.mappingCount).toBe(Math.min(second + 1, 10));
    }
    expect(world.nat.stats.mappingsCreated).toBe(100);
    world.clock.advance(10_000);
    expect(world.nat.mappingCount).toBe(0);
  });

  it('times out a filter permission the mapping no longer uses, though the mapping lives', () => {
    const world = natWorld({ ...natPresets['port-restricted-cone'], mappingTimeoutMs: 30_000 });
    const mapped = probe(world.clock, world.client, world.first) as SocketAddress;
    // From now on the client keeps its (endpoint-independent) mapping alive by talking to
    // `second` only.
    for (const at of [10_000, 20_000]) {
      world.clock.advanceTo(at);
      expect(probe(world.clock, world.client, world.second)).toEqual(mapped);
    }
    // 29 999 ms after the client last sent to `first`: still admitted.
    world.clock.advanceTo(29_999);
    expect(probe(world.clock, world.first, world.client, mapped)).toEqual(world.first.localAddress);
    // 30 000 ms: the permission for `first` has lapsed; the one for `second` is fresh.
    world.clock.advanceTo(30_000);
    expect(probe(world.clock, world.client, world.second)).toEqual(mapped);
    expect(probe(world.clock, world.first, world.client, mapped)).toBeUndefined();
    expect(probe(world.clock, world.second, world.client, mapped)).toEqual(
      world.second.localAddress,
    );
    expect(world.drops.map((drop) => drop.reason)).toEqual(['nat-filtered']);
    // Sending to `first` again admits it again, through the same mapping.
    expect(probe(world.clock, world.client, world.first)).toEqual(mapped);
    expect(probe(world.clock, world.first, world.client, mapped)).toEqual(world.first.localAddress);
    expect(world.nat.stats.mappingsCreated).toBe(1);
  });

  it('gets the internal port back after expiry when preserving ports', () => {
    const world = natWorld({ ...natPresets.symmetric, portPreservation: true });
    expect(probe(world.clock, world.client, world.first)?.port).toBe(5000);
    world.clock.advance(120_000);
    expect(probe(world.clock, world.client, world.first)?.port).toBe(5000);
    expect(world.nat.stats.mappingsCreated).toBe(2);
  });
});

describe('VirtualNat topology', () => {
  function twoBehindOneNat(hairpinning: boolean) {
    const clock = new ManualClock();
    const net = new VirtualNetwork(clock, { seed: 1 });
    const server = net.addHost({ name: 'server', addresses: ['203.0.113.10'] }).bind();
    const nat = net.addNat({ name: 'nat', publicAddress, ...natPresets['full-cone'], hairpinning });
    const one = nat.addHost({ name: 'one', addresses: ['192.168.0.2'] }).bind();
    const two = nat.addHost({ name: 'two', addresses: ['192.168.0.3'] }).bind();
    const drops: PacketDrop[] = [];
    net.on('drop', (drop) => drops.push(drop));
    return { clock, nat, server, one, two, drops };
  }

  it('hairpins to its own public address, from the external endpoint (REQ-9)', () => {
    const { clock, nat, server, one, two } = twoBehindOneNat(true);
    const mappedOne = probe(clock, one, server) as SocketAddress;
    const mappedTwo = probe(clock, two, server) as SocketAddress;
    expect(probe(clock, two, one, mappedOne)).toEqual(mappedTwo);
    expect(nat.stats.hairpinned).toBe(1);
  });

  it('filters hairpinned packets as packets from outside (REQ-9a)', () => {
    const clock = new ManualClock();
    const net = new VirtualNetwork(clock, { seed: 1 });
    const server = net.addHost({ name: 'server', addresses: ['203.0.113.10'] }).bind();
    const nat = net.addNat({ name: 'nat', publicAddress, ...natPresets['port-restricted-cone'] });
    const one = nat.addHost({ name: 'one', addresses: ['192.168.0.2'] }).bind();
    const two = nat.addHost({ name: 'two', addresses: ['192.168.0.3'] }).bind();
    const mappedOne = probe(clock, one, server) as SocketAddress;
    const mappedTwo = probe(clock, two, server) as SocketAddress;
    // `one` has sent only to the server, so its filter refuses `two`'s external endpoint...
    expect(probe(clock, two, one, mappedOne)).toBeUndefined();
    expect(nat.stats).toMatchObject({ hairpinned: 1, droppedFiltered: 1 });
    // ...until it sends there itself, which `two` admits, having sent to `one` first.
    expect(probe(clock, one, two, mappedTwo)).toEqual(mappedOne);
    expect(probe(clock, two, one, mappedOne)).toEqual(mappedTwo);
    expect(nat.stats).toMatchObject({ hairpinned: 3, droppedFiltered: 1, mappingsCreated: 2 });
  });

  it('drops packets to its own public address when it does not hairpin', () => {
    const { clock, nat, server, one, two, drops } = twoBehindOneNat(false);
    const mappedOne = probe(clock, one, server) as SocketAddress;
    expect(probe(clock, two, one, mappedOne)).toBeUndefined();
    expect(nat.stats.hairpinned).toBe(0);
    expect(drops.map((drop) => drop.reason)).toEqual(['nat-no-hairpin']);
  });

  it('keeps traffic between private hosts off the NAT', () => {
    const { clock, nat, one, two } = twoBehindOneNat(true);
    expect(probe(clock, one, two)).toEqual(one.localAddress);
    expect(nat.stats.translatedOutbound).toBe(0);
  });

  it('translates twice through nested NATs', () => {
    const clock = new ManualClock();
    const net = new VirtualNetwork(clock, { seed: 1 });
    const server = net.addHost({ name: 'server', addresses: ['203.0.113.10'] }).bind();
    const carrier = net.addNat({ name: 'carrier', publicAddress, ...natPresets.symmetric });
    const home = carrier.addNat({ name: 'home', publicAddress: '100.64.0.7' });
    const laptop = home.addHost({ name: 'laptop', addresses: ['192.168.0.2'] }).bind();
    const seen = probe(clock, laptop, server) as SocketAddress;
    expect(seen.address).toBe(publicAddress);
    expect(probe(clock, server, laptop, seen)).toEqual(server.localAddress);
    expect(carrier.stats).toMatchObject({ translatedOutbound: 1, translatedInbound: 1 });
    expect(home.stats).toMatchObject({ translatedOutbound: 1, translatedInbound: 1 });
  });

  it("delays packets on the NAT's own link", () => {
    const clock = new ManualClock();
    const net = new VirtualNetwork(clock, { seed: 1 });
    const server = net.addHost({ name: 'server', addresses: ['203.0.113.10'] }).bind();
    const nat = net.addNat({ name: 'nat', publicAddress, link: { up: { delayMs: 25 } } });
    const laptop = nat
      .addHost({ name: 'laptop', addresses: ['192.168.0.2'], link: { delayMs: 5 } })
      .bind();
    let arrivedAt: number | undefined;
    server.on('datagram', () => {
      arrivedAt = clock.now();
    });
    laptop.send(new Uint8Array(1), server.localAddress);
    clock.runUntilIdle();
    expect(arrivedAt).toBe(30);
    expect(nat.uplink.stats.delivered).toBe(1);
  });

  it('has no way out for the family it does not translate', () => {
    const clock = new ManualClock();
    const net = new VirtualNetwork(clock, { seed: 1 });
    const server = net.addHost({ name: 'server', addresses: ['2001:db8::10'] }).bind({
      family: 'IPv6',
    });
    const nat: VirtualNat = net.addNat({ name: 'nat', publicAddress });
    const laptop = nat
      .addHost({ name: 'laptop', addresses: ['192.168.0.2', 'fd00::2'] })
      .bind({ family: 'IPv6' });
    expect(probe(clock, laptop, server)).toBeUndefined();
    expect(net.stats.dropped['no-route']).toBe(1);
  });
});
