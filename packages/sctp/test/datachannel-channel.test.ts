import { describe, expect, it } from 'vitest';
import {
  DcepChannelType,
  Ppid,
  parseDcepMessage,
  type RTCDataChannel,
  type RTCDataChannelInit,
  type RTCErrorEvent,
} from '../src/datachannel/index.js';
import { FakeLink, recordEvents, recordMessages, settle } from './datachannel-fake-transport.js';

function established(): FakeLink {
  const link = new FakeLink();
  link.establish();
  return link;
}

/** A channel opened by `a` and its counterpart at `b`, both open, handshake done. */
async function openPair(
  link: FakeLink,
  init?: RTCDataChannelInit,
): Promise<[RTCDataChannel, RTCDataChannel]> {
  const local = link.a.manager.createDataChannel('pair', init);
  await settle();
  link.flush();
  const remote = link.b.remoteChannels.at(-1);
  if (remote === undefined) throw new Error('no remote channel');
  // Messages that come with the opening wait a macrotask (W3C §6.2 tasks): past it, each is
  // dispatched as it arrives.
  await new Promise((resolve) => setImmediate(resolve));
  return [local, remote];
}

function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

const bytes = (...values: number[]) => Uint8Array.from(values);

describe('opening (RFC 8832 §6, W3C §6.2)', () => {
  it('sends DATA_CHANNEL_OPEN when established, is open at once, the peer answers', () => {
    const link = new FakeLink();
    const local = link.a.manager.createDataChannel('chat', {
      ordered: false,
      maxRetransmits: 3,
      protocol: 'json',
      priority: 'medium',
    });
    const events = recordEvents(local);
    link.establish();
    expect(local.id).toBe(0);
    expect(local.readyState).toBe('open');
    expect(events).toEqual(['open']);

    const open = link.a.transport.sent[0];
    expect(open?.streamId).toBe(0);
    expect(open?.ppid).toBe(Ppid.dcep);
    // DCEP messages are ordered and reliable whatever the channel is.
    expect(open?.unordered).toBe(false);
    expect(open?.maxRetransmits).toBeUndefined();
    expect(parseDcepMessage(open?.data ?? bytes())).toEqual({
      type: 'open',
      channelType: DcepChannelType.partialReliableRexmitUnordered,
      priority: 512,
      reliabilityParameter: 3,
      label: 'chat',
      protocol: 'json',
    });

    link.flush();
    const remote = link.b.remoteChannels[0];
    expect(remote?.readyState).toBe('open');
    expect([remote?.label, remote?.protocol, remote?.ordered, remote?.maxRetransmits]).toEqual([
      'chat',
      'json',
      false,
      3,
    ]);
    expect(remote?.priority).toBe('medium');
    expect(parseDcepMessage(link.b.transport.sent[0]?.data ?? bytes())).toEqual({ type: 'ack' });
  });

  it('opens both ways, with ids of each side parity', () => {
    const link = established();
    link.a.manager.createDataChannel('from a');
    link.b.manager.createDataChannel('from b');
    link.flush();
    expect(link.b.remoteChannels.map((c) => [c.label, c.id])).toEqual([['from a', 0]]);
    expect(link.a.remoteChannels.map((c) => [c.label, c.id])).toEqual([['from b', 1]]);
  });

  it('opens from a queued task when created on an established association', async () => {
    const link = established();
    const channel = link.a.manager.createDataChannel('late');
    expect(channel.readyState).toBe('connecting');
    let opened = false;
    channel.onopen = () => {
      opened = true;
    };
    expect(() => channel.send('x')).toThrow(DOMException);
    await settle();
    expect(opened).toBe(true);
    expect(channel.readyState).toBe('open');
  });

  it('opens negotiated channels without DCEP once established', async () => {
    const link = new FakeLink();
    const a = link.a.manager.createDataChannel('n', { negotiated: true, id: 5 });
    const b = link.b.manager.createDataChannel('n', { negotiated: true, id: 5 });
    const later = link.a.manager.createDataChannel('m', { negotiated: true, id: 8 });
    link.establish();
    expect([a.readyState, b.readyState, later.readyState]).toEqual(['open', 'open', 'open']);
    const received = recordMessages(b);
    a.send('hello');
    link.flush();
    expect(received).toEqual(['hello']);
    expect(link.a.transport.sent.map((m) => m.ppid)).toEqual([Ppid.string]);
    expect(link.b.remoteChannels).toEqual([]);
    expect(link.b.transport.sent).toEqual([]);
    const created = link.b.manager.createDataChannel('o', { negotiated: true, id: 10 });
    await settle();
    expect(created.readyState).toBe('open');
  });

  it('fails the channel when the transport refuses its DATA_CHANNEL_OPEN', () => {
    const link = new FakeLink();
    const channel = link.a.manager.createDataChannel('c');
    const events = recordEvents(channel);
    let detail = '';
    channel.onerror = (event) => {
      detail = event.error.errorDetail;
    };
    link.a.transport.refuse = true;
    link.establish();
    expect(channel.readyState).toBe('closed');
    expect(events).toEqual(['error', 'close']);
    expect(detail).toBe('data-channel-failure');
    // Its id is free again.
    expect(link.a.manager.createDataChannel('d').id).toBe(0);
  });
});

