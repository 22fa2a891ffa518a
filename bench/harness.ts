/**
 * A small benchmark harness (no dependencies): named benchmarks in comparison groups, each
 * warmed up, then timed over several fixed-size samples; the report gives the median rate, its
 * spread, throughput, and each entry's ratio to the group's baseline measured in the same run —
 * ratios, because these machines are noisy and only same-run comparisons mean much
 * (DESIGN.md, Performance).
 */

/** Something to measure: one call is one operation. */
export interface BenchmarkEntry {
  readonly name: string;
  /**
   * Performs one operation and returns its result, which the harness folds into a sink so the
   * JIT cannot discard the work as unused.
   */
  readonly fn: () => Uint8Array | number;
}

/** Entries that do the same work and are compared with each other. */
export interface BenchmarkGroup {
  /** What one operation is, e.g. "AES-128-GCM seal, 1200 B". */
  readonly name: string;
  /** Payload bytes per operation, for a MB/s column; omit when throughput means nothing. */
  readonly bytesPerOp?: number;
  /** The entry the others are divided by ("node is 6.1× noble"); omit for no ratios. */
  readonly baseline?: string;
  readonly entries: readonly BenchmarkEntry[];
}

export interface HarnessOptions {
  /** Time spent running an entry before measuring it, so the JIT has optimized it. */
  readonly warmupMs: number;
  /** Target duration of one timed sample. */
  readonly sampleMs: number;
  /** Timed samples per entry; the median is reported. */
  readonly samples: number;
}

export const DEFAULT_OPTIONS: HarnessOptions = { warmupMs: 300, sampleMs: 200, samples: 10 };

export interface BenchmarkResult {
  readonly group: string;
  readonly name: string;
  /** Median over the samples of operations per second. */
  readonly opsPerSecond: number;
  /** Median absolute deviation of the samples, relative to the median (0.01 = ±1 %). */
  readonly relativeSpread: number;
  readonly samples: number;
  readonly opsPerSample: number;
  readonly bytesPerOp: number | undefined;
  /** Throughput in MB/s (10^6 bytes per second), when `bytesPerOp` is known. */
  readonly megabytesPerSecond: number | undefined;
  /** The group's baseline entry, when it ran. */
  readonly baseline: string | undefined;
  /** `opsPerSecond` divided by the baseline's. */
  readonly ratioToBaseline: number | undefined;
}

/**
 * Where every result goes. Exported, so that the engine cannot prove it unobserved and drop the
 * computations that feed it.
 */
export let sink = 0;

/** Runs `fn` `ops` times; returns the elapsed nanoseconds. */
function runBatch(fn: BenchmarkEntry['fn'], ops: number): number {
  let fold = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < ops; i++) {
    const result = fn();
    fold ^= typeof result === 'number' ? result : (result[0] ?? 0);
  }
  const elapsed = Number(process.hrtime.bigint() - start);
  sink ^= fold;
  return elapsed;
}

/**
 * Warms `fn` up for about `warmupMs` while finding how many operations fill one sample: the
 * batch doubles until it takes a measurable time, then is scaled to `sampleMs`.
 */
function calibrate(fn: BenchmarkEntry['fn'], options: HarnessOptions): number {
  const deadline = performance.now() + options.warmupMs;
  let ops = 1;
  let nanosPerOp = Number.POSITIVE_INFINITY;
  while (performance.now() < deadline || nanosPerOp === Number.POSITIVE_INFINITY) {
    const elapsed = runBatch(fn, ops);
    // Below a millisecond, timer resolution and loop overhead dominate: measure a bigger batch.
    if (elapsed < 1e6) {
      ops *= 2;
      continue;
    }
    nanosPerOp = elapsed / ops;
  }
  return Math.max(1, Math.round((options.sampleMs * 1e6) / nanosPerOp));
}

function median(sorted: readonly number[]): number {
  const middle = sorted.length >> 1;
  const upper = sorted[middle] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? Number.NaN) + upper) / 2;
}

function summarize(
  group: { readonly name: string; readonly bytesPerOp?: number },
  entry: { readonly name: string },
  options: HarnessOptions,
  opsPerSample: number,
  rates: number[],
): Omit<BenchmarkResult, 'baseline' | 'ratioToBaseline'> {
  rates.sort((a, b) => a - b);
  const opsPerSecond = median(rates);
  const deviations = rates.map((rate) => Math.abs(rate - opsPerSecond)).sort((a, b) => a - b);
  return {
    group: group.name,
    name: entry.name,
    opsPerSecond,
    relativeSpread: median(deviations) / opsPerSecond,
    samples: options.samples,
    opsPerSample,
    bytesPerOp: group.bytesPerOp,
    megabytesPerSecond:
      group.bytesPerOp === undefined ? undefined : (opsPerSecond * group.bytesPerOp) / 1e6,
  };
}

/**
 * Measures every entry of `group` for which `selected` is true and relates each to the group's
 * baseline (when the baseline itself was selected). Samples are taken round-robin — one of
 * each entry, then the next round — so that a slow stretch of a shared machine hits every entry
 * of the group alike instead of skewing the ratios.
 */
