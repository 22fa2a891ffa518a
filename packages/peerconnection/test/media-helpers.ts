/** What the media tests share: RTP sources, collecting a remote track's packets, waiting. */

import { RtpPacket } from '@typertc/rtp-rtcp';
import type { MediaStreamTrack, RTCPeerConnection } from '../src/index.js';

/** Packets as an encoder would write them: one SSRC, sequence and timestamp advancing. */
export function packetSource(payloadType: number, clockRate: number, timestampStep: number) {
  let sequenceNumber = Math.floor(Math.random() * 0xffff);
  let timestamp = Math.floor(Math.random() * 0xffff_ffff);
  const ssrc = Math.floor(Math.random() * 0xffff_ffff);
  return {
    clockRate,
    next(payload: Uint8Array, marker = true): RtpPacket {
      const packet = new RtpPacket({
        payloadType,
        sequenceNumber,
        timestamp,
        ssrc,
        marker,
        payload,
      });
      sequenceNumber = (sequenceNumber + 1) & 0xffff;
      timestamp = (timestamp + timestampStep) >>> 0;
      return packet;
    },
  };
}

/** The next `count` packets of a remote track, copied. */
export function receivedPackets(track: MediaStreamTrack, count: number): Promise<RtpPacket[]> {
  return new Promise((resolve) => {
    const packets: RtpPacket[] = [];
    const off = track.on('rtp', (packet) => {
      packets.push(RtpPacket.parse(packet.serialize()));
      if (packets.length === count) {
        off();
        resolve(packets);
      }
    });
  });
}

/** Polls `condition` every 10 ms until it holds; fails after `timeoutMs`. */
export async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Both connections `connected` (ICE and DTLS; SRTP keyed). */
export async function connected(...connections: RTCPeerConnection[]): Promise<void> {
  await until(() => connections.every((c) => c.connectionState === 'connected'));
}
