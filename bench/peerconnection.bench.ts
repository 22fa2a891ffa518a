/**
 * Whole peer connections: how long from an offer to an open data channel, and how much memory a
 * connected peer connection holds; TypeRTC's `RTCPeerConnection` beside werift's in the same
 * run, and Chromium's (in a headless page, where /usr/bin/chromium exists) for the time. Both
 * ends are in this process (Chromium: in one page) and talk over UDP on this host, with host
 * candidates only (no STUN, no TURN). Like the ICE and SCTP figures these are asynchronous:
 * `runPeerConnectionBench` returns them and `formatPeerConnectionFigures` prints them.
 *
 * Offer to open: see peerconnection-helpers.ts for how a pair is connected. Each stack is warmed
 * up with `warmups` connections, then timed over `runs`, taken round-robin (one TypeRTC pair,
 * one werift pair, then the next round), as the harness does; every pair is closed after its
 * run. Chromium's runs are made afterwards, all inside the page. For TypeRTC, the offerer's and
 * answerer's milestones (description set, ICE connected, DTLS connected, SCTP established,
 * channel open) are recorded too, and their medians printed.
 *
 * Memory, measured first, while the process holds no peer connection yet: each stack is warmed
 * up with `warmups` connections; then, per pass, after a forced GC, `process.memoryUsage()`;
 * `memoryPairs` pairs connected one after the other, each with its channel open and one message
 * sent each way; a forced GC and `process.memoryUsage()` again; the differences divided by the
 * number of peer connections (2 × `memoryPairs`); then every pair is closed. The passes run in
 * `memoryOrder`, so that each stack is measured both early and after the other: RSS depends on
 * what the process already holds (the first pass pays for growing the heap, later ones reuse
 * pages that earlier ones freed), so every pass is printed. heapUsed and arrayBuffers (buffers
 * outside the JavaScript heap) move little with the order.
 */

import { existsSync } from 'node:fs';
import {
  CHROMIUM_PATH,
  CHROMIUM_REAL_HOST_ADDRESSES,
  HEADLESS_CHROMIUM_FLAGS,
} from '@typertc/common/testing';
import {
  type Collector,
  type Connect,
  type ConnectedPair,
  chromiumScript,
  connectTypertc,
  connectWerift,
  garbageCollector,
} from './peerconnection-helpers.js';

type Stack = 'typertc' | 'werift';

export interface PeerConnectionBenchOptions {
  /** Connections made and thrown away before the timed ones, per stack. */
  readonly warmups: number;
  /** Timed connections per stack; the median is reported. */
  readonly runs: number;
  /** A pair whose channels are not both open this long after the start has failed. */
  readonly timeoutMs: number;
  /** Pairs held at once for the memory figure. */
  readonly memoryPairs: number;
  /** The memory passes, in order. */
  readonly memoryOrder: readonly Stack[];
  readonly chromiumPath: string;
}

export const PEER_CONNECTION_BENCH_OPTIONS: PeerConnectionBenchOptions = {
  warmups: 2,
  runs: 20,
  timeoutMs: 10_000,
  memoryPairs: 50,
  memoryOrder: ['typertc', 'werift', 'werift', 'typertc'],
  chromiumPath: CHROMIUM_PATH,
};

/** Chromium's flags on this machine, with real host addresses (as the interop tests run it). */
const CHROMIUM_FLAGS = [...HEADLESS_CHROMIUM_FLAGS, CHROMIUM_REAL_HOST_ADDRESSES];

export interface LatencyFigures {
  /** The timed runs' milliseconds, in the order run. */
  readonly times: readonly number[];
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
}

export interface MemoryFigures {
  readonly implementation: Stack;
  /** 1-based position among the memory passes. */
  readonly pass: number;
  readonly peerConnections: number;
  readonly rssBeforeBytes: number;
  readonly rssAfterBytes: number;
  readonly heapUsedBeforeBytes: number;
  readonly heapUsedAfterBytes: number;
  readonly heapTotalBeforeBytes: number;
  readonly heapTotalAfterBytes: number;
  readonly arrayBuffersBeforeBytes: number;
  readonly arrayBuffersAfterBytes: number;
  readonly connectSeconds: number;
}

