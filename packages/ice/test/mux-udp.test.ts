import {
  ClosedError,
  type DatagramTransport,
  ManualClock,
  type SocketAddress,
  UdpTransport,
} from '@typertc/common';
import { StunMessage, StunMethod, USERNAME } from '@typertc/stun';
import { afterEach, describe, expect, it } from 'vitest';
import { BackgroundClock } from '../src/mux/background-clock.js';
import { UfragInUseError } from '../src/mux/mux-errors.js';
import type { MuxedTransport } from '../src/mux/muxed-transport.js';
import { UdpMux } from '../src/mux/udp-mux.js';

const KEY = new TextEncoder().encode('a-short-term-password');
const text = new TextEncoder();
const decodeText = (data: Uint8Array): string => new TextDecoder().decode(data);

function bindingRequest(username: string): Uint8Array {
  return new StunMessage('request', StunMethod.Binding)
    .add(USERNAME, username)
    .encode({ integrity: KEY, fingerprint: true });
}

interface Received {
  readonly data: Uint8Array;
  readonly from: SocketAddress;
}

/** Collects a transport's datagrams; `count(n)` waits until n have arrived, or fails. */
class Inbox {
  readonly items: Received[] = [];
  #waiter: { count: number; resolve: () => void } | undefined;

  constructor(transport: DatagramTransport) {
    transport.on('datagram', (data, from) => {
      this.items.push({ data: Uint8Array.from(data), from: { ...from } });
      if (this.#waiter !== undefined && this.items.length >= this.#waiter.count) {
        this.#waiter.resolve();
        this.#waiter = undefined;
      }
    });
  }

  count(count: number, timeoutMs = 2000): Promise<void> {
    if (this.items.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        reject(
          new Error(`waited ${timeoutMs} ms for ${count} datagrams, got ${this.items.length}`),
        );
      }, timeoutMs);
      this.#waiter = {
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
    });
  }
}

/** Polls `condition` until it holds (for effects with no event to wait on, like a drop). */
async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

const opened: { close(): void }[] = [];

async function openMux(options: Parameters<typeof UdpMux.open>[0] = {}): Promise<UdpMux> {
  const mux = await UdpMux.open({ address: '127.0.0.1', ...options });
  opened.push(mux);
  return mux;
}

async function openClient(address = '127.0.0.1'): Promise<UdpTransport> {
  const client = await UdpTransport.open({
    address,
    family: address.includes(':') ? 'IPv6' : 'IPv4',
  });
  opened.push(client);
  return client;
}

afterEach(() => {
  for (const resource of opened.splice(0)) resource.close();
});

/** Every agent replies to non-STUN data with "reply:" and the data, to whoever sent it. */
function echoNonStun(transport: MuxedTransport): void {
  transport.on('datagram', (data, from) => {
    if (data[0] !== 0) transport.send(text.encode(`reply:${decodeText(data)}`), from);
  });
}

