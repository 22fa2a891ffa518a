/**
 * RTP forwarding through a peer connection: receive → SRTP unprotect → route to the track →
 * rewrite → SRTP protect → send, as an SFU does it. Three peers (rtp-forward-peers.ts): a
 * source S sends video to a forwarder F, which writes each packet it receives to a local track
 * sent to a sink K. S and K are TypeRTC in every run; F is TypeRTC in one run and werift in the
 * other, so only F differs. All of it over UDP on this host, host candidates only; signaling
 * through the main thread. Like the ICE and SCTP figures these are asynchronous:
 * `runRtpForwardBench` returns them and `formatRtpForwardFigures` prints them.
 *
 * Where each peer runs, so that F's CPU is F's alone: F in a worker thread of this process
 * (rtp-forward-worker.ts, postMessage), and S and K each in a child process of its own
 * (rtp-forward-child.ts, the IPC channel). A worker's JavaScript thread can be timed alone
 * (/proc/thread-self/schedstat, read by the thread), but not its garbage collection: V8's GC
 * helper threads serve every isolate of a process, and `process.cpuUsage()` or
 * `process.resourceUsage()` in a worker are the whole process's. With S and K elsewhere, this
 * process holds only F and the main thread, which does little but wait: F's CPU is this
 * process's CPU minus the main thread's, GC and libuv's pool included. F's JavaScript thread
 * alone and its event-loop utilization are printed beside it (the latter counts time the
 * thread was runnable and not running, which on a 2-core machine shared by three busy
 * processes is not CPU). S's and K's CPU is their process's.
 *
 * - Throughput: S sends one stream of 1200-byte payloads, paced, for `stepMs` per step, at a
 *   rate growing by `factor` from `startPps`; K counts the distinct packets that arrived
 *   (`drainMs` after the step, so that stragglers and NACK repairs count). The figure is the
 *   highest rate delivered with at most `cleanLoss` loss, and the peak delivered at any rate;
 *   F's CPU per forwarded packet at the clean rate; and every peer's CPU, which says which one
 *   the path ran out of.
 * - CPU at 2 Mbit/s per stream (208 packets/s of 1200 B): F's CPU over `phaseMs` with N streams
 *   (each its own track and SSRC, in one connection each way), and with none (connected, idle).
 *
 * Each round measures both stacks, each on fresh peers and connections; the order alternates
 * (TypeRTC first in odd rounds, werift first in even ones) so drift hits both alike. Medians
 * over the rounds are compared; the ratios are TypeRTC/werift from the same run.
 */

import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  type CandidateInit,
  type CpuSnapshot,
  cpuSnapshot,
  type Leg,
  type PeerMessage,
  type PeerSetup,
  type Request,
  type RequestMessage,
  type Role,
  type SendResult,
  type Stack,
} from './rtp-forward-protocol.js';

export interface RtpForwardBenchOptions {
  readonly rounds: number;
  /** Connecting, or any one request to a worker, taking longer than this has failed. */
  readonly timeoutMs: number;
  readonly payloadBytes: number;
  /** A first, slow step that warms every thread's JIT up and proves the path works. */
  readonly warmupPps: number;
  readonly warmupMs: number;
  readonly startPps: number;
  readonly factor: number;
  readonly maxSteps: number;
  readonly stepMs: number;
  readonly drainMs: number;
  /** Loss up to this counts as delivering the rate. */
  readonly cleanLoss: number;
  /**
   * The ramp stops at a step losing more than this, or after two steps in a row that lost more
   * than `cleanLoss` or could not be sent at their rate.
   */
  readonly stopLoss: number;
  /** Per stream, for the CPU figure. */
  readonly streamBitsPerSecond: number;
  readonly cpuStreams: readonly number[];
  readonly idleMs: number;
  readonly phaseMs: number;
}

