/**
 * Data channels (RFC 8831, DCEP RFC 8832, W3C RTCDataChannel) between two `SctpTransport`s over
 * the in-memory network, driven by their real `AssociationDriver`s on the path's `ManualClock`
 * (network-harness.ts `runDrivers`). Both transports connect at once, as WebRTC peers do, so
 * every association here comes from a simultaneous open (RFC 9260 §5.2.1).
 */

import { describe, expect, it } from 'vitest';
import type { RTCDataChannel } from '../src/datachannel/data-channel.js';
import { SctpTransport } from '../src/node/sctp-transport.js';
import {
  messageContent,
  type PathOptions,
  runDrivers,
  sameBytes,
  virtualPath,
} from './network-harness.js';

const KiB = 1024;
const MiB = 1024 * KiB;

type Role = 'client' | 'server';

/** Two transports on a virtual path (the client on host a); channels the peer opened, by side. */
function transports(options: PathOptions) {
  const path = virtualPath(options);
  const client = SctpTransport.create({
    transport: path.sockets.a,
    role: 'client',
    scheduler: path.clock,
  });
  const server = SctpTransport.create({
    transport: path.sockets.b,
    role: 'server',
    scheduler: path.clock,
  });
  const opened: Record<Role, RTCDataChannel[]> = { client: [], server: [] };
  client.on('datachannel', (channel) => opened.client.push(channel));
  server.on('datachannel', (channel) => opened.server.push(channel));
  const run = (done: () => boolean, limitMs = 60_000) => runDrivers(path.clock, done, limitMs);
  return { path, client, server, opened, run };
}

/** Counts the events of each kind a channel fires. */
function countEvents(channel: RTCDataChannel, types: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const type of types) {
    channel.addEventListener(type, () => counts.set(type, (counts.get(type) ?? 0) + 1));
  }
  return counts;
}

/** Listens to the data of a channel's messages. */
function onMessage(channel: RTCDataChannel, listener: (data: unknown) => void): void {
  channel.addEventListener('message', (event) => listener((event as MessageEvent).data));
}

function binary(data: unknown): Uint8Array {
  if (!(data instanceof ArrayBuffer)) throw new TypeError('expected binary data');
  return new Uint8Array(data);
}

