/**
 * One vitest run for every package, interop test and vector file.
 *
 * Tests import `@typertc/*` by name; the aliases point those names at each package's TypeScript
 * source, so a test run never depends on a stale dist/. The conformance reporter prints the
 * RFC-vector table for any test tagged with `conformanceTag` (see test-vectors/README.md).
 */

import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));
const packageDirs = readdirSync(`${root}packages`, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

export default defineConfig({
  resolve: {
    alias: [
      {
        find: /^@typertc\/common\/testing$/,
        replacement: `${root}packages/common/src/testing/index.ts`,
      },
      ...packageDirs.map((name) => ({
        find: new RegExp(`^@typertc/${name}$`),
        replacement: `${root}packages/${name}/src/index.ts`,
      })),
    ],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'interop/**/*.test.ts', 'examples/*/*.test.ts'],
    reporters: ['default', './conformance-reporter.ts'],
    testTimeout: 20_000,
  },
});
