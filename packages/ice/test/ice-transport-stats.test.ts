/**
 * `IceTransport.getStats()`: the data counted on the selected pair, the checks' counters, the
 * candidates every pair names, and where each local candidate came from.
 */

import { afterEach, describe, expect, it } from 'vitest';
import { IceAgent } from '../src/agent/ice-agent.js';
import { createLocalCandidate } from '../src/candidate.js';
import { IceTransport, type IceTransportOptions } from '../src/node/ice-transport.js';
import { collectIceTransportStats } from '../src/node/ice-transport-stats.js';
import { stateReached } from './transport-helpers.js';

const LOOPBACK_ONLY = {
  includeLoopback: true,
  interfaces: ['lo'],
  families: ['IPv4'],
} as const satisfies Partial<IceTransportOptions>;

const opened: IceTransport[] = [];
afterEach(() => {
  for (const transport of opened.splice(0)) transport.close();
});

function connectPair(): { a: IceTransport; b: IceTransport } {
  const a = IceTransport.create({ ...LOOPBACK_ONLY, role: 'controlling' });
  const b = IceTransport.create({ ...LOOPBACK_ONLY, role: 'controlled' });
  opened.push(a, b);
  a.setRemoteCredentials(b.localCredentials);
  b.setRemoteCredentials(a.localCredentials);
  for (const [from, to] of [
    [a, b],
    [b, a],
  ] as const) {
    from.on('candidate', ({ candidateString }) => to.addRemoteCandidate(candidateString));
    from.on('gathering-state', (state) => state === 'complete' && to.addRemoteCandidate(null));
  }
  return { a, b };
}

function received(transport: IceTransport, count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('datagrams missing')), 5_000);
    let seen = 0;
    const off = transport.on('datagram', () => {
      if (++seen < count) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

describe('IceTransport.getStats', () => {
  it('counts the data on the selected pair and lists the candidates of every pair', async () => {
    const { a, b } = connectPair();
    await Promise.all([stateReached(a, ['completed']), stateReached(b, ['completed'])]);
    const arrived = received(b, 3);
    const before = performance.now();
    for (const size of [10, 20, 30]) a.send(new Uint8Array(size).fill(22));
    await arrived;

    const sender = a.getStats();
    expect(sender).toMatchObject({
      role: 'controlling',
      state: 'completed',
      localUfrag: a.localCredentials.ufrag,
      remoteUfrag: b.localCredentials.ufrag,
      packetsSent: 3,
      bytesSent: 60,
      packetsReceived: 0,
      selectedCandidatePairChanges: 1,
    });
    const selected = sender.pairs.filter((pair) => pair.selected);
    expect(selected).toHaveLength(1);
    const pair = selected[0];
    expect(pair).toMatchObject({ packetsSent: 3, bytesSent: 60, packetsReceived: 0 });
    expect(pair?.lastPacketSentAt).toBeGreaterThanOrEqual(before);
    expect(pair?.lastPacketSentAt).toBeLessThanOrEqual(sender.now);
    expect(pair?.lastPacketReceivedAt).toBeUndefined();
    expect(pair?.requestsSent).toBeGreaterThan(0);
    expect(pair?.responsesReceived).toBeGreaterThan(0);
    expect(pair?.currentRoundTripTimeMs).toBeGreaterThanOrEqual(0);
    expect(pair?.local).toBe(a.selectedPair?.local);
    for (const { local, remote } of sender.pairs) {
      expect(sender.localCandidates.map(({ candidate }) => candidate)).toContain(local);
      expect(sender.remoteCandidates).toContain(remote);
    }

    const receiver = b.getStats();
    expect(receiver).toMatchObject({ packetsReceived: 3, bytesReceived: 60, packetsSent: 0 });
    const back = receiver.pairs.find((p) => p.selected);
    expect(back).toMatchObject({ packetsReceived: 3, bytesReceived: 60, packetsSent: 0 });
    expect(back?.lastPacketReceivedAt).toBeLessThanOrEqual(receiver.now);
    expect(back?.requestsReceived).toBeGreaterThan(0);
    expect(back?.responsesSent).toBe(back?.requestsReceived);

    // Losing the selected pair is a change too.
    a.close();
    expect(a.getStats().selectedCandidatePairChanges).toBe(2);
  });

  it('says which server each local candidate came from', () => {
    const agent = new IceAgent({ controlling: true });
    const host = createLocalCandidate({ type: 'host', address: '192.168.1.2', port: 5000 });
    const srflx = createLocalCandidate({
      type: 'srflx',
      address: '203.0.113.4',
      port: 6000,
      base: host.base,
      serverAddress: '198.51.100.1',
    });
    const relay = createLocalCandidate({
      type: 'relay',
      address: '198.51.100.2',
      port: 7000,
      serverAddress: '198.51.100.2',
    });
    for (const candidate of [host, srflx, relay]) agent.addLocalCandidate(candidate);
    const stats = collectIceTransportStats({
      agent,
      role: 'controlling',
      signalled: [
        { candidate: host, candidateString: 'host' },
        { candidate: srflx, candidateString: 'srflx', url: 'stun:198.51.100.1' },
        {
          candidate: relay,
          candidateString: 'relay',
          url: 'turns:198.51.100.2',
          relayProtocol: 'tls',
        },
      ],
      datagrams: {
        datagramsSent: 0,
        bytesSent: 0,
        datagramsReceived: 0,
        bytesReceived: 0,
        droppedFromOthers: 0,
      },
      selectedCandidatePairChanges: 0,
      now: 0,
    });
    expect(stats.localCandidates).toEqual([
      { candidate: host },
      { candidate: srflx, url: 'stun:198.51.100.1' },
      { candidate: relay, url: 'turns:198.51.100.2', relayProtocol: 'tls' },
    ]);
    expect(stats.remoteUfrag).toBeUndefined();
    expect(stats.pairs).toEqual([]);
  });
});
