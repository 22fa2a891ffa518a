import { describe, expect, it } from 'vitest';
import { ClosedError } from '../src/errors.js';
import {
  AddressFamilyMismatchError,
  AddressInUseError,
  AddressNotAvailableError,
  type PacketDelivery,
  type PacketDrop,
  VirtualNetwork,
  VirtualNetworkError,
  type VirtualUdpSocket,
} from '../src/testing/index.js';
import { ManualClock } from '../src/time/clock.js';
import { NoDestinationError } from '../src/transport/base.js';
import type { SocketAddress } from '../src/transport/datagram.js';

interface Arrival {
  readonly data: Uint8Array;
  readonly from: SocketAddress;
  readonly at: number;
}

function numbered(index: number): Uint8Array {
  const data = new Uint8Array(4);
  new DataView(data.buffer).setUint32(0, index);
  return data;
}

function numberOf(data: Uint8Array): number {
  return new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0);
}

function setup(seed = 1): { clock: ManualClock; net: VirtualNetwork } {
  const clock = new ManualClock();
  return { clock, net: new VirtualNetwork(clock, { seed }) };
}

function record(clock: ManualClock, socket: VirtualUdpSocket): Arrival[] {
  const arrivals: Arrival[] = [];
  socket.on('datagram', (data, from) => arrivals.push({ data, from, at: clock.now() }));
  return arrivals;
}

