import { describe, expect, it } from 'vitest';
import { DATA, LIFETIME, XOR_PEER_ADDRESS } from '../src/attributes.js';
import { StunMethod } from '../src/constants.js';
import { StunErrorResponse, StunTimeoutError } from '../src/errors.js';
import { StunMessage } from '../src/message.js';
import { TurnClient } from '../src/turn/turn-client.js';
import type { TurnClientOptions } from '../src/turn/turn-types.js';
import {
  channelData,
  channelOf,
  dataIndication,
  drainEvents,
  exchange,
  FakeTurnServer,
  OTHER_PEER,
  PASSWORD,
  PEER,
  runUntil,
  USER,
} from './turn-test-server.js';

const SECOND = 1000;

/** A client allocated at time 0 on a fake server granting `lifetime` seconds. */
function allocated(options: Partial<TurnClientOptions> = {}, lifetime = 600) {
  const server = new FakeTurnServer();
  server.grantedLifetime = lifetime;
  const client = new TurnClient({
    transport: 'udp',
    username: USER,
    password: PASSWORD,
    ...options,
  });
  client.start(0);
  exchange(client, server, 0);
  expect(client.state).toBe('allocated');
  drainEvents(client);
  return { client, server };
}

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

describe('TurnClient sending (RFC 8656 §11, §12)', () => {
  it('creates the permission first, queues the data, then sends it in Send indications', () => {
    const { client, server } = allocated();
    server.override = () => undefined; // hold the CreatePermission answer back
    client.sendTo(bytes(1), PEER, 10);
    client.sendTo(bytes(2), PEER, 11);
    exchange(client, server, 11);
    expect(server.messages(StunMethod.CreatePermission)).toHaveLength(1);
    expect(server.messages(StunMethod.Send, 'indication')).toHaveLength(0);
    expect(client.hasPermission(PEER, 11)).toBe(false);

    server.override = undefined;
    runUntil(client, server, 510); // the retransmission is answered
    expect(client.hasPermission(PEER, 510)).toBe(true);
    expect(drainEvents(client)).toEqual([{ type: 'permission', peer: PEER }]);
    const sends = server.messages(StunMethod.Send, 'indication');
    expect(sends.map((s) => s.get(DATA))).toEqual([bytes(1), bytes(2)]);
    expect(sends.every((s) => s.get(XOR_PEER_ADDRESS)?.port === PEER.port)).toBe(true);
    // Send indications are not authenticated (RFC 8656 §11.1).
    expect(sends[0]?.integrityAt).toBe(-1);

    client.sendTo(bytes(3), PEER, 600);
    exchange(client, server, 600);
    expect(server.messages(StunMethod.Send, 'indication')).toHaveLength(3);
    expect(server.messages(StunMethod.CreatePermission)).toHaveLength(2); // one retransmission
  });

  it('bounds the queue: datagrams beyond maxQueuedPerPeer are dropped and counted', () => {
    const { client, server } = allocated({ maxQueuedPerPeer: 2 });
    server.override = () => undefined;
    for (let i = 0; i < 5; i++) client.sendTo(bytes(i), PEER, 10);
    expect(client.counters.droppedQueued).toBe(3);
    server.override = undefined;
    runUntil(client, server, 510);
    expect(server.messages(StunMethod.Send, 'indication').map((s) => s.get(DATA))).toEqual([
      bytes(0),
      bytes(1),
    ]);
  });

  it('reports a 403 on CreatePermission and drops what was queued; the allocation lives on', () => {
    const { client, server } = allocated();
    server.override = (request, self) =>
      request.method === StunMethod.CreatePermission
        ? self.error(request, 403, 'Forbidden IP')
        : self.answer(request);
    client.sendTo(bytes(1), PEER, 10);
    client.sendTo(bytes(2), PEER, 10);
    exchange(client, server, 10);
    const [event] = drainEvents(client);
    if (event?.type !== 'permission-failed') throw new Error(`got ${event?.type}`);
    expect(event.peer).toEqual(PEER);
    expect(event.error).toBeInstanceOf(StunErrorResponse);
    expect((event.error as StunErrorResponse).errorCode).toBe(403);
    expect(client.counters.droppedQueued).toBe(2);
    expect(client.state).toBe('allocated');
    // A later send asks again.
    client.sendTo(bytes(3), PEER, 20);
    expect(client.pollTransmit()).toBeDefined();
  });

  it('fails the allocation when a CreatePermission gets 437 (the server lost it)', () => {
    const { client, server } = allocated();
    server.override = (request, self) => self.error(request, 437, 'Allocation Mismatch');
    client.createPermission(PEER, 10);
    exchange(client, server, 10);
    const [event] = drainEvents(client);
    expect(event?.type).toBe('failed');
    expect(client.state).toBe('failed');
  });

  it('reports a CreatePermission timeout as permission-failed', () => {
    const { client, server } = allocated({ transport: 'tcp' });
    server.override = (request, self) =>
      request.method === StunMethod.CreatePermission ? undefined : self.answer(request);
    client.createPermission(PEER, 0);
    exchange(client, server, 0);
    runUntil(client, server, 40 * SECOND);
    const events = drainEvents(client);
    const failed = events.find((e) => e.type === 'permission-failed');
    expect(failed?.type === 'permission-failed' && failed.error).toBeInstanceOf(StunTimeoutError);
    expect(client.state).toBe('allocated');
  });

  it('sends ChannelData once a channel is bound, Send indications before', () => {
    const { client, server } = allocated();
    client.createPermission(PEER, 0);
    exchange(client, server, 0);
    expect(client.bindChannel(PEER, 0)).toBe(0x4000);
    expect(client.bindChannel(OTHER_PEER, 0)).toBe(0x4001);
    // While the ChannelBind is in flight, data goes in a Send indication.
    const bindPeer = client.pollTransmit() as Uint8Array;
    client.sendTo(bytes(7), PEER, 0);
    expect(client.isChannelBound(PEER, 0)).toBe(false);
    client.handleMessage(server.handle(bindPeer, 0) as Uint8Array, 0);
    exchange(client, server, 0);
    expect(server.messages(StunMethod.Send, 'indication').map((s) => s.get(DATA))).toEqual([
      bytes(7),
    ]);
    const binds = server.messages(StunMethod.ChannelBind);
    expect(binds.map(channelOf)).toEqual([0x4000, 0x4001]);
    expect(drainEvents(client)).toContainEqual({ type: 'channel', peer: PEER, channel: 0x4000 });
    expect(client.isChannelBound(PEER, 1)).toBe(true);

    client.sendTo(bytes(1, 2, 3, 4, 5), PEER, 1);
    exchange(client, server, 1);
    const [frame] = server.channelData();
    expect(frame?.channel).toBe(0x4000);
    expect(frame?.data).toEqual(bytes(1, 2, 3, 4, 5));
    expect(frame?.bytes.length).toBe(9); // no padding over UDP
    // A peer on the same IP but another port has no channel: Send indication.
    client.sendTo(bytes(6), { ...PEER, port: PEER.port + 1 }, 2);
    exchange(client, server, 2);
    expect(server.messages(StunMethod.Send, 'indication')).toHaveLength(2);
  });

  it('pads ChannelData to 4 bytes over TCP (RFC 8656 §12.5)', () => {
    const { client, server } = allocated({ transport: 'tcp' });
    client.bindChannel(PEER, 0);
    exchange(client, server, 0);
    client.sendTo(bytes(1, 2, 3, 4, 5), PEER, 1);
    exchange(client, server, 1);
    const [frame] = server.channelData();
    expect(frame?.bytes.length).toBe(12);
    expect(frame?.bytes.subarray(9)).toEqual(bytes(0, 0, 0));
    expect(frame?.data).toEqual(bytes(1, 2, 3, 4, 5));
  });
});

