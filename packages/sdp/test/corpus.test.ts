/**
 * The real-world corpus (fixtures/, provenance in fixtures/SOURCES.md): every file parses and
 * `serialize(parse(x))` gives `x` back line for line (CRLF out, whatever came in).
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { codecs } from '../src/codecs.js';
import { mid } from '../src/helpers.js';
import { parse } from '../src/parse.js';
import { serialize } from '../src/serialize.js';
import { corpus, fixturesDirectory } from './corpus.js';

const lines = (text: string): string[] => text.replace(/\r?\n$/, '').split(/\r?\n/);

describe('SDP corpus', () => {
  it('holds at least 20 real descriptions, each named in SOURCES.md', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(20);
    const sources = readFileSync(new URL('SOURCES.md', fixturesDirectory), 'utf8');
    for (const { name } of corpus) expect(sources, name).toContain(name);
  });

  for (const { name, text } of corpus) {
    it(`${name} round-trips line for line`, () => {
      const description = parse(text);
      const output = serialize(description);
      expect(output.endsWith('\r\n')).toBe(true);
      expect(lines(output)).toEqual(lines(text));
      // RTP sections yield a codec for every rtpmap'd payload type of their m= line.
      for (const media of description.media) {
        if (!media.protocol.includes('RTP')) continue;
        for (const codec of codecs(media)) {
          expect(media.formats, `${mid(media)}`).toContain(String(codec.payloadType));
        }
      }
    });
  }
});
