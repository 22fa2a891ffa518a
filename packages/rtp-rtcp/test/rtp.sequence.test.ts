import { describe, expect, it } from 'vitest';
import {
  isNewerSequence,
  isNewerTimestamp,
  SequenceUnwrapper,
  TimestampUnwrapper,
} from '../src/rtp/sequence.js';

describe('isNewerSequence (RFC 1982, 16 bits)', () => {
  it('orders numbers less than half the space apart, across the wrap', () => {
    expect(isNewerSequence(2, 1)).toBe(true);
    expect(isNewerSequence(1, 2)).toBe(false);
    expect(isNewerSequence(0, 65535)).toBe(true);
    expect(isNewerSequence(65535, 0)).toBe(false);
    expect(isNewerSequence(100, 65500)).toBe(true);
    expect(isNewerSequence(0x7fff, 0)).toBe(true);
    expect(isNewerSequence(0x8001, 0)).toBe(false);
  });

  it('is irreflexive and resolves the half-way case one way only', () => {
    expect(isNewerSequence(5, 5)).toBe(false);
    expect(isNewerSequence(0x8000, 0)).toBe(true);
    expect(isNewerSequence(0, 0x8000)).toBe(false);
    for (const [a, b] of [
      [1, 0x8001],
      [40000, 7232],
    ] as const) {
      expect(isNewerSequence(a, b)).not.toBe(isNewerSequence(b, a));
    }
  });
});

describe('isNewerTimestamp (RFC 1982, 32 bits)', () => {
  it('orders timestamps across the wrap', () => {
    expect(isNewerTimestamp(10, 0xfffffff0)).toBe(true);
    expect(isNewerTimestamp(0xfffffff0, 10)).toBe(false);
    expect(isNewerTimestamp(0x7fffffff, 0)).toBe(true);
    expect(isNewerTimestamp(0x80000001, 0)).toBe(false);
    expect(isNewerTimestamp(0x80000000, 0)).toBe(true);
    expect(isNewerTimestamp(0, 0x80000000)).toBe(false);
    expect(isNewerTimestamp(7, 7)).toBe(false);
  });
});

describe('SequenceUnwrapper', () => {
  it('counts cycles across wraps', () => {
    // Each step is less than half the space (32768) forward.
    const unwrapper = new SequenceUnwrapper();
    expect(unwrapper.newest).toBeUndefined();
    expect(unwrapper.unwrap(65534)).toBe(65534);
    expect(unwrapper.unwrap(65535)).toBe(65535);
    expect(unwrapper.unwrap(0)).toBe(65536);
    expect(unwrapper.unwrap(1)).toBe(65537);
    expect(unwrapper.unwrap(30000)).toBe(65536 + 30000);
    expect(unwrapper.unwrap(60000)).toBe(65536 + 60000);
    expect(unwrapper.unwrap(10)).toBe(2 * 65536 + 10);
    expect(unwrapper.newest).toBe(2 * 65536 + 10);
  });

  it('places a packet reordered across the wrap before its successors', () => {
    const unwrapper = new SequenceUnwrapper();
    unwrapper.unwrap(65533);
    expect(unwrapper.unwrap(1)).toBe(65537);
    expect(unwrapper.unwrap(65535)).toBe(65535);
    expect(unwrapper.unwrap(2)).toBe(65538);
    expect(unwrapper.unwrap(0)).toBe(65536);
    expect(unwrapper.newest).toBe(65538);
  });

  it('gives a negative value to a packet from before a wrap before the first one', () => {
    const unwrapper = new SequenceUnwrapper();
    unwrapper.unwrap(2);
    expect(unwrapper.unwrap(65535)).toBe(-1);
    unwrapper.reset();
    expect(unwrapper.unwrap(65535)).toBe(65535);
  });

  it('stays monotonic over many wraps of an in-order stream', () => {
    const unwrapper = new SequenceUnwrapper();
    for (let i = 0; i < 5 * 65536; i += 997) expect(unwrapper.unwrap(i & 0xffff)).toBe(i);
  });
});

describe('TimestampUnwrapper', () => {
  it('counts wraps of the 32-bit timestamp and handles reordering', () => {
    const unwrapper = new TimestampUnwrapper();
    expect(unwrapper.unwrap(0xffff0000)).toBe(0xffff0000);
    expect(unwrapper.unwrap(0x00001000)).toBe(2 ** 32 + 0x1000);
    expect(unwrapper.unwrap(0xfffff000)).toBe(0xfffff000);
    expect(unwrapper.unwrap(0x70000000)).toBe(2 ** 32 + 0x70000000);
    expect(unwrapper.unwrap(0xe0000000)).toBe(2 ** 32 + 0xe0000000);
    expect(unwrapper.unwrap(0x00000010)).toBe(2 * 2 ** 32 + 0x10);
    expect(unwrapper.newest).toBe(2 * 2 ** 32 + 0x10);
  });

  it('stays exact far beyond 32 bits', () => {
    const unwrapper = new TimestampUnwrapper();
    let extended = 0;
    for (let i = 0; i < 3000; i++) {
      extended += 0x7000_0000;
      expect(unwrapper.unwrap(extended % 2 ** 32)).toBe(extended);
    }
  });
});
