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