describe('messages (RFC 8831 §6.6, W3C §6.2)', () => {
  it('carries every kind of message both ways with its PPID', async () => {
    const link = established();
    const [local, remote] = await openPair(link);
    const atRemote = recordMessages(remote);
    const atLocal = recordMessages(local);
    const backing = bytes(9, 1, 2, 3, 9);
    local.send('héllo');
    local.send('');
    local.send(bytes(1, 2).buffer);
    local.send(backing.subarray(1, 4));
    local.send(new DataView(backing.buffer, 4, 1));
    local.send(new ArrayBuffer(0));
    local.send(new Blob([bytes(7, 7)]));
    backing.fill(0); // send() copied the bytes
    remote.send('back');
    remote.send(new Uint8Array(0));
    await settle();
    link.flush();

    expect(
      atRemote.map((data) => (data instanceof ArrayBuffer ? [...new Uint8Array(data)] : data)),
    ).toEqual(['héllo', '', [1, 2], [1, 2, 3], [9], [], [7, 7]]);
    expect(atLocal.map((data) => (data instanceof ArrayBuffer ? data.byteLength : data))).toEqual([
      'back',
      0,
    ]);
    const ppids = link.a.transport.sent.slice(1).map((m) => m.ppid);
    expect(ppids).toEqual([51, 56, 53, 53, 53, 57, 53]);
    const empties = link.a.transport.sent.filter((m) => m.ppid === 56 || m.ppid === 57);
    expect(empties.map((m) => m.data.length)).toEqual([1, 1]);
  });

  it('delivers Blobs when binaryType is "blob"', async () => {
    const link = established();
    const [local, remote] = await openPair(link);
    remote.binaryType = 'blob';
    remote.binaryType = 'bogus' as 'blob';
    expect(remote.binaryType).toBe('blob');
    const received = recordMessages(remote);
    local.send(bytes(4, 5, 6));
    local.send('text stays a string');
    link.flush();
    expect(received[0]).toBeInstanceOf(Blob);
    expect([...new Uint8Array(await (received[0] as Blob).arrayBuffer())]).toEqual([4, 5, 6]);
    expect(received[1]).toBe('text stays a string');
  });

  it('keeps send order across Blobs, which are read asynchronously', async () => {
    const link = established();
    const [local, remote] = await openPair(link);
    const received = recordMessages(remote);
    local.send('first');
    local.send(new Blob(['second']));
    local.send('third');
    local.send(new Blob([bytes(4)]));
    local.send('fifth');
    expect(local.bufferedAmount).toBe(5 + 6 + 5 + 1 + 5);
    await settle();
    link.flush();
    expect(
      received.map((d) => (d instanceof ArrayBuffer ? new TextDecoder().decode(d) : d)),
    ).toEqual(['first', 'second', 'third', '\u0004', 'fifth']);
    expect(local.bufferedAmount).toBe(0);
  });

  it('lets the opener send before the ACK, ordered until the peer is heard from', async () => {
    const link = new FakeLink();
    const local = link.a.manager.createDataChannel('u', { ordered: false });
    link.establish();
    local.send('early');
    local.send(bytes(1));
    const sent = link.a.transport.sent;
    expect(sent.map((m) => [m.ppid, m.unordered])).toEqual([
      [Ppid.dcep, false],
      [Ppid.string, false],
      [Ppid.binary, false],
    ]);
    let received: unknown[] = [];
    link.b.manager.on('datachannel', (channel) => {
      received = recordMessages(channel);
    });
    link.flush();
    // They came with the OPEN: dispatched a macrotask after the `datachannel` event (W3C §6.2),
    // so a listener that awaited before setting `onmessage` would still get them.
    expect(received).toHaveLength(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(received).toHaveLength(2);
    expect(received[0]).toBe('early');
    // The ACK arrived: the unordered channel now sends unordered.
    local.send('late');
    expect(sent.at(-1)?.unordered).toBe(true);
    // The peer got the OPEN first, so it sends unordered from the start.
    const remote = link.b.remoteChannels[0] as RTCDataChannel;
    remote.send('reply');
    expect(link.b.transport.sent.at(-1)?.unordered).toBe(true);
    await settle();
  });

  it('treats any message from the peer as the ACK (RFC 8832 §6)', () => {
    const link = new FakeLink();
    const local = link.a.manager.createDataChannel('u', { ordered: false });
    link.establish();
    local.send('before');
    link.a.manager.handleEvent({
      type: 'message',
      streamId: 0,
      ppid: Ppid.string,
      data: bytes(0x68),
      unordered: true,
    });
    local.send('after');
    expect(link.a.transport.sent.slice(1).map((m) => m.unordered)).toEqual([false, true]);
  });

  it('maps reliability to PR-SCTP, and a lossy link loses only what PR-SCTP may', async () => {
    const link = established();
    link.drop = (message) =>
      message.maxRetransmits !== undefined || message.maxLifetimeMs !== undefined;
    const [rexmit, rexmitRemote] = await openPair(link, { maxRetransmits: 0 });
    const [timed, timedRemote] = await openPair(link, { maxPacketLifeTime: 250 });
    const [reliable, reliableRemote] = await openPair(link);
    const lost = [...recordMessages(rexmitRemote), ...recordMessages(timedRemote)];
    const kept = recordMessages(reliableRemote);
    rexmit.send('a');
    timed.send('b');
    reliable.send('c');
    const sent = link.a.transport.sent;
    expect(sent.at(-3)).toMatchObject({ maxRetransmits: 0 });
    expect(sent.at(-3)?.maxLifetimeMs).toBeUndefined();
    expect(sent.at(-2)).toMatchObject({ maxLifetimeMs: 250 });
    expect(sent.at(-1)?.maxRetransmits).toBeUndefined();
    expect(sent.at(-1)?.maxLifetimeMs).toBeUndefined();
    link.flush();
    expect(lost).toEqual([]);
    expect(kept).toEqual(['c']);
    expect(rexmitRemote.maxRetransmits).toBe(0);
    expect(timedRemote.maxPacketLifeTime).toBe(250);
  });
});

describe('send() exceptions (W3C §6.2)', () => {
  it('throws InvalidStateError unless open', async () => {
    const link = new FakeLink();
    const channel = link.a.manager.createDataChannel('c');
    const connecting = thrownBy(() => channel.send('x'));
    expect(connecting).toBeInstanceOf(DOMException);
    expect((connecting as DOMException).name).toBe('InvalidStateError');
    link.establish();
    channel.close();
    expect((thrownBy(() => channel.send('x')) as DOMException).name).toBe('InvalidStateError');
    link.flush();
    expect(channel.readyState).toBe('closed');
    expect((thrownBy(() => channel.send('x')) as DOMException).name).toBe('InvalidStateError');
    await settle();
  });

  it('throws TypeError over maxMessageSize, for strings, buffers and Blobs', async () => {
    const link = established();
    const [local] = await openPair(link);
    link.a.transport.maxMessageSize = 4;
    expect(() => local.send('12345')).toThrow(TypeError);
    expect(() => local.send('€€')).toThrow(TypeError); // 6 UTF-8 bytes
    expect(() => local.send(new Uint8Array(5))).toThrow(TypeError);
    expect(() => local.send(new Blob(['12345']))).toThrow(TypeError);
    expect(local.bufferedAmount).toBe(0);
    local.send('1234');
    expect(local.bufferedAmount).toBe(4);
  });

  it('throws OperationError when the transport refuses the message', async () => {
    const link = established();
    const [local] = await openPair(link);
    link.a.transport.refuse = true;
    const error = thrownBy(() => local.send('x'));
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe('OperationError');
    expect(local.bufferedAmount).toBe(0);
  });

  it('fails the channel when a Blob cannot be sent after it was read', async () => {
    const link = established();
    const [local, remote] = await openPair(link);
    const events = recordEvents(local);
    const remoteEvents = recordEvents(remote);
    let error: RTCErrorEvent | undefined;
    local.addEventListener('error', (event) => {
      error = event as RTCErrorEvent;
    });
    local.send(new Blob(['x']));
    link.a.transport.refuse = true;
    await settle();
    expect(error?.error.errorDetail).toBe('data-channel-failure');
    expect(local.readyState).toBe('closing');
    link.flush();
    expect(events).toEqual(['error', 'close']);
    expect(remoteEvents).toEqual(['closing', 'close']);
  });
});

describe('bufferedAmount (W3C §6.2)', () => {
  it('grows in send(), shrinks as the association reports, fires bufferedamountlow on crossing', async () => {
    const link = established();
    const [local] = await openPair(link);
    local.bufferedAmountLowThreshold = 150;
    let lows = 0;
    local.onbufferedamountlow = () => lows++;
    for (let i = 0; i < 3; i++) local.send(new Uint8Array(100));
    expect(local.bufferedAmount).toBe(300);
    const amounts: number[] = [];
    while (link.step(link.a)) amounts.push(local.bufferedAmount);
    expect(amounts).toEqual([200, 100, 0]);
    expect(lows).toBe(1);

    // With the default threshold 0 it fires when everything has gone.
    local.bufferedAmountLowThreshold = 0;
    local.send('ab');
    local.send('');
    local.send('cd');
    expect(local.bufferedAmount).toBe(4);
    const fired: number[] = [];
    local.onbufferedamountlow = () => fired.push(local.bufferedAmount);
    while (link.step(link.a)) amounts.push(local.bufferedAmount);
    expect(amounts.slice(3)).toEqual([2, 2, 0]);
    expect(fired).toEqual([0]);
  });

  it('does not count DCEP bytes', () => {
    const link = new FakeLink();
    const channel = link.a.manager.createDataChannel('c');
    link.establish();
    channel.send('1234567890');
    expect(channel.bufferedAmount).toBe(10);
    link.step(link.a); // the OPEN leaves
    expect(channel.bufferedAmount).toBe(10);
    link.step(link.a);
    expect(channel.bufferedAmount).toBe(0);
  });

  it('wraps the threshold as an unsigned long', async () => {
    const [local] = await openPair(established());
    local.bufferedAmountLowThreshold = -1;
    expect(local.bufferedAmountLowThreshold).toBe(0xffff_ffff);
    local.bufferedAmountLowThreshold = 12.7;
    expect(local.bufferedAmountLowThreshold).toBe(12);
  });
});

describe('closing (RFC 8831 §6.7, W3C §6.2.4)', () => {
  it('closes from the opener: close locally, closing then close remotely', async () => {
    const link = established();
    const [local, remote] = await openPair(link);
    const localEvents = recordEvents(local);
    const remoteEvents = recordEvents(remote);
    const received = recordMessages(remote);
    local.send('last words');
    local.close();
    expect(local.readyState).toBe('closing');
    local.close(); // no effect once closing
    link.flush();
    expect(received).toEqual(['last words']);
    expect([local.readyState, remote.readyState]).toEqual(['closed', 'closed']);
    // The last message left while closing (threshold 0): bufferedamountlow, then close.
    expect(localEvents).toEqual(['bufferedamountlow', 'close']);
    expect(remoteEvents).toEqual(['message', 'closing', 'close']);
    expect(link.a.transport.resets).toEqual([0]);
    expect(link.b.transport.resets).toEqual([0]);
  });

  it('closes from the answerer the same way', async () => {
    const link = established();
    const [local, remote] = await openPair(link);
    const localEvents = recordEvents(local);
    const remoteEvents = recordEvents(remote);
    remote.close();
    link.flush();
    expect(localEvents).toEqual(['closing', 'close']);
    expect(remoteEvents).toEqual(['close']);
  });

  it('closes cleanly when both sides close at once', async () => {
    const link = established();
    const [local, remote] = await openPair(link);
    const localEvents = recordEvents(local);
    const remoteEvents = recordEvents(remote);
    local.close();
    remote.close();
    link.flush();
    expect([localEvents, remoteEvents]).toEqual([['close'], ['close']]);
  });

  it('discards messages arriving while closing', async () => {
    const link = established();
    const [local, remote] = await openPair(link);
    const received = recordMessages(local);
    remote.send('too late');
    local.close();
    link.flush();
    expect(received).toEqual([]);
  });

  it('closes a channel that never reached the network from a queued task, without a reset', async () => {
    const link = new FakeLink();
    const channel = link.a.manager.createDataChannel('c');
    const events = recordEvents(channel);
    channel.close();
    expect(channel.readyState).toBe('closing');
    expect(events).toEqual([]);
    link.establish();
    await settle();
    expect(channel.readyState).toBe('closed');
    expect(events).toEqual(['close']);
    expect(link.a.transport.sent).toEqual([]);
    expect(link.a.transport.resets).toEqual([]);
  });

  it('closes every channel when the association aborts, with an sctp-failure error', async () => {
    const link = established();
    const [local] = await openPair(link);
    const negotiated = link.a.manager.createDataChannel('n', { negotiated: true, id: 100 });
    const events = [recordEvents(local), recordEvents(negotiated)];
    const errors: RTCErrorEvent[] = [];
    local.onerror = (event) => errors.push(event);
    link.a.manager.handleEvent({ type: 'aborted', reason: 'peer aborted' });
    expect([local.readyState, negotiated.readyState]).toEqual(['closed', 'closed']);
    expect(events).toEqual([
      ['error', 'close'],
      ['error', 'close'],
    ]);
    expect(errors[0]?.error).toBeInstanceOf(DOMException);
    expect(errors[0]?.error.name).toBe('OperationError');
    expect(errors[0]?.error.errorDetail).toBe('sctp-failure');
    expect(errors[0]?.error.message).toBe('peer aborted');
    expect(() => link.a.manager.createDataChannel('x')).toThrow(DOMException);
    await settle();
  });

  it('closes every channel without an error when the association shuts down', async () => {
    const link = established();
    const [, remote] = await openPair(link);
    const events = recordEvents(remote);
    link.b.manager.handleEvent({ type: 'closed' });
    expect(events).toEqual(['close']);
  });

  it('closes every channel without events when the peer connection closes', async () => {
    const link = established();
    const [local] = await openPair(link);
    const events = recordEvents(local);
    link.a.manager.close();
    await settle();
    expect(local.readyState).toBe('closed');
    expect(events).toEqual([]);
  });

  it('closes the channels of a restarted association and opens new ones after', async () => {
    const link = established();
    const [local] = await openPair(link);
    const events = recordEvents(local);
    link.a.manager.handleEvent({ type: 'restarted' });
    expect(events).toEqual(['error', 'close']);
    const next = link.a.manager.createDataChannel('next');
    await settle();
    expect(next.readyState).toBe('connecting');
    link.a.manager.handleEvent({ type: 'established' });
    expect(next.readyState).toBe('open');
    expect(next.id).toBe(0);
  });
});

describe('many channels', () => {
  it('opens, uses and closes 1,000 channels, then reuses their ids', async () => {
    const link = new FakeLink();
    const locals = Array.from({ length: 1000 }, (_, i) =>
      link.a.manager.createDataChannel(`c${i}`),
    );
    link.establish();
    link.flush();
    await new Promise((resolve) => setImmediate(resolve));
    const remotes = link.b.remoteChannels;
    expect(remotes).toHaveLength(1000);
    expect(remotes.every((c) => c.readyState === 'open')).toBe(true);
    expect(new Set(locals.map((c) => c.id)).size).toBe(1000);
    const received = remotes.map((remote) => recordMessages(remote));
    locals.forEach((channel, i) => {
      channel.send(`to ${i}`);
    });
    link.flush();
    expect(
      received.every((messages, i) => messages[0] === `to ${remotes[i]?.label.slice(1)}`),
    ).toBe(true);
    expect(received.flat()).toHaveLength(1000);
    for (const channel of locals) channel.close();
    link.flush();
    expect([...locals, ...remotes].every((c) => c.readyState === 'closed')).toBe(true);
    expect(link.a.manager.createDataChannel('again').id).toBe(0);
  });
});

describe('event handler attributes', () => {
  it('call the current handler once, and stop when set to null', async () => {
    const link = established();
    const [local, remote] = await openPair(link);
    const calls: string[] = [];
    remote.onmessage = () => calls.push('first');
    remote.onmessage = function (this: RTCDataChannel, event) {
      calls.push(`second ${String(event.data)} ${this === remote}`);
    };
    expect(typeof remote.onmessage).toBe('function');
    local.send('m');
    link.flush();
    remote.onmessage = null;
    expect(remote.onmessage).toBeNull();
    local.send('n');
    link.flush();
    expect(calls).toEqual(['second m true']);
    expect(remote.onclose).toBeNull();
  });
});
