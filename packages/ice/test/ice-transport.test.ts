import { createSocket } from 'node:dgram';
import { ManualClock } from '@typertc/common';
import { StunMessage } from '@typertc/stun';
import { afterEach, describe, expect, it } from 'vitest';
import type { IceTransportState } from '../src/agent/agent-types.js';
import { formatLocalCandidate, type LocalCandidate } from '../src/candidate.js';
import { CandidateGatherer } from '../src/gather/gatherer.js';
import { IceNotConnectedError } from '../src/node/errors.js';
import { IceTransport, type IceTransportOptions } from '../src/node/ice-transport.js';
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

function create(options: IceTransportOptions): IceTransport {
  const transport = IceTransport.create(options);
  opened.push(transport);
  return transport;
}

/** Trickles `from`'s candidates and end-of-candidates to `to` as they come. */
function trickle(from: IceTransport, to: IceTransport): void {
  from.on('candidate', ({ candidateString }) => to.addRemoteCandidate(candidateString));
  from.on('gathering-state', (state) => {
    if (state === 'complete') to.addRemoteCandidate(null);
  });
}

function nextDatagram(transport: IceTransport): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no datagram')), 5_000);
    const off = transport.on('datagram', (data) => {
      clearTimeout(timer);
      off();
      resolve(new Uint8Array(data));
    });
  });
}

/** Two transports trickling to each other, credentials exchanged. */
function connectPair(options: Omit<IceTransportOptions, 'role'> = LOOPBACK_ONLY) {
  const a = create({ ...options, role: 'controlling' });
  const b = create({ ...options, role: 'controlled' });
  a.setRemoteCredentials(b.localCredentials);
  b.setRemoteCredentials(a.localCredentials);
  trickle(a, b);
  trickle(b, a);
  return { a, b };
}

describe('IceTransport on loopback', () => {
  it('connects two transports by trickle and carries non-STUN datagrams both ways', async () => {
    const { a, b } = connectPair();
    const gatheringStates: string[] = [];
    a.on('gathering-state', (state) => gatheringStates.push(state));
    const connected = ['connected', 'completed'] as const;
    await Promise.all([stateReached(a, connected), stateReached(b, connected)]);
    await Promise.all([stateReached(a, ['completed']), stateReached(b, ['completed'])]);
    expect(gatheringStates).toEqual(['gathering', 'complete']);

    const [aLocal] = a.localCandidates;
    const [bLocal] = b.localCandidates;
    expect(aLocal?.candidateString).toMatch(/^candidate:\d+ 1 udp \d+ 127\.0\.0\.1 \d+ typ host/);
    expect(a.selectedPair?.remote).toMatchObject({
      address: '127.0.0.1',
      port: bLocal?.candidate.port,
    });
    expect(a.remoteAddress).toEqual({
      address: '127.0.0.1',
      port: bLocal?.candidate.port,
      family: 'IPv4',
    });
    expect(a.localAddress).toEqual(b.remoteAddress);
    expect(b.localAddress.port).toBe(bLocal?.candidate.port);
    expect(b.remoteAddress?.port).toBe(aLocal?.candidate.port);

    // A DTLS-looking record (first byte 22, RFC 7983) one way, an RTP-looking one (0x80) back.
    const toB = Uint8Array.of(22, 254, 253, 1, 2, 3);
    const arrivedAtB = nextDatagram(b);
    a.send(toB);
    expect(await arrivedAtB).toEqual(toB);
    const toA = Uint8Array.of(0x80, 96, 0, 1);
    const arrivedAtA = nextDatagram(a);
    b.send(toA);
    expect(await arrivedAtA).toEqual(toA);
    expect(a.stats.datagramsSent).toBe(1);
    expect(a.stats.datagramsReceived).toBe(1);
  });

  it('adopts a pre-gathered gatherer: replays its candidates and closes it', async () => {
    const gatherer = CandidateGatherer.start(LOOPBACK_ONLY);
    const [host] = await gatherer.finished();
    const transport = create({ role: 'controlled', gatherer });
    expect(transport.gatheringState).toBe('complete');
    const replayed: string[] = [];
    transport.on('candidate', ({ candidateString }) => replayed.push(candidateString));
    expect(replayed).toEqual([formatLocalCandidate(host?.candidate as LocalCandidate)]);
    transport.close();
    expect(gatherer.closed).toBe(true);
    expect(host?.transport.closed).toBe(true);
  });

  it('throws ICE_NOT_CONNECTED on send before a pair is selected', () => {
    const transport = create({ ...LOOPBACK_ONLY, role: 'controlling' });
    expect(() => transport.send(Uint8Array.of(22))).toThrow(IceNotConnectedError);
    expect(() => transport.send(Uint8Array.of(22))).toThrow(
      expect.objectContaining({ code: 'ICE_NOT_CONNECTED' }),
    );
    expect(transport.remoteAddress).toBeUndefined();
  });

  it('drops data from an address other than the selected remote, and counts it', async () => {
    const { a, b } = connectPair();
    const connected = ['connected', 'completed'] as const;
    await Promise.all([stateReached(a, connected), stateReached(b, connected)]);
    const stranger = createSocket('udp4');
    await new Promise<void>((resolve) => stranger.bind(0, '127.0.0.1', resolve));
    const received: Uint8Array[] = [];
    a.on('datagram', (data) => received.push(new Uint8Array(data)));
    const target = a.localCandidates[0]?.candidate;
    const dropped = a.stats.droppedFromOthers;
    await new Promise<void>((resolve) =>
      stranger.send(Uint8Array.of(22, 1), target?.port, '127.0.0.1', () => resolve()),
    );
    // The peer's datagram, sent after the stranger's, arrives; the stranger's does not.
    const fromPeer = nextDatagram(a);
    b.send(Uint8Array.of(23, 2));
    expect(await fromPeer).toEqual(Uint8Array.of(23, 2));
    stranger.close();
    expect(received).toEqual([Uint8Array.of(23, 2)]);
    expect(a.stats.droppedFromOthers).toBe(dropped + 1);
  });

  it('close releases the agent, the timer and every socket', async () => {
    const { a, b } = connectPair();
    const connected = ['connected', 'completed'] as const;
    await Promise.all([stateReached(a, connected), stateReached(b, connected)]);
    const states: IceTransportState[] = [];
    a.on('state', (state) => states.push(state));
    const handlesBefore = activeHandleCount();
    a.close();
    b.close();
    expect(states).toEqual(['closed']);
    expect(a.closed).toBe(true);
    expect(a.state).toBe('closed');
    expect(() => a.send(Uint8Array.of(22))).toThrow(expect.objectContaining({ code: 'CLOSED' }));
    // Sockets close asynchronously: wait a turn, then two UDP sockets and two timers are gone.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(activeHandleCount()).toBeLessThanOrEqual(handlesBefore - 2);
    expect(activeResources('UDPWRAP')).toBe(0);
  });
});

