/**
 * Loss on the wire between two TypeRTC peer connections (a relay drops RTP on purpose): the
 * receiver NACKs (RFC 4585 §6.2.1), the sender answers from its history with RTX (RFC 4588),
 * and the remote track hands on every packet.
 */

import { afterEach, describe, expect, it } from 'vitest';
import { MediaStreamTrack, type RTCTrackEvent } from '../src/index.js';
import { isRtp, negotiateWithoutCandidates, type RelayedPair, relayedPair } from './lossy-relay.js';
import { connected, packetSource, until } from './media-helpers.js';

let current: RelayedPair | undefined;

afterEach(() => {
  current?.close();
  current = undefined;
});

describe('RTP recovery over a lossy path', () => {
  it('recovers dropped video packets with NACK and RTX', async () => {
    let rtpSeen = 0;
    // Every 10th RTP datagram from A to B is lost, retransmissions included (first pass only).
    current = relayedPair((datagram, direction) => {
      if (direction !== 'a-to-b' || !isRtp(datagram)) return false;
      rtpSeen++;
      return rtpSeen % 10 === 0 && rtpSeen < 400;
    });
    const { a, b } = current;
    const camera = new MediaStreamTrack({ kind: 'video' });
    const sender = a.addTrack(camera);
    const track = new Promise<MediaStreamTrack>((resolve) =>
      b.addEventListener('track', (event) => resolve((event as RTCTrackEvent).track), {
        once: true,
      }),
    );
    await negotiateWithoutCandidates(a, b);
    const remote = await track;
    await connected(a, b);
    const received = new Set<number>();
    remote.on('rtp', (packet) => received.add(packet.payload[0] as number));
    const source = packetSource(96, 90000, 3000);
    for (let i = 0; i < 200; i++) {
      camera.writeRtp(source.next(new Uint8Array([i, ...new Array(500).fill(1)])));
      if (i % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    // A lost last packet shows as a gap only once a later one arrives: video keeps coming.
    const tail = setInterval(() => camera.writeRtp(source.next(new Uint8Array([255]))), 20);
    try {
      await until(() => [...Array(200).keys()].every((i) => received.has(i)), 8000);
    } finally {
      clearInterval(tail);
    }
    expect(current.dropped.count).toBeGreaterThanOrEqual(15);
    const outbound = [...(await sender.getStats()).values()].find((s) => s.type === 'outbound-rtp');
    expect(outbound).toMatchObject({ kind: 'video' });
    expect(
      (outbound as { retransmittedPacketsSent: number }).retransmittedPacketsSent,
    ).toBeGreaterThanOrEqual(15);
    expect((outbound as { nackCount: number }).nackCount).toBeGreaterThan(0);
    const inbound = [...(await b.getStats()).values()].find((s) => s.type === 'inbound-rtp');
    expect((inbound as { nackCount: number }).nackCount).toBeGreaterThan(0);
    expect(
      (inbound as { retransmittedPacketsReceived: number }).retransmittedPacketsReceived,
    ).toBeGreaterThanOrEqual(15);
  });

  it('drops tampered SRTP (RFC 3711 §3.3 authentication) and recovers the packets with RTX', async () => {
    let rtpSeen = 0;
    // Every 10th RTP datagram from A to B has one payload byte flipped on the wire.
    current = relayedPair((datagram, direction) => {
      if (direction !== 'a-to-b' || !isRtp(datagram)) return false;
      rtpSeen++;
      if (rtpSeen % 10 === 0 && rtpSeen < 300) {
        const at = datagram.length - 30;
        datagram[at] = (datagram[at] as number) ^ 0x40;
      }
      return false;
    });
    const { a, b } = current;
    const camera = new MediaStreamTrack({ kind: 'video' });
    a.addTrack(camera);
    const track = new Promise<MediaStreamTrack>((resolve) =>
      b.addEventListener('track', (event) => resolve((event as RTCTrackEvent).track), {
        once: true,
      }),
    );
    await negotiateWithoutCandidates(a, b);
    const remote = await track;
    await connected(a, b);
    const received = new Map<number, boolean>();
    remote.on('rtp', (packet) => {
      // Every payload byte is its index: a tampered packet that got through would show.
      const index = packet.payload[0] as number;
      received.set(
        index,
        packet.payload.every((byte, i) => i === 0 || byte === 0x55),
      );
    });
    const source = packetSource(96, 90000, 3000);
    for (let i = 0; i < 150; i++) {
      camera.writeRtp(source.next(new Uint8Array([i, ...new Array(300).fill(0x55)])));
      if (i % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    // A lost last packet shows as a gap only once a later one arrives: video keeps coming.
    const tail = setInterval(
      () => camera.writeRtp(source.next(new Uint8Array([255, ...new Array(300).fill(0x55)]))),
      20,
    );
    try {
      await until(() => [...Array(150).keys()].every((i) => received.has(i)), 8000);
    } finally {
      clearInterval(tail);
    }
    expect([...received.values()].every((intact) => intact)).toBe(true);
    expect(rtpSeen).toBeGreaterThan(150);
  });
});