export function runGroup(
  group: BenchmarkGroup,
  options: HarnessOptions,
  selected: (group: BenchmarkGroup, entry: BenchmarkEntry) => boolean,
): BenchmarkResult[] {
  const entries = group.entries.filter((entry) => selected(group, entry));
  const opsPerSample = entries.map((entry) => calibrate(entry.fn, options));
  const rates = entries.map((): number[] => []);
  for (let sample = 0; sample < options.samples; sample++) {
    entries.forEach((entry, i) => {
      const ops = opsPerSample[i] as number;
      rates[i]?.push((ops * 1e9) / runBatch(entry.fn, ops));
    });
  }
  const measured = entries.map((entry, i) =>
    summarize(group, entry, options, opsPerSample[i] as number, rates[i] as number[]),
  );
  return relateToBaseline(group, measured);
}

function relateToBaseline(
  group: { readonly baseline?: string },
  measured: readonly Omit<BenchmarkResult, 'baseline' | 'ratioToBaseline'>[],
): BenchmarkResult[] {
  const base = measured.find((result) => result.name === group.baseline);
  return measured.map((result) => ({
    ...result,
    baseline: base?.name,
    ratioToBaseline: base === undefined ? undefined : result.opsPerSecond / base.opsPerSecond,
  }));
}

/** An entry whose operation is asynchronous; otherwise as `BenchmarkEntry`. */
export interface AsyncBenchmarkEntry {
  readonly name: string;
  readonly run: () => Promise<unknown>;
}

export interface AsyncBenchmarkGroup {
  readonly name: string;
  readonly baseline?: string;
  readonly entries: readonly AsyncBenchmarkEntry[];
}

/** Runs `run` back to back for about `ms`; returns the operations completed and the time. */
async function runFor(
  run: AsyncBenchmarkEntry['run'],
  ms: number,
): Promise<{ ops: number; elapsedMs: number }> {
  const start = performance.now();
  let ops = 0;
  let elapsedMs = 0;
  do {
    await run();
    ops++;
    elapsedMs = performance.now() - start;
  } while (elapsedMs < ms);
  return { ops, elapsedMs };
}

/**
 * `runGroup` for operations that must be awaited (a handshake): each entry warmed up, then
 * `samples` samples of about `sampleMs`, one of each entry per round.
 */
export async function runAsyncGroup(
  group: AsyncBenchmarkGroup,
  options: HarnessOptions,
  selected: (group: { readonly name: string }, entry: { readonly name: string }) => boolean,
): Promise<BenchmarkResult[]> {
  const entries = group.entries.filter((entry) => selected(group, entry));
  for (const entry of entries) await runFor(entry.run, options.warmupMs);
  const rates = entries.map((): number[] => []);
  const ops = entries.map(() => 0);
  for (let sample = 0; sample < options.samples; sample++) {
    for (const [i, entry] of entries.entries()) {
      const timed = await runFor(entry.run, options.sampleMs);
      rates[i]?.push((timed.ops * 1000) / timed.elapsedMs);
      ops[i] = (ops[i] ?? 0) + timed.ops;
    }
  }
  const measured = entries.map((entry, i) =>
    summarize(group, entry, options, Math.round((ops[i] ?? 0) / options.samples), rates[i] ?? []),
  );
  return relateToBaseline(group, measured);
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-US', {
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
});

function ratioText(result: BenchmarkResult): string {
  if (result.ratioToBaseline === undefined || result.baseline === undefined) return '';
  if (result.name === result.baseline) return '(baseline)';
  const ratio = result.ratioToBaseline;
  return `${ratio >= 10 ? oneDecimal.format(ratio) : ratio.toFixed(2)}× ${result.baseline}`;
}

/** The report: one heading line per group, one row per entry, numbers right-aligned. */
export function formatTable(results: readonly BenchmarkResult[]): string[] {
  const header = ['Benchmark', 'ops/s', '±', 'MB/s', 'vs baseline'];
  const rows: (string[] | string)[] = [];
  let group: string | undefined;
  for (const result of results) {
    if (result.group !== group) {
      group = result.group;
      rows.push(group);
    }
    rows.push([
      `  ${result.name}`,
      integer.format(result.opsPerSecond),
      `${(result.relativeSpread * 100).toFixed(1)}%`,
      result.megabytesPerSecond === undefined ? '' : oneDecimal.format(result.megabytesPerSecond),
      ratioText(result),
    ]);
  }
  const cells = rows.filter((row): row is string[] => Array.isArray(row));
  const widths = header.map((title, column) =>
    Math.max(title.length, ...cells.map((row) => (row[column] ?? '').length)),
  );
  // Text columns (first and last) align left, numbers right.
  const format = (row: readonly string[]): string =>
    row
      .map((cell, column) => {
        const width = widths[column] ?? 0;
        return column === 0 || column === row.length - 1
          ? cell.padEnd(width)
          : cell.padStart(width);
      })
      .join('  ')
      .trimEnd();
  return [
    format(header),
    widths.map((width) => '-'.repeat(width)).join('  '),
    ...rows.map((row) => (typeof row === 'string' ? row : format(row))),
  ];
}
