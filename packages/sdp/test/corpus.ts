/** The real-world SDP corpus in fixtures/ (provenance in fixtures/SOURCES.md). */

import { readdirSync, readFileSync } from 'node:fs';

export const fixturesDirectory = new URL('./fixtures/', import.meta.url);

export const corpus: readonly { name: string; text: string }[] = readdirSync(fixturesDirectory)
  .filter((name) => name.endsWith('.sdp'))
  .sort()
  .map((name) => ({ name, text: readFileSync(new URL(name, fixturesDirectory), 'utf8') }));
