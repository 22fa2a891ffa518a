/**
 * The mutation fuzzer every parser in the stack is run under (DESIGN.md, Testing): bad input must
 * get the layer's typed error, never anything else, never a hang.
 *
 *     it('fuzz: StunMessage.decode', () => {
 *       const stats = fuzzParser({
 *         seeds: [bindingRequest, bindingResponse],
 *         parse: (bytes) => StunMessage.decode(bytes),
 *         expectedError: StunParseError,
 *       });
 *       expect(stats.accepted).toBeGreaterThan(0);
 *     });
 *
 * Runs are deterministic for a given `seed`, so a failure reproduces; the thrown `FuzzFailure`
 * carries the offending input and prints it in hex. Test names contain "fuzz" because
 * `npm run fuzz` selects them by name and sets `TYPERTC_FUZZ=long` to run many more iterations.
 *
 * This file is shared test tooling, not tied to a test runner: it throws plain errors.
 */

import { inspect } from 'node:util';
import { toHex } from '../bytes/hex.js';
import { SeededRandom } from './random.js';

/**
 * How many mutations a fuzz test runs: `short` normally (`npm test`), `long` when
 * `TYPERTC_FUZZ=long` (`npm run fuzz`), or exactly `TYPERTC_FUZZ` when it is a positive integer.
 */
export function fuzzIterations(short = 2000, long = 200_000): number {
  const mode = process.env.TYPERTC_FUZZ;
  if (mode === undefined || mode === '' || mode === 'short') return short;
  if (mode === 'long') return long;
  if (/^[1-9][0-9]*$/.test(mode)) return Number(mode);
  // A typo must not silently fall back to the short run.
  throw new RangeError(`TYPERTC_FUZZ must be "short", "long" or a positive integer, not "${mode}"`);
}

/** Byte values at the edges of signed and unsigned ranges, where off-by-one bugs live. */
const INTERESTING_8 = [0x00, 0x01, 0x7f, 0x80, 0xff] as const;
const INTERESTING_16 = [0x0000, 0x0001, 0x007f, 0x0080, 0x00ff, 0x0100, 0x7fff, 0x8000, 0xffff];
const INTERESTING_32 = [0x0000_0000, 0x0000_0001, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff];

/** Most bytes a single insertion adds: with at most `MAX_ROUNDS` rounds, a mutant grows boundedly. */
const MAX_CHUNK = 32;
const MAX_ROUNDS = 4;

function pick<T>(random: SeededRandom, items: readonly T[]): T {
  return items[random.int(0, items.length - 1)] as T;
}

/**
 * A length-like 16-bit value for position `at` of `data`: the sizes a length field could
 * plausibly hold, each off by a little, to walk parsers into their boundary checks.
 */
function lengthLike(random: SeededRandom, data: Uint8Array, at: number): number {
  const after = data.length - at - 2;
  const base = pick(random, [data.length, after, after - (after % 4), 0]);
  return (base + pick(random, [0, 1, -1, 4, -4, 2])) & 0xffff;
}

function insert(data: Uint8Array, at: number, chunk: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length + chunk.length);
  out.set(data.subarray(0, at));
  out.set(chunk, at);
  out.set(data.subarray(at), at + chunk.length);
  return out;
}

function mutateOnce(data: Uint8Array, random: SeededRandom): Uint8Array {
  // With nothing to modify in place, only growth makes progress.
  const operation = data.length === 0 ? 0 : random.int(0, 9);
  const at = random.int(0, Math.max(0, data.length - 1));
  switch (operation) {
    case 0: // extend with random bytes
      return insert(
        data,
        random.chance(0.5) ? data.length : at,
        random.bytes(random.int(1, MAX_CHUNK)),
      );
    case 1: // flip one bit
      data[at] = (data[at] as number) ^ (1 << random.int(0, 7));
      return data;
    case 2: // an interesting byte
      data[at] = pick(random, INTERESTING_8);
      return data;
    case 3: // a random byte
      data[at] = random.int(0, 255);
      return data;
    case 4: // small arithmetic on a byte (counts, lengths, versions)
      data[at] = (data[at] as number) + random.int(-16, 16);
      return data;
    case 5: {
      // a big-endian u16 where a length or type field might be
      if (data.length < 2) return data;
      const pos = random.int(0, data.length - 2);
      const value = random.chance(0.5)
        ? lengthLike(random, data, pos)
        : pick(random, INTERESTING_16);
      data[pos] = value >>> 8;
      data[pos + 1] = value;
      return data;
    }
    case 6: {
      // a big-endian u32 (sequence numbers, SSRCs, cookies, TSNs)
      if (data.length < 4) return data;
      const pos = random.int(0, data.length - 4);
      const value = random.chance(0.5) ? pick(random, INTERESTING_32) : random.nextUint32();
      data[pos] = value >>> 24;
      data[pos + 1] = value >>> 16;
      data[pos + 2] = value >>> 8;
      data[pos + 3] = value;
      return data;
    }
    case 7: // truncate
      return data.slice(0, random.int(0, data.length - 1));
    case 8: {
      // duplicate a chunk somewhere (repeated attributes, chunks, extensions)
      const size = random.int(1, Math.min(MAX_CHUNK, data.length - at));
      return insert(data, random.int(0, data.length), data.slice(at, at + size));
    }
    default: {
      // remove a chunk
      const size = random.int(1, Math.min(MAX_CHUNK, data.length - at));
      const out = new Uint8Array(data.length - size);
      out.set(data.subarray(0, at));
      out.set(data.subarray(at + size), at);
      return out;
    }
  }
}