export interface PeerConnectionFigures {
  readonly warmups: number;
  readonly typertc: LatencyFigures;
  readonly werift: LatencyFigures;
  /** Undefined when Chromium is not installed; `chromiumNote` says why. */
  readonly chromium: LatencyFigures | undefined;
  readonly chromiumNote: string | undefined;
  /** TypeRTC's milestones: the median ms since the start of each, over the timed runs. */
  readonly typertcMilestones: Readonly<Record<string, number>>;
  readonly memory: readonly MemoryFigures[];
  /** How GC was forced before each memory reading, or undefined when it could not be. */
  readonly gc: string | undefined;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const upper = sorted[middle] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? Number.NaN) + upper) / 2;
}

function latency(times: readonly number[]): LatencyFigures {
  return {
    times,
    medianMs: median(times),
    minMs: Math.min(...times),
    maxMs: Math.max(...times),
  };
}

const CONNECT: Record<Stack, Connect> = { typertc: connectTypertc, werift: connectWerift };

/** Round-robin offer-to-open runs of both stacks; TypeRTC's milestone medians. */
async function measureLatency(options: PeerConnectionBenchOptions) {
  const stacks: readonly Stack[] = ['typertc', 'werift'];
  const times: Record<Stack, number[]> = { typertc: [], werift: [] };
  const marks: Record<string, number[]> = {};
  for (let round = 0; round < options.warmups + options.runs; round++) {
    for (const stack of stacks) {
      const pair = await CONNECT[stack](options.timeoutMs);
      await pair.close();
      if (round < options.warmups) continue;
      times[stack].push(pair.elapsedMs);
      for (const [name, at] of Object.entries(pair.marks)) {
        marks[name] = [...(marks[name] ?? []), at];
      }
    }
  }
  const milestones = Object.fromEntries(
    Object.entries(marks)
      .map(([name, at]): [string, number] => [name, median(at)])
      .sort((x, y) => x[1] - y[1]),
  );
  return { typertc: latency(times.typertc), werift: latency(times.werift), milestones };
}

async function measureChromium(
  options: PeerConnectionBenchOptions,
): Promise<{ figures?: LatencyFigures; note?: string }> {
  if (!existsSync(options.chromiumPath)) {
    return { note: `${options.chromiumPath} not found: Chromium skipped` };
  }
  const { chromium } = await import('playwright-core');
  let browser: Awaited<ReturnType<typeof chromium.launch>>;
  try {
    browser = await chromium.launch({ executablePath: options.chromiumPath, args: CHROMIUM_FLAGS });
  } catch (error) {
    return { note: `Chromium did not start, skipped: ${(error as Error).message.split('\n')[0]}` };
  }
  try {
    const page = await browser.newPage();
    await page.goto('about:blank');
    const script = chromiumScript(options.warmups, options.runs, options.timeoutMs);
    const times = (await page.evaluate(script)) as number[];
    const version = browser.version();
    return { figures: latency(times), note: `Chromium ${version}` };
  } finally {
    await browser.close();
  }
}

/**
 * One memory pass: `memoryPairs` pairs of `stack` held at once. The pairs live in this function's
 * frame only, so none outlives the pass (a dead local of a suspended async frame that kept
 * running, e.g. a loop around the pass, would keep the last pass's pairs alive into the next).
 */
async function measureMemory(
  stack: Stack,
  pass: number,
  options: PeerConnectionBenchOptions,
  gc: Collector | undefined,
): Promise<MemoryFigures> {
  await gc?.collect();
  const before = process.memoryUsage();
  const pairs: ConnectedPair[] = [];
  const start = performance.now();
  try {
    for (let i = 0; i < options.memoryPairs; i++) {
      const pair = await CONNECT[stack](options.timeoutMs);
      pairs.push(pair);
      await pair.exchange(options.timeoutMs);
    }
    const connectSeconds = (performance.now() - start) / 1000;
    await gc?.collect();
    const after = process.memoryUsage();
    return {
      implementation: stack,
      pass,
      peerConnections: 2 * pairs.length,
      rssBeforeBytes: before.rss,
      rssAfterBytes: after.rss,
      heapUsedBeforeBytes: before.heapUsed,
      heapUsedAfterBytes: after.heapUsed,
      heapTotalBeforeBytes: before.heapTotal,
      heapTotalAfterBytes: after.heapTotal,
      arrayBuffersBeforeBytes: before.arrayBuffers,
      arrayBuffersAfterBytes: after.arrayBuffers,
      connectSeconds,
    };
  } finally {
    await Promise.all(pairs.map((pair) => pair.close()));
  }
}

