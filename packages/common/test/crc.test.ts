import { describe, expect, it } from 'vitest';
import { crc32, crc32c } from '../src/crc.js';
import { SeededRandom } from '../src/testing/random.js';

/**
 * The textbook reflected CRC, one bit at a time and without tables: a reference that shares no
 * code with the slicing-by-8 implementation.
 */
function bitwiseCrc(polynomial: number, data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ polynomial : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

const variants = [
  { name: 'crc32', fn: crc32, polynomial: 0xedb88320 },
  { name: 'crc32c', fn: crc32c, polynomial: 0x82f63b78 },
] as const;

describe.each(variants)('$name', ({ fn, polynomial }) => {
  it('matches the bit-by-bit reference for every length 0..64 at every offset 0..7', () => {
    const random = new SeededRandom(0xc3c);
    for (let length = 0; length <= 64; length++) {
      for (let offset = 0; offset < 8; offset++) {
        const backing = random.bytes(offset + length + 3);
        const data = backing.subarray(offset, offset + length);
        expect(fn(data), `length ${length} offset ${offset}`).toBe(bitwiseCrc(polynomial, data));
      }
    }
  });

  it('matches the reference on long random inputs', () => {
    const random = new SeededRandom(77);
    for (const length of [127, 128, 129, 1200, 4099]) {
      const data = random.bytes(length);
      expect(fn(data)).toBe(bitwiseCrc(polynomial, data));
    }
  });

  it('returns an unsigned 32-bit number, 0 for no data', () => {
    expect(fn(new Uint8Array(0))).toBe(0);
    const random = new SeededRandom(5);
    for (let i = 0; i < 64; i++) {
      const crc = fn(random.bytes(i));
      expect(Number.isInteger(crc) && crc >= 0 && crc <= 0xffffffff).toBe(true);
    }
  });

  it('continues incrementally from a previous result, in any number of pieces', () => {
    const random = new SeededRandom(11);
    const data = random.bytes(300);
    const oneShot = fn(data);
    for (let split = 0; split <= data.length; split += 7) {
      expect(fn(data.subarray(split), fn(data.subarray(0, split)))).toBe(oneShot);
    }
    let running = 0;
    for (let at = 0; at < data.length; ) {
      const size = random.int(0, 20);
      running = fn(data.subarray(at, at + size), running);
      at += size;
    }
    expect(running).toBe(oneShot);
    // Appending nothing leaves a result unchanged.
    expect(fn(new Uint8Array(0), oneShot)).toBe(oneShot);
  });

  it('detects a single flipped bit', () => {
    const data = new SeededRandom(3).bytes(64);
    const crc = fn(data);
    for (let bit = 0; bit < data.length * 8; bit += 13) {
      const copy = data.slice();
      copy[bit >> 3] = (copy[bit >> 3] as number) ^ (1 << (bit & 7));
      expect(fn(copy)).not.toBe(crc);
    }
  });
});

it('crc32 and crc32c differ (different polynomials)', () => {
  const data = new TextEncoder().encode('123456789');
  expect(crc32(data)).not.toBe(crc32c(data));
});