/**
 * A mutant of `input` (which is not modified): one to four stacked mutations among bit flips,
 * interesting and random byte values, byte arithmetic, u16 length-like and u32 overwrites,
 * truncation, extension with random bytes, and chunk duplication and removal. The result is at
 * most 128 bytes longer than `input`.
 */
export function mutate(input: Uint8Array, random: SeededRandom): Uint8Array {
  let data: Uint8Array = input.slice();
  const rounds = random.int(1, MAX_ROUNDS);
  for (let round = 0; round < rounds; round++) data = mutateOnce(data, random);
  return data;
}

/** Any error class, abstract or not, to accept with `instanceof`. */
export type ErrorClass = abstract new (...args: never[]) => Error;

export interface FuzzParserOptions {
  /** Valid inputs to mutate (at least one); each is also parsed as is, first. */
  readonly seeds: readonly Uint8Array[];
  /** The parser under test; must be synchronous. */
  readonly parse: (bytes: Uint8Array) => unknown;
  /** The only error `parse` may throw, e.g. `StunParseError`; subclasses count too. */
  readonly expectedError: ErrorClass;
  /** Mutated inputs to try; default `fuzzIterations()`. */
  readonly iterations?: number;
  /** PRNG seed; the same seed replays the same inputs. Default 1. */
  readonly seed?: number;
  /** A single parse taking longer than this fails the run as a likely hang (default 1000 ms). */
  readonly slowInputMs?: number;
}

export interface FuzzStats {
  /** Inputs parsed: the seeds plus the mutants. */
  readonly iterations: number;
  /** Inputs `parse` returned on. */
  readonly accepted: number;
  /** Inputs `parse` rejected with the expected error. */
  readonly rejected: number;
}

/** A fuzz run found an input the parser mishandles. */
export class FuzzFailure extends Error {
  constructor(
    problem: string,
    /** The offending input, as generated (before the parser could touch it). */
    readonly input: Uint8Array,
    /** The mutant's index in the run, or -1 - i for seed input i, parsed unmutated. */
    readonly iteration: number,
    /** The run's PRNG seed: rerunning with it regenerates the same inputs. */
    readonly seed: number,
    cause?: unknown,
  ) {
    const which = iteration < 0 ? `seed input ${-iteration - 1}` : `mutant ${iteration}`;
    super(
      `fuzz: ${problem}\n  on ${which} of the run with seed ${seed}\n` +
        `  input (${input.length} bytes): ${toHex(input)}`,
      cause === undefined ? undefined : { cause },
    );
    this.name = 'FuzzFailure';
  }
}

function describeThrown(thrown: unknown): string {
  if (thrown instanceof Error) return `${thrown.name}: ${thrown.message}`;
  return `a non-Error value ${inspect(thrown)}`;
}

/**
 * Recently accepted mutants are mutated again, to reach deeper than one round of mutations from
 * a seed. The pool's size and its members' growth over the longest seed are bounded, so memory
 * stays bounded however long the run.
 */
const POOL_SIZE = 32;
const POOL_MAX_GROWTH = 256;

/**
 * Feeds `parse` its seeds and then `iterations` mutants of them, and throws `FuzzFailure` on the
 * first input where it throws anything but an `expectedError`, returns a Promise, or takes longer
 * than `slowInputMs`. Each input is handed over as a view at a random offset into a larger
 * buffer, so a parser that ignores `byteOffset` (reading `bytes.buffer` directly) goes wrong.
 */
export function fuzzParser(options: FuzzParserOptions): FuzzStats {
  const { seeds, parse, expectedError } = options;
  const iterations = options.iterations ?? fuzzIterations();
  const seed = options.seed ?? 1;
  const slowInputMs = options.slowInputMs ?? 1000;
  if (seeds.length === 0) throw new RangeError('fuzzParser needs at least one seed input');

  const random = new SeededRandom(seed);
  const pool: Uint8Array[] = [];
  const poolMaxLength = Math.max(...seeds.map((input) => input.length)) + POOL_MAX_GROWTH;
  let accepted = 0;
  let rejected = 0;

  const run = (input: Uint8Array, iteration: number): boolean => {
    const shift = random.int(0, 7);
    const backing = new Uint8Array(shift + input.length + 8).fill(0xee);
    backing.set(input, shift);
    const view = backing.subarray(shift, shift + input.length);
    let result: unknown;
    let thrown: unknown;
    let threw = false;
    const started = performance.now();
    try {
      result = parse(view);
    } catch (error) {
      threw = true;
      thrown = error;
    }
    const elapsed = performance.now() - started;
    if (elapsed > slowInputMs) {
      throw new FuzzFailure(`parse took ${Math.round(elapsed)} ms`, input, iteration, seed);
    }
    if (threw) {
      if (thrown instanceof expectedError) {
        rejected++;
        return false;
      }
      throw new FuzzFailure(
        `parse threw ${describeThrown(thrown)}; only ${expectedError.name} is allowed`,
        input,
        iteration,
        seed,
        thrown,
      );
    }
    if (typeof (result as PromiseLike<unknown> | undefined)?.then === 'function') {
      throw new FuzzFailure(
        'parse returned a Promise; parsers are synchronous',
        input,
        iteration,
        seed,
      );
    }
    accepted++;
    return true;
  };

  for (const [index, input] of seeds.entries()) run(input, -index - 1);
  for (let iteration = 0; iteration < iterations; iteration++) {
    const base = pool.length > 0 && random.chance(0.25) ? pick(random, pool) : pick(random, seeds);
    const input = mutate(base, random);
    if (run(input, iteration) && input.length <= poolMaxLength) {
      if (pool.length < POOL_SIZE) pool.push(input);
      else pool[random.int(0, POOL_SIZE - 1)] = input;
    }
  }
  return { iterations: seeds.length + iterations, accepted, rejected };
}
