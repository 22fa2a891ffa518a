/**
 * A vitest reporter that turns tests tagged with `conformanceTag` into the conformance table:
 * one row per (standard, section, what it checks), counting vectors passed / total (a vector
 * checked against two crypto backends counts twice).
 *
 * When `TYPERTC_CONFORMANCE=1` (`npm run conformance`) it also requires that every file in
 * test-vectors/ was exercised, so a vector file no test loads fails the run instead of being
 * silently ignored.
 */

import { readdirSync } from 'node:fs';
import type { ConformanceTag } from '@typertc/common/testing';
import type { Reporter, TestModule, Vitest } from 'vitest/node';

declare module 'vitest' {
  interface TaskMeta {
    conformance?: ConformanceTag;
  }
}

interface Row {
  document: string;
  section: string;
  checks: string;
  passed: number;
  total: number;
}

export default class ConformanceReporter implements Reporter {
  #vitest: Vitest | undefined;

  onInit(vitest: Vitest): void {
    this.#vitest = vitest;
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const rows = new Map<string, Row>();
    const filesRun = new Set<string>();
    for (const testModule of testModules) {
      for (const test of testModule.children.allTests()) {
        const tag = test.meta().conformance;
        if (tag === undefined) continue;
        filesRun.add(tag.file);
        const key = `${tag.document}\u0000${tag.section}\u0000${tag.checks}`;
        let row = rows.get(key);
        if (row === undefined) {
          row = {
            document: tag.document,
            section: tag.section,
            checks: tag.checks,
            passed: 0,
            total: 0,
          };
          rows.set(key, row);
        }
        row.total++;
        if (test.result().state === 'passed') row.passed++;
      }
    }

    const strict = process.env.TYPERTC_CONFORMANCE === '1';
    const unexercised = strict
      ? readdirSync(new URL('./test-vectors/', import.meta.url)).filter(
          (name) => name.endsWith('.json') && !filesRun.has(name),
        )
      : [];
    if (rows.size === 0 && unexercised.length === 0) return;

    const sorted = [...rows.values()].sort(
      (a, b) =>
        a.document.localeCompare(b.document, 'en', { numeric: true }) ||
        a.section.localeCompare(b.section, 'en', { numeric: true }),
    );
    const lines = formatTable(
      ['Standard', 'Section', 'What it checks', 'Passed'],
      sorted.map((row) => [
        row.document,
        row.section,
        row.checks,
        `${row.passed}/${row.total}${row.passed === row.total ? '' : '  FAILED'}`,
      ]),
    );
    const passed = sorted.reduce((sum, row) => sum + row.passed, 0);
    const total = sorted.reduce((sum, row) => sum + row.total, 0);
    const logger = this.#vitest?.logger;
    const log = (line: string): void => (logger ? logger.log(line) : console.log(line));
    log('');
    log(' RFC conformance');
    for (const line of lines) log(` ${line}`);
    log(` ${passed}/${total} vector checks passed, ${filesRun.size} vector files`);
    for (const name of unexercised) log(` NOT RUN: test-vectors/${name} has no test that loads it`);
    if (passed !== total || unexercised.length > 0) process.exitCode = 1;
  }
}

function formatTable(header: string[], body: string[][]): string[] {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...body.map((cells) => (cells[column] ?? '').length)),
  );
  const format = (cells: string[]): string =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [format(header), widths.map((width) => '-'.repeat(width)).join('  '), ...body.map(format)];
}
