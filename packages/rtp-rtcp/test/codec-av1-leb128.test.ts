/** LEB128 as AV1 bounds it (AV1 §4.10.5): at most 8 octets, values up to 2^32 - 1. */

import { fromHex } from '@typertc/common';
import { fuzzIterations, fuzzParser } from '@typertc/common/testing';
import { describe, expect, it } from 'vitest';
import {
  decodeLeb128,
  encodeLeb128,
  leb128Length,
  leb128Size,
  writeLeb128,
} from '../src/codecs/av1.js';
import { PayloadError } from '../src/errors.js';

// Seven bits per octet, low group first, top bit set on all but the last:
// 300 = 0b10_0101100 -> 1_0101100 (ac), 0_0000010 (02).
const CASES = [
  [0, '00'],
  [1, '01'],
  [127, '7f'],
  [128, '8001'],
  [300, 'ac02'],
  [16383, 'ff7f'],
  [16384, '808001'],
  [0x7fff_ffff, 'ffffffff07'],
  [0xffff_ffff, 'ffffffff0f'],
] as const;

describe('LEB128 (AV1 §4.10.5)', () => {
  for (const [value, hex] of CASES) {
    it(`encodes and decodes ${value} as ${hex}`, () => {
      expect(encodeLeb128(value)).toEqual(fromHex(hex));
      expect(leb128Size(value)).toBe(hex.length / 2);
      const padded = fromHex(`ee${hex}ee`);
      expect(decodeLeb128(padded, 1)).toBe(value);
      expect(leb128Length(padded, 1)).toBe(hex.length / 2);
    });
  }

  it('writes at an offset and returns the octets written', () => {
    const out = new Uint8Array(4).fill(0xee);
    expect(writeLeb128(300, out, 1)).toBe(2);
    expect(out).toEqual(fromHex('eeac02ee'));
    expect(() => writeLeb128(300, out, 3)).toThrow(RangeError);
  });

  it('accepts padded encodings up to 8 octets', () => {
    expect(decodeLeb128(fromHex('8000'), 0)).toBe(0);
    expect(leb128Length(fromHex('8000'), 0)).toBe(2);
    expect(decodeLeb128(fromHex('8180808080808000'), 0)).toBe(1);
    expect(leb128Length(fromHex('8180808080808000'), 0)).toBe(8);
  });

  it('rejects a ninth octet, a value of 2^32 or more, and truncation', () => {
    expect(() => decodeLeb128(fromHex('808080808080808000'), 0)).toThrow(/longer than 8/);
    expect(() => leb128Length(fromHex('808080808080808000'), 0)).toThrow(PayloadError);
    expect(() => decodeLeb128(fromHex('8080808010'), 0)).toThrow(/2\^32/); // exactly 2^32
    expect(() => decodeLeb128(fromHex('8080808080018000'), 0)).toThrow(/2\^32/); // bit 35
    expect(() => decodeLeb128(fromHex('ff'), 0)).toThrow(/truncated/);
    expect(() => decodeLeb128(new Uint8Array(0), 0)).toThrow(PayloadError);
    expect(() => decodeLeb128(fromHex('00'), 1)).toThrow(PayloadError);
  });

  it('refuses to encode values outside 0..2^32 - 1', () => {
    for (const value of [-1, 0x1_0000_0000, 1.5, Number.NaN]) {
      expect(() => encodeLeb128(value)).toThrow(RangeError);
    }
  });

  it('fuzz: mutated encodings raise only PayloadError, and what decodes re-encodes', () => {
    const stats = fuzzParser({
      seeds: CASES.map(([, hex]) => fromHex(hex)),
      parse: (bytes) => {
        const value = decodeLeb128(bytes, 0);
        const length = leb128Length(bytes, 0);
        if (length > 8 || value > 0xffff_ffff) throw new Error('out of bounds');
        if (decodeLeb128(encodeLeb128(value), 0) !== value) throw new Error('re-encode differs');
      },
      expectedError: PayloadError,
      iterations: fuzzIterations(10_000, 200_000),
      seed: 128,
    });
    expect(stats.accepted).toBeGreaterThan(0);
    expect(stats.rejected).toBeGreaterThan(0);
  });
});
