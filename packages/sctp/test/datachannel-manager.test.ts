import { describe, expect, it } from 'vitest';
import {
  DataChannelManager,
  DcepChannelType,
  encodeDcepMessage,
  MAX_DATA_CHANNEL_ID,
  Ppid,
  parseDcepMessage,
  type RTCDataChannelInit,
} from '../src/datachannel/index.js';
import {
  FakeLink,
  FakeStreamTransport,
  recordEvents,
  settle,
} from './datachannel-fake-transport.js';

function expectDomException(run: () => unknown, name: string): void {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(DOMException);
  expect((thrown as DOMException).name).toBe(name);
}

describe('createDataChannel (W3C WebRTC §6.2)', () => {
  it('applies the RTCDataChannelInit defaults', () => {
    const channel = new DataChannelManager().createDataChannel('chat');
    expect({
      label: channel.label,
      ordered: channel.ordered,
      maxPacketLifeTime: channel.maxPacketLifeTime,
      maxRetransmits: channel.maxRetransmits,
      protocol: channel.protocol,
      negotiated: channel.negotiated,
      id: channel.id,
      priority: channel.priority,
      readyState: channel.readyState,
      bufferedAmount: channel.bufferedAmount,
      bufferedAmountLowThreshold: channel.bufferedAmountLowThreshold,
      binaryType: channel.binaryType,
    }).toEqual({
      label: 'chat',
      ordered: true,
      maxPacketLifeTime: null,
      maxRetransmits: null,
      protocol: '',
      negotiated: false,
      id: null,
      priority: 'low',
      readyState: 'connecting',
      bufferedAmount: 0,
      bufferedAmountLowThreshold: 0,
      binaryType: 'arraybuffer',
    });
  });

  it('keeps what the init sets, converting as WebIDL does', () => {
    const manager = new DataChannelManager();
    const channel = manager.createDataChannel('x', {
      ordered: false,
      maxRetransmits: 2.9,
      protocol: 'proto',
      negotiated: true,
      id: 7.5,
      priority: 'high',
    });
    expect([channel.ordered, channel.maxRetransmits, channel.protocol, channel.id]).toEqual([
      false,
      2,
      'proto',
      7,
    ]);
    expect([channel.negotiated, channel.priority]).toEqual([true, 'high']);
    expect(manager.createDataChannel('y', { maxPacketLifeTime: 0 }).maxPacketLifeTime).toBe(0);
    // An id without negotiated: true is ignored.
    expect(manager.createDataChannel('z', { id: 3 }).id).toBeNull();
  });

  it.each<[string, RTCDataChannelInit]>([
    ['both maxPacketLifeTime and maxRetransmits', { maxPacketLifeTime: 1, maxRetransmits: 1 }],
    ['negotiated without an id', { negotiated: true }],
    ['id 65535', { negotiated: true, id: 65535 }],
    ['an id out of unsigned short range', { negotiated: true, id: 65536 }],
    ['a negative id', { negotiated: true, id: -1 }],
    ['a NaN maxRetransmits', { maxRetransmits: Number.NaN }],
    ['a maxRetransmits over 65535', { maxRetransmits: 70000 }],
    ['a negative maxPacketLifeTime', { maxPacketLifeTime: -5 }],
    ['a protocol over 65535 bytes', { protocol: 'é'.repeat(32768) }],
    ['an unknown priority', { priority: 'urgent' as 'high' }],
  ])('throws TypeError for %s', (_what, init) => {
    expect(() => new DataChannelManager().createDataChannel('l', init)).toThrow(TypeError);
  });

  it('throws TypeError for a label over 65535 UTF-8 bytes, accepts 65535', () => {
    const manager = new DataChannelManager();
    expect(() => manager.createDataChannel('€'.repeat(21846))).toThrow(TypeError);
    expect(manager.createDataChannel('€'.repeat(21845)).label.length).toBe(21845);
  });

  it('throws OperationError for an id in use, InvalidStateError once closed', () => {
    const manager = new DataChannelManager();
    manager.createDataChannel('a', { negotiated: true, id: 4 });
    expectDomException(
      () => manager.createDataChannel('b', { negotiated: true, id: 4 }),
      'OperationError',
    );
    manager.close();
    expectDomException(() => manager.createDataChannel('c'), 'InvalidStateError');
  });
});

