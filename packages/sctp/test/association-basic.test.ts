import { describe, expect, it } from 'vitest';
import { AssociationPair } from './association-pair.js';

const text = new TextEncoder();

describe('SctpAssociation handshake and data', () => {
  it('one side connects; both end established', () => {
    const pair = new AssociationPair();
    pair.a.connect(0);
    pair.run(1000);
    expect(pair.a.state).toBe('established');
    expect(pair.b.state).toBe('established');
    expect(pair.events.a[0]).toEqual({ type: 'established' });
    expect(pair.events.b[0]).toEqual({ type: 'established' });
  });

  it('simultaneous open: both connect at once', () => {
    const pair = new AssociationPair();
    pair.a.connect(0);
    pair.b.connect(0);
    pair.run(1000);
    expect([pair.a.state, pair.b.state]).toEqual(['established', 'established']);
    pair.a.send({ streamId: 1, ppid: 51, data: text.encode('hi'), unordered: false });
    pair.run(1000);
    expect(pair.messages('b').map((m) => new TextDecoder().decode(m.data))).toEqual(['hi']);
  });

  it('carries small and fragmented messages both ways, in order', () => {
    const pair = new AssociationPair();
    pair.a.connect(0);
    pair.run(100);
    const big = new Uint8Array(100_000).map((_, i) => i & 0xff);
    pair.a.send({ streamId: 0, ppid: 53, data: big, unordered: false });
    pair.a.send({ streamId: 0, ppid: 51, data: text.encode('after'), unordered: false });
    pair.b.send({ streamId: 1, ppid: 51, data: text.encode('back'), unordered: false });
    pair.run(5000);
    const atB = pair.messages('b');
    expect(atB.map((m) => m.data.length)).toEqual([100_000, 5]);
    expect(atB[0]?.data).toEqual(big);
    expect(pair.messages('a').map((m) => new TextDecoder().decode(m.data))).toEqual(['back']);
  });
});

describe('packets handed over (owned)', () => {
  /** An established pair whose packets from `a` are held back, as fresh copies, for the test. */
  function heldFromA(): { pair: AssociationPair; held: Uint8Array[] } {
    const pair = new AssociationPair();
    pair.a.connect(0);
    pair.run(100);
    const held: Uint8Array[] = [];
    pair.link = (packet, from) => {
      if (from === 'b') return [{ packet, delayMs: 1 }];
      held.push(packet.slice());
      return [];
    };
    return { pair, held };
  }

  const large = new Uint8Array(1000).fill(7);
  const small = new Uint8Array(10).fill(9);

  it('keeps a chunk that fills half its packet as a view, and copies a small one', () => {
    const { pair, held } = heldFromA();
    pair.send('a', { streamId: 0, ppid: 53, data: large, unordered: false });
    pair.send('a', { streamId: 0, ppid: 53, data: small, unordered: false });
    pair.collect();
    expect(held).toHaveLength(1);
    const packet = held[0] as Uint8Array;
    pair.inject('b', packet, true);
    const [first, second] = pair.messages('b');
    expect(first?.data).toEqual(large);
    expect(second?.data).toEqual(small);
    // The small chunk alone must not pin the whole packet (memory bounded to twice the window).
    expect(first?.data.buffer).toBe(packet.buffer);
    expect(second?.data.buffer).not.toBe(packet.buffer);
  });

  it('copies everything out of a packet that is only lent', () => {
    const { pair, held } = heldFromA();
    pair.send('a', { streamId: 0, ppid: 53, data: large, unordered: false });
    pair.collect();
    const packet = held[0] as Uint8Array;
    pair.inject('b', packet);
    packet.fill(0);
    const [message] = pair.messages('b');
    expect(message?.data).toEqual(large);
    expect(message?.data.buffer).not.toBe(packet.buffer);
  });

  it('reassembles fragments kept as views, out of order, into one message', () => {
    const { pair, held } = heldFromA();
    const big = new Uint8Array(4000).map((_, i) => (i * 7) & 0xff);
    pair.send('a', { streamId: 0, ppid: 53, data: big, unordered: false });
    pair.collect();
    expect(held.length).toBeGreaterThanOrEqual(3);
    for (const packet of [...held].reverse()) pair.inject('b', packet, true);
    expect(pair.messages('b').map((m) => m.data)).toEqual([big]);
  });
});

