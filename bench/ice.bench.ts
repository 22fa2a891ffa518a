/**
 * ICE figures, which the synchronous ops/s harness cannot take (a connect is asynchronous and
 * waits on real sockets and timers): time from start to `connected` for two IceTransports on
 * loopback, heap per sans-I/O IceAgent, and many agents connecting through one UdpMux port.
 * werift's ICE `Connection` connects in the same run for comparison; it gathers no loopback
 * candidates (bound to 127.0.0.1 its checks never complete), so its pairs use the machine's
 * own IPv4 address, which the kernel delivers locally all the same.
 */

import { type DatagramTransport, RealClock, type TimerHandle, UdpTransport } from '@typertc/common';
import {
  createLocalCandidate,
  IceAgent,
  IceTransport,
  type IceTransportState,
  type LocalCandidate,
  UdpMux,
} from '@typertc/ice';
import { Connection } from 'werift';

const LOOPBACK_ONLY = { includeLoopback: true, interfaces: ['lo'], families: ['IPv4'] } as const;

export interface IceConnectFigures {
  readonly runs: number;
  readonly medianMs: number;
  readonly p90Ms: number;
}

export interface IceMemoryFigures {
  readonly agents: number;
  readonly candidatesPerAgent: number;
  readonly bytesPerAgent: number;
  /** Whether a GC ran before each heap reading (`node --expose-gc`); without it, noisier. */
  readonly gcForced: boolean;
}

export interface IceMuxFigures {
  readonly agents: number;
  readonly connected: number;
  readonly allConnectedMs: number;
}

export interface IceFigures {
  readonly connect: IceConnectFigures;
  readonly weriftConnect: IceConnectFigures;
  readonly memory: IceMemoryFigures;
  readonly mux: IceMuxFigures;
}

function percentile(sorted: readonly number[], fraction: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

function stateReached(transport: IceTransport, wanted: IceTransportState): Promise<void> {
  return new Promise((resolve, reject) => {
    transport.on('state', (state) => {
      if (state === wanted) resolve();
      else if (state === 'failed' || state === 'closed') reject(new Error(`ICE ${state}`));
    });
  });
}

/** One connect of two IceTransports on loopback, from creation to both `connected`, in ms. */
async function connectOnce(): Promise<number> {
  const start = performance.now();
  const a = IceTransport.create({ role: 'controlling', ...LOOPBACK_ONLY });
  const b = IceTransport.create({ role: 'controlled', ...LOOPBACK_ONLY });
  for (const [from, to] of [
    [a, b],
    [b, a],
  ] as const) {
    from.on('candidate', ({ candidateString }) => to.addRemoteCandidate(candidateString));
    from.on('gathering-state', (state) => state === 'complete' && to.addRemoteCandidate(null));
    to.setRemoteCredentials(from.localCredentials);
  }
  try {
    await Promise.all([stateReached(a, 'connected'), stateReached(b, 'connected')]);
    return performance.now() - start;
  } finally {
    a.close();
    b.close();
  }
}

/** The same for two werift `Connection`s: gather, exchange, connect, until both are connected. */
async function weriftConnectOnce(): Promise<number> {
  const start = performance.now();
  const options = { useIpv4: true, useIpv6: false, useTcp: false };
  const a = new Connection(true, options);
  const b = new Connection(false, options);
  try {
    await Promise.all([a.gatherCandidates(), b.gatherCandidates()]);
    for (const [from, to] of [
      [a, b],
      [b, a],
    ] as const) {
      to.setRemoteParams({
        iceLite: false,
        usernameFragment: from.localUsername,
        password: from.localPassword,
      });
      for (const candidate of from.localCandidates) await to.addRemoteCandidate(candidate);
      await to.addRemoteCandidate(undefined);
    }
    await Promise.all([a.connect(), b.connect()]);
    return performance.now() - start;
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}

async function measureConnect(
  runs: number,
  connect: () => Promise<number>,
): Promise<IceConnectFigures> {
  const times: number[] = [];
  for (let run = 0; run < runs; run++) times.push(await connect());
  times.sort((x, y) => x - y);
  return { runs, medianMs: percentile(times, 0.5), p90Ms: percentile(times, 0.9) };
}

function heapUsed(): number {
  globalThis.gc?.();
  return process.memoryUsage().heapUsed;
}

function hostCandidate(address: string, port: number): LocalCandidate {
  return createLocalCandidate({ type: 'host', address, port });
}

/** Heap growth per sans-I/O agent holding two local and two remote host candidates. */
function measureMemory(count: number): IceMemoryFigures {
  const before = heapUsed();
  const agents: IceAgent[] = [];
  for (let n = 0; n < count; n++) {
    const agent = new IceAgent({ controlling: n % 2 === 0 });
    agent.setRemoteCredentials(`peer${n}`, 'p'.repeat(22));
    agent.addLocalCandidate(hostCandidate('192.0.2.1', 10_000 + n));
    agent.addLocalCandidate(hostCandidate('198.51.100.1', 10_000 + n));
    agent.addRemoteCandidate(hostCandidate('203.0.113.1', 20_000 + n));
    agent.addRemoteCandidate(hostCandidate('203.0.113.2', 20_000 + n));
    agents.push(agent);
  }
  const bytesPerAgent = (heapUsed() - before) / count;
  for (const agent of agents) agent.close();
  return {
    agents: count,
    candidatesPerAgent: 4,
    bytesPerAgent,
    gcForced: typeof globalThis.gc === 'function',
  };
}

/** Runs one sans-I/O agent over one transport on the real clock, as a stack's event loop would. */
class AgentPump {
  readonly #clock = new RealClock();
  #timer: TimerHandle | undefined;

  constructor(
    readonly agent: IceAgent,
    readonly transport: DatagramTransport,
    readonly onConnected: () => void,
  ) {
    transport.on('datagram', (data, from) => {
      agent.handleDatagram(data, transport.localAddress, from, this.#clock.now());
      this.pump();
    });
  }

  pump(): void {
    for (let t = this.agent.pollTransmit(); t; t = this.agent.pollTransmit()) {
      this.transport.send(t.data, t.to);
    }
    for (let e = this.agent.pollEvent(); e; e = this.agent.pollEvent()) {
      if (e.type === 'state' && e.state === 'connected') this.onConnected();
    }
    this.#timer?.cancel();
    const at = this.agent.pollTimeout();
    this.#timer =
      at === undefined
        ? undefined
        : this.#clock.setTimer(at, () => {
            this.agent.handleTimeout(this.#clock.now());
            this.pump();
          });
  }

  close(): void {
    this.#timer?.cancel();
    this.agent.close();
  }
}

/**
 * `count` controlled agents attached to one UdpMux port, each connected from a controlling client
 * agent on its own loopback socket; the time from the first check until the last server-side
 * agent is `connected`.
 */
async function measureMux(count: number, timeoutMs: number): Promise<IceMuxFigures> {
  const mux = await UdpMux.open({ address: '127.0.0.1' });
  const clients = await Promise.all(
    Array.from({ length: count }, () => UdpTransport.open({ address: '127.0.0.1' })),
  );
  const pumps: AgentPump[] = [];
  let connected = 0;
  let allConnected: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    allConnected = resolve;
  });
  const countServer = (): void => {
    if (++connected === count) allConnected();
  };
  for (let n = 0; n < count; n++) {
    const client = clients[n] as UdpTransport;
    const server = new IceAgent({ controlling: false, localUfrag: `srv${n}` });
    const caller = new IceAgent({ controlling: true, localUfrag: `cli${n}` });
    const serverCandidate = hostCandidate('127.0.0.1', mux.localAddress.port);
    const callerCandidate = hostCandidate('127.0.0.1', client.localAddress.port);
    server.addLocalCandidate(serverCandidate);
    caller.addLocalCandidate(callerCandidate);
    server.setRemoteCredentials(caller.localUfrag, caller.localPassword);
    caller.setRemoteCredentials(server.localUfrag, server.localPassword);
    server.addRemoteCandidate(callerCandidate);
    caller.addRemoteCandidate(serverCandidate);
    server.endOfRemoteCandidates();
    caller.endOfRemoteCandidates();
    pumps.push(new AgentPump(server, mux.attach(server.localUfrag), countServer));
    pumps.push(new AgentPump(caller, client, () => {}));
  }
  const start = performance.now();
  for (const pump of pumps) pump.pump();
  let timeout: NodeJS.Timeout | undefined;
  await Promise.race([
    done,
    new Promise<void>((resolve) => {
      timeout = setTimeout(resolve, timeoutMs);
    }),
  ]);
  clearTimeout(timeout);
  const allConnectedMs = connected === count ? performance.now() - start : Number.NaN;
  for (const pump of pumps) pump.close();
  for (const client of clients) client.close();
  mux.close();
  return { agents: count, connected, allConnectedMs };
}

