import { describe, expect, it } from 'vitest';
import { pairFoundation, pairPriority } from '../src/pair.js';

// Host and srflx priorities with local preference 65535, component 1 (RFC 8445 §5.1.2.1).
const HOST = { priority: 2130706431 };
const SRFLX = { priority: 1694498815 };

describe('pairPriority (RFC 8445 §6.1.2.3)', () => {
  // 2^32·1694498815 + 2·2130706431 + 1, worked out by hand (and checked in Python).
  const G_ABOVE_D = 7277816997797167103n;

  it('adds 1 when the controlling side has the higher priority (G > D)', () => {
    // Controlling: G is ours (host), D the peer's (srflx).
    expect(pairPriority(true, HOST, SRFLX)).toBe(G_ABOVE_D);
    // Controlled: G is the peer's (host).
    expect(pairPriority(false, SRFLX, HOST)).toBe(G_ABOVE_D);
  });

  it('adds nothing when the controlled side has the higher priority (G < D)', () => {
    expect(pairPriority(true, SRFLX, HOST)).toBe(G_ABOVE_D - 1n);
    expect(pairPriority(false, HOST, SRFLX)).toBe(G_ABOVE_D - 1n);
  });

  it('adds nothing when both are equal (G = D), in either role', () => {
    // 2^32·2130706431 + 2·2130706431.
    expect(pairPriority(true, HOST, HOST)).toBe(9151314442783293438n);
    expect(pairPriority(false, HOST, HOST)).toBe(9151314442783293438n);
  });

  it('is exact beyond 2^53, where a number would round', () => {
    const priority = pairPriority(true, HOST, SRFLX);
    expect(priority).toBeGreaterThan(BigInt(Number.MAX_SAFE_INTEGER));
    expect(priority % 2n).toBe(1n);
    // The largest signalled priorities, 2^32 − 1 on both sides: 2^32·(2^32 − 1) + 2·(2^32 − 1).
    const top = { priority: 0xffff_ffff };
    expect(pairPriority(true, top, top)).toBe(18446744078004518910n);
  });

  it('puts the lower candidate priority first, then the higher, then the role bit', () => {
    const low = { priority: 10 };
    const high = { priority: 1000 };
    // MIN(G,D) dominates: (11, 12) outranks (10, 1000).
    expect(pairPriority(true, { priority: 11 }, { priority: 12 })).toBeGreaterThan(
      pairPriority(true, low, high),
    );
    // Then MAX(G,D): (10, 1000) outranks (10, 11).
    expect(pairPriority(true, low, high)).toBeGreaterThan(
      pairPriority(true, low, { priority: 11 }),
    );
    expect(pairPriority(true, high, low) - pairPriority(true, low, high)).toBe(1n);
  });
});

describe('pairFoundation (RFC 8445 §6.1.2.6)', () => {
  it('joins both foundations so that different splits stay different', () => {
    expect(pairFoundation({ foundation: '1' }, { foundation: '23' })).toBe('1:23');
    expect(pairFoundation({ foundation: '12' }, { foundation: '3' })).not.toBe(
      pairFoundation({ foundation: '1' }, { foundation: '23' }),
    );
  });
});
