import { describe, expect, it } from 'vitest';
import { SrtpReplayError } from '../src/errors.js';
import { estimateRolloverCounter } from '../src/index-estimation.js';
import { ALL_PROFILES, contextPair, rtpPacket } from './helpers.js';

describe('estimateRolloverCounter (RFC 3711 Appendix A)', () => {
  it('keeps the ROC for nearby sequence numbers', () => {
    expect(estimateRolloverCounter(3, 1000, 1001)).toBe(3);
    expect(estimateRolloverCounter(3, 1000, 900)).toBe(3);
    expect(estimateRolloverCounter(3, 40000, 40100)).toBe(3);
  });
  it('takes a small number after a high s_l for the next ROC', () => {
    expect(estimateRolloverCounter(3, 65535, 0)).toBe(4);
    expect(estimateRolloverCounter(3, 65000, 100)).toBe(4);
  });
  it('takes a high number after a small s_l for the previous ROC', () => {
    expect(estimateRolloverCounter(3, 0, 65534)).toBe(2);
    expect(estimateRolloverCounter(0, 5, 65535)).toBe(-1);
  });
  it('takes a jump of more than 2^15 ahead for an old packet', () => {
    expect(estimateRolloverCounter(1, 100, 100 + 40000)).toBe(0);
    expect(estimateRolloverCounter(1, 100, 100 + 30000)).toBe(1);
  });
});

for (const profile of ALL_PROFILES) {
  describe(`index tracking through a context (${profile})`, () => {
    it('follows the sequence number across the wrap (65535 -> 0 is ROC + 1)', () => {
      const { sender, receiver } = contextPair(profile);
      for (let i = 0; i < 6; i++) {
        const seq = (65533 + i) & 0xffff;
        const packet = rtpPacket({ seq });
        expect(receiver.unprotectRtp(sender.protectRtp(packet))).toEqual(packet);
      }
    });

    it('decrypts packets reordered around the wrap: 65534, 0, 65535, 1', () => {
      const { sender, receiver } = contextPair(profile);
      const sent = new Map<number, Uint8Array>();
      for (const seq of [65530, 65531, 65532, 65533, 65534, 65535, 0, 1]) {
        sent.set(seq, sender.protectRtp(rtpPacket({ seq })));
      }
      for (const seq of [65530, 65531, 65532, 65533, 65534, 0, 65535, 1]) {
        expect(receiver.unprotectRtp(sent.get(seq) as Uint8Array)).toEqual(rtpPacket({ seq }));
      }
    });

    it('survives a gap of 30000 and a second wrap', () => {
      const { sender, receiver } = contextPair(profile);
      for (const seq of [10, 30010, 60010, 24474, 54474, 100]) {
        const packet = rtpPacket({ seq });
        expect(receiver.unprotectRtp(sender.protectRtp(packet))).toEqual(packet);
      }
    });

    it('rejects a jump beyond 2^15 as old (Appendix A) and keeps working', () => {
      const { sender, receiver } = contextPair(profile);
      for (const seq of [65535, 0, 100])
        receiver.unprotectRtp(sender.protectRtp(rtpPacket({ seq })));
      // Received with ROC 1 and s_l 100, seq 40100 estimates as ROC 0: far behind the window.
      // Our sender refuses to protect it (the index may have been used); another sender's
      // packet with that index is what arrives.
      expect(() => sender.protectRtp(rtpPacket({ seq: 40100 }))).toThrow(SrtpReplayError);
      const jump = contextPair(profile).sender.protectRtp(rtpPacket({ seq: 40100 }));
      expect(() => receiver.unprotectRtp(jump)).toThrow(SrtpReplayError);
      const next = rtpPacket({ seq: 101 });
      expect(receiver.unprotectRtp(sender.protectRtp(next))).toEqual(next);
    });
  });
}