describe('UdpMux on loopback', () => {
  it('serves 1,000 agents on one port, each reached by its own client', async () => {
    const agents = 1000;
    const mux = await openMux();
    const transports: MuxedTransport[] = [];
    const agentInboxes: Inbox[] = [];
    for (let n = 0; n < agents; n++) {
      const transport = mux.attach(`agent${n}`);
      echoNonStun(transport);
      transports.push(transport);
      agentInboxes.push(new Inbox(transport));
    }
    const clients = await Promise.all(Array.from({ length: agents }, () => openClient()));
    const clientInboxes = clients.map((client) => new Inbox(client));
    const requests = clients.map((_, n) => bindingRequest(`agent${n}:client${n}`));

    // At most `window` conversations at once, so no burst overflows the socket's buffer.
    const window = 50;
    let next = 0;
    const converse = async (): Promise<void> => {
      for (let n = next++; n < agents; n = next++) {
        const client = clients[n] as UdpTransport;
        client.send(requests[n] as Uint8Array, mux.localAddress);
        await (agentInboxes[n] as Inbox).count(1);
        client.send(text.encode(`data${n}`), mux.localAddress);
        await (clientInboxes[n] as Inbox).count(1);
      }
    };
    await Promise.all(Array.from({ length: window }, converse));
    // Give strays, if routing were wrong, the time to arrive before counting exactly.
    await new Promise((resolve) => setTimeout(resolve, 50));

    for (let n = 0; n < agents; n++) {
      const client = clients[n] as UdpTransport;
      const got = (agentInboxes[n] as Inbox).items;
      expect(got.map((r) => r.data)).toEqual([requests[n], text.encode(`data${n}`)]);
      for (const { from } of got) {
        expect(from).toMatchObject({ address: '127.0.0.1', port: client.localAddress.port });
      }
      const replies = (clientInboxes[n] as Inbox).items;
      expect(replies.map((r) => decodeText(r.data))).toEqual([`reply:data${n}`]);
      expect(replies[0]?.from.port).toBe(mux.localAddress.port);
      expect(transports[n]?.bindingCount).toBe(1);
    }
    expect(mux.router.counters).toMatchObject({
      routed: 2 * agents,
      droppedUnknownAddress: 0,
      droppedUnknownUfrag: 0,
      droppedMalformed: 0,
    });
    expect(mux.router.bindingCount).toBe(agents);
    expect(mux.stats.datagramsReceived).toBe(2 * agents);
    expect(mux.stats.datagramsSent).toBe(agents);
  });

  it('close() on a transport removes that agent only', async () => {
    const mux = await openMux();
    const leaving = mux.attach('leaving');
    const staying = mux.attach('staying');
    echoNonStun(staying);
    const leavingInbox = new Inbox(leaving);
    const stayingInbox = new Inbox(staying);
    const leavingClient = await openClient();
    const stayingClient = await openClient();
    const stayingReplies = new Inbox(stayingClient);
    leavingClient.send(bindingRequest('leaving:c1'), mux.localAddress);
    stayingClient.send(bindingRequest('staying:c2'), mux.localAddress);
    await leavingInbox.count(1);
    await stayingInbox.count(1);
    expect(() => mux.attach('staying')).toThrow(UfragInUseError);

    let closeEvents = 0;
    leaving.on('close', () => closeEvents++);
    leaving.close();
    leaving.close();
    expect(closeEvents).toBe(1);
    expect(leaving.closed).toBe(true);
    expect(mux.transportCount).toBe(1);
    expect(mux.router.bindingCount).toBe(1);
    expect(() => leaving.send(Uint8Array.of(1), leavingClient.localAddress)).toThrow(ClosedError);

    // The closed agent's peer is now an unknown address; the other agent still works.
    leavingClient.send(text.encode('late'), mux.localAddress);
    await until(() => mux.router.counters.droppedUnknownAddress === 1);
    stayingClient.send(text.encode('still-here'), mux.localAddress);
    await stayingReplies.count(1);
    expect(decodeText(stayingReplies.items[0]?.data ?? new Uint8Array())).toBe('reply:still-here');
    expect(leavingInbox.items).toHaveLength(1);

    // The ufrag is free again.
    const again = mux.attach('leaving');
    const againInbox = new Inbox(again);
    leavingClient.send(bindingRequest('leaving:c1'), mux.localAddress);
    await againInbox.count(1);
  });

  it('close() on the mux closes every transport and the socket', async () => {
    const mux = await openMux();
    const a = mux.attach('a');
    const b = mux.attach('b');
    const client = await openClient();
    const inbox = new Inbox(a);
    client.send(bindingRequest('a:c'), mux.localAddress);
    await inbox.count(1);

    const events: string[] = [];
    a.on('close', () => events.push('a'));
    b.on('close', () => events.push('b'));
    mux.on('close', () => events.push('mux'));
    mux.close();
    mux.close();
    expect(events).toEqual(['a', 'b', 'mux']);
    expect(mux.closed).toBe(true);
    expect(a.closed && b.closed).toBe(true);
    expect(mux.transportCount).toBe(0);
    expect(mux.router.bindingCount).toBe(0);
    expect(() => mux.attach('c')).toThrow(ClosedError);
    expect(() => b.send(Uint8Array.of(1), client.localAddress)).toThrow(ClosedError);
    // The port is free: the socket is really closed.
    const rebound = await UdpTransport.open({ address: '127.0.0.1', port: mux.localAddress.port });
    opened.push(rebound);
    expect(rebound.localAddress.port).toBe(mux.localAddress.port);
  });

  it('expires idle bindings on its one timer', async () => {
    const clock = new ManualClock(0);
    const mux = await openMux({ scheduler: clock, idleTimeoutMs: 1000 });
    const agent = mux.attach('agent');
    const inbox = new Inbox(agent);
    const client = await openClient();
    client.send(bindingRequest('agent:c'), mux.localAddress);
    await inbox.count(1);
    expect(clock.pendingTimers).toBe(1);
    expect(clock.nextTimerAt()).toBe(1000);

    clock.advance(999);
    client.send(text.encode('keeps it alive'), mux.localAddress);
    await inbox.count(2);
    clock.advance(1); // fires early for the binding used at 999: nothing expires, it re-arms
    expect(mux.router.bindingCount).toBe(1);
    expect(clock.nextTimerAt()).toBe(1999);
    clock.advance(999);
    expect(mux.router.bindingCount).toBe(0);
    expect(mux.router.counters.expired).toBe(1);
    expect(clock.pendingTimers).toBe(0);

    client.send(text.encode('too late'), mux.localAddress);
    await until(() => mux.router.counters.droppedUnknownAddress === 1);
    expect(inbox.items).toHaveLength(2);
    client.send(bindingRequest('agent:c'), mux.localAddress);
    await inbox.count(3);
    expect(clock.pendingTimers).toBe(1);
    mux.close();
    expect(clock.pendingTimers).toBe(0);
  });

  it('hands IPv4 peers of a dual-stack socket to agents as IPv4, and answers them', async () => {
    const mux = await openMux({ family: 'IPv6', address: '::' });
    const agent = mux.attach('agent');
    echoNonStun(agent);
    const inbox = new Inbox(agent);
    const v4 = await openClient('127.0.0.1');
    const v6 = await openClient('::1');
    const v4Replies = new Inbox(v4);
    const v6Replies = new Inbox(v6);
    const port = mux.localAddress.port;

    v4.send(bindingRequest('agent:v4'), { address: '127.0.0.1', port, family: 'IPv4' });
    await inbox.count(1);
    expect(inbox.items[0]?.from).toMatchObject({
      address: '127.0.0.1',
      port: v4.localAddress.port,
      family: 'IPv4',
    });
    v4.send(text.encode('hello4'), { address: '127.0.0.1', port, family: 'IPv4' });
    await v4Replies.count(1);
    expect(decodeText(v4Replies.items[0]?.data ?? new Uint8Array())).toBe('reply:hello4');

    v6.send(bindingRequest('agent:v6'), { address: '::1', port, family: 'IPv6' });
    v6.send(text.encode('hello6'), { address: '::1', port, family: 'IPv6' });
    await v6Replies.count(1);
    expect(inbox.items[2]?.from).toMatchObject({ address: '::1', family: 'IPv6' });
    expect(mux.router.bindingCount).toBe(2);
  });
});

describe('BackgroundClock', () => {
  it('fires at or after the deadline without keeping the process alive', async () => {
    const clock = new BackgroundClock();
    const timers = (): number =>
      process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
    const before = timers();
    const idle = clock.setTimer(clock.now() + 60_000, () => {});
    expect(timers()).toBe(before);
    idle.cancel();

    const at = clock.now() + 15;
    const firedAt = await new Promise<number>((resolve) => {
      clock.setTimer(at, () => resolve(clock.now()));
    });
    expect(firedAt).toBeGreaterThanOrEqual(at);

    let fired = false;
    clock
      .setTimer(clock.now() + 5, () => {
        fired = true;
      })
      .cancel();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fired).toBe(false);
  });
});
