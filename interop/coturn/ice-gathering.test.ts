/**
 * Candidate gathering (RFC 8445 §5.1.1) against a real coturn on loopback: one TURN server per
 * transport to it (UDP, TCP, TLS), each giving a relayed candidate whose relay carries data, and
 * coturn as a STUN server, whose answer on loopback equals the host candidate and so is dropped
 * as redundant (RFC 8445 §5.1.3). End-of-candidates comes once all are in.
 */

import { CandidateGatherer, candidatePriority, type GatheredCandidate } from '@typertc/ice';
import { TurnTransport } from '@typertc/stun';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CoturnServer, startCoturn } from './coturn.js';

let server: CoturnServer;

beforeAll(async () => {
  server = await startCoturn();
}, 15_000);

afterAll(async () => {
  await server?.stop();
});

describe('CandidateGatherer against coturn', () => {
  it('gathers a relayed candidate from every TURN server (udp, tcp, tls), then ends', async () => {
    const urls = {
      udp: `turn:127.0.0.1:${server.udp.port}?transport=udp`,
      tcp: `turn:127.0.0.1:${server.tcp.port}?transport=tcp`,
      tls: `turns:127.0.0.1:${server.tls.port}`,
    } as const;
    const gatherer = CandidateGatherer.start({
      includeLoopback: true,
      interfaces: ['lo'],
      families: ['IPv4'],
      iceServers: [
        { urls: `stun:127.0.0.1:${server.udp.port}` },
        {
          urls: [urls.udp, urls.tcp, urls.tls],
          username: server.username,
          credential: server.password,
        },
      ],
      tls: { ca: server.tlsCa, servername: server.tlsServerName },
    });
    try {
      const order: string[] = [];
      gatherer.on('candidate', (g) => order.push(g.candidate.type));
      gatherer.on('end-of-candidates', () => order.push('end'));
      const errors: unknown[] = [];
      gatherer.on('error', (e) => errors.push(e));
      const all = await gatherer.finished();
      expect(errors, server.log()).toEqual([]);
      expect(order.at(-1)).toBe('end');
      expect(order.filter((type) => type === 'end')).toHaveLength(1);

      const [host, ...others] = all;
      expect(host?.candidate).toMatchObject({ type: 'host', address: '127.0.0.1' });
      // coturn maps the host socket to itself on loopback: redundant, no srflx (RFC 8445 §5.1.3).
      expect(others.filter((g) => g.candidate.type === 'srflx')).toEqual([]);

      const relays = others.filter((g) => g.candidate.type === 'relay');
      expect(relays.map((r) => r.url).sort()).toEqual(Object.values(urls).sort());
      for (const relay of relays) {
        const transport = relay.transport;
        expect(transport).toBeInstanceOf(TurnTransport);
        expect(relay.candidate).toMatchObject({
          address: '127.0.0.1',
          port: transport.localAddress.port,
          base: transport.localAddress,
          relatedAddress: (transport as TurnTransport).mappedAddress?.address,
          relatedPort: (transport as TurnTransport).mappedAddress?.port,
        });
        expect(relay.candidate.port).toBeGreaterThanOrEqual(server.relayPorts.min);
        expect(relay.candidate.port).toBeLessThanOrEqual(server.relayPorts.max);
        await expectRelayDelivers(relay, host as GatheredCandidate);
      }
      const priority = (url: string) => relays.find((r) => r.url === url)?.candidate.priority;
      expect(priority(urls.udp)).toBe(candidatePriority('relay', 65535));
      expect(priority(urls.udp) as number).toBeGreaterThan(priority(urls.tcp) as number);
      expect(priority(urls.tcp) as number).toBeGreaterThan(priority(urls.tls) as number);
    } finally {
      gatherer.close();
    }
    for (const { transport } of gatherer.candidates) expect(transport.closed).toBe(true);
  });

  it('reports a TURN server with the wrong credential, and still ends', async () => {
    const url = `turn:127.0.0.1:${server.udp.port}`;
    const gatherer = CandidateGatherer.start({
      includeLoopback: true,
      interfaces: ['lo'],
      families: ['IPv4'],
      iceServers: [{ urls: url, username: server.username, credential: 'wrong' }],
    });
    try {
      const errors: { url?: string; error: Error }[] = [];
      gatherer.on('error', (e) => errors.push(e));
      const all = await gatherer.finished();
      expect(all.map((g) => g.candidate.type)).toEqual(['host']);
      expect(errors).toHaveLength(1);
      expect(errors[0]?.url).toBe(url);
      expect(errors[0]?.error).toMatchObject({ errorCode: 401 });
    } finally {
      gatherer.close();
    }
  });
});

/** Sends through the relay to the host socket and checks it arrives from the relayed address. */
async function expectRelayDelivers(
  relay: GatheredCandidate,
  host: GatheredCandidate,
): Promise<void> {
  const payload = new TextEncoder().encode(`through ${relay.url}`);
  const arrived = new Promise<{ data: Uint8Array; port: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nothing through ${relay.url}`)), 5_000);
    const off = host.transport.on('datagram', (data, from) => {
      clearTimeout(timer);
      off();
      resolve({ data: new Uint8Array(data), port: from.port });
    });
  });
  relay.transport.send(payload, host.transport.localAddress);
  const { data, port } = await arrived;
  expect(data).toEqual(payload);
  expect(port).toBe(relay.candidate.port);
}
