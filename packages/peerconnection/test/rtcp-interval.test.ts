/** The RTCP report interval (RFC 3550 §6.3.1, Appendix A.7). */

import { describe, expect, it } from 'vitest';
import {
  deterministicRtcpInterval,
  type RtcpIntervalInput,
  rtcpInterval,
} from '../src/media/rtcp-interval.js';

const peerConnection: RtcpIntervalInput = {
  members: 2,
  senders: 2,
  rtcpBandwidth: (2_000_000 / 8) * 0.05, // 5% of 2 Mbit/s, in bytes per second
  weSent: true,
  averageRtcpSize: 100,
  initial: false,
  minIntervalMs: 1000,
};

describe('RTCP interval', () => {
  it('is the minimum when the bandwidth allows more, half of it before the first report', () => {
    expect(deterministicRtcpInterval(peerConnection)).toBe(1000);
    expect(deterministicRtcpInterval({ ...peerConnection, initial: true })).toBe(500);
  });

  it('grows with the members and the report size over the RTCP bandwidth (§6.3.1)', () => {
    // 1,000 receivers sharing 3/4 of 100 B/s with 200-byte reports: 200 * 999 / 75 s.
    const crowd = {
      ...peerConnection,
      members: 1000,
      senders: 1,
      weSent: false,
      rtcpBandwidth: 100,
      averageRtcpSize: 200,
    };
    expect(deterministicRtcpInterval(crowd)).toBeCloseTo(((200 * 999) / 75) * 1000, 6);
    // The one sender shares 1/4 of it with itself alone.
    expect(deterministicRtcpInterval({ ...crowd, weSent: true })).toBeCloseTo((200 / 25) * 1000, 6);
  });

  it('randomizes over [0.5, 1.5] of Td and divides by e - 3/2', () => {
    const low = rtcpInterval(peerConnection, () => 0);
    const high = rtcpInterval(peerConnection, () => 0.999999);
    expect(low).toBeCloseTo(500 / (Math.E - 1.5), 6);
    expect(high).toBeCloseTo(1500 / (Math.E - 1.5), 2);
    // Over many draws the mean is Td / (e - 3/2): about 821 ms for a 1 s minimum.
    let sum = 0;
    for (let i = 0; i < 10_000; i++) sum += rtcpInterval(peerConnection);
    expect(sum / 10_000).toBeGreaterThan(790);
    expect(sum / 10_000).toBeLessThan(850);
  });
});
