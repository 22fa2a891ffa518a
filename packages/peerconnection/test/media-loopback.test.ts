/**
 * Media between two TypeRTC peer connections over UDP loopback: transceivers negotiated both
 * ways, RTP written into local tracks and read from remote ones, echoes, renegotiation.
 */

import { afterEach, describe, expect, it } from 'vitest';
import {
  MediaStream,
  MediaStreamTrack,
  type RTCPeerConnection,
  type RTCTrackEvent,
} from '../src/index.js';
import { connected, packetSource, receivedPackets, until } from './media-helpers.js';
import { negotiate, type Pair, pair } from './pair-helpers.js';

let current: Pair | undefined;

afterEach(() => {
  current?.close();
  current = undefined;
});

describe('media over UDP loopback', () => {
  it('sends audio and video both ways, each remote track with its codec and streams', async () => {
    current = pair();
    const { a, b } = current;
    const streamA = new MediaStream();
    const audioA = new MediaStreamTrack({ kind: 'audio' });
    const videoA = new MediaStreamTrack({ kind: 'video' });
    a.addTrack(audioA, streamA);
    a.addTrack(videoA, streamA);
    const audioB = new MediaStreamTrack({ kind: 'audio' });
    const videoB = new MediaStreamTrack({ kind: 'video' });
    const tracksAtB = collectTracks(b, 2);
    const tracksAtA = collectTracks(a, 2);
    await negotiate(a, b);
    const atB = await tracksAtB;
    expect(atB.map((e) => e.track.kind)).toEqual(['audio', 'video']);
    expect(atB[0]?.streams[0]?.id).toBe(streamA.id);
    expect(atB[0]?.streams[0]).toBe(atB[1]?.streams[0]);
    // B answers with its own tracks on the transceivers A's offer created.
    const [audioTransceiver, videoTransceiver] = b.getTransceivers();
    await audioTransceiver?.sender.replaceTrack(audioB);
    await videoTransceiver?.sender.replaceTrack(videoB);
    expect(b.getTransceivers().map((t) => t.currentDirection)).toEqual(['recvonly', 'recvonly']);
    if (audioTransceiver) audioTransceiver.direction = 'sendrecv';
    if (videoTransceiver) videoTransceiver.direction = 'sendrecv';
    await negotiate(b, a);
    const atA = await tracksAtA;
    expect(atA.map((e) => e.track.kind)).toEqual(['audio', 'video']);
    await connected(a, b);

    const opus = packetSource(111, 48000, 960);
    const vp8 = packetSource(96, 90000, 3000);
    const audioAtB = receivedPackets(atB[0]?.track as MediaStreamTrack, 50);
    const videoAtB = receivedPackets(atB[1]?.track as MediaStreamTrack, 50);
    const audioAtA = receivedPackets(atA[0]?.track as MediaStreamTrack, 50);
    const videoAtA = receivedPackets(atA[1]?.track as MediaStreamTrack, 50);
    for (let i = 0; i < 50; i++) {
      audioA.writeRtp(opus.next(new Uint8Array([1, 2, 3, i])));
      videoA.writeRtp(vp8.next(new Uint8Array(1000).fill(i)));
      audioB.writeRtp(opus.next(new Uint8Array([9, i])));
      videoB.writeRtp(vp8.next(new Uint8Array(900).fill(i)));
    }
    const [ab, vb, aa, va] = await Promise.all([audioAtB, videoAtB, audioAtA, videoAtA]);
    expect(ab.map((p) => p.payload[3])).toEqual([...Array(50).keys()]);
    expect(vb.every((p, i) => p.payload.length === 1000 && p.payload[0] === i)).toBe(true);
    expect(aa.length).toBe(50);
    expect(va.length).toBe(50);
    // Sent with the sender's SSRC and numbering continuous from the writer's.
    const sender = a.getSenders()[1];
    expect(vb[0]?.ssrc).toBe(sender?.ssrc);
    expect(atB[1]?.track.codec?.mimeType).toBe('video/VP8');
    expect(atB[0]?.track.codec).toMatchObject({ mimeType: 'audio/opus', payloadType: 111 });
  });

  it('echoes RTP back with a dozen lines, and a keyframe request reaches the sender', async () => {
    current = pair();
    const { a, b } = current;
    // B: the echo server of docs/media-api.md.
    const echo = new MediaStreamTrack({ kind: 'video' });
    b.addTrack(echo); // taken by the offer's video section: received and echoed on one m= line
    b.addEventListener('track', (event) => {
      const { track, receiver } = event as RTCTrackEvent;
      track.on('rtp', (packet) => echo.writeRtp(packet));
      receiver.requestKeyFrame();
    });
    // A: sends video and receives the echo.
    const camera = new MediaStreamTrack({ kind: 'video' });
    const sender = a.addTrack(camera);
    const keyframeRequests: string[] = [];
    sender.on('keyframerequest', (kind) => keyframeRequests.push(kind));
    const tracksAtA = collectTracks(a, 1);
    await negotiate(a, b);
    const [echoed] = await tracksAtA;
    await connected(a, b);
    const source = packetSource(96, 90000, 3000);
    const back = receivedPackets(echoed?.track as MediaStreamTrack, 20);
    for (let i = 0; i < 20; i++) camera.writeRtp(source.next(new Uint8Array([i, 7, 7])));
    const packets = await back;
    expect(packets.map((p) => p.payload[0])).toEqual([...Array(20).keys()]);
    await until(() => keyframeRequests.length > 0);
    expect(keyframeRequests[0]).toBe('pli');
    // B receives video with transport-cc negotiated: its feedback reaches A's sender.
    const feedback: string[] = [];
    sender.on('rtcp', (packet) => feedback.push(packet.kind));
    for (let i = 0; i < 20; i++) camera.writeRtp(source.next(new Uint8Array([i])));
    await until(() => feedback.includes('twcc'));
    // A stopping its transceiver says BYE for its SSRCs at once (W3C "stop sending", RFC 3550
    // §6.6), while B still receives on the section.
    const goodbye = new Promise<number[]>((resolve) =>
      b.getTransceivers()[0]?.receiver.track.on('rtcp', (packet) => {
        if (packet.kind === 'bye') resolve(packet.sources);
      }),
    );
    a.getTransceivers()[0]?.stop();
    expect(await goodbye).toContain(sender.ssrc);
    await negotiate(a, b);
    expect(b.getTransceivers()).toEqual([]);
  });
});

function collectTracks(connection: RTCPeerConnection, count: number): Promise<RTCTrackEvent[]> {
  return new Promise((resolve) => {
    const events: RTCTrackEvent[] = [];
    connection.addEventListener('track', (event) => {
      events.push(event as RTCTrackEvent);
      if (events.length === count) resolve(events);
    });
  });
}
