import { describe, expect, it } from 'vitest';
import { fromHex } from '../src/bytes/hex.js';
import { ByteReader } from '../src/bytes/reader.js';
import { ParseError } from '../src/errors.js';

/** Runs `read` and returns the ParseError it throws (failing if it throws anything else). */
function parseErrorOf(read: () => unknown): ParseError {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(ParseError);
    return error as ParseError;
  }
  throw new Error('expected a ParseError, but the read succeeded');
}

describe('ByteReader', () => {
  it('reads every unsigned width big-endian', () => {
    const r = new ByteReader(fromHex('01 0203 040506 0708090a 0b0c0d0e0f10 1112131415161718'));
    expect(r.u8()).toBe(0x01);
    expect(r.u16()).toBe(0x0203);
    expect(r.u24()).toBe(0x040506);
    expect(r.u32()).toBe(0x0708090a);
    expect(r.u48()).toBe(0x0b0c0d0e0f10);
    expect(r.u64()).toBe(0x1112131415161718n);
    expect(r.remaining).toBe(0);
    expect(r.offset).toBe(24);
  });

  it('reads the maximum of every width as an unsigned value', () => {
    const r = new ByteReader(new Uint8Array(1 + 2 + 3 + 4 + 6 + 8).fill(0xff));
    expect(r.u8()).toBe(0xff);
    expect(r.u16()).toBe(0xffff);
    expect(r.u24()).toBe(0xffffff);
    expect(r.u32()).toBe(0xffffffff);
    expect(r.u48()).toBe(2 ** 48 - 1);
    expect(r.u64()).toBe(2n ** 64n - 1n);
  });

  it('reads values with only the top bit set without going negative', () => {
    const r = new ByteReader(fromHex('80 8000 800000 80000000 800000000000 8000000000000000'));
    expect(r.u8()).toBe(0x80);
    expect(r.u16()).toBe(0x8000);
    expect(r.u24()).toBe(0x800000);
    expect(r.u32()).toBe(0x80000000);
    expect(r.u48()).toBe(2 ** 47);
    expect(r.u64()).toBe(2n ** 63n);
  });

  it('reads zero and one at every width', () => {
    const r = new ByteReader(
      fromHex('00 0001 000001 00000001 000000000001 0000000000000000 0000000000000001'),
    );
    expect(r.u8()).toBe(0);
    expect(r.u16()).toBe(1);
    expect(r.u24()).toBe(1);
    expect(r.u32()).toBe(1);
    expect(r.u48()).toBe(1);
    expect(r.u64()).toBe(0n);
    // One in the lowest byte: a u64 that dropped or swapped its low word would read 0 or 2^32.
    expect(r.u64()).toBe(1n);
  });

  it('reads two’s-complement signed values', () => {
    const r = new ByteReader(fromHex('ff 80 7f fffe 8000 ffffff 800000 7fffff ffffffff 80000000'));
    expect(r.i8()).toBe(-1);
    expect(r.i8()).toBe(-128);
    expect(r.i8()).toBe(127);
    expect(r.i16()).toBe(-2);
    expect(r.i16()).toBe(-32768);
    expect(r.i24()).toBe(-1);
    expect(r.i24()).toBe(-(2 ** 23));
    expect(r.i24()).toBe(2 ** 23 - 1);
    expect(r.i32()).toBe(-1);
    expect(r.i32()).toBe(-(2 ** 31));
  });

  it('throws ParseError TRUNCATED at the offset where the read started, consuming nothing', () => {
    const reads: [string, (r: ByteReader) => unknown, number][] = [
      ['u16', (r) => r.u16(), 2],
      ['u24', (r) => r.u24(), 3],
      ['u32', (r) => r.u32(), 4],
      ['u48', (r) => r.u48(), 6],
      ['u64', (r) => r.u64(), 8],
    ];
    for (const [name, read, width] of reads) {
      const r = new ByteReader(new Uint8Array(2 + width - 1));
      r.skip(2);
      const error = parseErrorOf(() => read(r));
      expect(error.code, name).toBe('TRUNCATED');
      expect(error.offset, name).toBe(2);
      expect(error.message, name).toContain(name);
      expect(error.message, name).toContain(`needs ${width} bytes, ${width - 1} left`);
      expect(r.offset, name).toBe(2);
      // The bytes that are there can still be read.
      expect(r.bytes(width - 1).length).toBe(width - 1);
    }
    const empty = new ByteReader(new Uint8Array(0));
    expect(parseErrorOf(() => empty.u8()).offset).toBe(0);
    expect(parseErrorOf(() => empty.peekU8()).code).toBe('TRUNCATED');
  });

  it('bounds bytes, skip, sub and ensure by what is present', () => {
    const r = new ByteReader(fromHex('0102030405'));
    r.ensure(5);
    expect(r.offset).toBe(0);
    expect(parseErrorOf(() => r.ensure(6)).code).toBe('TRUNCATED');
    r.skip(1);
    expect(parseErrorOf(() => r.bytes(5)).offset).toBe(1);
    expect(parseErrorOf(() => r.skip(5)).offset).toBe(1);
    expect(parseErrorOf(() => r.sub(5)).offset).toBe(1);
    expect(r.offset).toBe(1);
    expect([...r.bytes(4)]).toEqual([2, 3, 4, 5]);
    expect(r.bytes(0).length).toBe(0);
  });

  it('rejects negative, fractional and NaN lengths as ParseError INVALID_LENGTH', () => {
    const r = new ByteReader(new Uint8Array(8));
    r.u8();
    for (const n of [-1, 1.5, Number.NaN, 2 ** 32, Number.POSITIVE_INFINITY]) {
      for (const read of [() => r.bytes(n), () => r.skip(n), () => r.sub(n), () => r.ensure(n)]) {
        const error = parseErrorOf(read);
        expect(error.code).toBe('INVALID_LENGTH');
        expect(error.offset).toBe(1);
      }
    }
    expect(r.offset).toBe(1);
  });

  it('peekU8 does not advance', () => {
    const r = new ByteReader(fromHex('a1b2'));
    expect(r.peekU8()).toBe(0xa1);
    expect(r.peekU8()).toBe(0xa1);
    expect(r.u8()).toBe(0xa1);
    expect(r.peekU8()).toBe(0xb2);
    expect(r.offset).toBe(1);
  });

  it('returns zero-copy views of its input', () => {
    const input = fromHex('00112233445566');
    const r = new ByteReader(input);
    r.skip(1);
    const view = r.bytes(3);
    expect(view.buffer).toBe(input.buffer);
    expect(view.byteOffset).toBe(1);
    input[2] = 0xee;
    expect(view[1]).toBe(0xee);
    const rest = r.rest();
    expect(rest.buffer).toBe(input.buffer);
    expect([...rest]).toEqual([0x44, 0x55, 0x66]);
    expect(r.remaining).toBe(0);
    expect(r.rest().length).toBe(0);
  });

  it('respects the byteOffset and length of a subarray input', () => {
    const backing = fromHex('ffffff 0102 0304 ffffff');
    const r = new ByteReader(backing.subarray(3, 7));
    expect(r.length).toBe(4);
    expect(r.u16()).toBe(0x0102);
    expect(r.u16()).toBe(0x0304);
    // The 0xff bytes after the view are not part of the input.
    expect(parseErrorOf(() => r.u8()).offset).toBe(4);
    const v = new ByteReader(backing.subarray(3, 7)).bytes(2);
    expect(v.byteOffset).toBe(3);
    expect([...v]).toEqual([1, 2]);
  });

  it('sub() bounds a length-prefixed structure and reports offsets in the whole input', () => {
    // type 0x01, length 3, value 0a0b0c; then type 0x02, length 2 (but the input ends early)
    const r = new ByteReader(fromHex('01 0003 0a0b0c 02 0002 0d'));
    expect(r.u8()).toBe(1);
    const first = r.sub(r.u16());
    expect(r.offset).toBe(6);
    expect(first.length).toBe(3);
    expect(first.u16()).toBe(0x0a0b);
    // Reading past the structure fails even though the enclosing input has more bytes.
    const error = parseErrorOf(() => first.u16());
    expect(error.offset).toBe(5);
    expect(first.u8()).toBe(0x0c);
    expect(r.u8()).toBe(2);
    const length = r.u16();
    expect(parseErrorOf(() => r.sub(length)).offset).toBe(9);

    // Nested sub-readers keep adding their bases.
    const outer = new ByteReader(fromHex('000000 0000 99'), 100);
    const inner = outer.sub(6);
    inner.skip(3);
    const innermost = inner.sub(3);
    innermost.skip(2);
    expect(parseErrorOf(() => innermost.u16()).offset).toBe(105);
  });

  it('reports a base offset given to the constructor', () => {
    const r = new ByteReader(new Uint8Array(1), 20);
    r.u8();
    expect(parseErrorOf(() => r.u8()).offset).toBe(21);
    expect(r.offset).toBe(1);
  });
});
