import { describe, expect, it } from 'vitest';
import type { ReportBlock } from '../src/rtcp/report-block.js';
import { ntpFromUnixMs, ntpMiddle32 } from '../src/stats/ntp.js';
import { roundTripTimeMs } from '../src/stats/rtt.js';
import { SenderStats } from '../src/stats/sender-stats.js';

const SSRC = 0xcafe_babe;

function block(lastSenderReport: number, delaySinceLastSenderReport: number): ReportBlock {
  return {
    ssrc: SSRC,
    fractionLost: 0,
    packetsLost: 0,
    highestSequence: 0,
    jitter: 0,
    lastSenderReport,
    delaySinceLastSenderReport,
  };
}

describe('SenderStats SR sender info (RFC 3550 §6.4.1)', () => {
  it('has no sender info before the first packet', () => {
    const stats = new SenderStats({ ssrc: SSRC, clockRate: 90000 });
    expect(stats.senderInfo(1_000_000)).toBeUndefined();
  });

  it('counts packets and payload octets and extrapolates the RTP timestamp', () => {
    const stats = new SenderStats({ ssrc: SSRC, clockRate: 90000 });
    const t0 = 816_003_205_125; // 10 Nov 1995 11:33:25.125 UTC, RFC 3550 Figure 2
    stats.onPacketSent(1_000_000, 1200, t0);
    stats.onPacketSent(1_000_000, 1200, t0 + 2); // same frame, paced out later
    stats.onPacketSent(1_000_000, 300, t0 + 4);
    stats.onPacketSent(1_003_000, 800, t0 + 1000 / 30);
    expect(stats.packetCount).toBe(4);
    expect(stats.octetCount).toBe(3500);
    // 100 ms after the last frame's first packet: 9000 ticks later.
    const info = stats.senderInfo(t0 + 1000 / 30 + 100);
    expect(info).toEqual({
      ntpTimestamp: ntpFromUnixMs(t0 + 1000 / 30 + 100),
      rtpTimestamp: 1_012_000,
      packetCount: 4,
      octetCount: 3500,
    });
    // The mapping comes from the first packet of a timestamp, not the later ones of the frame.
    expect(stats.senderInfo(t0 + 20)?.rtpTimestamp).toBe(1_003_000 - 3000 + 1800);
  });

  it('reports the NTP time of the SR exactly', () => {
    const stats = new SenderStats({ ssrc: SSRC, clockRate: 8000 });
    stats.onPacketSent(0, 160, 0);
    const info = stats.senderInfo(816_003_205_125);
    expect(info?.ntpTimestamp).toBe(0xb44d_b705_2000_0000n);
  });

  it('wraps the RTP timestamp and both counts modulo 2^32', () => {
    const stats = new SenderStats({ ssrc: SSRC, clockRate: 48000 });
    stats.onPacketSent(0xffff_ff00, 0xffff_fff0, 5000);
    stats.onPacketSent(0xffff_ff00, 0x20, 5001);
    expect(stats.octetCount).toBe(0x10);
    expect(stats.senderInfo(5020)?.rtpTimestamp).toBe(0xffff_ff00 + 960 - 0x1_0000_0000);
  });

  it('rejects a non-positive clock rate', () => {
    expect(() => new SenderStats({ ssrc: SSRC, clockRate: -1 })).toThrow(/clockRate/);
  });
});

describe('round-trip time (RFC 3550 §6.4.1)', () => {
  it('computes the Figure 2 example: A 0xb710:8000 - LSR 0xb705:2000 - DLSR 0x0005:4000 = 6.125 s', () => {
    const stats = new SenderStats({ ssrc: SSRC, clockRate: 90000 });
    const a = ntpMiddle32(ntpFromUnixMs(816_003_216_500)); // [10 Nov 1995 11:33:36.5 UTC]
    expect(a).toBe(0xb710_8000);
    expect(stats.roundTripTime(block(0xb705_2000, 0x0005_4000), a)).toBe(6125);
    expect(roundTripTimeMs(block(0xb705_2000, 0x0005_4000), 0xb710_8000)).toBe(6125);
  });

  it('is undefined without an SR (LSR 0) or for another SSRC', () => {
    const stats = new SenderStats({ ssrc: SSRC, clockRate: 90000 });
    expect(stats.roundTripTime(block(0, 0x0005_4000), 0xb710_8000)).toBeUndefined();
    expect(
      stats.roundTripTime({ ...block(0xb705_2000, 0x0005_4000), ssrc: 1 }, 0xb710_8000),
    ).toBeUndefined();
  });

  it('works across the 32-bit wrap of the compact NTP time and clamps negatives to 0', () => {
    // LSR just before the wrap, A just after: 0x10 + 0x20 + 100 ms.
    const rtt = roundTripTimeMs(block(0xffff_fff0, 0x20), 0x0000_0010 + 6554);
    expect(rtt).toBeCloseTo(100, 1);
    expect(roundTripTimeMs(block(0xb705_2000, 0x0005_4000), 0xb70a_0000)).toBe(0);
  });
});