export const RTP_FORWARD_BENCH_OPTIONS: RtpForwardBenchOptions = {
  rounds: 2,
  timeoutMs: 15_000,
  payloadBytes: 1200,
  warmupPps: 1000,
  warmupMs: 1500,
  startPps: 2000,
  factor: 1.25,
  maxSteps: 24,
  stepMs: 1500,
  drainMs: 500,
  cleanLoss: 0.01,
  stopLoss: 0.25,
  streamBitsPerSecond: 2_000_000,
  cpuStreams: [1, 10],
  idleMs: 3000,
  phaseMs: 6000,
};

/** A peer's load over a phase, each as a share of one core. */
export interface PeerLoad {
  /** All the peer's CPU: its thread, its GC and libuv helpers (F: less the main thread's). */
  readonly cpu: number;
  /** Its JavaScript thread alone; undefined where Linux does not say. */
  readonly thread: number | undefined;
  /** Event-loop utilization (busy or runnable, not only running). */
  readonly loop: number;
  /** Datagrams the kernel dropped at the peer's sockets, their receive buffers full. */
  readonly udpDrops: number | undefined;
}

export interface PhaseFigures {
  readonly targetPps: number;
  readonly streams: number;
  readonly sent: number;
  readonly delivered: number;
  readonly seconds: number;
  readonly sentPps: number;
  readonly deliveredPps: number;
  readonly loss: number;
  readonly source: PeerLoad;
  readonly forwarder: PeerLoad;
  readonly sink: PeerLoad;
  /** F's CPU (`PeerLoad.cpu`) per delivered packet, µs. */
  readonly forwarderMicrosPerPacket: number | undefined;
}

export interface StackRun {
  readonly stack: Stack;
  readonly round: number;
  /** The SRTP profiles S–F and F–K negotiated (as S and K report them). */
  readonly srtp: { readonly sourceToForwarder: string; readonly forwarderToSink: string };
  readonly warmup: PhaseFigures;
  readonly ramp: readonly PhaseFigures[];
  /** The highest-delivering step with loss ≤ cleanLoss, if any. */
  readonly clean: PhaseFigures | undefined;
  /** The highest-delivering step. */
  readonly peak: PhaseFigures;
  readonly idle: PhaseFigures;
  readonly cpu: readonly PhaseFigures[];
}

export interface StackSummary {
  readonly cleanPps: number;
  readonly peakPps: number;
  readonly forwarderMicrosPerPacket: number | undefined;
  /** F's CPU (share of a core), idle and per entry of `cpuStreams`. */
  readonly idleCpu: number | undefined;
  readonly cpu: readonly (number | undefined)[];
}

/**
 * F's CPU per packet at one rate for both stacks: the fastest ramp step both forwarded with
 * loss ≤ cleanLoss in the same round (the steps' rates are the same for both). Each stack's
 * clean rate differs, and the cost per packet falls as the rate rises (more packets per turn of
 * the event loop), so this is the like-for-like figure.
 */
export interface SameRateFigures {
  readonly round: number;
  readonly targetPps: number;
  readonly typertcMicrosPerPacket: number;
  readonly weriftMicrosPerPacket: number;
}

export interface RtpForwardFigures {
  readonly options: RtpForwardBenchOptions;
  readonly runs: readonly StackRun[];
  readonly typertc: StackSummary;
  readonly werift: StackSummary;
  /** Per round, when both stacks had a clean step in common. */
  readonly sameRate: readonly SameRateFigures[];
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// Workers

/**
 * One peer, in a worker thread or a child process, with request/response over its message
 * channel (postMessage or IPC).
 */
class PeerEndpoint {
  readonly role: Role;
  readonly #post: (message: RequestMessage) => void;
  readonly #stop: () => Promise<unknown>;
  readonly #pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();
  #next = 0;
  #failure: Error | undefined;
  readonly #timeoutMs: number;