describe('VirtualNetwork hosts and sockets', () => {
  it('carries datagrams between two hosts, asynchronously, as a copy', () => {
    const { clock, net } = setup();
    const alice = net.addHost({ name: 'alice', addresses: ['203.0.113.1'] }).bind({ port: 5000 });
    const bob = net.addHost({ name: 'bob', addresses: ['203.0.113.2'] }).bind({ port: 6000 });
    const atBob = record(clock, bob);
    const atAlice = record(clock, alice);

    const payload = new Uint8Array([1, 2, 3]);
    alice.send(payload, bob.localAddress);
    payload[0] = 99;
    expect(atBob).toHaveLength(0);

    clock.runUntilIdle();
    expect(atBob).toHaveLength(1);
    expect([...(atBob[0]?.data ?? [])]).toEqual([1, 2, 3]);
    expect(atBob[0]?.from).toEqual({ address: '203.0.113.1', port: 5000, family: 'IPv4' });

    const reply = atBob[0]?.from as SocketAddress;
    bob.send(new Uint8Array([4]), reply);
    clock.runUntilIdle();
    expect(atAlice.map((arrival) => [...arrival.data])).toEqual([[4]]);
    expect(alice.stats).toMatchObject({ datagramsSent: 1, bytesSent: 3, datagramsReceived: 1 });
    expect(bob.stats).toMatchObject({ datagramsReceived: 1, bytesReceived: 3, datagramsSent: 1 });
    expect(net.stats.delivered).toBe(2);
  });

  it('adds the sender uplink delay and the receiver downlink delay', () => {
    const { clock, net } = setup();
    const alice = net
      .addHost({ name: 'alice', addresses: ['203.0.113.1'], link: { delayMs: 30 } })
      .bind();
    const bob = net
      .addHost({ name: 'bob', addresses: ['203.0.113.2'], link: { down: { delayMs: 20 } } })
      .bind();
    const atBob = record(clock, bob);
    const atAlice = record(clock, alice);

    clock.advanceTo(100);
    alice.send(new Uint8Array(10), bob.localAddress);
    clock.advanceTo(149);
    expect(atBob).toHaveLength(0);
    clock.advanceTo(150);
    expect(atBob.map((arrival) => arrival.at)).toEqual([150]);

    bob.send(new Uint8Array(10), alice.localAddress);
    clock.runUntilIdle();
    expect(atAlice.map((arrival) => arrival.at)).toEqual([180]);
  });

  it('keeps jittered latency within [delay, delay + jitter] without reordering', () => {
    const { clock, net } = setup(5);
    const alice = net
      .addHost({ name: 'alice', addresses: ['203.0.113.1'], link: { delayMs: 10, jitterMs: 40 } })
      .bind();
    const bob = net.addHost({ name: 'bob', addresses: ['203.0.113.2'] }).bind();
    const atBob = record(clock, bob);
    for (let i = 0; i < 1000; i++) {
      alice.send(numbered(i), bob.localAddress);
      clock.advance(10);
    }
    clock.runUntilIdle();

    expect(atBob).toHaveLength(1000);
    const order = atBob.map((arrival) => numberOf(arrival.data));
    expect(order).toEqual(order.map((_, i) => i));
    const latencies = atBob.map((arrival, i) => arrival.at - i * 10);
    expect(Math.min(...latencies)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...latencies)).toBeLessThanOrEqual(50);
    // The jitter really varies the latency across its range.
    expect(Math.min(...latencies)).toBeLessThan(12);
    expect(Math.max(...latencies)).toBeGreaterThan(48);
  });

  it('allocates ephemeral ports in order and refuses a port in use', () => {
    const { net } = setup();
    const host = net.addHost({ name: 'host', addresses: ['203.0.113.1', '2001:db8::1'] });
    expect(host.bind().localAddress.port).toBe(49152);
    expect(host.bind().localAddress.port).toBe(49153);
    const fixed = host.bind({ port: 3478 });
    expect(fixed.localAddress).toEqual({ address: '203.0.113.1', port: 3478, family: 'IPv4' });

    expect(() => host.bind({ port: 3478 })).toThrow(AddressInUseError);
    expect(() => host.bind({ port: 3478 })).toThrow(
      expect.objectContaining({ code: 'ADDRESS_IN_USE' }),
    );
    // The same port on the host's other address is a different socket address.
    expect(host.bind({ port: 3478, family: 'IPv6' }).localAddress).toEqual({
      address: '2001:db8::1',
      port: 3478,
      family: 'IPv6',
    });
    fixed.close();
    expect(host.bind({ port: 3478 }).localAddress.port).toBe(3478);
  });

  it('refuses addresses the host does not have', () => {
    const { net } = setup();
    const host = net.addHost({ name: 'host', addresses: ['203.0.113.1'] });
    expect(() => host.bind({ address: '203.0.113.9' })).toThrow(AddressNotAvailableError);
    expect(() => host.bind({ family: 'IPv6' })).toThrow(AddressNotAvailableError);
    expect(() => host.bind({ address: '203.0.113.1', family: 'IPv6' })).toThrow(
      AddressNotAvailableError,
    );
  });

  it('throws after close, emits close once, and drops datagrams for the closed port', () => {
    const { clock, net } = setup();
    const alice = net.addHost({ name: 'alice', addresses: ['203.0.113.1'] }).bind();
    const bobHost = net.addHost({ name: 'bob', addresses: ['203.0.113.2'] });
    const bob = bobHost.bind();
    let closes = 0;
    bob.on('close', () => closes++);
    const drops: PacketDrop[] = [];
    net.on('drop', (drop) => drops.push(drop));

    alice.send(new Uint8Array(8), bob.localAddress);
    bob.close();
    bob.close();
    expect(bob.closed).toBe(true);
    expect(closes).toBe(1);
    expect(() => bob.send(new Uint8Array(1), alice.localAddress)).toThrow(ClosedError);

    clock.runUntilIdle();
    expect(bobHost.stats.droppedNoSocket).toBe(1);
    expect(net.stats.dropped['no-socket']).toBe(1);
    expect(drops).toEqual([
      expect.objectContaining({ reason: 'no-socket', where: 'bob', size: 8, to: bob.localAddress }),
    ]);
  });

  it('needs a destination unless connected, and a connected socket hears only its peer', () => {
    const { clock, net } = setup();
    const alice = net.addHost({ name: 'alice', addresses: ['203.0.113.1'] }).bind({ port: 1000 });
    const carol = net.addHost({ name: 'carol', addresses: ['203.0.113.3'] }).bind();
    const bob = net
      .addHost({ name: 'bob', addresses: ['203.0.113.2'] })
      .bind({ remote: alice.localAddress });
    expect(() => alice.send(new Uint8Array(1))).toThrow(NoDestinationError);
    expect(bob.remoteAddress).toEqual(alice.localAddress);
    const atAlice = record(clock, alice);
    const atBob = record(clock, bob);

    bob.send(new Uint8Array([7]));
    alice.send(new Uint8Array([8]), bob.localAddress);
    carol.send(new Uint8Array([9]), bob.localAddress);
    clock.runUntilIdle();

    expect(atAlice.map((arrival) => [...arrival.data])).toEqual([[7]]);
    expect(atBob.map((arrival) => [...arrival.data])).toEqual([[8]]);
    expect(bob.stats.droppedFromOthers).toBe(1);
    expect(net.stats.dropped['not-from-remote']).toBe(1);
  });

  it('carries IPv6 between hosts and never mixes the families', () => {
    const { clock, net } = setup();
    const alice = net.addHost({ name: 'alice', addresses: ['203.0.113.1', '2001:db8::1'] });
    const bob = net.addHost({ name: 'bob', addresses: ['2001:db8::2'] }).bind({ family: 'IPv6' });
    const atBob = record(clock, bob);
    const alice6 = alice.bind({ family: 'IPv6' });
    alice6.send(new Uint8Array([6]), bob.localAddress);
    clock.runUntilIdle();
    expect(atBob).toEqual([
      expect.objectContaining({ from: { address: '2001:db8::1', port: 49152, family: 'IPv6' } }),
    ]);

    const alice4 = alice.bind();
    expect(() => alice4.send(new Uint8Array(1), bob.localAddress)).toThrow(
      AddressFamilyMismatchError,
    );
    expect(() => alice4.send(new Uint8Array(1), { ...bob.localAddress, port: 0 })).toThrow(
      AddressFamilyMismatchError,
    );
    expect(() =>
      alice6.send(new Uint8Array(1), { address: '2001:db8::2', port: 0, family: 'IPv6' }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_PORT' }));
  });

  it('matches IPv6 addresses however they are spelled (RFC 5952 canonical form)', () => {
    const { clock, net } = setup();
    const alice = net.addHost({ name: 'alice', addresses: ['2001:DB8:0:0::0001'] });
    const bobHost = net.addHost({ name: 'bob', addresses: ['2001:db8::2'] });
    expect(alice.addresses).toEqual(['2001:db8::1']);
    const bob = bobHost.bind({ address: '2001:0db8::0:2', port: 5000 });
    expect(bob.localAddress.address).toBe('2001:db8::2');
    const connected = alice.bind({
      family: 'IPv6',
      remote: { address: '2001:0DB8::2', port: 5000, family: 'IPv6' },
    });
    const atBob = record(clock, bob);
    const atAlice = record(clock, connected);
    connected.send(new Uint8Array([1]), { address: '2001:DB8:0::2', port: 5000, family: 'IPv6' });
    clock.runUntilIdle();
    expect(atBob).toHaveLength(1);
    bob.send(new Uint8Array([2]), connected.localAddress);
    clock.runUntilIdle();
    // The connected filter compares canonical forms too: bob's reply is accepted.
    expect(atAlice).toHaveLength(1);
    expect(() => net.addHost({ name: 'carol', addresses: ['2001:db8::1:0:0:2'] })).not.toThrow();
    expect(() => net.addHost({ name: 'dave', addresses: ['2001:DB8::0:2'] })).toThrow(
      expect.objectContaining({ code: 'DUPLICATE_ADDRESS' }),
    );
  });

  it('drops packets for an address nobody owns as no-route', () => {
    const { clock, net } = setup();
    const alice = net.addHost({ name: 'alice', addresses: ['203.0.113.1'] }).bind();
    const drops: PacketDrop[] = [];
    net.on('drop', (drop) => drops.push(drop));
    alice.send(new Uint8Array(3), { address: '192.0.2.77', port: 9, family: 'IPv4' });
    clock.runUntilIdle();
    expect(net.stats.dropped['no-route']).toBe(1);
    expect(drops).toEqual([
      expect.objectContaining({ reason: 'no-route', where: 'internet', from: alice.localAddress }),
    ]);
  });

  it('traces every delivery with time, endpoints and a copy of the bytes', () => {
    const { clock, net } = setup();
    const alice = net
      .addHost({ name: 'alice', addresses: ['203.0.113.1'], link: { delayMs: 5 } })
      .bind();
    const bob = net.addHost({ name: 'bob', addresses: ['203.0.113.2'] }).bind();
    bob.on('datagram', (data) => data.fill(0));
    const trace: PacketDelivery[] = [];
    const stop = net.on('deliver', (delivery) => trace.push(delivery));

    alice.send(new Uint8Array([1, 2]), bob.localAddress);
    clock.runUntilIdle();
    stop();
    alice.send(new Uint8Array([3]), bob.localAddress);
    clock.runUntilIdle();

    expect(trace).toHaveLength(1);
    expect(trace[0]).toMatchObject({ time: 5, from: alice.localAddress, to: bob.localAddress });
    expect([...(trace[0]?.data ?? [])]).toEqual([1, 2]);
    expect(net.stats.delivered).toBe(2);
  });

  it('changes link conditions mid-run', () => {
    const { clock, net } = setup();
    const aliceHost = net.addHost({ name: 'alice', addresses: ['203.0.113.1'] });
    const alice = aliceHost.bind();
    const bob = net.addHost({ name: 'bob', addresses: ['203.0.113.2'] }).bind();
    const atBob = record(clock, bob);

    aliceHost.uplink.setConditions({ loss: 1 });
    expect(aliceHost.uplink.conditions).toEqual({ loss: 1 });
    for (let i = 0; i < 10; i++) alice.send(new Uint8Array(1), bob.localAddress);
    clock.runUntilIdle();
    aliceHost.uplink.setConditions({});
    alice.send(new Uint8Array(1), bob.localAddress);
    clock.runUntilIdle();

    expect(atBob).toHaveLength(1);
    expect(aliceHost.uplink.stats).toMatchObject({ sent: 11, droppedLoss: 10, delivered: 1 });
    expect(() => aliceHost.uplink.setConditions({ loss: 1.5 })).toThrow(
      expect.objectContaining({ code: 'INVALID_LINK_CONDITIONS' }),
    );
  });

  it('rejects duplicate names, duplicate addresses and invalid addresses', () => {
    const { net } = setup();
    net.addHost({ name: 'alice', addresses: ['203.0.113.1'] });
    const attempts: [() => unknown, string][] = [
      [() => net.addHost({ name: 'alice', addresses: ['203.0.113.2'] }), 'DUPLICATE_NAME'],
      [() => net.addHost({ name: 'bob', addresses: ['203.0.113.1'] }), 'DUPLICATE_ADDRESS'],
      [() => net.addNat({ name: 'nat', publicAddress: '203.0.113.1' }), 'DUPLICATE_ADDRESS'],
      [() => net.addHost({ name: 'carol', addresses: ['300.1.1.1'] }), 'INVALID_ADDRESS'],
      [() => net.addHost({ name: 'dave', addresses: [] }), 'INVALID_ADDRESS'],
      [
        () => net.addHost({ name: 'erin', addresses: ['203.0.113.5'], link: { mtu: 0 } }),
        'INVALID_LINK_CONDITIONS',
      ],
      [
        () => net.addNat({ name: 'nat', publicAddress: '203.0.113.9', mappingTimeoutMs: 0 }),
        'INVALID_NAT_CONFIG',
      ],
    ];
    for (const [attempt, code] of attempts) {
      expect(attempt).toThrow(VirtualNetworkError);
      expect(attempt).toThrow(expect.objectContaining({ code }));
    }
    // A rejected host leaves its name free.
    expect(net.addHost({ name: 'bob', addresses: ['203.0.113.2'] }).name).toBe('bob');
  });
});
