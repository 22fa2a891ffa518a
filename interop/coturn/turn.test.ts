/**
 * The TURN client against a real coturn, over UDP, TCP and TLS: two relays allocate on the
 * server, refresh, and exchange datagrams through it both ways — over Send/Data indications,
 * then over channels — and each deallocates on close. Wrong credentials fail fast with 401.
 * IPv6 relayed addresses, from a coturn that also relays on ::1, likewise.
 */

import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import type { SocketAddress } from '@typertc/common';
import { StunErrorResponse, TurnTransport, type TurnTransportOptions } from '@typertc/stun';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CoturnServer, startCoturn } from './coturn.js';

type Transport = 'udp' | 'tcp' | 'tls';

let server: CoturnServer;

beforeAll(async () => {
  server = await startCoturn();
}, 15_000);

afterAll(async () => {
  await server?.stop();
});

function connect(
  transport: Transport,
  overrides: Partial<TurnTransportOptions> = {},
): Promise<TurnTransport> {
  return TurnTransport.connect({
    transport,
    server: server[transport],
    username: server.username,
    password: server.password,
    ...(transport === 'tls' ? { tls: { ca: server.tlsCa, servername: server.tlsServerName } } : {}),
    ...overrides,
  });
}

interface Received {
  readonly data: Uint8Array;
  readonly from: SocketAddress;
}

/** The next `count` datagrams the relay delivers; rejects after 5 s with coturn's log. */
function nextDatagrams(relay: TurnTransport, count: number): Promise<Received[]> {
  return new Promise((resolve, reject) => {
    const received: Received[] = [];
    const timer = setTimeout(() => {
      off();
      reject(new Error(`got ${received.length} of ${count} datagrams\n${server.log()}`));
    }, 5_000);
    const off = relay.on('datagram', (data, from) => {
      received.push({ data: new Uint8Array(data), from });
      if (received.length < count) return;
      clearTimeout(timer);
      off();
      resolve(received);
    });
  });
}

/** Sends `payloads` from one relay to the other and checks they arrive intact, in order. */
async function relayBetween(
  from: TurnTransport,
  to: TurnTransport,
  payloads: readonly Uint8Array[],
): Promise<void> {
  const arriving = nextDatagrams(to, payloads.length);
  for (const payload of payloads) from.send(payload, to.localAddress);
  const received = await arriving;
  expect(received.map((r) => r.data)).toEqual(payloads);
  for (const { from: sender } of received) expect(sender).toEqual(from.localAddress);
}

/** Whether a UDP socket can bind the port now: coturn holds a relayed port while allocated. */
function portIsFree(address: SocketAddress): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind(address.port, address.address, () => socket.close(() => resolve(true)));
  });
}

