/** The receiver's NACK list (RFC 4585 §6.2.1): what to ask for again, and when. */

import { describe, expect, it } from 'vitest';
import { NackGenerator } from '../src/media/nack-generator.js';

describe('NackGenerator', () => {
  it('asks for a gap at once, again after an RTT, and stops once it arrives', () => {
    const nack = new NackGenerator();
    nack.rttMs = 50;
    for (const sequence of [1, 2, 5, 6]) nack.received(sequence);
    expect(nack.due(0)).toEqual([3, 4]);
    expect(nack.due(10)).toEqual([]); // asked; not again before an RTT
    expect(nack.nextDueAt()).toBe(50);
    nack.received(3); // retransmitted (or recovered from RTX)
    expect(nack.due(50)).toEqual([4]);
    nack.received(4);
    expect(nack.missingCount).toBe(0);
    expect(nack.nextDueAt()).toBeUndefined();
  });

  it('gives up after maxRetries, and paces retries by at least minRetryMs', () => {
    const nack = new NackGenerator({ maxRetries: 3, minRetryMs: 20 });
    nack.rttMs = 1;
    nack.received(10);
    nack.received(12);
    const asked = [0, 5, 20, 40, 60].map((now) => nack.due(now));
    expect(asked).toEqual([[11], [], [11], [11], []]);
    expect(nack.missingCount).toBe(0);
  });

  it('counts across the 16-bit wrap and ignores duplicates and old packets', () => {
    const nack = new NackGenerator();
    for (const sequence of [65533, 65535, 1]) nack.received(sequence);
    expect(nack.due(0)).toEqual([65534, 0]);
    nack.received(65535); // a duplicate: nothing changes
    nack.received(0);
    expect(nack.due(1000)).toEqual([65534]);
  });

  it('tracks at most maxMissing numbers and gives up gaps older than maxAge', () => {
    const nack = new NackGenerator({ maxMissing: 100, maxAge: 500 });
    nack.received(0);
    nack.received(10_000); // a burst loss far beyond the limits
    expect(nack.missingCount).toBe(100);
    expect(nack.due(0)[0]).toBe(9900);
    nack.received(10_001);
    nack.received(10_700); // everything before 10_200 is now too old
    expect(Math.min(...nack.due(0))).toBeGreaterThanOrEqual(10_200);
    expect(nack.missingCount).toBeLessThanOrEqual(100);
  });
});