  constructor(
    setup: PeerSetup,
    where: 'thread' | 'process',
    timeoutMs: number,
    onCandidate: (leg: Leg, candidate: CandidateInit) => void,
  ) {
    this.role = setup.role;
    this.#timeoutMs = timeoutMs;
    const onMessage = (message: PeerMessage) => {
      if ('event' in message) {
        onCandidate(message.leg, message.candidate);
        return;
      }
      const pending = this.#pending.get(message.id);
      this.#pending.delete(message.id);
      if ('error' in message) pending?.reject(new Error(`${this.role}: ${message.error}`));
      else pending?.resolve(message.result);
    };
    const onExit = (code: number | null) => this.#fail(new Error(`${this.role} exited (${code})`));
    if (where === 'thread') {
      const worker = new Worker(new URL('./rtp-forward-worker.js', import.meta.url), {
        workerData: setup,
      });
      worker.on('message', onMessage);
      worker.on('error', (error) => this.#fail(error));
      worker.on('exit', onExit);
      this.#post = (message) => worker.postMessage(message);
      this.#stop = () => worker.terminate();
    } else {
      const child: ChildProcess = fork(
        fileURLToPath(new URL('./rtp-forward-child.js', import.meta.url)),
        [JSON.stringify(setup)],
        { serialization: 'advanced' },
      );
      child.on('message', (message) => onMessage(message as PeerMessage));
      child.on('error', (error) => this.#fail(error));
      child.on('exit', onExit);
      this.#post = (message) => child.send(message);
      this.#stop = async () => {
        // It ends by itself once closed; a peer that does not is stopped, by its own pid.
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        const timer = setTimeout(() => child.kill(), 2000);
        await exited;
        clearTimeout(timer);
      };
    }
  }

  /** `request`, answered by the peer; `durationMs` is how long the request itself runs. */
  request<T>(request: Request, durationMs = 0): Promise<T> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`${this.role}: ${request.op} not answered in time`));
      }, durationMs + this.#timeoutMs);
      this.#pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.#post({ id, request });
    });
  }

  async close(): Promise<void> {
    try {
      await this.request({ op: 'close' });
    } catch {
      // Already failed or gone: stopped below either way.
    }
    await this.#stop();
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }
}

/** Which peer and connection holds the other end of each connection. */
const OTHER_END: Record<Role, Partial<Record<Leg, [Role, Leg]>>> = {
  source: { out: ['forwarder', 'in'] },
  forwarder: { in: ['source', 'out'], out: ['sink', 'in'] },
  sink: { in: ['forwarder', 'out'] },
};

interface Snapshot {
  readonly source: CpuSnapshot;
  readonly forwarder: CpuSnapshot;
  readonly sink: CpuSnapshot;
  /** This thread's, to take out of this process's, which is F's. */
  readonly main: CpuSnapshot;
}

/** S → F → K, connected, with F of `stack`. */
class Chain {
  readonly #peers: Record<Role, PeerEndpoint>;
  readonly #options: RtpForwardBenchOptions;
  #nextIndex = 0;

  private constructor(peers: Record<Role, PeerEndpoint>, options: RtpForwardBenchOptions) {
    this.#peers = peers;
    this.#options = options;
  }

  static async start(stack: Stack, streams: number, options: RtpForwardBenchOptions) {
    const errors: Error[] = [];
    const peers = {} as Record<Role, PeerEndpoint>;
    const route = (role: Role) => (leg: Leg, candidate: CandidateInit) => {
      const end = OTHER_END[role][leg];
      if (end === undefined) return;
      const [toRole, toLeg] = end;
      peers[toRole]
        .request({ op: 'candidate', leg: toLeg, candidate })
        .catch((error: Error) => errors.push(error));
    };
    for (const role of ['source', 'forwarder', 'sink'] as const) {
      const forwarder = role === 'forwarder';
      const setup: PeerSetup = { role, stack: forwarder ? stack : 'typertc', streams };
      const where = forwarder ? 'thread' : 'process';
      peers[role] = new PeerEndpoint(setup, where, options.timeoutMs, route(role));
    }
    const chain = new Chain(peers, options);
    try {
      const { source, forwarder, sink } = peers;
      // S offers to F (F's `in` answers), then F offers to K, as an SFU offers to subscribers.
      const offerIn = await source.request<string>({ op: 'offer', leg: 'out' });
      const answerIn = await forwarder.request<string>({ op: 'answer', leg: 'in', sdp: offerIn });
      await source.request({ op: 'accept', leg: 'out', sdp: answerIn });
      const offerOut = await forwarder.request<string>({ op: 'offer', leg: 'out' });
      const answerOut = await sink.request<string>({ op: 'answer', leg: 'in', sdp: offerOut });
      await forwarder.request({ op: 'accept', leg: 'out', sdp: answerOut });
      const wait: Request = { op: 'connected', timeoutMs: options.timeoutMs };
      await Promise.all([source, forwarder, sink].map((w) => w.request(wait, options.timeoutMs)));
      if (errors.length > 0) throw errors[0];
      return chain;
    } catch (error) {
      await chain.close();
      throw error;
    }
  }

