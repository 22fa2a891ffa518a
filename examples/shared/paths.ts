/**
 * Where the examples' files are, whether this code runs compiled (examples/dist/<name>/) or
 * from its TypeScript source under vitest (examples/<name>/).
 */

import { fileURLToPath } from 'node:url';

const here = import.meta.url;

/** The examples folder, with a trailing slash. */
export const EXAMPLES_DIR = fileURLToPath(
  new URL(here.includes('/dist/') ? '../../' : '../', here),
);

/** An example's folder of static files: examples/<name>/public/. */
export function publicDir(example: string): string {
  return `${EXAMPLES_DIR}${example}/public/`;
}
