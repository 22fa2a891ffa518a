/**
 * Bad input raises SdpParseError and nothing else, in linear time: mutation fuzzing over the
 * corpus (10k cases in `npm test`, 200k in `npm run fuzz`), and pathological shapes timed at
 * two sizes eight times apart.
 */

import { fuzzIterations, fuzzParser } from '@typertc/common/testing';
import { describe, expect, it } from 'vitest';
import { SdpParseError } from '../src/errors.js';
import { parse } from '../src/parse.js';
import { serialize } from '../src/serialize.js';
import { corpus } from './corpus.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

describe('SDP robustness', () => {
  it('fuzz: mutated corpus files raise only SdpParseError, and what parses re-parses', () => {
    const stats = fuzzParser({
      seeds: corpus.map(({ text }) => encoder.encode(text)),
      parse: (bytes) => {
        const description = parse(decoder.decode(bytes));
        // Whatever parses must serialize to text that parses to the same text again.
        const text = serialize(description);
        if (serialize(parse(text)) !== text) throw new Error('serialize/parse is not stable');
      },
      expectedError: SdpParseError,
      iterations: fuzzIterations(10_000, 200_000),
      seed: 3,
    });
    expect(stats.iterations).toBeGreaterThanOrEqual(10_000);
    expect(stats.rejected).toBeGreaterThan(0);
    expect(stats.accepted).toBeGreaterThan(0);
  });

  /** One parse of `text`, in ms. */
  function timeParse(text: string): number {
    const start = performance.now();
    try {
      parse(text);
    } catch (error) {
      if (!(error instanceof SdpParseError)) throw error;
    }
    return performance.now() - start;
  }

  /**
   * The ratio of the fastest parses of `large` and `small`, measured interleaved so that a busy
   * spell of the machine (other test files run in parallel) hits both sizes alike; the minimum
   * leaves out GC pauses.
   */
  function timeRatio(small: string, large: string): number {
    let fastestSmall = Number.POSITIVE_INFINITY;
    let fastestLarge = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 15; i++) {
      fastestSmall = Math.min(fastestSmall, timeParse(small));
      fastestLarge = Math.min(fastestLarge, timeParse(large));
    }
    return fastestLarge / Math.max(fastestSmall, 0.05);
  }

  const head = 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n';
  const shapes: [string, (n: number) => string][] = [
    ['many attributes', (n) => head + 'a=x-attribute:value\r\n'.repeat(n)],
    ['one long line of spaces', (n) => `${head}a=candidate:${' '.repeat(n * 20)}\r\n`],
    ['one long fmtp', (n) => `${head}m=audio 9 RTP/AVP 0\r\na=fmtp:0 ${'a=b;'.repeat(n * 5)}\r\n`],
    ['many media sections', (n) => head + 'm=audio 9 RTP/AVP 0\r\na=rtcp-mux\r\n'.repeat(n / 2)],
    ['a long simulcast list', (n) => `${head}a=simulcast:send ${'a,'.repeat(n * 5)}b\r\n`],
  ];
  for (const [what, make] of shapes) {
    it(`parses ${what} in linear time`, () => {
      // Eight times the input: linear is ~8x, quadratic ~64x; 32 splits them. A busy machine
      // (GC of the large input's objects, the other test files running in parallel) can inflate
      // a measurement, rarely all five, while a quadratic parser fails every one.
      const small = make(10_000);
      const large = make(80_000);
      let best = Number.POSITIVE_INFINITY;
      for (let attempt = 0; attempt < 5 && best >= 32; attempt++) {
        best = Math.min(best, timeRatio(small, large));
      }
      expect(best).toBeLessThan(32);
    });
  }
});