  async srtp(): Promise<StackRun['srtp']> {
    const source = await this.#peers.source.request<Partial<Record<Leg, string>>>({
      op: 'srtp',
    });
    const sink = await this.#peers.sink.request<Partial<Record<Leg, string>>>({ op: 'srtp' });
    return {
      sourceToForwarder: source.out ?? 'unknown',
      forwarderToSink: sink.in ?? 'unknown',
    };
  }

  async #snapshot(): Promise<Snapshot> {
    const { source, forwarder, sink } = this.#peers;
    const cpu: Request = { op: 'cpu' };
    const [s, f, k] = await Promise.all([
      source.request<CpuSnapshot>(cpu),
      forwarder.request<CpuSnapshot>(cpu),
      sink.request<CpuSnapshot>(cpu),
    ]);
    return { source: s, forwarder: f, sink: k, main: cpuSnapshot() };
  }

  /**
   * S sends `targetPps` (0: nothing) round-robin over `streams` streams for `durationMs`;
   * after `drainMs`, K says how many arrived.
   */
  async phase(
    targetPps: number,
    streams: number,
    durationMs: number,
    drainMs: number,
  ): Promise<PhaseFigures> {
    const firstIndex = this.#nextIndex;
    const before = await this.#snapshot();
    const result: SendResult =
      targetPps === 0
        ? await sleep(durationMs).then(() => ({ sent: 0, elapsedMs: durationMs }))
        : await this.#peers.source.request<SendResult>(
            {
              op: 'send',
              packetsPerSecond: targetPps,
              streams,
              durationMs,
              firstIndex,
              payloadBytes: this.#options.payloadBytes,
            },
            durationMs,
          );
    const after = await this.#snapshot();
    this.#nextIndex += result.sent;
    await sleep(drainMs);
    const delivered =
      result.sent === 0
        ? 0
        : await this.#peers.sink.request<number>({
            op: 'delivered',
            from: firstIndex,
            to: firstIndex + result.sent,
          });
    const seconds = result.elapsedMs / 1000;
    const forwarder = load(before.forwarder, after.forwarder, before.main, after.main);
    const forwarderNs = forwarder.cpu * (after.forwarder.wallMs - before.forwarder.wallMs) * 1e6;
    return {
      targetPps,
      streams,
      sent: result.sent,
      delivered,
      seconds,
      sentPps: result.sent / seconds,
      deliveredPps: delivered / seconds,
      loss: result.sent === 0 ? 0 : 1 - delivered / result.sent,
      source: load(before.source, after.source),
      forwarder,
      sink: load(before.sink, after.sink),
      forwarderMicrosPerPacket: delivered === 0 ? undefined : forwarderNs / 1000 / delivered,
    };
  }

  async close(): Promise<void> {
    await Promise.all(Object.values(this.#peers).map((worker) => worker.close()));
  }
}

function threadNs(before: CpuSnapshot, after: CpuSnapshot): number | undefined {
  if (before.threadCpuNs === undefined || after.threadCpuNs === undefined) return undefined;
  return after.threadCpuNs - before.threadCpuNs;
}

/**
 * A peer's load between two of its snapshots; `mainBefore`/`mainAfter` are the main thread's
 * when the peer shares this process (F), whose CPU is then taken out of the process's.
 */
function load(
  before: CpuSnapshot,
  after: CpuSnapshot,
  mainBefore?: CpuSnapshot,
  mainAfter?: CpuSnapshot,
): PeerLoad {
  const wallNs = (after.wallMs - before.wallMs) * 1e6;
  const mainNs =
    mainBefore === undefined || mainAfter === undefined
      ? 0
      : (threadNs(mainBefore, mainAfter) ?? 0);
  const processNs = (after.processCpuMicros - before.processCpuMicros) * 1000 - mainNs;
  const thread = threadNs(before, after);
  const active = after.loopActiveMs - before.loopActiveMs;
  const idle = after.loopIdleMs - before.loopIdleMs;
  return {
    cpu: Math.max(0, processNs) / wallNs,
    thread: thread === undefined ? undefined : thread / wallNs,
    loop: active + idle === 0 ? 0 : active / (active + idle),
    udpDrops:
      before.udpDrops === undefined || after.udpDrops === undefined
        ? undefined
        : after.udpDrops - before.udpDrops,
  };
}

// ---------------------------------------------------------------------------------------------
// The measurement

const best = (steps: readonly PhaseFigures[]): PhaseFigures | undefined =>
  steps.reduce<PhaseFigures | undefined>(
    (top, step) => (top === undefined || step.deliveredPps > top.deliveredPps ? step : top),
    undefined,
  );

async function runStack(
  stack: Stack,
  round: number,
  options: RtpForwardBenchOptions,
): Promise<StackRun> {
  const streams = Math.max(1, ...options.cpuStreams);
  const chain = await Chain.start(stack, streams, options);
  try {
    const warmup = await chain.phase(options.warmupPps, 1, options.warmupMs, options.drainMs);
    if (warmup.loss > 0.5) {
      throw new Error(
        `${stack} forwarder: ${warmup.delivered} of ${warmup.sent} warm-up packets arrived`,
      );
    }
    const srtp = await chain.srtp();
    const ramp: PhaseFigures[] = [];
    let pps = options.startPps;
    let lossy = 0;
    for (let step = 0; step < options.maxSteps; step++) {
      const figures = await chain.phase(pps, 1, options.stepMs, options.drainMs);
      ramp.push(figures);
      process.stderr.write(
        `  ${stack} ${Math.round(pps)} pkt/s: delivered ${Math.round(figures.deliveredPps)}, ` +
          `loss ${percent(figures.loss)}, F ${percent(figures.forwarder.cpu)}, kernel drops ` +
          `at F ${figures.forwarder.udpDrops ?? 'n/a'}, at K ${figures.sink.udpDrops ?? 'n/a'}\n`,
      );
      // Past the path's limit (or S's: it could not send the rate), further steps say nothing.
      // One bad step alone may be another tenant of the machine taking a core for a while.
      const bad = figures.loss > options.cleanLoss || figures.sentPps < 0.9 * pps;
      lossy = bad ? lossy + 1 : 0;
      if (figures.loss > options.stopLoss || lossy >= 2) break;
      pps *= options.factor;
    }
    const peak = best(ramp) ?? warmup;
    const clean = best(ramp.filter((step) => step.loss <= options.cleanLoss));
    // Let the overload's queues, NACKs and retransmissions die down before measuring CPU.
    await sleep(1000);
    const idle = await chain.phase(0, 0, options.idleMs, 0);
    const perStreamPps = options.streamBitsPerSecond / 8 / options.payloadBytes;
    const cpu: PhaseFigures[] = [];
    for (const n of options.cpuStreams) {
      cpu.push(await chain.phase(perStreamPps * n, n, options.phaseMs, options.drainMs));
    }
    return { stack, round, srtp, warmup, ramp, clean, peak, idle, cpu };
  } finally {
    await chain.close();
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const upper = sorted[middle] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? Number.NaN) + upper) / 2;
}

