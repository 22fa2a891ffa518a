/**
 * Two `IceTransport`s with `iceTransportPolicy: 'relay'` (W3C WebRTC 1.0 §4.2.1) connect through
 * their allocations on a real coturn: each offers only its relayed candidate, the checks and
 * the data travel relay to relay (coturn has `allow-loopback-peers`), and the selected pair is
 * relay/relay on both sides.
 */

import { IceTransport, type IceTransportState } from '@typertc/ice';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CoturnServer, startCoturn } from './coturn.js';

let server: CoturnServer;

beforeAll(async () => {
  server = await startCoturn();
}, 15_000);

afterAll(async () => {
  await server?.stop();
});

function relayOnly(role: 'controlling' | 'controlled'): IceTransport {
  return IceTransport.create({
    role,
    iceTransportPolicy: 'relay',
    includeLoopback: true,
    interfaces: ['lo'],
    families: ['IPv4'],
    iceServers: [
      {
        urls: `turn:127.0.0.1:${server.udp.port}?transport=udp`,
        username: server.username,
        credential: server.password,
      },
    ],
  });
}

function connected(transport: IceTransport): Promise<IceTransportState> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`still ${transport.state}\n${server.log()}`)),
      15_000,
    );
    const off = transport.on('state', (state) => {
      if (state === 'failed') reject(new Error(`ICE failed\n${server.log()}`));
      if (state !== 'connected' && state !== 'completed') return;
      clearTimeout(timer);
      off();
      resolve(state);
    });
  });
}

function nextDatagram(transport: IceTransport): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no datagram through the relays')), 5_000);
    const off = transport.on('datagram', (data) => {
      clearTimeout(timer);
      off();
      resolve(new Uint8Array(data));
    });
  });
}

describe('IceTransport through coturn relays', () => {
  it('connects relay to relay with iceTransportPolicy relay and carries data both ways', async () => {
    const a = relayOnly('controlling');
    const b = relayOnly('controlled');
    try {
      a.setRemoteCredentials(b.localCredentials);
      b.setRemoteCredentials(a.localCredentials);
      const signalled: Record<'a' | 'b', string[]> = { a: [], b: [] };
      for (const [from, to, name] of [
        [a, b, 'a'],
        [b, a, 'b'],
      ] as const) {
        from.on('candidate', ({ candidate, candidateString }) => {
          signalled[name].push(candidate.type);
          to.addRemoteCandidate(candidateString);
        });
        from.on('gathering-state', (state) => {
          if (state === 'complete') to.addRemoteCandidate(null);
        });
      }
      await Promise.all([connected(a), connected(b)]);

      // Only relayed candidates were signalled, though each gatherer also had a host socket.
      expect(signalled.a).toEqual(['relay']);
      expect(signalled.b).toEqual(['relay']);
      for (const transport of [a, b]) {
        expect(transport.selectedPair?.local.type).toBe('relay');
        expect(transport.selectedPair?.remote.type).toBe('relay');
        expect(transport.localAddress.port).toBeGreaterThanOrEqual(server.relayPorts.min);
        expect(transport.localAddress.port).toBeLessThanOrEqual(server.relayPorts.max);
      }
      expect(a.remoteAddress).toEqual(b.localAddress);
      expect(b.remoteAddress).toEqual(a.localAddress);

      const toB = Uint8Array.of(22, 254, 253, 0xaa);
      const atB = nextDatagram(b);
      a.send(toB);
      expect(await atB).toEqual(toB);
      const toA = Uint8Array.of(23, 254, 253, 0xbb);
      const atA = nextDatagram(a);
      b.send(toA);
      expect(await atA).toEqual(toA);
    } finally {
      a.close();
      b.close();
    }
  });
});
