import { describe, expect, it } from 'vitest';
import {
  NTP_UNIX_OFFSET_SECONDS,
  ntpFromUnixMs,
  ntpMiddle32,
  unixMsFromNtp,
} from '../src/stats/ntp.js';

describe('NTP timestamps (RFC 3550 §4)', () => {
  it('places the Unix epoch 2208988800 s after the NTP epoch', () => {
    expect(NTP_UNIX_OFFSET_SECONDS).toBe(2_208_988_800);
    expect(ntpFromUnixMs(0)).toBe(2_208_988_800n << 32n);
    expect(unixMsFromNtp(2_208_988_800n << 32n)).toBe(0);
  });

  it('converts the RFC 3550 Figure 2 SR time, 10 Nov 1995 11:33:25.125 UTC', () => {
    const ms = Date.UTC(1995, 10, 10, 11, 33, 25, 125);
    const ntp = ntpFromUnixMs(ms);
    expect(ntp).toBe(0xb44d_b705_2000_0000n); // ntp_sec 0xb44db705, ntp_frac 0x20000000
    expect(ntpMiddle32(ntp)).toBe(0xb705_2000); // its LSR
    expect(unixMsFromNtp(ntp)).toBe(ms);
  });

  it('keeps fractions of a second in 32.32 fixed point', () => {
    expect(ntpFromUnixMs(500) & 0xffff_ffffn).toBe(0x8000_0000n);
    expect(ntpFromUnixMs(1) & 0xffff_ffffn).toBe(4_294_967n); // round(2^32 / 1000)
    expect(ntpFromUnixMs(0.25) & 0xffff_ffffn).toBe(1_073_742n);
    for (const ms of [1, 999, 1_700_000_000_123, 1_700_000_000_999.5]) {
      expect(unixMsFromNtp(ntpFromUnixMs(ms))).toBeCloseTo(ms, 3);
    }
  });

  it('carries a fraction that rounds up to a whole second', () => {
    expect(ntpFromUnixMs(999.99999999999)).toBe((2_208_988_800n + 1n) << 32n);
  });

  it('wraps into NTP era 1 after 2036-02-07 06:28:16 UTC and back (RFC 4330 §3)', () => {
    const eraEnd = Date.UTC(2036, 1, 7, 6, 28, 16);
    expect((eraEnd / 1000 + NTP_UNIX_OFFSET_SECONDS) % 2 ** 32).toBe(0);
    expect(ntpFromUnixMs(eraEnd)).toBe(0n);
    expect(ntpFromUnixMs(eraEnd + 1500)).toBe((1n << 32n) | 0x8000_0000n);
    expect(unixMsFromNtp(ntpFromUnixMs(eraEnd + 1500))).toBe(eraEnd + 1500);
    expect(unixMsFromNtp(0xffff_ffffn << 32n)).toBe(eraEnd - 1000);
  });

  it('takes the middle 32 bits as 16.16 seconds', () => {
    expect(ntpMiddle32(0x1234_5678_9abc_def0n)).toBe(0x5678_9abc);
    expect(ntpMiddle32(0xffff_ffff_ffff_ffffn)).toBe(0xffff_ffff);
  });
});