describe('IceTransport timer', () => {
  it('keeps one timer at the agent deadline and sends checks from the candidate socket', async () => {
    const clock = new ManualClock(0);
    const peer = createSocket('udp4');
    await new Promise<void>((resolve) => peer.bind(0, '127.0.0.1', resolve));
    const requests: { port: number; method: number }[] = [];
    peer.on('message', (data, from) => {
      requests.push({ port: from.port, method: StunMessage.decode(new Uint8Array(data)).method });
    });
    try {
      const transport = create({ ...LOOPBACK_ONLY, role: 'controlling', scheduler: clock });
      await new Promise<void>((resolve) =>
        transport.on('gathering-state', (state) => state === 'complete' && resolve()),
      );
      transport.setRemoteCredentials({ ufrag: 'peer', password: 'p'.repeat(22) });
      transport.addRemoteCandidate(
        `candidate:1 1 udp 2130706431 127.0.0.1 ${peer.address().port} typ host`,
      );
      // The first check is due at once; it waits for the scheduler, not a synchronous loop.
      expect(clock.pendingTimers).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(requests).toEqual([]);
      clock.advance(0);
      await waitFor(() => requests.length === 1);
      // The silent peer makes the agent retransmit (RFC 8445 §14.3, RTO 500 ms): one timer only.
      for (let ms = 0; ms < 2_000; ms += 100) {
        clock.advance(100);
        expect(clock.pendingTimers).toBe(1);
      }
      await waitFor(() => requests.length >= 3);
      const hostPort = transport.localCandidates[0]?.candidate.port;
      expect(requests.every((request) => request.port === hostPort && request.method === 1)).toBe(
        true,
      );
      transport.close();
      expect(clock.pendingTimers).toBe(0);
    } finally {
      peer.close();
    }
  });
});

/** Resolves once `condition` holds, polling real time (socket I/O is real even with a ManualClock). */
async function waitFor(condition: () => boolean): Promise<void> {
  for (let waited = 0; waited < 2_000; waited += 10) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('condition not met within 2 s');
}

function activeResources(name: string): number {
  return process.getActiveResourcesInfo().filter((resource) => resource === name).length;
}

function activeHandleCount(): number {
  return process
    .getActiveResourcesInfo()
    .filter((resource) => resource === 'UDPWRAP' || resource === 'Timeout').length;
}
