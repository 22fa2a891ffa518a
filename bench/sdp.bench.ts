/**
 * SDP parse + serialize of a real 183-line Chromium offer (the corpus' max-compat offer: three
 * media sections with candidates), TypeRTC beside werift's parser in the same run.
 */

import { readFileSync } from 'node:fs';
import { parse, serialize } from '@typertc/sdp';
import { SessionDescription as WeriftSessionDescription } from 'werift';
import type { BenchmarkGroup } from './harness.js';

const offer = readFileSync(
  new URL('../../packages/sdp/test/fixtures/chromium-max-compat-offer.sdp', import.meta.url),
  'utf8',
);
const lineCount = offer.split('\n').length - 1;

export const benchmarks: readonly BenchmarkGroup[] = [
  {
    name: `SDP parse + serialize, Chromium offer (${lineCount} lines)`,
    bytesPerOp: offer.length,
    baseline: 'werift',
    entries: [
      { name: 'typertc', fn: () => serialize(parse(offer)).length },
      { name: 'werift', fn: () => WeriftSessionDescription.parse(offer).toString().length },
    ],
  },
  {
    name: `SDP parse, Chromium offer (${lineCount} lines)`,
    bytesPerOp: offer.length,
    baseline: 'werift',
    entries: [
      { name: 'typertc', fn: () => parse(offer).media.length },
      { name: 'werift', fn: () => WeriftSessionDescription.parse(offer).media.length },
    ],
  },
];
