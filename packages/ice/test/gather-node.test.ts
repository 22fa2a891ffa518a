import { createSocket, type Socket } from 'node:dgram';
import { ClosedError, type SocketAddress } from '@typertc/common';
import { StunMessage, StunMethod, StunTimeoutError, XOR_MAPPED_ADDRESS } from '@typertc/stun';
import { afterEach, describe, expect, it } from 'vitest';
import { candidatePriority, localPreferences } from '../src/candidate.js';
import {
  CandidateGatherer,
  type GatheredCandidate,
  type GatheringError,
} from '../src/gather/gatherer.js';
import { IceServerError } from '../src/gather/ice-servers.js';

/** The public address a pretend NAT maps each loopback socket to: same port, another IP. */
const NAT_IP = { IPv4: '203.0.113.9', IPv6: '2001:db8::9' } as const;

interface Responder {
  readonly port: number;
  readonly requests: SocketAddress[];
  close(): Promise<void>;
}

/**
 * A UDP STUN server on loopback that answers Binding requests as if behind a NAT: the
 * XOR-MAPPED-ADDRESS is NAT_IP with the sender's port. `silent` never answers.
 */
async function startResponder(family: 'IPv4' | 'IPv6', silent = false): Promise<Responder> {
  const socket: Socket = createSocket(family === 'IPv4' ? 'udp4' : 'udp6');
  const requests: SocketAddress[] = [];
  socket.on('message', (data, from) => {
    const request = StunMessage.decode(new Uint8Array(data));
    if (request.messageClass !== 'request' || request.method !== StunMethod.Binding) return;
    requests.push({ address: from.address, port: from.port, family });
    if (silent) return;
    const response = StunMessage.responseTo(request, 'success')
      .add(XOR_MAPPED_ADDRESS, { address: NAT_IP[family], port: from.port, family })
      .encode({ fingerprint: true });
    socket.send(response, from.port, from.address);
  });
  await new Promise<void>((resolve) =>
    socket.bind(0, family === 'IPv4' ? '127.0.0.1' : '::1', resolve),
  );
  return {
    port: socket.address().port,
    requests,
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function responder(family: 'IPv4' | 'IPv6', silent = false): Promise<Responder> {
  const started = await startResponder(family, silent);
  cleanups.push(() => started.close());
  return started;
}

function startGatherer(options: Parameters<typeof CandidateGatherer.start>[0]): CandidateGatherer {
  const gatherer = CandidateGatherer.start({
    includeLoopback: true,
    interfaces: ['lo'],
    stunTransaction: { rto: 50, maxTransmissions: 2, lastWaitFactor: 2 },
    ...options,
  });
  cleanups.push(() => gatherer.close());
  return gatherer;
}

const ofType = (all: readonly GatheredCandidate[], type: string) =>
  all.filter((g) => g.candidate.type === type);

describe('CandidateGatherer on loopback', () => {
  it('trickles host then srflx candidates from every STUN server, then end-of-candidates', async () => {
    const v4 = await responder('IPv4');
    const v6 = await responder('IPv6');
    const dead = await responder('IPv4', true);
    const gatherer = startGatherer({
      iceServers: [
        { urls: [`stun:127.0.0.1:${v4.port}`, `stun:[::1]:${v6.port}`] },
        { urls: `stun:127.0.0.1:${dead.port}` },
      ],
    });
    const order: string[] = [];
    gatherer.on('candidate', (g) => order.push(g.candidate.type));
    gatherer.on('end-of-candidates', () => order.push('end'));
    const all = await gatherer.finished();
    expect(gatherer.complete).toBe(true);

    const hosts = ofType(all, 'host');
    expect(hosts.map((h) => h.candidate.address).sort()).toEqual(['127.0.0.1', '::1']);
    const preferences = localPreferences([{ family: 'IPv4' }, { family: 'IPv6' }]);
    const host4 = hosts.find((h) => h.candidate.family === 'IPv4') as GatheredCandidate;
    const host6 = hosts.find((h) => h.candidate.family === 'IPv6') as GatheredCandidate;
    expect(host4.candidate.priority).toBe(candidatePriority('host', preferences[0]));
    expect(host6.candidate.priority).toBe(candidatePriority('host', preferences[1]));
    for (const host of hosts) {
      expect(host.transport.localAddress).toEqual(host.candidate.base);
      expect(host.candidate.port).toBe(host.transport.localAddress.port);
      expect(host.url).toBeUndefined();
    }

    // One srflx per host socket and family (RFC 8445 §5.1.1.2), based on that socket.
    const srflx = ofType(all, 'srflx');
    expect(srflx).toHaveLength(2);
    for (const [host, server] of [
      [host4, `stun:127.0.0.1:${v4.port}`],
      [host6, `stun:[::1]:${v6.port}`],
    ] as const) {
      const found = srflx.find((s) => s.candidate.family === host.candidate.family);
      expect(found?.url).toBe(server);
      expect(found?.transport).toBe(host.transport);
      expect(found?.candidate).toMatchObject({
        address: NAT_IP[host.candidate.family],
        port: host.candidate.port,
        base: host.candidate.base,
        relatedAddress: host.candidate.address,
      });
    }
    expect(v4.requests.map((r) => r.port)).toEqual([host4.candidate.port]);
    expect(v6.requests.map((r) => r.port)).toEqual([host6.candidate.port]);

    // The silent server timed out; it is reported, and gathering ended anyway.
    const errors: unknown[] = [];
    gatherer.on('error', (e) => errors.push(e));
    expect(errors).toEqual([
      { url: `stun:127.0.0.1:${dead.port}`, error: expect.any(StunTimeoutError) },
    ]);
    expect(dead.requests).toHaveLength(2);
    expect(order.slice(0, 2)).toEqual(['host', 'host']);
    expect(order.slice(2)).toEqual(['srflx', 'srflx', 'end']);
  });

  it('replays everything to a listener that comes late, and keeps the sockets open until close', async () => {
    const v4 = await responder('IPv4');
    const gatherer = startGatherer({
      families: ['IPv4'],
      iceServers: [{ urls: `stun:127.0.0.1:${v4.port}` }],
    });
    await gatherer.finished();
    const replayed: string[] = [];
    gatherer.on('candidate', (g) => replayed.push(g.candidate.type));
    gatherer.on('end-of-candidates', () => replayed.push('end'));
    expect(replayed).toEqual(['host', 'srflx', 'end']);

    // The handed-over socket still works: another Binding through it gets answered.
    const host = gatherer.candidates[0] as GatheredCandidate;
    const answered = new Promise<Uint8Array>((resolve) => {
      host.transport.on('datagram', (data) => resolve(data));
    });
    const request = new StunMessage('request', StunMethod.Binding);
    host.transport.send(request.encode(), { address: '127.0.0.1', port: v4.port, family: 'IPv4' });
    const response = StunMessage.decode(new Uint8Array(await answered));
    expect(new Uint8Array(response.transactionId)).toEqual(request.transactionId);

    gatherer.close();
    expect(host.transport.closed).toBe(true);
  });

  it('binds host sockets inside the port range, and ends at once without servers', async () => {
    const gatherer = startGatherer({ families: ['IPv4'], portRange: { min: 47_100, max: 47_120 } });
    const all = await gatherer.finished();
    expect(all).toHaveLength(1);
    const port = all[0]?.candidate.port as number;
    expect(port).toBeGreaterThanOrEqual(47_100);
    expect(port).toBeLessThanOrEqual(47_120);
  });

  it('throws IceServerError for a malformed server at start', () => {
    expect(() => CandidateGatherer.start({ iceServers: [{ urls: 'turn:example.org' }] })).toThrow(
      expect.objectContaining({ reason: 'credentials' }),
    );
  });

  it('closes mid-gathering without emitting anything more', async () => {
    const dead = await responder('IPv4', true);
    const gatherer = startGatherer({
      families: ['IPv4'],
      iceServers: [{ urls: `stun:127.0.0.1:${dead.port}` }],
    });
    const seen: string[] = [];
    gatherer.on('candidate', (g) => seen.push(g.candidate.type));
    gatherer.on('end-of-candidates', () => seen.push('end'));
    gatherer.on('close', () => seen.push('close'));
    const finished = gatherer.finished();
    await new Promise((resolve) => setTimeout(resolve, 20));
    gatherer.close();
    await expect(finished).rejects.toBeInstanceOf(ClosedError);
    await expect(gatherer.finished()).rejects.toBeInstanceOf(ClosedError);
    const host = gatherer.candidates[0] as GatheredCandidate;
    expect(host.transport.closed).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(seen).toEqual(['host', 'close']);
    expect(gatherer.complete).toBe(false);
    let lateClose = false;
    gatherer.on('close', () => {
      lateClose = true;
    });
    expect(lateClose).toBe(true);
  });

  it('reports a stuns: server as unsupported: STUN over TLS gives no UDP mapping', async () => {
    const gatherer = startGatherer({
      families: ['IPv4'],
      iceServers: [{ urls: 'stuns:127.0.0.1:5349' }],
    });
    const all = await gatherer.finished();
    expect(all.map((g) => g.candidate.type)).toEqual(['host']);
    const errors: GatheringError[] = [];
    gatherer.on('error', (e) => errors.push(e));
    expect(errors).toHaveLength(1);
    expect(errors[0]?.url).toBe('stuns:127.0.0.1:5349');
    expect(errors[0]?.error).toBeInstanceOf(IceServerError);
    expect(errors[0]?.error).toMatchObject({ reason: 'unsupported' });
  });
});
