import { readU32BE } from '@typertc/common';
import { describe, expect, it } from 'vitest';
import { SrtpAuthError } from '../src/errors.js';
import { SRTP_PROFILES } from '../src/profiles.js';
import { ALL_PROFILES, contextPair, rtcpPacket } from './helpers.js';

for (const profile of ALL_PROFILES) {
  const { srtcpTagLength, cipher } = SRTP_PROFILES[profile];
  // RFC 3711 §3.4: E || index follows the encrypted part, the tag follows it; RFC 7714 §9:
  // with GCM the index word comes last.
  const indexAt = (length: number): number =>
    cipher === 'AES-CM' ? length - srtcpTagLength - 4 : length - 4;

  describe(`SRTCP E flag and index (${profile})`, () => {
    it('sets E and counts the index from 0 per SSRC', () => {
      const { sender } = contextPair(profile);
      for (let i = 0; i < 3; i++) {
        const packet = sender.protectRtcp(rtcpPacket());
        expect(readU32BE(packet, indexAt(packet.length))).toBe((0x8000_0000 | i) >>> 0);
      }
      const other = sender.protectRtcp(rtcpPacket(0xabcd));
      expect(readU32BE(other, indexAt(other.length))).toBe(0x8000_0000);
    });

    it('accepts indexes out of order within the window', () => {
      const { sender, receiver } = contextPair(profile);
      const packets = [0, 1, 2, 3].map(() => sender.protectRtcp(rtcpPacket()));
      for (const i of [2, 0, 3, 1]) {
        expect(receiver.unprotectRtcp(packets[i] as Uint8Array)).toEqual(rtcpPacket());
      }
    });

    it('authenticates the E flag: clearing it fails', () => {
      const { sender, receiver } = contextPair(profile);
      const packet = sender.protectRtcp(rtcpPacket());
      const at = indexAt(packet.length);
      packet[at] = (packet[at] as number) & 0x7f;
      expect(() => receiver.unprotectRtcp(packet)).toThrow(SrtpAuthError);
    });
  });
}