describe('TurnClient receiving', () => {
  it('delivers Data indications from permitted peers and drops the others', () => {
    const { client, server } = allocated();
    client.handleMessage(dataIndication(PEER, bytes(1)), 1);
    expect(client.counters.droppedData).toBe(1);
    client.createPermission(PEER, 2);
    exchange(client, server, 2);
    drainEvents(client);
    // Any port of a permitted IP address may send (RFC 8656 §9).
    const sender = { ...PEER, port: 9999 };
    client.handleMessage(dataIndication(sender, bytes(2, 3)), 3);
    client.handleMessage(dataIndication(OTHER_PEER, bytes(4)), 3);
    expect(drainEvents(client)).toEqual([{ type: 'data', peer: sender, data: bytes(2, 3) }]);
    expect(client.counters.droppedData).toBe(2);
  });

  it('delivers ChannelData on bound channels only, padded or not', () => {
    const { client, server } = allocated();
    client.handleMessage(channelData(0x4000, bytes(1)), 1);
    expect(client.counters.droppedData).toBe(1);
    client.bindChannel(PEER, 2);
    exchange(client, server, 2);
    drainEvents(client);
    client.handleMessage(channelData(0x4000, bytes(5, 6, 7)), 3);
    client.handleMessage(channelData(0x4000, bytes(8), true), 3);
    client.handleMessage(channelData(0x4001, bytes(9)), 3);
    expect(drainEvents(client)).toEqual([
      { type: 'data', peer: PEER, data: bytes(5, 6, 7) },
      { type: 'data', peer: PEER, data: bytes(8) },
    ]);
    expect(client.counters.droppedData).toBe(2);
  });
});