describe('data channels over the in-memory network', () => {
  it('1,000 channels open, carry a message each way and close on one association; their ids are used again', async () => {
    const t = transports({
      seed: 70,
      link: { delayMs: 10, jitterMs: 4, loss: 0.02, reorder: 0.02, duplicate: 0.02 },
    });
    expect(
      await t.run(() => t.client.state === 'established' && t.server.state === 'established'),
    ).toBe(true);

    // Each side opens 500; the peer answers every message with an echo.
    for (const side of ['client', 'server'] as const) {
      t[side].on('datachannel', (channel) => {
        onMessage(channel, (data) => channel.send(`echo ${data}`));
      });
    }
    const created: Record<Role, RTCDataChannel[]> = { client: [], server: [] };
    const echoes = new Map<RTCDataChannel, string[]>();
    for (let i = 0; i < 500; i++) {
      for (const side of ['client', 'server'] as const) {
        const channel = t[side].createDataChannel(`${side} ${i}`);
        created[side].push(channel);
        echoes.set(channel, []);
        channel.addEventListener('open', () => channel.send(channel.label));
        onMessage(channel, (data) => echoes.get(channel)?.push(String(data)));
      }
    }
    const all = [...created.client, ...created.server];
    const echoed = () => all.every((channel) => echoes.get(channel)?.length === 1);
    expect(await t.run(echoed)).toBe(true);

    // RFC 8832 §6: the DTLS client's ids are even, the server's odd, lowest first.
    expect(created.client.map((c) => c.id)).toEqual(created.client.map((_, i) => 2 * i));
    expect(created.server.map((c) => c.id)).toEqual(created.server.map((_, i) => 2 * i + 1));
    for (const channel of all) expect(echoes.get(channel)).toEqual([`echo ${channel.label}`]);
    const remote = [...t.opened.server, ...t.opened.client];
    expect(remote.map((c) => `${c.id} ${c.label}`).sort()).toEqual(
      all.map((c) => `${c.id} ${c.label}`).sort(),
    );
    expect([...all, ...remote].every((channel) => channel.readyState === 'open')).toBe(true);

    // The client closes all 1,000 at once: its own and the server's.
    const events = new Map(
      [...all, ...remote].map((c) => [c, countEvents(c, ['closing', 'close'])]),
    );
    for (const channel of [...created.client, ...t.opened.client]) channel.close();
    const closed = () => [...events.keys()].every((channel) => channel.readyState === 'closed');
    expect(await t.run(closed)).toBe(true);
    for (const [channel, counts] of events) {
      expect(counts.get('close'), channel.label).toBe(1);
    }
    // The server's channels were closed by the peer: each saw `closing` first (W3C §6.2.4).
    for (const channel of [...t.opened.server, ...created.server]) {
      expect(events.get(channel)?.get('closing'), channel.label).toBe(1);
    }

    // The ids are free again, and the streams start over at SSN 0 both ways (RFC 6525).
    const again: RTCDataChannel[] = [];
    const replies: string[] = [];
    for (const side of ['client', 'server'] as const) {
      for (let i = 0; i < 10; i++) {
        const channel = t[side].createDataChannel(`again ${side} ${i}`);
        again.push(channel);
        channel.addEventListener('open', () => channel.send(channel.label));
        onMessage(channel, (data) => replies.push(String(data)));
      }
    }
    expect(again.map((c) => c.id)).toEqual([
      ...Array.from({ length: 10 }, (_, i) => 2 * i),
      ...Array.from({ length: 10 }, (_, i) => 2 * i + 1),
    ]);
    expect(await t.run(() => replies.length === again.length)).toBe(true);
    expect(replies.sort()).toEqual(again.map((c) => `echo ${c.label}`).sort());

    // This time the server closes them all.
    const remoteAgain = [...t.opened.server.slice(500), ...t.opened.client.slice(500)];
    for (const channel of [...again.slice(10), ...t.opened.server.slice(500)]) channel.close();
    const allClosed = () => [...again, ...remoteAgain].every((c) => c.readyState === 'closed');
    expect(await t.run(allClosed)).toBe(true);
  });

  it('bufferedAmount rises with send(), falls to 0 as the data leaves, and bufferedamountlow fires once, at the threshold', async () => {
    const t = transports({ seed: 80, link: { delayMs: 10, bandwidthBps: 50_000_000 } });
    const channel = t.client.createDataChannel('bulk');
    expect(await t.run(() => t.opened.server.length === 1)).toBe(true);
    const received: Uint8Array[] = [];
    onMessage(t.opened.server[0] as RTCDataChannel, (data) => received.push(binary(data)));

    channel.bufferedAmountLowThreshold = 1 * MiB;
    const atLow: number[] = [];
    channel.onbufferedamountlow = () => atLow.push(channel.bufferedAmount);
    const size = 256 * KiB;
    const count = (10 * MiB) / size;
    for (let i = 0; i < count; i++) {
      channel.send(messageContent(i, size));
      // W3C §6.2 send(): the bytes count at once.
      expect(channel.bufferedAmount).toBe((i + 1) * size);
    }
    const samples: number[] = [];
    const delivered = await t.run(() => {
      samples.push(channel.bufferedAmount);
      return received.length === count;
    });
    expect(delivered).toBe(true);

    expect(samples.at(-1)).toBe(0);
    // It only falls, in many steps, not all at once at the end.
    expect(samples.every((value, i) => i === 0 || value <= (samples[i - 1] as number))).toBe(true);
    expect(new Set(samples).size).toBeGreaterThan(10);
    // One crossing, one event, seen at or below the threshold.
    expect(atLow).toHaveLength(1);
    expect(atLow[0]).toBeLessThanOrEqual(1 * MiB);
    expect(received.every((data, i) => sameBytes(data, messageContent(i, size)))).toBe(true);
  });

  it('an application refilling on bufferedamountlow moves 10 MiB with bufferedAmount bounded', async () => {
    const t = transports({ seed: 90, link: { delayMs: 10, loss: 0.01, bandwidthBps: 20_000_000 } });
    const channel = t.client.createDataChannel('flow', { ordered: true });
    expect(await t.run(() => t.opened.server.length === 1)).toBe(true);
    let receivedBytes = 0;
    let receivedMessages = 0;
    let problems = 0;
    onMessage(t.opened.server[0] as RTCDataChannel, (message) => {
      const data = binary(message);
      if (!sameBytes(data, messageContent(receivedMessages, data.length))) problems++;
      receivedMessages++;
      receivedBytes += data.length;
    });

    const chunk = 64 * KiB;
    const total = 10 * MiB;
    let sent = 0;
    let highest = 0;
    let refills = 0;
    const refill = () => {
      refills++;
      while (sent < total && channel.bufferedAmount < 1 * MiB) {
        channel.send(messageContent(sent / chunk, chunk));
        sent += chunk;
      }
      highest = Math.max(highest, channel.bufferedAmount);
    };
    channel.bufferedAmountLowThreshold = 256 * KiB;
    channel.onbufferedamountlow = refill;
    refill();
    expect(await t.run(() => receivedBytes === total)).toBe(true);
    expect(problems).toBe(0);
    expect(highest).toBeLessThan(1 * MiB + chunk);
    // Each refill after the first came from an event: (10 MiB - 1 MiB) / (1 MiB - 256 KiB).
    expect(refills).toBeGreaterThanOrEqual(Math.ceil((total - MiB) / (MiB - 256 * KiB)));
    expect(channel.bufferedAmount).toBe(0);
  });

  it('partially reliable channels through 10% loss lose some messages, never duplicate or reorder them', async () => {
    const t = transports({
      seed: 95,
      link: { delayMs: 10, jitterMs: 4, loss: 0.1, duplicate: 0.05 },
    });
    const channels = [
      t.client.createDataChannel('unordered, no retransmissions', {
        ordered: false,
        maxRetransmits: 0,
      }),
      t.client.createDataChannel('ordered, 30 ms', { maxPacketLifeTime: 30 }),
    ];
    expect(await t.run(() => t.opened.server.length === 2)).toBe(true);
    const received = t.opened.server.map((remote) => {
      const list: number[] = [];
      onMessage(remote, (data) => list.push(Number(data)));
      return list;
    });
    expect(t.opened.server.map((c) => [c.ordered, c.maxRetransmits, c.maxPacketLifeTime])).toEqual([
      [false, 0, null],
      [true, null, 30],
    ]);
    const count = 300;
    for (let i = 0; i < count; i++) {
      for (const channel of channels) channel.send(String(i));
      await t.run(() => false, 20);
    }
    await t.run(() => false, 10_000);
    for (const list of received) {
      expect(new Set(list).size).toBe(list.length);
      expect(list.length).toBeGreaterThan(count / 2);
      expect(list.length).toBeLessThan(count);
    }
    const ordered = received[1] as number[];
    expect(ordered).toEqual([...ordered].sort((x, y) => x - y));
  });

  it('a message after an idle spell goes out once: the transport hands the association the time', async () => {
    const t = transports({ seed: 105, link: { delayMs: 10 } });
    const channel = t.client.createDataChannel('idle');
    expect(await t.run(() => t.opened.server.length === 1)).toBe(true);
    const received: string[] = [];
    onMessage(t.opened.server[0] as RTCDataChannel, (data) => received.push(String(data)));
    await t.run(() => false, 20_000);
    channel.send('after a while');
    expect(await t.run(() => received.length === 1)).toBe(true);
    await t.run(() => false, 5_000);
    expect(t.client.association.stats.retransmissions).toBe(0);
    expect(received).toEqual(['after a while']);
  });

  it('ABORT: the aborted-on side closes its channels with an sctp-failure error, the aborting side without events', async () => {
    const t = transports({ seed: 100, link: { delayMs: 10 } });
    const ours = [t.client.createDataChannel('one'), t.client.createDataChannel('two')];
    expect(await t.run(() => t.opened.server.length === 2)).toBe(true);
    const theirs = t.opened.server;
    const errors: string[] = [];
    for (const channel of theirs) {
      channel.onerror = (event) => errors.push(event.error.errorDetail);
    }
    const oursEvents = ours.map((channel) => countEvents(channel, ['error', 'close']));
    t.client.abort('test over');
    expect(await t.run(() => theirs.every((c) => c.readyState === 'closed'))).toBe(true);
    expect(errors).toEqual(['sctp-failure', 'sctp-failure']);
    expect(t.server.state).toBe('closed');
    // W3C §4.4.1.6: closing our side (as a peer connection does) fires nothing.
    expect(ours.map((c) => c.readyState)).toEqual(['closed', 'closed']);
    expect(oursEvents.map((counts) => counts.size)).toEqual([0, 0]);
  });

  it('peer restart: the old channels fail, and the restarted peer opens new ones on the same ids', async () => {
    const t = transports({ seed: 110, link: { delayMs: 10 } });
    t.client.createDataChannel('before');
    expect(await t.run(() => t.opened.server.length === 1)).toBe(true);
    const old = t.opened.server[0] as RTCDataChannel;
    const errors: string[] = [];
    old.onerror = (event) => errors.push(event.error.errorDetail);

    // The client's endpoint restarts: its state is gone, it connects again from the same port
    // (RFC 9260 §5.2.4 case A: the server sees a restart of the association).
    const restarted = SctpTransport.create({
      transport: t.path.rebindA(),
      role: 'client',
      scheduler: t.path.clock,
    });
    const channel = restarted.createDataChannel('after');
    const received: string[] = [];
    t.server.on('datachannel', (remote) => {
      onMessage(remote, (data) => received.push(String(data)));
    });
    channel.addEventListener('open', () => channel.send('hello again'));
    expect(await t.run(() => received.length === 1)).toBe(true);
    expect(errors).toEqual(['sctp-failure']);
    expect(old.readyState).toBe('closed');
    expect(channel.id).toBe(0);
    expect(t.opened.server.map((c) => `${c.id} ${c.label}`)).toEqual(['0 before', '0 after']);
    expect(received).toEqual(['hello again']);
    expect(t.server.state).toBe('established');
  });
});
