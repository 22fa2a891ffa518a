import { describe, expect, it } from 'vitest';
import { toHex } from '../src/bytes/hex.js';
import { ByteReader } from '../src/bytes/reader.js';
import { ByteWriter } from '../src/bytes/writer.js';
import { BufferOverflowError } from '../src/errors.js';
import { SeededRandom } from '../src/testing/random.js';

describe('ByteWriter', () => {
  it('writes every unsigned width big-endian', () => {
    const w = new ByteWriter();
    w.u8(0x01).u16(0x0203).u24(0x040506).u32(0x0708090a).u48(0x0b0c0d0e0f10);
    w.u64(0x1112131415161718n);
    expect(toHex(w.finish())).toBe(
      '01' + '0203' + '040506' + '0708090a' + '0b0c0d0e0f10' + '1112131415161718',
    );
    expect(w.offset).toBe(24);
  });

  it('writes the maximum of every width', () => {
    const w = new ByteWriter();
    w.u8(0xff)
      .u16(0xffff)
      .u24(0xffffff)
      .u32(0xffffffff)
      .u48(2 ** 48 - 1)
      .u64(2n ** 64n - 1n);
    expect(toHex(w.finish())).toBe('ff'.repeat(24));
  });

  it('writes u48 values that straddle the 32-bit boundary exactly', () => {
    const w = new ByteWriter();
    w.u48(2 ** 32)
      .u48(2 ** 32 - 1)
      .u48(2 ** 47 + 5);
    expect(toHex(w.finish())).toBe('000100000000' + '0000ffffffff' + '800000000005');
  });

  it('writes two’s-complement signed values', () => {
    const w = new ByteWriter();
    w.i8(-1)
      .i8(-128)
      .i8(127)
      .i16(-2)
      .i16(-32768)
      .i24(-1)
      .i24(-(2 ** 23))
      .i32(-1)
      .i32(-(2 ** 31));
    expect(toHex(w.finish())).toBe('ff807f' + 'fffe8000' + 'ffffff800000' + 'ffffffff80000000');
  });

  it('throws RangeError for values outside their field, writing nothing', () => {
    const w = new ByteWriter();
    const bad: (() => unknown)[] = [
      () => w.u8(256),
      () => w.u8(-1),
      () => w.u16(70000),
      () => w.u16(1.5),
      () => w.u24(0x1000000),
      () => w.u32(2 ** 32),
      () => w.u32(-1),
      () => w.u32(Number.NaN),
      () => w.u48(2 ** 48),
      () => w.u48(-1),
      () => w.u48(0.5),
      () => w.u64(2n ** 64n),
      () => w.u64(-1n),
      () => w.i8(128),
      () => w.i8(-129),
      () => w.i16(32768),
      () => w.i24(2 ** 23),
      () => w.i32(2 ** 31),
      () => w.i32(-(2 ** 31) - 1),
      () => w.fill(256, 1),
      () => w.fill(0, -1),
      () => w.skip(-1),
    ];
    for (const write of bad) expect(write).toThrow(RangeError);
    expect(w.offset).toBe(0);
  });

  it('round-trips random values through ByteReader', () => {
    const random = new SeededRandom(42);
    const w = new ByteWriter(1);
    const expected: (number | bigint)[] = [];
    for (let i = 0; i < 500; i++) {
      const a = random.nextUint32();
      const b = random.nextUint32();
      const u48 = (a & 0xffff) * 2 ** 32 + b;
      const u64 = (BigInt(a) << 32n) | BigInt(b);
      w.u8(a & 0xff)
        .u16(a & 0xffff)
        .u24(a & 0xffffff)
        .u32(a)
        .u48(u48)
        .u64(u64)
        .i32(b | 0);
      expected.push(a & 0xff, a & 0xffff, a & 0xffffff, a, u48, u64, b | 0);
    }
    const r = new ByteReader(w.finish());
    const actual: (number | bigint)[] = [];
    while (r.remaining > 0)
      actual.push(r.u8(), r.u16(), r.u24(), r.u32(), r.u48(), r.u64(), r.i32());
    expect(actual).toEqual(expected);
  });

  it('grows past its initial capacity, keeping what was written', () => {
    const w = new ByteWriter(2);
    for (let i = 0; i < 1000; i++) w.u16(i);
    const out = w.finish();
    expect(out.length).toBe(2000);
    const r = new ByteReader(out);
    for (let i = 0; i < 1000; i++) expect(r.u16()).toBe(i);
    // One large write grows enough in one go.
    const big = new ByteWriter(0).bytes(new Uint8Array(10_000).fill(7));
    expect(big.finish().length).toBe(10_000);
    expect(big.finish()[9999]).toBe(7);
  });

  it('writes into a caller buffer at its byteOffset and overflows with BufferOverflowError', () => {
    const backing = new Uint8Array(10).fill(0xaa);
    const target = backing.subarray(2, 8);
    const w = new ByteWriter(target);
    w.u32(0x01020304);
    expect(() => w.u24(0x050607)).toThrow(BufferOverflowError);
    expect(() => w.u24(0x050607)).toThrow(
      expect.objectContaining({
        code: 'BUFFER_OVERFLOW',
        message: 'buffer too small: need 7 bytes, have 6',
      }),
    );
    // The failed write left nothing behind.
    expect(w.offset).toBe(4);
    w.u16(0x0506);
    expect(() => w.u8(0)).toThrow(BufferOverflowError);
    expect(() => w.bytes(new Uint8Array(1))).toThrow(BufferOverflowError);
    expect(toHex(backing)).toBe('aaaa' + '010203040506' + 'aaaa');
    const out = w.finish();
    expect(out.buffer).toBe(backing.buffer);
    expect(out.byteOffset).toBe(2);
    expect(out.length).toBe(6);
  });

  it('reset() reuses the buffer', () => {
    const buffer = new Uint8Array(4);
    const w = new ByteWriter(buffer);
    w.u32(0xdeadbeef);
    w.reset();
    expect(w.offset).toBe(0);
    w.u16(0x0102);
    expect(toHex(w.finish())).toBe('0102');
    expect(toHex(buffer)).toBe('0102beef');
  });

  it('bytes, fill and zeros', () => {
    const w = new ByteWriter();
    w.bytes(Uint8Array.of(1, 2)).fill(0xab, 3).zeros(2).bytes(new Uint8Array(0));
    expect(toHex(w.finish())).toBe('0102ababab0000');
  });

  it('reserves a length field with skip() and patches it afterwards', () => {
    const w = new ByteWriter();
    w.u8(0x7f);
    const at = w.skip(2);
    expect(at).toBe(1);
    w.bytes(Uint8Array.of(9, 9, 9));
    w.setU16(at, w.offset - at - 2);
    expect(toHex(w.finish())).toBe('7f0003090909');

    const v = new ByteWriter();
    const header = v.skip(8);
    v.u8(0xee);
    v.setU8(header, 0xff);
    v.setU24(header + 1, 0x010203);
    v.setU32(header + 4, 0xfffffffe);
    v.patch(header + 2, Uint8Array.of(0xaa, 0xbb));
    expect(toHex(v.finish())).toBe('ff01aabbfffffffe' + 'ee');
  });

  it('zeroes reserved bytes even when reusing a dirty buffer', () => {
    const w = new ByteWriter(new Uint8Array(4).fill(0x55));
    w.skip(4);
    expect(toHex(w.finish())).toBe('00000000');
  });

  it('refuses to patch beyond what was written', () => {
    const w = new ByteWriter(new Uint8Array(16));
    w.u16(0);
    expect(() => w.setU16(1, 0)).toThrow(RangeError);
    expect(() => w.setU32(0, 0)).toThrow(RangeError);
    expect(() => w.patch(2, Uint8Array.of(1))).toThrow(RangeError);
    expect(() => w.setU8(-1, 0)).toThrow(RangeError);
    expect(() => w.setU16(0, 0x10000)).toThrow(RangeError);
    w.setU16(0, 0xffff);
    expect(toHex(w.finish())).toBe('ffff');
  });

  it('rejects an invalid initial capacity', () => {
    expect(() => new ByteWriter(-1)).toThrow(RangeError);
    expect(() => new ByteWriter(1.5)).toThrow(RangeError);
  });
});