describe('stream ids (RFC 8832 §6)', () => {
  it('are null until the DTLS role is known, then even for the client and odd for the server', () => {
    const link = new FakeLink({ attach: false });
    const a1 = link.a.manager.createDataChannel('a1');
    const a2 = link.a.manager.createDataChannel('a2');
    const b1 = link.b.manager.createDataChannel('b1');
    expect([a1.id, a2.id, b1.id]).toEqual([null, null, null]);
    link.attach();
    expect([a1.id, a2.id, b1.id]).toEqual([0, 2, 1]);
    expect(link.a.manager.createDataChannel('a3').id).toBe(4);
    expect(link.b.manager.createDataChannel('b2').id).toBe(3);
  });

  it('skip ids in use by negotiated channels and reuse ids of closed channels', async () => {
    const manager = new DataChannelManager();
    manager.createDataChannel('n0', { negotiated: true, id: 0 });
    manager.createDataChannel('n2', { negotiated: true, id: 2 });
    manager.createDataChannel('odd', { negotiated: true, id: 5 });
    manager.attach(new FakeStreamTransport(), 'client');
    const first = manager.createDataChannel('first');
    const second = manager.createDataChannel('second');
    expect([first.id, second.id]).toEqual([4, 6]);
    // Closed before the association is up: the id is free once the close is done.
    first.close();
    await settle();
    expect(first.readyState).toBe('closed');
    expect(manager.createDataChannel('again').id).toBe(4);
    expect(manager.createDataChannel('next').id).toBe(8);
  });

  it('allows ids up to 65534 and fails with OperationError when a parity is exhausted', () => {
    const manager = new DataChannelManager();
    expect(manager.createDataChannel('top', { negotiated: true, id: 65534 }).id).toBe(65534);
    manager.attach(new FakeStreamTransport(), 'server');
    // The odd ids 1..65533 are 32767 channels.
    let last: number | null = null;
    for (let i = 0; i < 32767; i++) last = manager.createDataChannel(`c${i}`).id;
    expect(last).toBe(MAX_DATA_CHANNEL_ID - 1);
    expectDomException(() => manager.createDataChannel('one too many'), 'OperationError');
  });

  it('closes channels with an error when no id is left for them at attach', async () => {
    const manager = new DataChannelManager();
    for (let id = 0; id <= MAX_DATA_CHANNEL_ID; id += 2) {
      manager.createDataChannel(`n${id}`, { negotiated: true, id });
    }
    const waiting = manager.createDataChannel('waiting');
    const events = recordEvents(waiting);
    let detail = '';
    waiting.onerror = (event) => {
      detail = event.error.errorDetail;
    };
    manager.attach(new FakeStreamTransport(), 'client');
    expect(waiting.readyState).toBe('closed');
    expect(events).toEqual(['error', 'close']);
    expect(detail).toBe('data-channel-failure');
  });
});

describe('DATA_CHANNEL_OPEN from the peer (RFC 8832 §6)', () => {
  const openBytes = encodeDcepMessage({
    type: 'open',
    channelType: DcepChannelType.partialReliableTimedUnordered,
    priority: 1024,
    reliabilityParameter: 100_000,
    label: 'remote',
    protocol: 'p',
  });

  function established(): FakeLink {
    const link = new FakeLink();
    link.establish();
    return link;
  }

  it('creates an open channel with its parameters and answers DATA_CHANNEL_ACK', () => {
    const link = established();
    const opened: string[] = [];
    link.b.manager.on('datachannel', (channel) => {
      opened.push(`datachannel ${channel.readyState}`);
      channel.onopen = () => opened.push('open');
    });
    link.b.manager.handleEvent({
      type: 'message',
      streamId: 6,
      ppid: Ppid.dcep,
      data: openBytes,
      unordered: false,
    });
    expect(opened).toEqual(['datachannel open', 'open']);
    const channel = link.b.remoteChannels[0];
    expect({
      id: channel?.id,
      label: channel?.label,
      protocol: channel?.protocol,
      ordered: channel?.ordered,
      maxPacketLifeTime: channel?.maxPacketLifeTime,
      maxRetransmits: channel?.maxRetransmits,
      negotiated: channel?.negotiated,
      priority: channel?.priority,
    }).toEqual({
      id: 6,
      label: 'remote',
      protocol: 'p',
      ordered: false,
      // The attribute is an unsigned short: a larger limit shows as the largest.
      maxPacketLifeTime: 65535,
      maxRetransmits: null,
      negotiated: false,
      priority: 'high',
    });
    const ack = link.b.transport.sent[0];
    expect(ack?.streamId).toBe(6);
    expect(ack?.ppid).toBe(Ppid.dcep);
    expect(ack?.unordered).toBe(false);
    expect(ack?.maxLifetimeMs).toBeUndefined();
    expect(parseDcepMessage(ack?.data ?? new Uint8Array())).toEqual({ type: 'ack' });
  });

  it.each([
    ['a malformed OPEN', Uint8Array.of(3, 0, 1)],
    ['an OPEN on an id of our own parity', undefined],
  ])('refuses %s by resetting the stream, without an ACK', (_what, data) => {
    const link = established();
    link.b.manager.handleEvent({
      type: 'message',
      streamId: data === undefined ? 5 : 4,
      ppid: Ppid.dcep,
      data: data ?? openBytes,
      unordered: false,
    });
    expect(link.b.remoteChannels).toEqual([]);
    expect(link.b.transport.sent).toEqual([]);
    expect(link.b.transport.resets).toEqual([data === undefined ? 5 : 4]);
  });

  it('closes the channel on a stream that receives a second OPEN', () => {
    const link = established();
    const channel = link.a.manager.createDataChannel('c');
    link.flush();
    expect(link.b.remoteChannels).toHaveLength(1);
    link.a.manager.handleEvent({
      type: 'message',
      streamId: channel.id as number,
      ppid: Ppid.dcep,
      data: openBytes,
      unordered: false,
    });
    expect(channel.readyState).toBe('closing');
    link.flush();
    expect(channel.readyState).toBe('closed');
    expect(link.b.remoteChannels[0]?.readyState).toBe('closed');
  });

  it('ignores messages on streams without a channel and malformed DCEP on a channel', () => {
    const link = established();
    const channel = link.a.manager.createDataChannel('c', { negotiated: true, id: 9 });
    const events = recordEvents(channel);
    for (const event of [
      { streamId: 11, ppid: Ppid.string, data: Uint8Array.of(65) },
      { streamId: 9, ppid: Ppid.dcep, data: Uint8Array.of(99) },
      { streamId: 9, ppid: Ppid.dcep, data: encodeDcepMessage({ type: 'ack' }) },
    ]) {
      link.a.manager.handleEvent({ type: 'message', unordered: false, ...event });
    }
    link.a.manager.handleEvent({ type: 'buffered-amount', streamId: 13, bufferedAmount: 0 });
    link.a.manager.handleEvent({ type: 'stream-reset', streamIds: [13] });
    expect(link.a.transport.resets).toEqual([]);
    expect(events).toEqual([]);
  });
});
