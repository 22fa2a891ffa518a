/**
 * The rules of the W3C media API (§5.1-§5.4) and of the server extensions, checked on the
 * objects themselves: exceptions, directions, parameters, capabilities, the SDP an offer
 * writes for a transceiver, the async iterator of a remote track.
 */

import { RtpPacket } from '@typertc/rtp-rtcp';
import { afterEach, describe, expect, it } from 'vitest';
import {
  MediaStream,
  MediaStreamTrack,
  RTCPeerConnection,
  RTCRtpReceiver,
  RTCRtpSender,
  type RTCTrackEvent,
} from '../src/index.js';
import { connected, packetSource } from './media-helpers.js';
import { negotiate, type Pair, pair } from './pair-helpers.js';

const open: RTCPeerConnection[] = [];
let current: Pair | undefined;
afterEach(() => {
  for (const pc of open.splice(0)) pc.close();
  current?.close();
  current = undefined;
});

function connection(): RTCPeerConnection {
  const pc = new RTCPeerConnection();
  open.push(pc);
  return pc;
}

describe('transceiver API rules', () => {
  it('addTrack, removeTrack and addTransceiver throw what W3C §5.1 says', () => {
    const pc = connection();
    const track = new MediaStreamTrack({ kind: 'audio' });
    const sender = pc.addTrack(track);
    expect(() => pc.addTrack(track)).toThrow(
      expect.objectContaining({ name: 'InvalidAccessError' }),
    );
    const other = connection();
    expect(() => other.removeTrack(sender)).toThrow(
      expect.objectContaining({ name: 'InvalidAccessError' }),
    );
    expect(() => pc.addTransceiver('text' as never)).toThrow(TypeError);
    expect(() => pc.addTransceiver('video', { direction: 'sideways' as never })).toThrow(TypeError);
    expect(() => pc.addTransceiver('video', { sendEncodings: [{ rid: 'no spaces' }] })).toThrow(
      TypeError,
    );
    pc.removeTrack(sender);
    expect(sender.track).toBeNull();
    expect(pc.getTransceivers()[0]?.direction).toBe('recvonly');
    // addTrack reuses the transceiver whose sender never sent, and makes it send again.
    const again = pc.addTrack(new MediaStreamTrack({ kind: 'audio' }));
    expect(again).toBe(sender);
    expect(pc.getTransceivers()[0]?.direction).toBe('sendrecv');
    pc.close();
    expect(() => pc.addTrack(new MediaStreamTrack({ kind: 'video' }))).toThrow(
      expect.objectContaining({ name: 'InvalidStateError' }),
    );
  });

  it('fires negotiationneeded for a new transceiver and a direction change, not for the same one', async () => {
    current = pair();
    const { a, b } = current;
    let fired = 0;
    a.addEventListener('negotiationneeded', () => fired++);
    const transceiver = a.addTransceiver('video');
    await new Promise((resolve) => setImmediate(resolve));
    expect(fired).toBe(1);
    await negotiate(a, b);
    transceiver.direction = 'sendrecv'; // unchanged
    await new Promise((resolve) => setImmediate(resolve));
    expect(fired).toBe(1);
    transceiver.direction = 'recvonly';
    await new Promise((resolve) => setImmediate(resolve));
    expect(fired).toBe(2);
    await negotiate(a, b);
    expect(transceiver.currentDirection).toBe('inactive');
    expect(() => {
      transceiver.direction = 'stopped';
    }).toThrow(TypeError);
  });

  it('writes mid, msid, SSRCs with their CNAME and the RTX FID group in the offer', async () => {
    const pc = connection();
    const stream = new MediaStream();
    const track = new MediaStreamTrack({ kind: 'video' });
    const sender = pc.addTrack(track, stream);
    await pc.setLocalDescription();
    const sdp = pc.localDescription?.sdp ?? '';
    expect(sdp).toMatch(/^m=video 9 UDP\/TLS\/RTP\/SAVPF 96 97 98 99 100 101 102 103 104 105\r$/m);
    expect(sdp).toContain('a=mid:0');
    expect(sdp).toContain(`a=msid:${stream.id} ${track.id}`);
    expect(sdp).toContain(`a=ssrc-group:FID ${sender.ssrc} ${sender.rtxSsrc}`);
    const cname = sender.getParameters().rtcp.cname;
    expect(sdp).toContain(`a=ssrc:${sender.ssrc} cname:${cname}`);
    expect(sdp).toContain(`a=ssrc:${sender.rtxSsrc} cname:${cname}`);
    expect(sdp).toContain('a=rtpmap:97 rtx/90000');
    expect(sdp).toContain('a=fmtp:97 apt=96');
    expect(sdp).toContain('a=rtcp-fb:96 nack pli');
    expect(sdp).toContain('a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid');
    expect(pc.getTransceivers()[0]?.mid).toBe('0');
  });

  it('getParameters / setParameters follow the transaction rules', async () => {
    current = pair();
    const { a, b } = current;
    const sender = a.addTrack(new MediaStreamTrack({ kind: 'video' }));
    await negotiate(a, b);
    const parameters = sender.getParameters();
    expect(parameters.codecs[0]).toMatchObject({ mimeType: 'video/VP8', payloadType: 96 });
    expect(parameters.headerExtensions.map((e) => e.uri)).toContain(
      'urn:ietf:params:rtp-hdrext:sdes:mid',
    );
    expect(parameters.rtcp.reducedSize).toBe(true);
    expect(parameters.encodings).toEqual([{ active: true }]);
    await expect(sender.setParameters({ ...parameters, transactionId: 'stale' })).rejects.toThrow(
      expect.objectContaining({ name: 'InvalidStateError' }),
    );
    await expect(
      sender.setParameters({
        ...parameters,
        encodings: [...parameters.encodings, { active: true }],
      }),
    ).rejects.toThrow(expect.objectContaining({ name: 'InvalidModificationError' }));
    const fresh = sender.getParameters();
    fresh.encodings[0] = { active: false, maxBitrate: 500_000 };
    await sender.setParameters(fresh);
    expect(sender.getParameters().encodings).toEqual([{ active: false, maxBitrate: 500_000 }]);
    // The same transaction cannot be applied twice.
    await expect(sender.setParameters(fresh)).rejects.toThrow(
      expect.objectContaining({ name: 'InvalidStateError' }),
    );
    expect(b.getReceivers()[0]?.getParameters().codecs[0]?.mimeType).toBe('video/VP8');
  });

  it('getCapabilities lists our codecs and extensions; setCodecPreferences refuses others', () => {
    const video = RTCRtpSender.getCapabilities('video');
    expect(video?.codecs.map((c) => c.mimeType)).toEqual([
      'video/VP8',
      'video/rtx',
      'video/VP9',
      'video/H264',
      'video/H264',
      'video/AV1',
    ]);
    expect(RTCRtpReceiver.getCapabilities('audio')?.codecs[0]).toEqual({
      mimeType: 'audio/opus',
      clockRate: 48000,
      channels: 2,
      sdpFmtpLine: 'minptime=10;useinbandfec=1',
    });
    expect(RTCRtpSender.getCapabilities('text')).toBeNull();
    const transceiver = connection().addTransceiver('audio');
    expect(() =>
      transceiver.setCodecPreferences([{ mimeType: 'audio/G722', clockRate: 8000 }]),
    ).toThrow(expect.objectContaining({ name: 'InvalidModificationError' }));
  });
});