describe('zero checksums over DTLS (RFC 9653)', () => {
  const checksum = (packet: Uint8Array): number =>
    ((packet[8] as number) |
      ((packet[9] as number) << 8) |
      ((packet[10] as number) << 16) |
      ((packet[11] as number) << 24)) >>>
    0;

  it('both offering: handshake packets carry the CRC-32c, later ones zero', () => {
    const pair = new AssociationPair({ zeroChecksum: true });
    pair.a.connect(0);
    pair.run(100);
    const handshake = pair.sent.a.length + pair.sent.b.length;
    pair.a.send({ streamId: 0, ppid: 53, data: new Uint8Array(5000).fill(1), unordered: false });
    pair.run(1000);
    const [init] = pair.sent.a;
    expect(checksum(init as Uint8Array)).not.toBe(0);
    const later = [...pair.sent.a.slice(2), ...pair.sent.b.slice(2)];
    expect(later.length).toBeGreaterThan(handshake - 4);
    expect(later.every((packet) => checksum(packet) === 0)).toBe(true);
    expect(pair.messages('b').map((m) => m.data.length)).toEqual([5000]);
  });

  it('one side not offering: every packet keeps its checksum', () => {
    const pair = new AssociationPair({ zeroChecksum: true }, undefined, { zeroChecksum: false });
    pair.a.connect(0);
    pair.run(100);
    pair.a.send({ streamId: 0, ppid: 53, data: new Uint8Array(5000).fill(1), unordered: false });
    pair.b.send({ streamId: 1, ppid: 53, data: new Uint8Array(100).fill(2), unordered: false });
    pair.run(1000);
    expect([...pair.sent.a, ...pair.sent.b].every((packet) => checksum(packet) !== 0)).toBe(true);
    expect(pair.messages('b')).toHaveLength(1);
    expect(pair.messages('a')).toHaveLength(1);
  });

  it('a zero checksum is refused by an endpoint that did not offer it', () => {
    const pair = new AssociationPair({ zeroChecksum: false });
    pair.a.connect(0);
    pair.run(100);
    const dropped = pair.b.stats.droppedPackets;
    pair.a.send({ streamId: 0, ppid: 53, data: new Uint8Array(10).fill(1), unordered: false });
    const packet = pair.a.pollTransmit() as Uint8Array;
    packet.fill(0, 8, 12);
    pair.b.handleDatagram(packet, pair.now);
    expect(pair.b.stats.droppedPackets).toBe(dropped + 1);
  });
});

describe('message sizes', () => {
  it('carries a 16 MiB message when maxMessageSize allows it (the window grows to hold it)', () => {
    const size = 16 * 1024 * 1024;
    const pair = new AssociationPair({ maxMessageSize: size });
    expect(pair.b.options.receiveWindow).toBeGreaterThanOrEqual(size);
    pair.a.connect(0);
    pair.run(100);
    const big = new Uint8Array(size);
    for (let i = 0; i < size; i += 4096) big[i] = (i >>> 12) & 0xff;
    pair.a.send({ streamId: 0, ppid: 53, data: big, unordered: false });
    pair.run(120_000, () => pair.messages('b').length === 1);
    const [message] = pair.messages('b');
    expect(message?.data.length).toBe(size);
    // Compared as bytes: a deep equality of 16 Mi elements would need gigabytes.
    expect(Buffer.compare(message?.data ?? new Uint8Array(0), big)).toBe(0);
  });

  it('refuses a message over maxMessageSize with SctpError', () => {
    const pair = new AssociationPair({ maxMessageSize: 1000 });
    pair.a.connect(0);
    pair.run(100);
    expect(() =>
      pair.a.send({ streamId: 0, ppid: 53, data: new Uint8Array(1001), unordered: false }),
    ).toThrow(expect.objectContaining({ code: 'SCTP_MESSAGE_TOO_LARGE' }));
  });
});