async function waitUntilPortIsFree(address: SocketAddress): Promise<boolean> {
  for (let attempt = 0; attempt < 40; attempt++) {
    if (await portIsFree(address)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

/** Payloads of awkward sizes (odd, not multiples of 4) so stream padding is exercised. */
function payloads(count: number): Uint8Array[] {
  return Array.from(
    { length: count },
    (_, i) => new Uint8Array(randomBytes(1 + ((i * 197) % 1201))),
  );
}

describe.each<Transport>(['udp', 'tcp', 'tls'])('TURN over %s against coturn', (transport) => {
  it('allocates, refreshes, relays both ways over indications and channels, and deallocates', async () => {
    const a = await connect(transport);
    const b = await connect(transport);
    try {
      for (const relay of [a, b]) {
        expect(relay.localAddress.address).toBe('127.0.0.1');
        expect(relay.localAddress.port).toBeGreaterThanOrEqual(server.relayPorts.min);
        expect(relay.localAddress.port).toBeLessThanOrEqual(server.relayPorts.max);
        expect(relay.mappedAddress?.address).toBe('127.0.0.1');
        expect(relay.client.state).toBe('allocated');
      }
      expect(a.localAddress.port).not.toBe(b.localAddress.port);
      await a.refresh();
      await b.refresh();

      // Send and Data indications (RFC 8656 §11): the permissions come first.
      await a.createPermission(b.localAddress);
      await b.createPermission(a.localAddress);
      await relayBetween(a, b, payloads(10));
      await relayBetween(b, a, payloads(10));
      expect(a.client.isChannelBound(b.localAddress, performance.now())).toBe(false);

      // Channels (RFC 8656 §12): ChannelData both ways.
      expect(await a.bindChannel(b.localAddress)).toBe(0x4000);
      expect(await b.bindChannel(a.localAddress)).toBe(0x4000);
      expect(a.client.isChannelBound(b.localAddress, performance.now())).toBe(true);
      await relayBetween(a, b, payloads(20));
      await relayBetween(b, a, payloads(20));

      // coturn refuses 0.0.0.0 as a peer with 403 (RFC 8656 §10.2 lets a server restrict peers).
      const forbidden = a.createPermission({ address: '0.0.0.0', port: 9, family: 'IPv4' });
      await expect(forbidden).rejects.toMatchObject({ errorCode: 403 });
      expect(a.client.state).toBe('allocated');

      for (const relay of [a, b]) {
        expect(relay.client.counters).toEqual({
          droppedParse: 0,
          droppedFingerprint: 0,
          droppedIntegrity: 0,
          droppedData: 0,
          droppedUnmatched: 0,
          droppedQueued: 0,
        });
      }

      // Close deallocates: coturn releases the relayed port.
      const relayed = a.localAddress;
      expect(await portIsFree(relayed)).toBe(false);
      a.close();
      expect(a.closed).toBe(true);
      expect(await waitUntilPortIsFree(relayed)).toBe(true);
    } finally {
      a.close();
      b.close();
    }
  });

  it('rejects connect with a 401 StunErrorResponse on a wrong password, promptly', async () => {
    const started = performance.now();
    const attempt = connect(transport, { password: 'not-the-password' });
    await expect(attempt).rejects.toBeInstanceOf(StunErrorResponse);
    await expect(attempt).rejects.toMatchObject({ errorCode: 401 });
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe('IPv6 relayed addresses against coturn (REQUESTED-ADDRESS-FAMILY, RFC 8656 §7.1)', () => {
  let dual: CoturnServer;

  beforeAll(async () => {
    // A second relay address, on ::1: coturn then grants IPv6 allocations on request.
    dual = await startCoturn({ extraConfig: ['relay-ip=::1'] });
  }, 15_000);

  afterAll(async () => {
    await dual?.stop();
  });

  it('allocates on ::1 and relays both ways over indications and channels', async () => {
    const connectIPv6 = (): Promise<TurnTransport> =>
      TurnTransport.connect({
        transport: 'udp',
        server: dual.udp,
        username: dual.username,
        password: dual.password,
        requestedFamily: 'IPv6',
      });
    const a = await connectIPv6();
    const b = await connectIPv6();
    try {
      for (const relay of [a, b]) {
        expect(relay.localAddress).toMatchObject({ address: '::1', family: 'IPv6' });
      }
      await a.createPermission(b.localAddress);
      await b.createPermission(a.localAddress);
      await relayBetween(a, b, payloads(5));
      await relayBetween(b, a, payloads(5));
      await a.bindChannel(b.localAddress);
      await b.bindChannel(a.localAddress);
      await relayBetween(a, b, payloads(5));
      await relayBetween(b, a, payloads(5));
    } finally {
      a.close();
      b.close();
    }
  });
});

describe('coturn: stale nonces and a server that dies', () => {
  it('a 438 Stale Nonce is answered with the new nonce, transparently (RFC 8489 §9.2.5)', async () => {
    // Nonces that go stale after a second: the refresh below meets a 438 first.
    const strict = await startCoturn({ extraConfig: ['stale-nonce=1'] });
    try {
      const relay = await TurnTransport.connect({
        transport: 'udp',
        server: strict.udp,
        username: strict.username,
        password: strict.password,
      });
      await new Promise((resolve) => setTimeout(resolve, 2_200));
      await relay.refresh();
      await relay.createPermission({ address: '127.0.0.1', port: 9, family: 'IPv4' });
      expect(relay.client.state).toBe('allocated');
      // coturn logged the stale nonce it answered with 438.
      expect(strict.log()).toMatch(/438/);
      relay.close();
    } finally {
      await strict.stop();
    }
  }, 15_000);

  it('over TCP, a server killed mid-stream gives an error and a close, and nothing throws', async () => {
    const doomed = await startCoturn();
    const relay = await TurnTransport.connect({
      transport: 'tcp',
      server: doomed.tcp,
      username: doomed.username,
      password: doomed.password,
    });
    const closed = new Promise<void>((resolve) => relay.on('close', () => resolve()));
    relay.on('error', () => {});
    await doomed.stop();
    await closed;
    expect(relay.closed).toBe(true);
    expect(() =>
      relay.send(Uint8Array.of(1), { address: '127.0.0.1', port: 9, family: 'IPv4' }),
    ).toThrow();
  }, 15_000);
});