describe('TurnClient lifetimes (RFC 8656 §8, §9, §12)', () => {
  it('refreshes the allocation a minute before it expires, again and again', () => {
    const { client, server } = allocated();
    runUntil(client, server, 539 * SECOND);
    expect(server.times(StunMethod.Refresh)).toEqual([]);
    runUntil(client, server, 1200 * SECOND);
    expect(server.times(StunMethod.Refresh)).toEqual([540 * SECOND, 1080 * SECOND]);
    expect(server.messages(StunMethod.Refresh).map((r) => r.get(LIFETIME))).toEqual([600, 600]);
    expect(drainEvents(client)).toEqual([
      { type: 'refreshed', lifetime: 600 },
      { type: 'refreshed', lifetime: 600 },
    ]);
  });

  it('refreshes a short allocation half-way through its lifetime', () => {
    const { client, server } = allocated({}, 100);
    runUntil(client, server, 120 * SECOND);
    expect(server.times(StunMethod.Refresh)).toEqual([50 * SECOND, 100 * SECOND]);
  });

  it('fails the allocation when a Refresh times out', () => {
    const { client, server } = allocated();
    server.override = () => undefined;
    runUntil(client, server, 600 * SECOND);
    const [event] = drainEvents(client);
    expect(event?.type === 'failed' && event.error).toBeInstanceOf(StunTimeoutError);
    expect(client.state).toBe('failed');
  });

  it('refreshes a permission in use at 240 s and lets an idle one lapse at 300 s', () => {
    const { client, server } = allocated();
    client.createPermission(PEER, 0);
    client.createPermission(OTHER_PEER, 0);
    exchange(client, server, 0);
    // Only PEER is in use.
    client.sendTo(bytes(1), PEER, 100 * SECOND);
    runUntil(client, server, 301 * SECOND);
    const permissions = server.messages(StunMethod.CreatePermission);
    expect(permissions.map((p) => p.get(XOR_PEER_ADDRESS)?.address)).toEqual([
      PEER.address,
      OTHER_PEER.address,
      PEER.address,
    ]);
    expect(server.times(StunMethod.CreatePermission)).toEqual([0, 0, 240 * SECOND]);
    expect(client.hasPermission(PEER, 301 * SECOND)).toBe(true);
    expect(client.hasPermission(OTHER_PEER, 301 * SECOND)).toBe(false);
    // Data from the lapsed peer is dropped; sending to it asks for a new permission.
    client.handleMessage(dataIndication(OTHER_PEER, bytes(2)), 302 * SECOND);
    expect(client.counters.droppedData).toBe(1);
    client.sendTo(bytes(3), OTHER_PEER, 303 * SECOND);
    exchange(client, server, 303 * SECOND);
    expect(server.times(StunMethod.CreatePermission).at(-1)).toBe(303 * SECOND);
    // Without further use, PEER is not refreshed again at 480 s.
    runUntil(client, server, 541 * SECOND);
    expect(server.times(StunMethod.CreatePermission)).toEqual([0, 0, 240 * SECOND, 303 * SECOND]);
    expect(client.hasPermission(PEER, 541 * SECOND)).toBe(false);
  });

  it('keeps a permission alive while data keeps arriving from the peer', () => {
    const { client, server } = allocated();
    client.createPermission(PEER, 0);
    exchange(client, server, 0);
    for (let t = 60; t <= 900; t += 60) {
      runUntil(client, server, t * SECOND);
      client.handleMessage(dataIndication(PEER, bytes(t & 0xff)), t * SECOND);
    }
    expect(server.times(StunMethod.CreatePermission)).toEqual([
      0,
      240 * SECOND,
      480 * SECOND,
      720 * SECOND,
    ]);
    expect(drainEvents(client).filter((e) => e.type === 'data')).toHaveLength(15);
  });

  it('rebinds a channel in use a minute before its 600 s expire', () => {
    const { client, server } = allocated();
    client.bindChannel(PEER, 0);
    exchange(client, server, 0);
    for (let t = 30; t <= 660; t += 30) {
      runUntil(client, server, t * SECOND);
      client.sendTo(bytes(1), PEER, t * SECOND);
      exchange(client, server, t * SECOND);
    }
    expect(server.times(StunMethod.ChannelBind)).toEqual([0, 540 * SECOND]);
    expect(server.messages(StunMethod.ChannelBind).map(channelOf)).toEqual([0x4000, 0x4000]);
    // The permission, which lasts 300 s, was refreshed in between by CreatePermission.
    expect(server.times(StunMethod.CreatePermission)).toEqual([240 * SECOND, 480 * SECOND]);
    // Every datagram went as ChannelData: the binding never lapsed.
    expect(server.channelData()).toHaveLength(22);
    expect(server.messages(StunMethod.Send, 'indication')).toHaveLength(0);
  });

  it('lets an idle channel expire; data then goes in Send indications', () => {
    const { client, server } = allocated();
    client.bindChannel(PEER, 0);
    exchange(client, server, 0);
    runUntil(client, server, 601 * SECOND);
    expect(server.times(StunMethod.ChannelBind)).toEqual([0]);
    expect(client.isChannelBound(PEER, 601 * SECOND)).toBe(false);
    client.handleMessage(channelData(0x4000, bytes(1)), 601 * SECOND);
    expect(client.counters.droppedData).toBe(1);
    client.sendTo(bytes(2), PEER, 602 * SECOND);
    exchange(client, server, 602 * SECOND);
    expect(server.messages(StunMethod.Send, 'indication')).toHaveLength(1);
    // Binding again reuses the peer's number (RFC 8656 §12).
    expect(client.bindChannel(PEER, 603 * SECOND)).toBe(0x4000);
  });
});