/** The median of the defined values, undefined when there is none. */
function medianOf(values: readonly (number | undefined)[]): number | undefined {
  const defined = values.filter((value): value is number => value !== undefined);
  return defined.length === 0 ? undefined : median(defined);
}

function summarize(runs: readonly StackRun[], options: RtpForwardBenchOptions): StackSummary {
  return {
    cleanPps: median(runs.map((run) => run.clean?.deliveredPps ?? 0)),
    peakPps: median(runs.map((run) => run.peak.deliveredPps)),
    forwarderMicrosPerPacket: medianOf(runs.map((run) => run.clean?.forwarderMicrosPerPacket)),
    idleCpu: median(runs.map((run) => run.idle.forwarder.cpu)),
    cpu: options.cpuStreams.map((_, i) => medianOf(runs.map((run) => run.cpu[i]?.forwarder.cpu))),
  };
}

export async function runRtpForwardBench(
  options: RtpForwardBenchOptions,
): Promise<RtpForwardFigures> {
  const runs: StackRun[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    const order: Stack[] = round % 2 === 1 ? ['typertc', 'werift'] : ['werift', 'typertc'];
    for (const stack of order) {
      process.stderr.write(`  round ${round}, forwarder ${stack}\n`);
      runs.push(await runStack(stack, round, options));
    }
  }
  const of = (stack: Stack) => runs.filter((run) => run.stack === stack);
  return {
    options,
    runs,
    typertc: summarize(of('typertc'), options),
    werift: summarize(of('werift'), options),
    sameRate: sameRate(runs, options),
  };
}

