/**
 * Media across renegotiations between two TypeRTC peer connections: tracks added and removed
 * mid-call, replaceTrack, a stopped transceiver's m= line recycled, codec preferences, an ICE
 * restart under running RTP, RTCP reports feeding the statistics.
 */

import { afterEach, describe, expect, it } from 'vitest';
import {
  MediaStreamTrack,
  type RTCPeerConnection,
  type RTCRtpTransceiver,
  type RTCTrackEvent,
} from '../src/index.js';
import { connected, packetSource, receivedPackets, until } from './media-helpers.js';
import { negotiate, type Pair, pair } from './pair-helpers.js';

let current: Pair | undefined;

afterEach(() => {
  current?.close();
  current = undefined;
});

function nextTrack(connection: RTCPeerConnection): Promise<RTCTrackEvent> {
  return new Promise((resolve) =>
    connection.addEventListener('track', (event) => resolve(event as RTCTrackEvent), {
      once: true,
    }),
  );
}

function mids(connection: RTCPeerConnection): (string | null)[] {
  return connection.getTransceivers().map((t) => t.mid);
}

describe('media renegotiation', () => {
  it('adds and removes tracks mid-call; the remote track mutes and its stream loses it', async () => {
    current = pair();
    const { a, b } = current;
    const audio = new MediaStreamTrack({ kind: 'audio' });
    a.addTrack(audio);
    const first = nextTrack(b);
    await negotiate(a, b);
    await first;
    await connected(a, b);
    // A second track in the same call: a new m= section, a new track event.
    const video = new MediaStreamTrack({ kind: 'video' });
    const { MediaStream } = await import('../src/index.js');
    const stream = new MediaStream();
    const videoSender = a.addTrack(video, stream);
    const needed = new Promise((resolve) =>
      a.addEventListener('negotiationneeded', resolve, { once: true }),
    );
    await needed;
    const second = nextTrack(b);
    await negotiate(a, b);
    const { track: remoteVideo, streams } = await second;
    expect(mids(a)).toEqual(['0', '1']);
    expect(streams[0]?.id).toBe(stream.id);
    const source = packetSource(96, 90000, 3000);
    const got = receivedPackets(remoteVideo, 5);
    for (let i = 0; i < 5; i++) video.writeRtp(source.next(new Uint8Array([i])));
    expect((await got).length).toBe(5);
    // Removing it: A offers recvonly, B (which never sends) answers inactive; B's track is
    // muted and leaves the stream.
    a.removeTrack(videoSender);
    expect(a.getTransceivers()[1]?.direction).toBe('recvonly');
    await negotiate(a, b);
    expect(a.getTransceivers()[1]?.currentDirection).toBe('inactive');
    expect(b.getTransceivers()[1]?.currentDirection).toBe('inactive');
    expect(remoteVideo.muted).toBe(true);
    expect(streams[0]?.getTracks()).toEqual([]);
  });

  it('replaceTrack continues the sequence numbers and timestamps of the track it replaces', async () => {
    current = pair();
    const { a, b } = current;
    const first = new MediaStreamTrack({ kind: 'video' });
    const sender = a.addTrack(first);
    const track = nextTrack(b);
    await negotiate(a, b);
    const remote = (await track).track;
    await connected(a, b);
    const got = receivedPackets(remote, 10);
    const one = packetSource(96, 90000, 3000);
    for (let i = 0; i < 5; i++) first.writeRtp(one.next(new Uint8Array([i])));
    const second = new MediaStreamTrack({ kind: 'video' });
    await sender.replaceTrack(second);
    first.writeRtp(one.next(new Uint8Array([99]))); // no longer sent
    const two = packetSource(96, 90000, 3000);
    for (let i = 5; i < 10; i++) second.writeRtp(two.next(new Uint8Array([i])));
    const packets = await got;
    expect(packets.map((p) => p.payload[0])).toEqual([...Array(10).keys()]);
    for (let i = 1; i < 10; i++) {
      expect(packets[i]?.sequenceNumber).toBe(((packets[i - 1]?.sequenceNumber ?? 0) + 1) & 0xffff);
      expect(packets[i]?.ssrc).toBe(packets[0]?.ssrc);
    }
    // The new source's timestamps start just after the old one's, not at its own random base.
    const jump = ((packets[5]?.timestamp ?? 0) - (packets[4]?.timestamp ?? 0)) >>> 0;
    expect(jump).toBeLessThan(90000);
    await expect(sender.replaceTrack(new MediaStreamTrack({ kind: 'audio' }))).rejects.toThrow(
      TypeError,
    );
  });

  it('a stopped transceiver ends both sides; its m= line is recycled with a new mid', async () => {
    current = pair();
    const { a, b } = current;
    const audio = a.addTransceiver('audio');
    a.addTransceiver('video');
    await negotiate(a, b);
    const remoteAudio = b.getTransceivers()[0] as RTCRtpTransceiver;
    const ended = new Promise((resolve) =>
      remoteAudio.receiver.track.addEventListener('ended', resolve, { once: true }),
    );
    audio.stop();
    // B's transceiver was made by the offer, recvonly: the answer made A's sendonly.
    expect(audio.currentDirection).toBe('sendonly');
    expect(audio.receiver.track.readyState).toBe('ended');
    await negotiate(a, b);
    await ended;
    expect(audio.currentDirection).toBe('stopped');
    expect(mids(a)).toEqual(['1']);
    expect(mids(b)).toEqual(['1']);
    // A new transceiver takes the stopped section's place (RFC 8829 §5.2.2), with a new mid.
    a.addTransceiver('audio');
    await negotiate(a, b);
    expect(mids(a)).toEqual(['1', '2']);
    const sdp = a.localDescription?.sdp ?? '';
    const sections = sdp
      .split('\r\nm=')
      .slice(1)
      .map((m) => m.split(' ')[0]);
    expect(sections).toEqual(['audio', 'video']);
    expect(sdp).toContain('a=mid:2');
  });

  it('setCodecPreferences decides the codec; a section without a common codec is refused', async () => {
    current = pair();
    const { a, b } = current;
    const video = a.addTransceiver('video');
    video.setCodecPreferences([
      {
        mimeType: 'video/H264',
        clockRate: 90000,
        sdpFmtpLine: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
      },
      { mimeType: 'video/rtx', clockRate: 90000 },
    ]);
    await negotiate(a, b);
    const codecs = video.sender.getParameters().codecs;
    expect(codecs.map((c) => c.mimeType)).toEqual(['video/H264', 'video/rtx']);
    expect(b.getTransceivers()[0]?.receiver.getParameters().codecs[0]?.mimeType).toBe('video/H264');

    // A peer supporting only VP9 refuses an H.264-only offer: port 0, both transceivers stop.
    const { RTCPeerConnection } = await import('../src/index.js');
    const vp9Only = new RTCPeerConnection({ codecs: { video: [{ mimeType: 'video/VP9' }] } });
    const h264Only = new RTCPeerConnection({ codecs: { video: [{ mimeType: 'video/H264' }] } });
    try {
      const offered = h264Only.addTransceiver('video');
      await h264Only.setLocalDescription();
      await vp9Only.setRemoteDescription(h264Only.localDescription as never);
      await vp9Only.setLocalDescription();
      expect(vp9Only.localDescription?.sdp).toMatch(/m=video 0 /);
      await h264Only.setRemoteDescription(vp9Only.localDescription as never);
      expect(offered.currentDirection).toBe('stopped');
      expect(h264Only.getTransceivers()).toEqual([]);
    } finally {
      vp9Only.close();
      h264Only.close();
    }
  });

  it('RTP keeps flowing through an ICE restart, and reports give both sides RTT and loss', async () => {
    current = pair();
    const { a, b } = current;
    const video = new MediaStreamTrack({ kind: 'video' });
    a.addTrack(video);
    const track = nextTrack(b);
    await negotiate(a, b);
    const remote = (await track).track;
    await connected(a, b);
    const source = packetSource(96, 90000, 3000);
    let count = 0;
    remote.on('rtp', () => count++);
    const timer = setInterval(() => video.writeRtp(source.next(new Uint8Array(200))), 10);
    try {
      await until(() => count > 20);
      a.restartIce();
      await negotiate(a, b);
      const before = count;
      await until(() => count > before + 100, 8000);
      // SR from A and RR from B, about once a second: A learns the RTT, B the sender's counts.
      const report = async () => [...(await a.getStats()).values()];
      let remoteInbound: { roundTripTime?: number; packetsLost?: number } | undefined;
      const deadline = Date.now() + 6000;
      while (remoteInbound?.roundTripTime === undefined && Date.now() < deadline) {
        remoteInbound = (await report()).find((s) => s.type === 'remote-inbound-rtp') as
          | typeof remoteInbound
          | undefined;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(remoteInbound?.roundTripTime).toBeGreaterThanOrEqual(0);
      expect(remoteInbound?.packetsLost).toBe(0);
      const remoteOutbound = [...(await b.getStats()).values()].find(
        (s) => s.type === 'remote-outbound-rtp',
      ) as { packetsSent?: number } | undefined;
      expect(remoteOutbound?.packetsSent).toBeGreaterThan(0);
    } finally {
      clearInterval(timer);
    }
  });
});