export async function runPeerConnectionBench(
  options: PeerConnectionBenchOptions,
): Promise<PeerConnectionFigures> {
  const gc = garbageCollector();
  for (const stack of new Set(options.memoryOrder)) {
    for (let i = 0; i < options.warmups; i++) {
      const pair = await CONNECT[stack](options.timeoutMs);
      await pair.close();
    }
  }
  const memory: MemoryFigures[] = [];
  for (const [i, stack] of options.memoryOrder.entries()) {
    memory.push(await measureMemory(stack, i + 1, options, gc));
  }
  const { typertc, werift, milestones } = await measureLatency(options);
  const chromium = await measureChromium(options);
  return {
    warmups: options.warmups,
    typertc,
    werift,
    chromium: chromium.figures,
    chromiumNote: chromium.note,
    typertcMilestones: milestones,
    memory,
    gc: gc?.how,
  };
}

const ms = (value: number): string => `${value.toFixed(1)} ms`;
const ratio = (value: number): string => `${value >= 10 ? value.toFixed(1) : value.toFixed(2)}×`;
const KiB = 1024;

function latencyLine(name: string, figures: LatencyFigures, extra: string): string {
  const { medianMs, minMs, maxMs } = figures;
  return `  ${name}: median ${ms(medianMs)} (min ${ms(minMs)}, max ${ms(maxMs)})${extra}`;
}

export function formatPeerConnectionFigures(figures: PeerConnectionFigures): string[] {
  const { typertc, werift, chromium } = figures;
  const runs = typertc.times.length;
  const lines = [
    `PeerConnection offer to open data channel (both ends), UDP on this host, host candidates; ` +
      `median of ${runs} after ${figures.warmups} warm-ups (TypeRTC and werift round-robin)`,
    latencyLine(
      'TypeRTC RTCPeerConnection',
      typertc,
      `; werift/TypeRTC ${ratio(werift.medianMs / typertc.medianMs)}` +
        (chromium === undefined
          ? ''
          : `, TypeRTC/Chromium ${ratio(typertc.medianMs / chromium.medianMs)}`),
    ),
    latencyLine('werift RTCPeerConnection', werift, ''),
    chromium === undefined
      ? `  Chromium: ${figures.chromiumNote ?? 'not measured'}`
      : latencyLine(`${figures.chromiumNote ?? 'Chromium'}, two peers in one page`, chromium, ''),
    `  TypeRTC milestones (median ms since the start; a offers, b answers): ${Object.entries(
      figures.typertcMilestones,
    )
      .map(([name, at]) => `${name} ${at.toFixed(1)}`)
      .join(', ')}`,
  ];
  const pairs = (figures.memory[0]?.peerConnections ?? 0) / 2;
  lines.push(
    `PeerConnection memory per connected peer connection (open channel, one message each way), ` +
      `${pairs} pairs held at once; passes in order ` +
      `${figures.memory.map((m) => m.implementation).join(', ')} ` +
      (figures.gc === undefined
        ? '(no GC available: the readings include garbage)'
        : `(GC forced before each reading: ${figures.gc})`),
  );
  for (const m of figures.memory) {
    const per = (after: number, before: number) =>
      `${((after - before) / m.peerConnections / KiB).toFixed(0)} KiB`;
    lines.push(
      `  pass ${m.pass}, ${m.implementation === 'typertc' ? 'TypeRTC' : 'werift'}: ` +
        `RSS ${per(m.rssAfterBytes, m.rssBeforeBytes)}, ` +
        `heapUsed ${per(m.heapUsedAfterBytes, m.heapUsedBeforeBytes)}, ` +
        `arrayBuffers ${per(m.arrayBuffersAfterBytes, m.arrayBuffersBeforeBytes)} ` +
        `per peer connection (heapTotal ${per(m.heapTotalAfterBytes, m.heapTotalBeforeBytes)}; ` +
        `RSS ${(m.rssBeforeBytes / KiB / KiB).toFixed(0)} → ` +
        `${(m.rssAfterBytes / KiB / KiB).toFixed(0)} MiB; ${m.peerConnections} connected in ` +
        `${m.connectSeconds.toFixed(1)} s)`,
    );
  }
  return lines;
}
