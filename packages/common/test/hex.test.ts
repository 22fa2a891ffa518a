import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../src/bytes/hex.js';
import { ParseError } from '../src/errors.js';
import { SeededRandom } from '../src/testing/random.js';

function parseErrorOf(text: string): ParseError {
  try {
    fromHex(text);
  } catch (error) {
    expect(error).toBeInstanceOf(ParseError);
    return error as ParseError;
  }
  throw new Error(`expected fromHex(${JSON.stringify(text)}) to throw`);
}

describe('toHex', () => {
  it('writes two lower-case digits a byte', () => {
    expect(toHex(Uint8Array.of(0x00, 0x0f, 0xa0, 0xff, 0x12))).toBe('000fa0ff12');
    expect(toHex(new Uint8Array(0))).toBe('');
  });

  it('writes only the bytes of a view', () => {
    const backing = Uint8Array.of(0xaa, 0x01, 0x02, 0xbb);
    expect(toHex(backing.subarray(1, 3))).toBe('0102');
  });
});

describe('fromHex', () => {
  it('round-trips every byte value and random strings of many lengths', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(fromHex(toHex(all))).toEqual(all);
    const random = new SeededRandom(16);
    for (let length = 0; length < 70; length++) {
      const bytes = random.bytes(length);
      expect(fromHex(toHex(bytes))).toEqual(bytes);
    }
  });

  it('accepts upper and mixed case', () => {
    expect([...fromHex('ABCDEF')]).toEqual([0xab, 0xcd, 0xef]);
    expect([...fromHex('aBcD0f')]).toEqual([0xab, 0xcd, 0x0f]);
  });

  it('ignores colons and whitespace, as in fingerprints and RFC dumps', () => {
    expect([...fromHex('AB:CD:EF')]).toEqual([0xab, 0xcd, 0xef]);
    expect([...fromHex(' 00 01\n\t02 03 ')]).toEqual([0, 1, 2, 3]);
    expect(fromHex('').length).toBe(0);
    expect(fromHex(' : ').length).toBe(0);
  });

  it('rejects an odd number of digits with ParseError INVALID_HEX', () => {
    const error = parseErrorOf('abc');
    expect(error.code).toBe('INVALID_HEX');
    expect(error.offset).toBe(3);
    expect(error.message).toContain('odd number of digits');
    expect(parseErrorOf('a').offset).toBe(1);
  });

  it('rejects a bad digit with ParseError at its offset', () => {
    const cases: [string, number][] = [
      ['zz', 0],
      ['0g', 1],
      ['00112g', 5],
      ['0x12', 1],
      ['12-3', 2],
      ['@0', 0], // 0x40, just below 'A'
      ['G0', 0], // just above 'F'
      ['`0', 0], // 0x60, just below 'a'
      ['/0', 0], // 0x2f, just below '0'
      [';0', 0], // 0x3b, just above '9' and ':'
      ['aa:zz', 3], // offsets count the separators, as the text was given
      ['00 11\n2x', 7],
      ['é0', 0],
    ];
    for (const [text, offset] of cases) {
      const error = parseErrorOf(text);
      expect(error.code, text).toBe('INVALID_HEX');
      expect(error.offset, text).toBe(offset);
    }
  });
});