function sameRate(runs: readonly StackRun[], options: RtpForwardBenchOptions): SameRateFigures[] {
  const figures: SameRateFigures[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    const typertc = runs.find((run) => run.round === round && run.stack === 'typertc');
    const werift = runs.find((run) => run.round === round && run.stack === 'werift');
    if (typertc === undefined || werift === undefined) continue;
    const clean = (step: PhaseFigures | undefined) =>
      step !== undefined && step.loss <= options.cleanLoss ? step : undefined;
    for (let i = Math.min(typertc.ramp.length, werift.ramp.length) - 1; i >= 0; i--) {
      const t = clean(typertc.ramp[i])?.forwarderMicrosPerPacket;
      const w = clean(werift.ramp[i])?.forwarderMicrosPerPacket;
      if (t === undefined || w === undefined) continue;
      const targetPps = typertc.ramp[i]?.targetPps ?? 0;
      figures.push({ round, targetPps, typertcMicrosPerPacket: t, weriftMicrosPerPacket: w });
      break;
    }
  }
  return figures;
}

// ---------------------------------------------------------------------------------------------
// The report

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const ratio = (value: number): string => `${value >= 10 ? value.toFixed(1) : value.toFixed(2)}×`;

function percent(value: number | undefined): string {
  return value === undefined ? 'n/a' : `${(value * 100).toFixed(value < 0.1 ? 2 : 1)}%`;
}

function ratioOf(typertc: number | undefined, werift: number | undefined): string {
  return typertc === undefined || werift === undefined || werift === 0
    ? 'n/a'
    : ratio(typertc / werift);
}

const micros = (value: number | undefined): string =>
  value === undefined ? 'n/a' : `${value.toFixed(1)} µs`;
const perSecond = (micros: number | undefined): string =>
  micros === undefined ? 'n/a' : integer.format(1e6 / micros);

const NAMES: Record<Stack, string> = { typertc: 'TypeRTC', werift: 'werift' };

/** One step: rate, loss, and every peer's load. */
function stepText(step: PhaseFigures): string {
  const peer = (name: string, l: PeerLoad) =>
    `${name} ${percent(l.cpu)} (JS thread ${percent(l.thread)}, loop ${percent(l.loop)})`;
  const drops = (l: PeerLoad) => (l.udpDrops === undefined ? 'n/a' : integer.format(l.udpDrops));
  return (
    `${integer.format(step.deliveredPps)} pkt/s delivered of ${integer.format(step.sentPps)} sent ` +
    `(loss ${percent(step.loss)}; datagrams the kernel dropped, receive buffer full: at F ` +
    `${drops(step.forwarder)}, at K ${drops(step.sink)}); CPU ${peer('S', step.source)}, ` +
    `${peer('F', step.forwarder)}, ${peer('K', step.sink)}`
  );
}

