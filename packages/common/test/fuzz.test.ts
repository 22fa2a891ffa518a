import { afterEach, describe, expect, it, vi } from 'vitest';
import { toHex } from '../src/bytes/hex.js';
import { ByteReader } from '../src/bytes/reader.js';
import { ParseError, TypeRtcError } from '../src/errors.js';
import { FuzzFailure, fuzzIterations, fuzzParser, mutate } from '../src/testing/fuzz.js';
import { SeededRandom } from '../src/testing/random.js';

/** A failure thrown by `fn`, which must throw one. */
function failureOf(fn: () => unknown): FuzzFailure {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(FuzzFailure);
    return error as FuzzFailure;
  }
  throw new Error('expected a FuzzFailure');
}

interface Tlv {
  type: number;
  value: Uint8Array;
  children: Tlv[];
}

/**
 * A small TLV format in the style of STUN attributes and SCTP chunks: type (u8), length (u16),
 * value, padded to 4 bytes; types with the top bit set hold nested TLVs.
 */
function parseTlvs(bytes: Uint8Array, baseOffset = 0): Tlv[] {
  const reader = new ByteReader(bytes, baseOffset);
  const out: Tlv[] = [];
  while (reader.remaining > 0) {
    const type = reader.u8();
    const length = reader.u16();
    const valueOffset = baseOffset + reader.offset;
    const value = reader.bytes(length);
    reader.skip(Math.min((4 - ((length + 3) % 4)) % 4, reader.remaining));
    out.push({ type, value, children: type & 0x80 ? parseTlvs(value, valueOffset) : [] });
  }
  return out;
}

const tlvSeeds = [
  Uint8Array.of(0x01, 0x00, 0x01, 0xaa),
  Uint8Array.of(0x02, 0x00, 0x04, 1, 2, 3, 4, 0x03, 0x00, 0x00),
  Uint8Array.of(0x81, 0x00, 0x08, 0x01, 0x00, 0x01, 0x55, 0x02, 0x00, 0x00, 0x00),
];

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('fuzzIterations', () => {
  it('is short by default, long under TYPERTC_FUZZ=long, or an explicit count', () => {
    vi.stubEnv('TYPERTC_FUZZ', '');
    expect(fuzzIterations()).toBe(2000);
    expect(fuzzIterations(10, 20)).toBe(10);
    vi.stubEnv('TYPERTC_FUZZ', 'long');
    expect(fuzzIterations()).toBe(200_000);
    expect(fuzzIterations(10, 20)).toBe(20);
    vi.stubEnv('TYPERTC_FUZZ', '12345');
    expect(fuzzIterations(10, 20)).toBe(12345);
  });

  it('refuses an unrecognised TYPERTC_FUZZ rather than silently running short', () => {
    vi.stubEnv('TYPERTC_FUZZ', 'lnog');
    expect(() => fuzzIterations()).toThrow(RangeError);
    vi.stubEnv('TYPERTC_FUZZ', '-5');
    expect(() => fuzzIterations()).toThrow(RangeError);
  });
});

describe('mutate', () => {
  it('leaves its input alone and returns a bounded, usually different, mutant', () => {
    const random = new SeededRandom(9);
    const input = Uint8Array.from({ length: 40 }, (_, i) => i);
    const before = input.slice();
    let changed = 0;
    const lengths = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const out = mutate(input, random);
      expect(out.length).toBeLessThanOrEqual(input.length + 128);
      expect(out.buffer).not.toBe(input.buffer);
      lengths.add(out.length);
      if (toHex(out) !== toHex(input)) changed++;
    }
    expect(input).toEqual(before);
    // Mutations both shrink and grow the input, and almost always change it.
    expect(Math.min(...lengths)).toBeLessThan(input.length);
    expect(Math.max(...lengths)).toBeGreaterThan(input.length);
    expect(changed).toBeGreaterThan(1800);
  });

  it('grows an empty input', () => {
    const random = new SeededRandom(1);
    let grown = 0;
    for (let i = 0; i < 100; i++) if (mutate(new Uint8Array(0), random).length > 0) grown++;
    // Later rounds may truncate again, which is a useful input too, but most mutants grow.
    expect(grown).toBeGreaterThan(80);
  });

  it('is deterministic for a seed', () => {
    const input = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    const run = (seed: number): string[] => {
      const random = new SeededRandom(seed);
      return Array.from({ length: 50 }, () => toHex(mutate(input, random)));
    };
    expect(run(123)).toEqual(run(123));
    expect(run(123)).not.toEqual(run(124));
  });
});

