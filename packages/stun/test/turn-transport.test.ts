import { createSocket, type RemoteInfo } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { ManualClock, type SocketAddress } from '@typertc/common';
import { afterEach, describe, expect, it } from 'vitest';
import { DATA, LIFETIME } from '../src/attributes.js';
import { StunMethod } from '../src/constants.js';
import { StunParseError, StunTimeoutError } from '../src/errors.js';
import { StreamFramer } from '../src/stream-framer.js';
import { TurnConnectionClosedError, TurnTransport } from '../src/turn/turn-transport.js';
import {
  dataIndication,
  FakeTurnServer,
  MAPPED,
  PASSWORD,
  PEER,
  RELAYED,
  USER,
} from './turn-test-server.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A FakeTurnServer answering over a real UDP socket on loopback. */
async function udpServer(fake = new FakeTurnServer()): Promise<{
  address: SocketAddress;
  fake: FakeTurnServer;
  sendToClient(bytes: Uint8Array): void;
}> {
  const socket = createSocket('udp4');
  cleanups.push(() => socket.close());
  let client: RemoteInfo | undefined;
  socket.on('message', (message, from) => {
    client = from;
    const answer = fake.handle(new Uint8Array(message), 0);
    if (answer !== undefined) socket.send(answer, from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    address: { address: '127.0.0.1', port: socket.address().port, family: 'IPv4' },
    fake,
    sendToClient(bytes) {
      if (client !== undefined) socket.send(bytes, client.port, client.address);
    },
  };
}

/** A FakeTurnServer answering over TCP, framing the stream as a TURN server does. */
async function tcpServer(): Promise<{
  address: SocketAddress;
  connection: () => Socket | undefined;
}> {
  const fake = new FakeTurnServer();
  let connection: Socket | undefined;
  const server: Server = createServer((socket) => {
    connection = socket;
    const framer = new StreamFramer();
    socket.on('data', (chunk) => {
      framer.push(chunk);
      for (let frame = framer.next(); frame; frame = framer.next()) {
        const answer = fake.handle(frame, 0);
        if (answer !== undefined) socket.write(answer);
      }
    });
    socket.on('error', () => {});
  });
  cleanups.push(() => {
    connection?.destroy();
    server.close();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { address: { address: '127.0.0.1', port, family: 'IPv4' }, connection: () => connection };
}

function connect(server: SocketAddress, transport: 'udp' | 'tcp', clock?: ManualClock) {
  return TurnTransport.connect({
    server,
    transport,
    username: USER,
    password: PASSWORD,
    ...(clock === undefined ? {} : { scheduler: clock }),
  });
}

describe('TurnTransport over UDP', () => {
  it('allocates, relays both ways, refreshes, binds a channel and deallocates on close', async () => {
    const server = await udpServer();
    const relay = await connect(server.address, 'udp');
    expect(relay.localAddress).toEqual(RELAYED);
    expect(relay.mappedAddress).toEqual(MAPPED);

    relay.send(Uint8Array.of(1, 2, 3), PEER);
    await until(() => server.fake.messages(StunMethod.Send, 'indication').length === 1, 'Send');
    expect(server.fake.messages(StunMethod.Send, 'indication')[0]?.get(DATA)).toEqual(
      Uint8Array.of(1, 2, 3),
    );
    expect(relay.stats.datagramsSent).toBe(1);

    const received = new Promise<[Uint8Array, SocketAddress]>((resolve) => {
      relay.on('datagram', (data, from) => resolve([data, from]));
    });
    server.sendToClient(dataIndication(PEER, Uint8Array.of(4, 5)));
    const [data, from] = await received;
    expect(new Uint8Array(data)).toEqual(Uint8Array.of(4, 5));
    expect(from).toEqual(PEER);

    await relay.refresh();
    expect(await relay.bindChannel(PEER)).toBe(0x4000);
    expect(await relay.bindChannel(PEER)).toBe(0x4000); // already bound: at once

    const closed = new Promise<void>((resolve) => relay.on('close', resolve));
    relay.close();
    await closed;
    await until(() => server.fake.messages(StunMethod.Refresh).length === 2, 'the deallocation');
    expect(server.fake.messages(StunMethod.Refresh)[1]?.get(LIFETIME)).toBe(0);
    await expect(relay.refresh()).rejects.toThrow('closed');
  });

  it('drives retransmissions from its scheduler and rejects with StunTimeoutError', async () => {
    const fake = new FakeTurnServer();
    fake.override = () => undefined;
    const server = await udpServer(fake);
    const clock = new ManualClock();
    const connecting = connect(server.address, 'udp', clock);
    await until(() => clock.pendingTimers === 1, 'the first timer');
    expect(clock.nextTimerAt()).toBe(500);
    clock.advance(39_499);
    expect(clock.pendingTimers).toBe(1);
    clock.advance(1);
    await expect(connecting).rejects.toBeInstanceOf(StunTimeoutError);
    // One timer at a time, none left behind.
    expect(clock.pendingTimers).toBe(0);
    await until(() => fake.messages(StunMethod.Allocate).length === 7, 'seven transmissions');
  });
});

describe('TurnTransport over TCP', () => {
  it('closes with an error event when the stream stops being STUN', async () => {
    const server = await tcpServer();
    const relay = await connect(server.address, 'tcp');
    const errors: Error[] = [];
    relay.on('error', (error) => errors.push(error));
    const closed = new Promise<void>((resolve) => relay.on('close', resolve));
    server.connection()?.write(Uint8Array.of(0xff, 0xff, 0xff, 0xff));
    await closed;
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(StunParseError);
    expect(relay.closed).toBe(true);
  });

  it('closes with an error event when the server hangs up', async () => {
    const server = await tcpServer();
    const relay = await connect(server.address, 'tcp');
    const errors: Error[] = [];
    relay.on('error', (error) => errors.push(error));
    const closed = new Promise<void>((resolve) => relay.on('close', resolve));
    server.connection()?.end();
    await closed;
    expect(errors.map((e) => e.constructor)).toEqual([TurnConnectionClosedError]);
  });
});