describe('server extensions', () => {
  it('a remote track is an async iterator of copied packets, ending with the track', async () => {
    current = pair();
    const { a, b } = current;
    const local = new MediaStreamTrack({ kind: 'audio' });
    a.addTrack(local);
    const remote = new Promise<RTCTrackEvent>((resolve) =>
      b.addEventListener('track', (event) => resolve(event as RTCTrackEvent), { once: true }),
    );
    await negotiate(a, b);
    const { track, transceiver } = await remote;
    await connected(a, b);
    const read: RtpPacket[] = [];
    const reader = (async () => {
      for await (const packet of track) read.push(packet);
    })();
    const source = packetSource(111, 48000, 960);
    for (let i = 0; i < 10; i++) local.writeRtp(source.next(new Uint8Array([i])).serialize());
    const deadline = Date.now() + 3000;
    while (read.length < 10 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(read.map((p) => p.payload[0])).toEqual([...Array(10).keys()]);
    expect(new Set(read).size).toBe(10); // copies, not one reused object
    transceiver.stop(); // the receiver's track ends, and with it the loop
    await reader;
    expect(track.readyState).toBe('ended');
    expect(() => local.writeRtp(new RtpPacket())).not.toThrow();
    local.stop();
    expect(() => local.writeRtp(new RtpPacket())).toThrow(
      expect.objectContaining({ name: 'InvalidStateError' }),
    );
    expect(() => track.writeRtp(new RtpPacket())).toThrow(
      expect.objectContaining({ name: 'InvalidStateError' }),
    );
  });

  it('getStats(selector) keeps the selected streams and what they reference', async () => {
    current = pair();
    const { a, b } = current;
    const audio = new MediaStreamTrack({ kind: 'audio' });
    const video = new MediaStreamTrack({ kind: 'video' });
    a.addTrack(audio);
    const videoSender = a.addTrack(video);
    await negotiate(a, b);
    await connected(a, b);
    const opus = packetSource(111, 48000, 960);
    const vp8 = packetSource(96, 90000, 3000);
    for (let i = 0; i < 5; i++) {
      audio.writeRtp(opus.next(new Uint8Array([i])));
      video.writeRtp(vp8.next(new Uint8Array([i])));
    }
    const all = [...(await a.getStats()).values()].filter((s) => s.type === 'outbound-rtp');
    expect(all.length).toBe(2);
    const selected = [...(await videoSender.getStats()).values()];
    const outbound = selected.filter((s) => s.type === 'outbound-rtp');
    expect(outbound.map((s) => (s as { kind: string }).kind)).toEqual(['video']);
    expect(selected.some((s) => s.type === 'codec')).toBe(true);
    expect(selected.some((s) => s.type === 'transport')).toBe(true);
    expect(selected.some((s) => s.type === 'data-channel' || s.type === 'peer-connection')).toBe(
      false,
    );
    const byTrack = [...(await a.getStats(video)).values()].filter(
      (s) => s.type === 'outbound-rtp',
    );
    expect(byTrack.length).toBe(1);
  });
});
