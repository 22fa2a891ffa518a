import { describe, expect, it } from 'vitest';
import {
  type LinkConditions,
  type PacketDrop,
  type VirtualHost,
  VirtualNetwork,
  type VirtualUdpSocket,
} from '../src/testing/index.js';
import { ManualClock } from '../src/time/clock.js';

interface Arrival {
  readonly index: number;
  readonly size: number;
  readonly at: number;
}

/** A sender whose uplink has `conditions`, and a receiver on a clean link. */
function path(
  conditions: LinkConditions,
  seed = 1,
): {
  clock: ManualClock;
  net: VirtualNetwork;
  sender: VirtualHost;
  send: VirtualUdpSocket;
  receive: VirtualUdpSocket;
  arrivals: Arrival[];
} {
  const clock = new ManualClock();
  const net = new VirtualNetwork(clock, { seed });
  const sender = net.addHost({ name: 'sender', addresses: ['203.0.113.1'], link: conditions });
  const receiver = net.addHost({ name: 'receiver', addresses: ['203.0.113.2'] });
  const send = sender.bind();
  const receive = receiver.bind();
  const arrivals: Arrival[] = [];
  receive.on('datagram', (data) => {
    const index = new DataView(data.buffer, data.byteOffset).getUint32(0);
    arrivals.push({ index, size: data.byteLength, at: clock.now() });
  });
  return { clock, net, sender, send, receive, arrivals };
}

function numbered(index: number, size = 4): Uint8Array {
  const data = new Uint8Array(size);
  new DataView(data.buffer).setUint32(0, index);
  return data;
}

/** Sends `count` numbered packets `spacingMs` apart, then lets the network drain. */
function sendNumbered(
  setup: ReturnType<typeof path>,
  count: number,
  spacingMs: number,
  size = 4,
): void {
  for (let i = 0; i < count; i++) {
    setup.send.send(numbered(i, size), setup.receive.localAddress);
    setup.clock.advance(spacingMs);
  }
  setup.clock.runUntilIdle();
}

function lostIndices(seed: number): number[] {
  const setup = path({ loss: 0.3 }, seed);
  sendNumbered(setup, 10_000, 1);
  const received = new Set(setup.arrivals.map((arrival) => arrival.index));
  return Array.from({ length: 10_000 }, (_, i) => i).filter((i) => !received.has(i));
}