describe('fuzzParser', () => {
  it('catches a fuzz-found TypeError and reports the input in hex with its iteration', () => {
    // A parser with a bug: it indexes an array by a byte value it never validated.
    const names = ['zero', 'one', 'two'];
    const buggy = (bytes: Uint8Array): number => {
      const reader = new ByteReader(bytes);
      const kind = reader.u8();
      return (names[kind] as string).length + reader.u16();
    };
    const failure = failureOf(() =>
      fuzzParser({
        seeds: [Uint8Array.of(1, 0, 0)],
        parse: buggy,
        expectedError: ParseError,
        iterations: 5000,
      }),
    );
    expect(failure.cause).toBeInstanceOf(TypeError);
    expect(failure.iteration).toBeGreaterThanOrEqual(0);
    expect(failure.seed).toBe(1);
    expect(failure.input[0]).toBeGreaterThan(2);
    expect(failure.message).toContain('TypeError');
    expect(failure.message).toContain('only ParseError is allowed');
    expect(failure.message).toContain(toHex(failure.input));
    // The reported input reproduces the crash.
    expect(() => buggy(failure.input)).toThrow(TypeError);
  });

  it('fails on a RangeError, a base Error or a non-Error thrown value', () => {
    const seeds = [Uint8Array.of(0)];
    for (const thrown of [new RangeError('offset'), new Error('plain'), 'a string']) {
      const failure = failureOf(() =>
        fuzzParser({
          seeds,
          parse: () => {
            throw thrown;
          },
          expectedError: ParseError,
          iterations: 1,
        }),
      );
      // The seed itself is parsed first, unmutated.
      expect(failure.iteration).toBe(-1);
      expect(failure.message).toContain('seed input 0');
      expect(failure.cause).toBe(thrown);
    }
  });

  it('accepts the expected error and its subclasses, and counts outcomes', () => {
    class LayerParseError extends ParseError {}
    const stats = fuzzParser({
      seeds: [Uint8Array.of(1, 2, 3, 4)],
      parse: (bytes) => {
        if (bytes.length < 4) throw new LayerParseError('short', bytes.length);
        return bytes.length;
      },
      expectedError: ParseError,
      iterations: 500,
      seed: 7,
    });
    expect(stats.iterations).toBe(501);
    expect(stats.accepted + stats.rejected).toBe(501);
    expect(stats.accepted).toBeGreaterThan(0);
    expect(stats.rejected).toBeGreaterThan(0);
  });

  it('does not accept a sibling error class', () => {
    class OtherError extends TypeRtcError {}
    const failure = failureOf(() =>
      fuzzParser({
        seeds: [Uint8Array.of(1)],
        parse: () => {
          throw new OtherError('not a parse error');
        },
        expectedError: ParseError,
        iterations: 1,
      }),
    );
    expect(failure.cause).toBeInstanceOf(OtherError);
  });

  it('is deterministic for a seed, and different seeds explore differently', () => {
    const record = (seed: number): string[] => {
      const seen: string[] = [];
      fuzzParser({
        seeds: tlvSeeds,
        parse: (bytes) => seen.push(toHex(bytes)),
        expectedError: ParseError,
        iterations: 300,
        seed,
      });
      return seen;
    };
    const first = record(42);
    expect(first).toHaveLength(tlvSeeds.length + 300);
    expect(first.slice(0, tlvSeeds.length)).toEqual(tlvSeeds.map(toHex));
    expect(record(42)).toEqual(first);
    expect(record(43)).not.toEqual(first);
  });

  it('hands each input over as a view at an offset, so byteOffset bugs show', () => {
    const offsets = new Set<number>();
    fuzzParser({
      seeds: [Uint8Array.of(1, 2, 3)],
      parse: (bytes) => offsets.add(bytes.byteOffset),
      expectedError: ParseError,
      iterations: 100,
    });
    expect(offsets.size).toBeGreaterThan(4);

    // A parser that reads `bytes.buffer` from index 0 instead of from `byteOffset`.
    const ignoresOffset = (bytes: Uint8Array): number => {
      const whole = new Uint8Array(bytes.buffer);
      if (whole[0] !== bytes[0]) throw new TypeError('read the wrong bytes');
      return whole[0] as number;
    };
    const failure = failureOf(() =>
      fuzzParser({
        seeds: [Uint8Array.of(1)],
        parse: ignoresOffset,
        expectedError: ParseError,
        iterations: 100,
      }),
    );
    expect(failure.cause).toBeInstanceOf(TypeError);
  });

  it('fails a parser that returns a Promise or takes too long', () => {
    const asyncFailure = failureOf(() =>
      fuzzParser({
        seeds: [Uint8Array.of(1)],
        parse: async () => 1,
        expectedError: ParseError,
        iterations: 0,
      }),
    );
    expect(asyncFailure.message).toContain('Promise');

    const slowFailure = failureOf(() =>
      fuzzParser({
        seeds: [Uint8Array.of(1)],
        parse: () => {
          const until = performance.now() + 30;
          while (performance.now() < until) {
            // spin: a parser stuck in a loop
          }
        },
        expectedError: ParseError,
        iterations: 0,
        slowInputMs: 10,
      }),
    );
    expect(slowFailure.message).toMatch(/parse took \d+ ms/);
  });

  it('needs at least one seed', () => {
    expect(() =>
      fuzzParser({ seeds: [], parse: () => 0, expectedError: ParseError, iterations: 1 }),
    ).toThrow(RangeError);
  });
});