export function formatRtpForwardFigures(figures: RtpForwardFigures): string[] {
  const { options, typertc, werift } = figures;
  const mbps = (pps: number) => ((pps * options.payloadBytes * 8) / 1e6).toFixed(0);
  const lines = [
    `RTP forwarding S → F → K (S and K TypeRTC, each in a process; F TypeRTC or werift, in a ` +
      `worker thread), ${options.payloadBytes}-byte payloads, VP8, UDP on this host; median of ` +
      `${options.rounds} rounds (order alternating); CPU = CPU time / wall time, GC included`,
    `  max throughput with loss ≤ ${percent(options.cleanLoss)}: ` +
      `TypeRTC ${integer.format(typertc.cleanPps)} pkt/s (${mbps(typertc.cleanPps)} Mbit/s), ` +
      `werift ${integer.format(werift.cleanPps)} pkt/s (${mbps(werift.cleanPps)} Mbit/s); ` +
      `TypeRTC/werift ${ratioOf(typertc.cleanPps, werift.cleanPps)}`,
    `  peak delivered at any rate: TypeRTC ${integer.format(typertc.peakPps)} pkt/s, ` +
      `werift ${integer.format(werift.peakPps)} pkt/s; TypeRTC/werift ` +
      ratioOf(typertc.peakPps, werift.peakPps),
    `  F's CPU per forwarded packet at its clean rate: TypeRTC ` +
      `${micros(typertc.forwarderMicrosPerPacket)}, werift ` +
      `${micros(werift.forwarderMicrosPerPacket)}; TypeRTC/werift ` +
      `${ratioOf(typertc.forwarderMicrosPerPacket, werift.forwarderMicrosPerPacket)} ` +
      `(packets per CPU-second: TypeRTC ${perSecond(typertc.forwarderMicrosPerPacket)}, werift ` +
      `${perSecond(werift.forwarderMicrosPerPacket)})`,
  ];
  const same = figures.sameRate;
  if (same.length > 0) {
    const t = median(same.map((f) => f.typertcMicrosPerPacket));
    const w = median(same.map((f) => f.weriftMicrosPerPacket));
    lines.push(
      `  F's CPU per forwarded packet at the same rate (the fastest step both forwarded cleanly: ` +
        `${same.map((f) => `${integer.format(f.targetPps)} pkt/s in round ${f.round}`).join(', ')}` +
        `): TypeRTC ${micros(t)}, werift ${micros(w)}; TypeRTC/werift ${ratioOf(t, w)}`,
    );
  }
  const perStreamPps = options.streamBitsPerSecond / 8 / options.payloadBytes;
  lines.push(
    `  F's CPU at ${options.streamBitsPerSecond / 1e6} Mbit/s per stream ` +
      `(${perStreamPps.toFixed(1)} pkt/s of ${options.payloadBytes} B), share of one core; ` +
      `idle (connected, no media): TypeRTC ${percent(typertc.idleCpu)}, werift ` +
      `${percent(werift.idleCpu)}`,
  );
  options.cpuStreams.forEach((n, i) => {
    const t = typertc.cpu[i];
    const w = werift.cpu[i];
    const per = (value: number | undefined) => (value === undefined ? undefined : value / n);
    lines.push(
      `    ${n} stream${n === 1 ? '' : 's'}: TypeRTC ${percent(t)} (${percent(per(t))} per ` +
        `stream), werift ${percent(w)} (${percent(per(w))} per stream); TypeRTC/werift ` +
        ratioOf(t, w),
    );
  });
  lines.push('  each run:');
  for (const run of figures.runs) {
    lines.push(
      `    round ${run.round}, F ${NAMES[run.stack]} (SRTP S–F ${run.srtp.sourceToForwarder}, ` +
        `F–K ${run.srtp.forwarderToSink}); ${run.ramp.length} steps from ` +
        `${integer.format(options.startPps)} pkt/s ×${options.factor}`,
    );
    lines.push(`      clean: ${run.clean === undefined ? 'none' : stepText(run.clean)}`);
    lines.push(`      peak:  ${stepText(run.peak)}`);
    for (const [i, n] of options.cpuStreams.entries()) {
      const step = run.cpu[i];
      if (step !== undefined) lines.push(`      ${n} × 2 Mbit/s: ${stepText(step)}`);
    }
  }
  return lines;
}
