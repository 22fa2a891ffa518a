import { describe, expect, it } from 'vitest';
import { bytesEqual, concatBytes, constantTimeEqual } from '../src/bytes/compare.js';

const equalityFunctions = [
  { name: 'constantTimeEqual', equal: constantTimeEqual },
  { name: 'bytesEqual', equal: bytesEqual },
] as const;

describe.each(equalityFunctions)('$name', ({ equal }) => {
  it('is true for equal contents, including views at different offsets', () => {
    expect(equal(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 3))).toBe(true);
    expect(equal(new Uint8Array(0), new Uint8Array(0))).toBe(true);
    const backing = Uint8Array.of(9, 1, 2, 3, 1, 2, 3);
    expect(equal(backing.subarray(1, 4), backing.subarray(4, 7))).toBe(true);
    const same = Uint8Array.of(5);
    expect(equal(same, same)).toBe(true);
  });

  it('is false when any byte differs, first, middle or last', () => {
    const a = new Uint8Array(32).fill(0x5a);
    for (const at of [0, 15, 31]) {
      const b = a.slice();
      b[at] = 0x5b;
      expect(equal(a, b)).toBe(false);
    }
    expect(equal(Uint8Array.of(0x80), Uint8Array.of(0x00))).toBe(false);
  });

  it('is false for different lengths, even when one is a prefix of the other', () => {
    expect(equal(Uint8Array.of(1, 2), Uint8Array.of(1, 2, 3))).toBe(false);
    expect(equal(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2))).toBe(false);
    expect(equal(new Uint8Array(0), Uint8Array.of(0))).toBe(false);
  });
});

describe('concatBytes', () => {
  it('joins parts in order into a new array', () => {
    const a = Uint8Array.of(1, 2);
    const backing = Uint8Array.of(0, 3, 4, 0);
    const out = concatBytes(a, new Uint8Array(0), backing.subarray(1, 3), Uint8Array.of(5));
    expect([...out]).toEqual([1, 2, 3, 4, 5]);
    expect(out.buffer).not.toBe(a.buffer);
  });

  it('copies even a single part, and returns empty for none', () => {
    const a = Uint8Array.of(7);
    const out = concatBytes(a);
    out[0] = 8;
    expect(a[0]).toBe(7);
    expect(concatBytes().length).toBe(0);
  });
});