export interface IceBenchOptions {
  readonly connectRuns: number;
  readonly memoryAgents: number;
  readonly muxAgents: number;
  readonly muxTimeoutMs: number;
}

export const ICE_BENCH_OPTIONS: IceBenchOptions = {
  connectRuns: 50,
  memoryAgents: 200,
  muxAgents: 1000,
  muxTimeoutMs: 60_000,
};

export async function runIceBench(options: IceBenchOptions): Promise<IceFigures> {
  const memory = measureMemory(options.memoryAgents);
  const connect = await measureConnect(options.connectRuns, connectOnce);
  const weriftConnect = await measureConnect(options.connectRuns, weriftConnectOnce);
  const mux = await measureMux(options.muxAgents, options.muxTimeoutMs);
  return { connect, weriftConnect, memory, mux };
}

export function formatIceFigures(figures: IceFigures): string[] {
  const { connect, weriftConnect, memory, mux } = figures;
  const times = (connectFigures: IceConnectFigures): string =>
    `median ${connectFigures.medianMs.toFixed(1)} ms, p90 ${connectFigures.p90Ms.toFixed(1)} ms ` +
    `over ${connectFigures.runs} runs`;
  return [
    `ICE time to connected, 2 IceTransports on loopback: ${times(connect)}`,
    `ICE time to connected, 2 werift Connections on the host's address: ${times(weriftConnect)}`,
    `ICE memory per sans-I/O IceAgent (${memory.candidatesPerAgent} candidates, ` +
      `${memory.agents} agents): ${(memory.bytesPerAgent / 1024).toFixed(1)} KiB` +
      (memory.gcForced ? '' : ' (no --expose-gc: GC not forced, noisy)'),
    `ICE ${mux.agents} agents through one UdpMux port: ${mux.connected} connected` +
      (Number.isNaN(mux.allConnectedMs)
        ? ' (timed out)'
        : ` in ${mux.allConnectedMs.toFixed(0)} ms`),
  ];
}