describe('fuzz: ByteReader', () => {
  it('fuzz: a TLV parser built on ByteReader raises only ParseError', () => {
    const stats = fuzzParser({
      seeds: tlvSeeds,
      parse: (bytes) => parseTlvs(bytes),
      expectedError: ParseError,
      iterations: fuzzIterations(),
    });
    // Both outcomes occur, so the mutations reach past the first length check.
    expect(stats.accepted).toBeGreaterThan(stats.iterations / 20);
    expect(stats.rejected).toBeGreaterThan(stats.iterations / 20);
  });

  it('fuzz: every ByteReader method on mutated input raises only ParseError', () => {
    // Reads driven by the input itself: each byte picks the next operation and its argument.
    const drive = (bytes: Uint8Array): void => {
      const reader = new ByteReader(bytes);
      while (reader.remaining > 0) {
        const op = reader.u8();
        switch (op % 12) {
          case 0:
            reader.u16();
            break;
          case 1:
            reader.u24();
            break;
          case 2:
            reader.u32();
            break;
          case 3:
            reader.u48();
            break;
          case 4:
            reader.u64();
            break;
          case 5:
            reader.bytes(reader.u8());
            break;
          case 6:
            reader.skip(reader.u8() - 8);
            break;
          case 7:
            drive(reader.sub(reader.u16()).rest());
            break;
          case 8:
            reader.ensure(reader.u8());
            break;
          case 9:
            reader.peekU8();
            break;
          case 10:
            reader.i24();
            break;
          default:
            reader.bytes(reader.u8() / 3);
            break;
        }
      }
    };
    const stats = fuzzParser({
      seeds: [
        Uint8Array.of(0, 0, 1, 5, 2, 1, 2, 7, 0, 2, 9, 9, 9),
        Uint8Array.of(4, 1, 2, 3, 4, 5, 6, 7, 8),
      ],
      parse: drive,
      expectedError: ParseError,
    });
    expect(stats.rejected).toBeGreaterThan(0);
  });
});