describe('VirtualLink impairments', () => {
  it('drops close to the configured loss rate, the same packets for the same seed', () => {
    const setup = path({ loss: 0.3 }, 42);
    sendNumbered(setup, 10_000, 1);
    const lost = 10_000 - setup.arrivals.length;
    expect(lost / 10_000).toBeGreaterThan(0.28);
    expect(lost / 10_000).toBeLessThan(0.32);
    expect(setup.sender.uplink.stats).toMatchObject({ sent: 10_000, droppedLoss: lost });
    expect(setup.net.stats.dropped.loss).toBe(lost);

    const first = lostIndices(42);
    expect(first).toHaveLength(lost);
    expect(lostIndices(42)).toEqual(first);
    const other = lostIndices(43);
    expect(other).not.toEqual(first);
    expect(other.length / 10_000).toBeGreaterThan(0.28);
    expect(other.length / 10_000).toBeLessThan(0.32);
  });

  it('keeps each link on its own random stream, so adding hosts changes nothing', () => {
    const clock = new ManualClock();
    const net = new VirtualNetwork(clock, { seed: 42 });
    net.addHost({ name: 'bystander', addresses: ['203.0.113.9'], link: { loss: 0.5 } });
    const sender = net.addHost({ name: 'sender', addresses: ['203.0.113.1'], link: { loss: 0.3 } });
    const receiver = net.addHost({ name: 'receiver', addresses: ['203.0.113.2'] }).bind();
    const received = new Set<number>();
    receiver.on('datagram', (data) => received.add(new DataView(data.buffer).getUint32(0)));
    const socket = sender.bind();
    for (let i = 0; i < 10_000; i++) {
      socket.send(numbered(i), receiver.localAddress);
      clock.advance(1);
    }
    clock.runUntilIdle();
    const lost = Array.from({ length: 10_000 }, (_, i) => i).filter((i) => !received.has(i));
    expect(lost).toEqual(lostIndices(42));
  });

  it('duplicates at the configured rate, each copy with its own bytes', () => {
    const setup = path({ duplicate: 0.2 }, 3);
    const buffers = new Set<ArrayBufferLike>();
    setup.receive.on('datagram', (data) => buffers.add(data.buffer));
    sendNumbered(setup, 5000, 1);
    const extra = setup.arrivals.length - 5000;
    expect(extra / 5000).toBeGreaterThan(0.18);
    expect(extra / 5000).toBeLessThan(0.22);
    expect(setup.sender.uplink.stats.duplicated).toBe(extra);
    expect(buffers.size).toBe(setup.arrivals.length);
    // A copy arrives right behind its original.
    const indices = setup.arrivals.map((arrival) => arrival.index);
    expect(new Set(indices).size).toBe(5000);
    expect(indices).toEqual([...indices].sort((a, b) => a - b));
  });

  it('passes a packet of exactly mtu bytes and drops one byte more', () => {
    const setup = path({ mtu: 1200 });
    const drops: PacketDrop[] = [];
    setup.net.on('drop', (drop) => drops.push(drop));
    setup.send.send(numbered(0, 1200), setup.receive.localAddress);
    setup.send.send(numbered(1, 1201), setup.receive.localAddress);
    setup.send.send(numbered(2, 100), setup.receive.localAddress);
    setup.clock.runUntilIdle();
    expect(setup.arrivals.map((arrival) => [arrival.index, arrival.size])).toEqual([
      [0, 1200],
      [2, 100],
    ]);
    expect(setup.sender.uplink.stats.droppedMtu).toBe(1);
    expect(drops).toEqual([
      expect.objectContaining({ reason: 'mtu', size: 1201, where: 'sender up' }),
    ]);
  });

  it('reorders at the configured rate', () => {
    const setup = path({ delayMs: 5, reorder: 0.1 }, 9);
    sendNumbered(setup, 10_000, 1);
    expect(setup.arrivals).toHaveLength(10_000);
    // Out of order: arriving after a packet that was sent later.
    let latest = -1;
    let outOfOrder = 0;
    for (const { index } of setup.arrivals) {
      if (index < latest) outOfOrder++;
      latest = Math.max(latest, index);
    }
    expect(outOfOrder / 10_000).toBeGreaterThan(0.09);
    expect(outOfOrder / 10_000).toBeLessThan(0.11);
    expect(setup.sender.uplink.stats.reordered).toBe(outOfOrder);
    // A held packet is late by reorderDelayMs (default delayMs + 10).
    const late = setup.arrivals.filter((arrival) => arrival.at - arrival.index > 5);
    expect(late).toHaveLength(outOfOrder);
    for (const arrival of late) expect(arrival.at - arrival.index).toBe(20);
  });

  it('holds a reordered packet back from its in-order arrival, even under heavy jitter', () => {
    // Jitter far above reorderDelayMs: a held packet must still land after every packet sent
    // before it that was not held, so only held packets are ever overtaken.
    const setup = path({ jitterMs: 50, reorder: 0.1, reorderDelayMs: 2 }, 4);
    sendNumbered(setup, 5000, 1);
    expect(setup.arrivals).toHaveLength(5000);
    const arrivedAt = new Map(setup.arrivals.map((arrival) => [arrival.index, arrival.at]));
    const order = setup.arrivals.map((arrival) => arrival.index);
    // Overtaken: some packet sent later arrived first.
    const overtaken = new Set<number>();
    let latest = -1;
    for (const index of order) {
      if (index < latest) overtaken.add(index);
      latest = Math.max(latest, index);
    }
    const held = setup.sender.uplink.stats.reordered;
    expect(held / 5000).toBeGreaterThan(0.09);
    expect(held / 5000).toBeLessThan(0.11);
    expect(overtaken.size).toBeLessThanOrEqual(held);
    // Packets that were not overtaken arrive in the order they were sent (jitter never reorders).
    const inOrder = order.filter((index) => !overtaken.has(index));
    expect(inOrder).toEqual([...inOrder].sort((a, b) => a - b));
    // Every overtaken packet is at least reorderDelayMs behind the in-order packet sent before it.
    for (const index of overtaken) {
      const before = inOrder.filter((other) => other < index).at(-1);
      if (before === undefined) continue;
      expect(arrivedAt.get(index) as number).toBeGreaterThanOrEqual(
        (arrivedAt.get(before) as number) + 2,
      );
    }
  });

  it('replays every impairment exactly for a seed', () => {
    const conditions: LinkConditions = {
      loss: 0.05,
      delayMs: 20,
      jitterMs: 15,
      reorder: 0.05,
      duplicate: 0.05,
      bandwidthBps: 2_000_000,
      queueBytes: 20_000,
    };
    const trace = (seed: number): string[] => {
      const setup = path(conditions, seed);
      sendNumbered(setup, 2000, 2, 600);
      return setup.arrivals.map((arrival) => `${arrival.index}@${arrival.at}`);
    };
    const first = trace(21);
    expect(trace(21)).toEqual(first);
    expect(trace(22)).not.toEqual(first);
  });

  it('never reorders when reorder is 0, even with jitter', () => {
    const setup = path({ delayMs: 5, jitterMs: 30 }, 9);
    sendNumbered(setup, 5000, 1);
    const indices = setup.arrivals.map((arrival) => arrival.index);
    expect(indices).toEqual(indices.map((_, i) => i));
    expect(setup.sender.uplink.stats.reordered).toBe(0);
  });

  it('serialises at the bandwidth cap and drops when the buffer is full', () => {
    // 1 Mbit/s moves 125 bytes per ms: a 1250-byte packet takes 10 ms to send.
    const setup = path({ bandwidthBps: 1_000_000, queueBytes: 3000, delayMs: 5 });
    for (let i = 0; i < 4; i++) setup.send.send(numbered(i, 1250), setup.receive.localAddress);
    // 10 ms later the first packet has left, so there is room for one more.
    setup.clock.advanceTo(10);
    setup.send.send(numbered(4, 1250), setup.receive.localAddress);
    setup.send.send(numbered(5, 1250), setup.receive.localAddress);
    setup.clock.runUntilIdle();

    expect(setup.arrivals.map((arrival) => [arrival.index, arrival.at])).toEqual([
      [0, 15],
      [1, 25],
      [4, 35],
    ]);
    expect(setup.sender.uplink.stats.droppedQueue).toBe(3);
    expect(setup.net.stats.dropped['queue-full']).toBe(3);
  });

  it('paces a steady stream at the cap with an unbounded-enough buffer', () => {
    const setup = path({ bandwidthBps: 800_000, queueBytes: 1_000_000 });
    // 100 packets of 1000 bytes at 100 bytes/ms: the last leaves after 1000 ms.
    for (let i = 0; i < 100; i++) setup.send.send(numbered(i, 1000), setup.receive.localAddress);
    setup.clock.runUntilIdle();
    expect(setup.arrivals).toHaveLength(100);
    expect(setup.arrivals.map((arrival) => arrival.at)).toEqual(
      Array.from({ length: 100 }, (_, i) => (i + 1) * 10),
    );
  });
});
