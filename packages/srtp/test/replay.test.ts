import { describe, expect, it } from 'vitest';
import { SrtpConfigError, SrtpReplayError } from '../src/errors.js';
import { ReplayVerdict, ReplayWindow } from '../src/replay-window.js';
import { ALL_PROFILES, contextPair, rtcpPacket, rtpPacket } from './helpers.js';

describe('ReplayWindow', () => {
  it('accepts fresh indexes, rejects repeats and indexes older than the window', () => {
    const window = new ReplayWindow(64);
    for (const index of [5, 6, 8, 7]) {
      expect(window.check(index)).toBe(ReplayVerdict.Fresh);
      window.accept(index);
    }
    expect(window.check(7)).toBe(ReplayVerdict.Replayed);
    expect(window.check(4)).toBe(ReplayVerdict.Fresh);
    window.accept(200);
    expect(window.check(200 - 63)).toBe(ReplayVerdict.Fresh);
    expect(window.check(200 - 64)).toBe(ReplayVerdict.TooOld);
    expect(window.check(8)).toBe(ReplayVerdict.TooOld);
  });

  it('forgets bits the window slid past', () => {
    const window = new ReplayWindow(64);
    window.accept(10);
    window.accept(10 + 64);
    expect(window.check(10 + 64)).toBe(ReplayVerdict.Replayed);
    expect(window.check(11)).toBe(ReplayVerdict.Fresh);
  });

  it('refuses sizes below 64 and above 32768', () => {
    expect(() => new ReplayWindow(32)).toThrow(SrtpConfigError);
    expect(() => new ReplayWindow(65536)).toThrow(SrtpConfigError);
  });
});

for (const profile of ALL_PROFILES) {
  describe(`replay protection (${profile})`, () => {
    it('rejects a duplicate SRTP packet and counts it', () => {
      const { sender, receiver } = contextPair(profile);
      const packet = sender.protectRtp(rtpPacket({ seq: 1 }));
      receiver.unprotectRtp(packet);
      expect(() => receiver.unprotectRtp(packet)).toThrow(SrtpReplayError);
      expect(receiver.counters.replayRejections).toBe(1);
      const next = rtpPacket({ seq: 2 });
      expect(receiver.unprotectRtp(sender.protectRtp(next))).toEqual(next);
    });

    it('rejects a packet older than the default 64-packet window', () => {
      const { sender, receiver } = contextPair(profile);
      const old = sender.protectRtp(rtpPacket({ seq: 1 }));
      receiver.unprotectRtp(sender.protectRtp(rtpPacket({ seq: 0 })));
      receiver.unprotectRtp(sender.protectRtp(rtpPacket({ seq: 100 })));
      expect(() => receiver.unprotectRtp(old)).toThrow(SrtpReplayError);
    });

    it('accepts a late packet within a 1024-packet window', () => {
      const { sender, receiver } = contextPair(profile, undefined, { replayWindow: 1024 });
      const late = sender.protectRtp(rtpPacket({ seq: 5 }));
      receiver.unprotectRtp(sender.protectRtp(rtpPacket({ seq: 1 })));
      receiver.unprotectRtp(sender.protectRtp(rtpPacket({ seq: 1000 })));
      expect(receiver.unprotectRtp(late)).toEqual(rtpPacket({ seq: 5 }));
      expect(() => receiver.unprotectRtp(late)).toThrow(SrtpReplayError);
    });

    it('rejects a duplicate SRTCP packet', () => {
      const { sender, receiver } = contextPair(profile);
      const packet = sender.protectRtcp(rtcpPacket());
      receiver.unprotectRtcp(packet);
      expect(() => receiver.unprotectRtcp(packet)).toThrow(SrtpReplayError);
      expect(receiver.unprotectRtcp(sender.protectRtcp(rtcpPacket()))).toEqual(rtcpPacket());
    });
  });
}
