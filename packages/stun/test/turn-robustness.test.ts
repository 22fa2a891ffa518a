/**
 * What the TURN client must refuse or survive: responses and indications with unknown
 * comprehension-required attributes (RFC 8489 §7.3), responses of another method, the
 * allocation failing with other results pending, credentials that need preparing, a server
 * that stops reading a TCP connection, and a connect that fails after the socket opened.
 */

import { createSocket } from 'node:dgram';
import { createServer, type Socket } from 'node:net';
import type { SocketAddress } from '@typertc/common';
import { describe, expect, it } from 'vitest';
import {
  DATA,
  prepareCredential,
  StreamFramer,
  StunError,
  StunMessage,
  StunMethod,
  TurnClient,
  TurnTransport,
  USERNAME,
  XOR_PEER_ADDRESS,
} from '../src/index.js';
import {
  allocated,
  drainEvents,
  exchange,
  FakeTurnServer,
  PASSWORD,
  PEER,
  USER,
  withAllocation,
} from './turn-test-server.js';

describe('unknown comprehension-required attributes (RFC 8489 §7.3)', () => {
  it('a success response carrying one is discarded, not taken as the allocation', () => {
    const server = new FakeTurnServer();
    server.override = (request, fake) => {
      if (request.integrityAt < 0) return fake.answer(request);
      const response = withAllocation(
        new StunMessage('success', request.method, request.transactionId),
      ).addRaw(0x0077, new Uint8Array(4));
      return fake.sign(request, response);
    };
    const client = new TurnClient({ transport: 'udp', username: USER, password: PASSWORD });
    client.start(0);
    exchange(client, server, 0);
    expect(client.state).toBe('allocating');
    expect(client.counters.droppedUnmatched).toBe(1);
  });

  it('a Data indication carrying one is discarded', () => {
    const { client, server } = allocated();
    client.createPermission(PEER, 0);
    exchange(client, server, 0);
    drainEvents(client);
    const indication = new StunMessage('indication', StunMethod.Data)
      .add(XOR_PEER_ADDRESS, PEER)
      .add(DATA, Uint8Array.of(1, 2, 3))
      .addRaw(0x0077, new Uint8Array(4))
      .encode({ fingerprint: true });
    client.handleMessage(indication, 1);
    expect(drainEvents(client).filter((event) => event.type === 'data')).toEqual([]);
    expect(client.counters.droppedParse).toBe(1);
  });
});

it('a response of another method under a pending transaction id is not its answer', () => {
  const server = new FakeTurnServer();
  server.override = (request, fake) => {
    if (request.integrityAt < 0) return fake.answer(request);
    const response = withAllocation(
      new StunMessage('success', StunMethod.Binding, request.transactionId),
    );
    return fake.sign(request, response);
  };
  const client = new TurnClient({ transport: 'udp', username: USER, password: PASSWORD });
  client.start(0);
  exchange(client, server, 0);
  expect(client.state).toBe('allocating');
  expect(client.counters.droppedUnmatched).toBe(1);
});

it('USERNAME carries the prepared username the key is computed from (RFC 8489 §14.3)', () => {
  const username = 'user\u00a0name'; // NO-BREAK SPACE: SASLprep maps it to SPACE
  const server = new FakeTurnServer();
  const client = new TurnClient({ transport: 'udp', username, password: PASSWORD });
  client.start(0);
  exchange(client, server, 0);
  const signed = server.messages(StunMethod.Allocate).find((m) => m.integrityAt >= 0);
  expect(signed?.get(USERNAME)).toBe(prepareCredential(username));
  expect(signed?.get(USERNAME)).toBe('user name');
});

it('once the allocation fails, the other results of that moment report nothing more', () => {
  const { client, server } = allocated();
  server.override = () => undefined; // the server goes silent
  client.handleTimeout(540_000); // the Refresh goes out
  client.sendTo(Uint8Array.of(1), PEER, 540_000); // a CreatePermission, two datagrams queued
  client.sendTo(Uint8Array.of(2), PEER, 540_000);
  while (client.pollTransmit()) {}
  for (let deadline = client.pollTimeout(); client.state === 'allocated' && deadline; ) {
    client.handleTimeout(deadline);
    while (client.pollTransmit()) {}
    deadline = client.pollTimeout();
  }
  const events = drainEvents(client).map((event) => event.type);
  expect(client.state).toBe('failed');
  expect(events.at(-1)).toBe('failed');
  expect(client.counters.droppedQueued).toBe(2);
});

it('rejects options it could not encode before opening anything', () => {
  expect(
    () =>
      new TurnClient({
        transport: 'udp',
        username: USER,
        password: PASSWORD,
        software: 'x'.repeat(800),
      }),
  ).toThrow(StunError);
});

/** Open handles of a given kind, to see that nothing was left behind. */
function openSockets(): number {
  const handles = (process as unknown as { _getActiveHandles(): object[] })._getActiveHandles();
  return handles.filter((handle) => handle.constructor?.name === 'Socket').length;
}

describe('TurnTransport', () => {
  it('a connect whose credentials are refused leaves no socket open', async () => {
    // Nothing answers on this port; a username SASLprep rejects fails before anything is sent.
    const sink = createSocket('udp4');
    await new Promise<void>((resolve) => sink.bind(0, '127.0.0.1', () => resolve()));
    const server: SocketAddress = {
      address: '127.0.0.1',
      port: sink.address().port,
      family: 'IPv4',
    };
    const before = openSockets();
    await expect(
      TurnTransport.connect({ transport: 'udp', server, username: 'a\u0007b', password: 'p' }),
    ).rejects.toBeInstanceOf(StunError);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(openSockets()).toBe(before);
    sink.close();
  });

  it('bounds what it buffers when a TCP server stops reading, and close() still releases the socket', async () => {
    const fake = new FakeTurnServer();
    let serverSide: Socket | undefined;
    const tcp = createServer((socket) => {
      serverSide = socket;
      const framer = new StreamFramer();
      socket.on('data', (chunk) => {
        framer.push(chunk);
        for (let frame = framer.next(); frame; frame = framer.next()) {
          const answer = fake.handle(new Uint8Array(frame), 0);
          if (answer) socket.write(answer);
        }
      });
    });
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', () => resolve()));
    const port = (tcp.address() as { port: number }).port;
    const relay = await TurnTransport.connect({
      transport: 'tcp',
      server: { address: '127.0.0.1', port, family: 'IPv4' },
      username: USER,
      password: PASSWORD,
    });
    await relay.createPermission(PEER);
    serverSide?.pause();
    const payload = new Uint8Array(1200);
    for (let i = 0; i < 20_000; i++) relay.send(payload, PEER);
    expect(relay.droppedUnsent).toBeGreaterThan(15_000);
    const before = openSockets();
    relay.close();
    await new Promise((resolve) => setTimeout(resolve, 1_300));
    expect(openSockets()).toBe(before - 1);
    serverSide?.destroy();
    tcp.close();
  });
});
