/**
 * The counters `getStats()` reads (webrtc-stats RTCDataChannelStats and RTCPeerConnectionStats):
 * messages and payload bytes per channel, channels that entered and left `open` per manager.
 */

import { describe, expect, it } from 'vitest';
import { DataChannelManager, type RTCDataChannel } from '../src/datachannel/index.js';
import { FakeLink, FakeStreamTransport, settle } from './datachannel-fake-transport.js';

/** A channel opened by `a` and its counterpart at `b`, both open, handshake done. */
async function openPair(link: FakeLink): Promise<[RTCDataChannel, RTCDataChannel]> {
  const local = link.a.manager.createDataChannel('stats');
  await settle();
  link.flush();
  const remote = link.b.remoteChannels.at(-1);
  if (remote === undefined) throw new Error('no remote channel');
  return [local, remote];
}

function established(): FakeLink {
  const link = new FakeLink();
  link.establish();
  return link;
}

const NONE = { messagesSent: 0, bytesSent: 0, messagesReceived: 0, bytesReceived: 0 };

describe('RTCDataChannel message counters', () => {
  it('count each message and its payload bytes, not DCEP nor the empty-message byte', async () => {
    const link = established();
    const [local, remote] = await openPair(link);
    // The DATA_CHANNEL_OPEN and ACK went both ways: no user message yet.
    expect(local.stats).toEqual(NONE);
    expect(remote.stats).toEqual(NONE);

    local.send('héllo'); // 6 UTF-8 bytes
    local.send(Uint8Array.of(1, 2, 3));
    local.send(''); // RFC 8831 §6.6: one byte on the wire, 0 payload bytes
    local.send(new ArrayBuffer(10));
    remote.send('ok');
    link.flush();

    expect(local.stats).toEqual({
      messagesSent: 4,
      bytesSent: 19,
      messagesReceived: 1,
      bytesReceived: 2,
    });
    expect(remote.stats).toEqual({
      messagesSent: 1,
      bytesSent: 2,
      messagesReceived: 4,
      bytesReceived: 19,
    });
  });

  it('count a Blob when it is handed over, and nothing the transport refused', async () => {
    const link = established();
    const [local, remote] = await openPair(link);
    local.send(new Blob([Uint8Array.of(1, 2, 3, 4, 5)]));
    expect(local.stats.messagesSent).toBe(0);
    await settle();
    expect(local.stats).toEqual({ ...NONE, messagesSent: 1, bytesSent: 5 });

    link.a.transport.refuse = true;
    expect(() => local.send('lost')).toThrow(DOMException);
    expect(local.stats).toEqual({ ...NONE, messagesSent: 1, bytesSent: 5 });
    link.flush();
    expect(remote.stats).toEqual({ ...NONE, messagesReceived: 1, bytesReceived: 5 });
  });

  it('do not count messages discarded because the channel is no longer open', async () => {
    const link = established();
    const [local, remote] = await openPair(link);
    local.send('before');
    remote.close();
    link.step(link.a);
    expect(remote.readyState).not.toBe('open');
    expect(remote.stats.messagesReceived).toBe(0);
  });

  it('return a fresh object each time', async () => {
    const [local] = await openPair(established());
    const first = local.stats;
    local.send('x');
    expect(first.messagesSent).toBe(0);
    expect(local.stats).not.toBe(first);
  });
});

describe('DataChannelManager channel counts', () => {
  it('count the channels that entered and left open, on both sides', async () => {
    const link = established();
    const [first] = await openPair(link);
    await openPair(link);
    expect(link.a.manager.stats).toEqual({ dataChannelsOpened: 2, dataChannelsClosed: 0 });
    expect(link.b.manager.stats).toEqual({ dataChannelsOpened: 2, dataChannelsClosed: 0 });

    first.close();
    // Leaving open for closing already counts: the channel is no longer open.
    expect(link.a.manager.stats).toEqual({ dataChannelsOpened: 2, dataChannelsClosed: 1 });
    link.flush();
    expect(first.readyState).toBe('closed');
    expect(link.a.manager.stats).toEqual({ dataChannelsOpened: 2, dataChannelsClosed: 1 });
    expect(link.b.manager.stats).toEqual({ dataChannelsOpened: 2, dataChannelsClosed: 1 });
  });

  it('do not count a channel closed before it opened', async () => {
    const manager = new DataChannelManager();
    const channel = manager.createDataChannel('never');
    channel.close();
    await settle();
    expect(channel.readyState).toBe('closed');
    expect(manager.stats).toEqual({ dataChannelsOpened: 0, dataChannelsClosed: 0 });
  });

  it('count the open channels the peer connection closes, and the end of the association', async () => {
    const link = established();
    await openPair(link);
    await openPair(link);
    link.a.manager.close();
    expect(link.a.manager.stats).toEqual({ dataChannelsOpened: 2, dataChannelsClosed: 2 });
    link.b.manager.handleEvent({ type: 'aborted', reason: 'gone' });
    expect(link.b.manager.stats).toEqual({ dataChannelsOpened: 2, dataChannelsClosed: 2 });
  });

  it('list the channels not yet closed', async () => {
    const link = established();
    const [first, remoteFirst] = await openPair(link);
    const [second] = await openPair(link);
    const waiting = new DataChannelManager();
    const unnumbered = waiting.createDataChannel('unnumbered');
    expect(waiting.channels).toEqual([unnumbered]);
    waiting.attach(new FakeStreamTransport(), 'client');
    expect(waiting.channels).toEqual([unnumbered]);

    expect(link.a.manager.channels).toEqual([first, second]);
    first.close();
    link.flush();
    expect(link.a.manager.channels).toEqual([second]);
    expect(link.b.manager.channels).not.toContain(remoteFirst);
  });
});
