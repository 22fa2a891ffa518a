import { cryptoBackends, toHex } from '@typertc/common';
import { describe, expect, it } from 'vitest';
import { SRTP_PROFILES } from '../src/profiles.js';
import { ALL_PROFILES, contextPair, rtcpPacket, rtpPacket } from './helpers.js';

const SHAPES = [
  { name: 'plain 160 B', options: {} },
  { name: '1200 B', options: { payloadLength: 1200 } },
  { name: 'empty payload', options: { payloadLength: 0 } },
  { name: 'odd payload 37 B', options: { payloadLength: 37 } },
  { name: '3 CSRCs', options: { csrcs: 3 } },
  { name: 'header extension', options: { extensionWords: 2 } },
  { name: 'CSRCs, extension and padding', options: { csrcs: 2, extensionWords: 1, padding: 4 } },
];

for (const backend of cryptoBackends) {
  describe(`round trips (${backend.name})`, () => {
    for (const profile of ALL_PROFILES) {
      const { srtpTagLength, srtcpTagLength } = SRTP_PROFILES[profile];

      it(`${profile}: RTP of every shape`, () => {
        const { sender, receiver } = contextPair(profile, backend);
        let seq = 1000;
        for (const shape of SHAPES) {
          // Several packets per shape, so batched keystream is used as well as computed.
          for (let n = 0; n < 20; n++) {
            const packet = rtpPacket({ seq: seq++, ...shape.options });
            const protectedPacket = sender.protectRtp(packet);
            expect(protectedPacket.length).toBe(packet.length + srtpTagLength);
            const header =
              packet.length -
              (shape.options.payloadLength ?? 160) -
              ((shape.options as { padding?: number }).padding ?? 0);
            // The header (CSRCs and extension included) is authenticated, not encrypted.
            expect(toHex(protectedPacket.subarray(0, header))).toBe(
              toHex(packet.subarray(0, header)),
            );
            if (packet.length - header >= 4) {
              expect(toHex(protectedPacket.subarray(header, packet.length))).not.toBe(
                toHex(packet.subarray(header)),
              );
            }
            expect(toHex(receiver.unprotectRtp(protectedPacket))).toBe(toHex(packet));
          }
        }
        expect(receiver.counters.rtpUnprotected).toBe(SHAPES.length * 20);
      });

      it(`${profile}: RTCP`, () => {
        const { sender, receiver } = contextPair(profile, backend);
        for (let n = 0; n < 5; n++) {
          const packet = rtcpPacket();
          const protectedPacket = sender.protectRtcp(packet);
          expect(protectedPacket.length).toBe(packet.length + 4 + srtcpTagLength);
          expect(toHex(protectedPacket.subarray(0, 8))).toBe(toHex(packet.subarray(0, 8)));
          expect(toHex(receiver.unprotectRtcp(protectedPacket))).toBe(toHex(packet));
        }
      });

      it(`${profile}: in place, in one buffer, at unaligned offsets`, () => {
        const { sender, receiver } = contextPair(profile, backend);
        for (const shift of [0, 1, 2, 3, 4]) {
          const packet = rtpPacket({ seq: 7 + shift, payloadLength: 300 });
          const buffer = new Uint8Array(shift + packet.length + srtpTagLength);
          buffer.set(packet, shift);
          const view = buffer.subarray(shift);
          const written = sender.protectRtpInto(view.subarray(0, packet.length), view);
          expect(written).toBe(packet.length + srtpTagLength);
          const length = receiver.unprotectRtpInto(view, view);
          expect(toHex(view.subarray(0, length))).toBe(toHex(packet));
        }
      });
    }
  });
}