describe('TurnClient close (RFC 8656 §8.1)', () => {
  it('sends a Refresh with LIFETIME 0 and reports closed', () => {
    const { client, server } = allocated();
    client.createPermission(PEER, 0);
    exchange(client, server, 0);
    client.close(10);
    expect(client.state).toBe('closing');
    exchange(client, server, 10);
    const [refresh] = server.messages(StunMethod.Refresh);
    expect(refresh?.get(LIFETIME)).toBe(0);
    expect(refresh?.verifyIntegrity(server.key())).toBe(true);
    expect(drainEvents(client).at(-1)).toEqual({ type: 'closed' });
    expect(client.state).toBe('closed');
    expect(client.pollTimeout()).toBeUndefined();
    // Nothing is accepted any more.
    client.handleMessage(dataIndication(PEER, bytes(1)), 11);
    expect(drainEvents(client)).toEqual([]);
  });

  it('is closed even when the deallocating Refresh fails', () => {
    const { client, server } = allocated();
    server.override = () => undefined;
    client.close(0);
    exchange(client, server, 0);
    runUntil(client, server, 60 * SECOND);
    expect(server.times(StunMethod.Refresh)).toHaveLength(7);
    expect(drainEvents(client)).toEqual([{ type: 'closed' }]);
    expect(client.state).toBe('closed');
  });

  it('closes at once before the allocation exists', () => {
    const client = new TurnClient({ transport: 'udp', username: USER, password: PASSWORD });
    client.start(0);
    client.close(1);
    expect(client.state).toBe('closed');
    expect(drainEvents(client)).toEqual([{ type: 'closed' }]);
    expect(client.pollTimeout()).toBeUndefined();
  });

  it('drops data still queued for a permission', () => {
    const { client, server } = allocated();
    server.override = () => undefined;
    client.sendTo(bytes(1), PEER, 0);
    client.close(1);
    expect(client.counters.droppedQueued).toBe(1);
    expect(StunMessage.decode(client.pollTransmit() as Uint8Array).method).toBe(
      StunMethod.CreatePermission,
    );
  });
});
