/**
 * Data channel throughput: how fast one reliable ordered channel carries binary messages, both
 * ends in one process, and the process's RSS meanwhile; werift's data channels measured the
 * same way in the same run. Like the ICE figures these are asynchronous (real sockets, real
 * timers), so they are not the harness's ops/s: `runSctpBench` returns them and
 * `formatSctpFigures` prints them.
 *
 * TypeRTC: two `UdpTransport`s on 127.0.0.1, a `DtlsTransport` client and server over them
 * (TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, the suite werift negotiates), an `SctpTransport` on
 * each (RFC 8261) and one channel from `createDataChannel` (DCEP, RFC 8832); measured twice,
 * with the sockets' default receive buffers and with 4 MiB ones, since a burst that overflows
 * the receiving socket costs retransmissions. werift: two `RTCPeerConnection`s with host
 * candidates on 127.0.0.1 only (no STUN), offer and answer exchanged in memory, one channel.
 * Either way the sender keeps `bufferedAmount` at or below a high-water mark (1 MiB) and refills
 * on `bufferedamountlow` (threshold 256 KiB), as a browser application would; a transfer is
 * timed from the first `send()` to the last message's arrival on the other side. Every
 * message's length is checked, and the first one's bytes. For each message size every link is
 * warmed up, then timed round-robin (one transfer of each, then the next round), as the
 * harness does, so a slow stretch of the shared machine hits them alike; the median is
 * reported.
 *
 * The pure SCTP rate is two `SctpAssociation`s pumped directly: each packet one side queues is
 * handed to the other's `handleDatagram` at once, with no DTLS, no sockets and no event loop.
 * Time is virtual and only moves when neither side has a packet to send, to the next deadline
 * (a delayed SACK at the end of a burst), so the figure is the CPU cost of our SCTP alone, both
 * ends together, as the socket figures are.
 */

import { UdpTransport } from '@typertc/common';
import { DtlsTransport, fingerprint, generateCertificate } from '@typertc/dtls';
import { Ppid, type RTCDataChannel, SctpAssociation, SctpTransport } from '@typertc/sctp';
import { RTCPeerConnection, type RTCDataChannel as WeriftDataChannel } from 'werift';

const KiB = 1024;
const MiB = 1024 * KiB;
/** The suite both stacks use, so that both pay the same record cipher. */
const DTLS_SUITE = 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256';
/** The stream of the in-memory run's messages. */
const STREAM_ID = 0;

export interface SctpBenchOptions {
  readonly messageSizes: readonly number[];
  /** Timed transfers of each link and size, round-robin; the median is reported. */
  readonly rounds: number;
  /** A timed transfer carries at least this much ... */
  readonly minBytes: number;
  /** ... or more, when the warm-up shows the implementation is fast: about this long ... */
  readonly targetSeconds: number;
  /** ... up to this much. */
  readonly maxBytes: number;
  /** Sent before the timed transfers (JIT, congestion window); its rate sizes them. */
  readonly warmupBytes: number;
  /** The sender sends while `bufferedAmount` stays at or below this ... */
  readonly highWaterBytes: number;
  /** ... and refills when `bufferedamountlow` fires at this threshold. */
  readonly lowWaterBytes: number;
  /** The socket receive buffer of TypeRTC's second set-up. */
  readonly largeReceiveBufferBytes: number;
  /** A transfer that receives nothing for this long has stalled: it fails. */
  readonly stallMs: number;
}

export const SCTP_BENCH_OPTIONS: SctpBenchOptions = {
  messageSizes: [64 * KiB, 16 * KiB],
  rounds: 3,
  minBytes: 64 * MiB,
  targetSeconds: 2,
  maxBytes: 1024 * MiB,
  warmupBytes: 8 * MiB,
  highWaterBytes: 1 * MiB,
  lowWaterBytes: 256 * KiB,
  largeReceiveBufferBytes: 4 * MiB,
  stallMs: 15_000,
};

export interface RssFigures {
  /**
   * `process.memoryUsage.rss()` as the first timed transfer starts (after a GC under
   * `--expose-gc`). The whole process's: everything else loaded stays in it.
   */
  readonly beforeBytes: number;
  /** The largest reading over the timed transfers (every 10 ms and every 1 MiB received). */
  readonly peakBytes: number;
  /** As the last message of the last timed transfer arrived. */
  readonly afterBytes: number;
}

export interface ThroughputFigures {
  readonly implementation: 'typertc' | 'werift';
  /** TypeRTC's sockets' receive buffer, when set (`UdpTransportOptions.receiveBufferSize`). */
  readonly receiveBufferBytes: number | undefined;
  readonly messageBytes: number;
  /** Messages in each timed transfer. */
  readonly messages: number;
  /** 10^6 bytes of message payload per second of each timed transfer, in the order run. */
  readonly rates: readonly number[];
  /** Their median. */
  readonly megabytesPerSecond: number;
  readonly rss: RssFigures;
  /** DATA chunks the sending association retransmitted over the timed transfers (TypeRTC). */
  readonly retransmissions: number | undefined;
}

export interface InMemoryFigures {
  readonly messageBytes: number;
  readonly messages: number;
  readonly rates: readonly number[];
  readonly megabytesPerSecond: number;
  /** Times neither side had a packet to send and the virtual clock moved to a deadline. */
  readonly idleJumps: number;
  readonly retransmissions: number;
}

export interface SctpFigures {
  readonly rounds: number;
  readonly highWaterBytes: number;
  readonly lowWaterBytes: number;
  /** For each message size, each link: TypeRTC, TypeRTC with large buffers, werift. */
  readonly dataChannels: readonly ThroughputFigures[];
  readonly inMemory: readonly InMemoryFigures[];
  /** Whether a GC ran before each transfer (`node --expose-gc`). */
  readonly gcForced: boolean;
}

// ---------------------------------------------------------------------------------------------
// The two stacks behind one interface

/** One connected channel pair, whichever stack: what the transfer loop drives. */
interface ChannelLink {
  readonly implementation: ThroughputFigures['implementation'];
  readonly receiveBufferBytes: number | undefined;
  bufferedAmount(): number;
  send(message: Buffer): void;
  /** Sets the sender's `bufferedAmountLowThreshold` and listens for `bufferedamountlow`. */
  onBufferedAmountLow(threshold: number, listener: () => void): () => void;
  /** Listens for messages at the receiving end; the listener gets each one's bytes. */
  onMessage(listener: (data: Uint8Array) => void): () => void;
  /** DATA chunks retransmitted so far by the sender, where the stack tells. */
  retransmissions(): number | undefined;
  close(): Promise<void>;
}

function opened(channel: RTCDataChannel): Promise<void> {
  return new Promise((resolve) => {
    if (channel.readyState === 'open') resolve();
    else channel.addEventListener('open', () => resolve(), { once: true });
  });
}

/**
 * UDP sockets on 127.0.0.1 (with `receiveBufferBytes` of receive buffer, or the system's
 * default), DTLS, SCTP on each side and one channel, open at both ends.
 */
async function typertcLink(receiveBufferBytes?: number): Promise<ChannelLink> {
  const [clientCertificate, serverCertificate] = await Promise.all([
    generateCertificate(),
    generateCertificate(),
  ]);
  const buffers = receiveBufferBytes === undefined ? {} : { receiveBufferSize: receiveBufferBytes };
  const serverSocket = await UdpTransport.open({ address: '127.0.0.1', ...buffers });
  const clientSocket = await UdpTransport.open({
    address: '127.0.0.1',
    remote: serverSocket.localAddress,
    ...buffers,
  });
  const server = DtlsTransport.create({
    transport: serverSocket,
    role: 'server',
    certificate: serverCertificate,
    remoteFingerprints: [{ algorithm: 'sha-256', value: fingerprint(clientCertificate.der) }],
    cipherSuites: [DTLS_SUITE],
  });
  const client = DtlsTransport.create({
    transport: clientSocket,
    role: 'client',
    certificate: clientCertificate,
    remoteFingerprints: [{ algorithm: 'sha-256', value: fingerprint(serverCertificate.der) }],
    cipherSuites: [DTLS_SUITE],
  });
  await Promise.all([client.connected(), server.connected()]);
  if (client.connection.cipherSuite !== DTLS_SUITE) {
    throw new Error(`TypeRTC negotiated ${client.connection.cipherSuite}, not ${DTLS_SUITE}`);
  }
  const sending = SctpTransport.create({ transport: client, role: 'client' });
  const receiving = SctpTransport.create({ transport: server, role: 'server' });
  const remote = new Promise<RTCDataChannel>((resolve) => receiving.on('datachannel', resolve));
  const channel = sending.createDataChannel('bench');
  const [, theirs] = await Promise.all([opened(channel), remote]);
  await opened(theirs);
  return {
    implementation: 'typertc',
    receiveBufferBytes,
    bufferedAmount: () => channel.bufferedAmount,
    send: (message) => channel.send(message),
    onBufferedAmountLow(threshold, listener) {
      channel.bufferedAmountLowThreshold = threshold;
      channel.addEventListener('bufferedamountlow', listener);
      return () => channel.removeEventListener('bufferedamountlow', listener);
    },
    onMessage(listener) {
      const onMessage = (event: Event): void =>
        listener(new Uint8Array((event as MessageEvent).data as ArrayBuffer));
      theirs.addEventListener('message', onMessage);
      return () => theirs.removeEventListener('message', onMessage);
    },
    retransmissions: () => sending.association.stats.retransmissions,
    async close() {
      sending.abort();
      receiving.abort();
      client.close();
      server.close();
      clientSocket.close();
      serverSocket.close();
    },
  };
}

function gathered(connection: RTCPeerConnection): Promise<void> {
  return new Promise((resolve) => {
    if (connection.iceGatheringState === 'complete') resolve();
    else connection.iceGatheringStateChange.subscribe((state) => state === 'complete' && resolve());
  });
}

function weriftOpened(channel: WeriftDataChannel): Promise<void> {
  return new Promise((resolve) => {
    if (channel.readyState === 'open') resolve();
    else channel.stateChanged.subscribe((state) => state === 'open' && resolve());
  });
}

/**
 * Two werift peer connections with host candidates on 127.0.0.1 only: werift gathers none on
 * loopback by itself, so its sockets are bound there (`iceInterfaceAddresses`), 127.0.0.1 is
 * added as a host address, and only loopback pairs are checked.
 */
async function weriftLink(): Promise<ChannelLink> {
  const loopback = '127.0.0.1';
  const config = {
    iceServers: [],
    iceUseIpv4: true,
    iceUseIpv6: false,
    iceInterfaceAddresses: { udp4: loopback },
    iceAdditionalHostAddresses: [loopback],
    iceFilterCandidatePair: (pair: { localCandidate: { host: string } }) =>
      pair.localCandidate.host === loopback,
  };
  const offerer = new RTCPeerConnection(config);
  const answerer = new RTCPeerConnection(config);
  const channel = offerer.createDataChannel('bench');
  const remote = new Promise<WeriftDataChannel>((resolve) =>
    answerer.onDataChannel.subscribe(resolve),
  );
  await offerer.setLocalDescription(await offerer.createOffer());
  await gathered(offerer);
  await answerer.setRemoteDescription(offerer.localDescription ?? fail('werift: no offer'));
  await answerer.setLocalDescription(await answerer.createAnswer());
  await gathered(answerer);
  await offerer.setRemoteDescription(answerer.localDescription ?? fail('werift: no answer'));
  const theirs = await remote;
  await Promise.all([weriftOpened(channel), weriftOpened(theirs)]);
  const pair = offerer.iceTransports[0]?.getSelectedCandidatePair();
  if (!pair?.local.candidate.includes(` ${loopback} `)) {
    throw new Error(`werift did not connect on loopback: ${pair?.local.candidate}`);
  }
  return {
    implementation: 'werift',
    receiveBufferBytes: undefined,
    bufferedAmount: () => channel.bufferedAmount,
    send: (message) => channel.send(message),
    onBufferedAmountLow(threshold, listener) {
      channel.bufferedAmountLowThreshold = threshold;
      return channel.bufferedAmountLow.subscribe(listener).unSubscribe;
    },
    onMessage(listener) {
      return theirs.onMessage.subscribe((data) => {
        if (typeof data !== 'string') listener(data);
      }).unSubscribe;
    },
    retransmissions: () => undefined,
    async close() {
      await Promise.all([offerer.close(), answerer.close()]);
    },
  };
}

function fail(message: string): never {
  throw new Error(message);
}

// ---------------------------------------------------------------------------------------------
// Transfers

/** A message of `length` bytes, the same for every send (both stacks copy or hold it). */
function payloadOf(length: number): Buffer {
  const payload = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) payload[i] = (i * 131 + 7) & 0xff;
  return payload;
}

class RssSampler {
  readonly beforeBytes: number;
  peakBytes: number;
  readonly #interval: NodeJS.Timeout;

  constructor() {
    globalThis.gc?.();
    this.beforeBytes = process.memoryUsage.rss();
    this.peakBytes = this.beforeBytes;
    this.#interval = setInterval(() => this.sample(), 10);
  }

  sample(): number {
    const rss = process.memoryUsage.rss();
    if (rss > this.peakBytes) this.peakBytes = rss;
    return rss;
  }

  stop(): RssFigures {
    clearInterval(this.#interval);
    const afterBytes = this.sample();
    return { beforeBytes: this.beforeBytes, peakBytes: this.peakBytes, afterBytes };
  }
}

interface Transfer {
  readonly seconds: number;
  readonly rss: RssFigures;
  readonly retransmissions: number | undefined;
}

/**
 * Sends `count` copies of `payload` with `bufferedAmount` flow control; resolves when the last
 * has arrived at the other end, rejects if the transfer stalls or a message comes out wrong.
 */
function transfer(
  link: ChannelLink,
  payload: Buffer,
  count: number,
  options: SctpBenchOptions,
): Promise<Transfer> {
  const rss = new RssSampler();
  const retransmissionsBefore = link.retransmissions();
  const messageBytes = payload.length;
  const rssEvery = Math.max(1, Math.floor(MiB / messageBytes));
  let sent = 0;
  let received = 0;
  let start = 0;
  let lastProgress = performance.now();
  return new Promise<Transfer>((resolve, reject) => {
    const stopListening: (() => void)[] = [];
    const finish = (error?: Error): void => {
      const end = performance.now();
      clearInterval(watchdog);
      for (const stop of stopListening) stop();
      const figures = rss.stop();
      if (error !== undefined) {
        reject(error);
        return;
      }
      const after = link.retransmissions();
      resolve({
        seconds: (end - start) / 1000,
        rss: figures,
        retransmissions:
          after === undefined || retransmissionsBefore === undefined
            ? undefined
            : after - retransmissionsBefore,
      });
    };
    const refill = (): void => {
      while (sent < count && link.bufferedAmount() + messageBytes <= options.highWaterBytes) {
        link.send(payload);
        sent++;
      }
    };
    stopListening.push(
      link.onMessage((data) => {
        lastProgress = performance.now();
        if (data.length !== messageBytes) {
          finish(new Error(`${link.implementation}: a ${data.length}-byte message arrived`));
          return;
        }
        if (received === 0 && !payload.equals(data)) {
          finish(new Error(`${link.implementation}: the first message's bytes differ`));
          return;
        }
        if (++received % rssEvery === 0) rss.sample();
        if (received === count) finish();
      }),
      link.onBufferedAmountLow(options.lowWaterBytes, refill),
    );
    const watchdog = setInterval(() => {
      if (performance.now() - lastProgress < options.stallMs) return;
      finish(
        new Error(
          `${link.implementation}: stalled after ${received} of ${count} messages ` +
            `(${sent} sent, bufferedAmount ${link.bufferedAmount()})`,
        ),
      );
    }, 1000);
    start = performance.now();
    refill();
  });
}

/** Messages per timed transfer: `minBytes`, or about `targetSeconds` at `bytesPerSecond`. */
function timedCount(
  messageBytes: number,
  bytesPerSecond: number,
  options: SctpBenchOptions,
): number {
  const bytes = Math.min(
    options.maxBytes,
    Math.max(options.minBytes, bytesPerSecond * options.targetSeconds),
  );
  return Math.max(1, Math.round(bytes / messageBytes));
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const upper = sorted[middle] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? Number.NaN) + upper) / 2;
}

/** Every link warmed up, then `rounds` timed transfers of each, round-robin. */
async function measureLinks(
  links: readonly ChannelLink[],
  messageBytes: number,
  options: SctpBenchOptions,
): Promise<ThroughputFigures[]> {
  const payload = payloadOf(messageBytes);
  const warmupCount = Math.max(1, Math.round(options.warmupBytes / messageBytes));
  const counts: number[] = [];
  for (const link of links) {
    const warmup = await transfer(link, payload, warmupCount, options);
    counts.push(timedCount(messageBytes, (warmupCount * messageBytes) / warmup.seconds, options));
  }
  const timed = links.map((): Transfer[] => []);
  for (let round = 0; round < options.rounds; round++) {
    for (const [i, link] of links.entries()) {
      timed[i]?.push(await transfer(link, payload, counts[i] as number, options));
    }
  }
  return links.map((link, i) => {
    const transfers = timed[i] as Transfer[];
    const messages = counts[i] as number;
    const rates = transfers.map((t) => (messages * messageBytes) / t.seconds / 1e6);
    const retransmitted = transfers.map((t) => t.retransmissions);
    return {
      implementation: link.implementation,
      receiveBufferBytes: link.receiveBufferBytes,
      messageBytes,
      messages,
      rates,
      megabytesPerSecond: median(rates),
      rss: {
        beforeBytes: transfers[0]?.rss.beforeBytes ?? Number.NaN,
        peakBytes: Math.max(...transfers.map((t) => t.rss.peakBytes)),
        afterBytes: transfers.at(-1)?.rss.afterBytes ?? Number.NaN,
      },
      retransmissions: retransmitted.includes(undefined)
        ? undefined
        : retransmitted.reduce((sum: number, n) => sum + (n ?? 0), 0),
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Pure SCTP, in memory

/** Two associations pumped by hand on a virtual clock. */
class AssociationPump {
  readonly sender = new SctpAssociation();
  readonly receiver = new SctpAssociation();
  now = 0;
  idleJumps = 0;
  receivedMessages = 0;
  receivedBytes = 0;

  constructor() {
    this.sender.connect(this.now);
    this.receiver.connect(this.now);
    for (let round = 0; !this.sender.established || !this.receiver.established; round++) {
      if (round === 100) throw new Error('in-memory SCTP: no association after 100 rounds');
      this.step();
    }
  }

  /** Hands every queued packet across, both ways, once; false when none was. */
  #deliver(): boolean {
    let moved = false;
    const { sender, receiver } = this;
    for (let p = sender.pollTransmit(); p !== undefined; p = sender.pollTransmit()) {
      receiver.handleDatagram(p, this.now);
      moved = true;
    }
    for (let e = receiver.pollEvent(); e !== undefined; e = receiver.pollEvent()) {
      if (e.type === 'message') {
        this.receivedMessages++;
        this.receivedBytes += e.data.length;
      }
    }
    for (let p = receiver.pollTransmit(); p !== undefined; p = receiver.pollTransmit()) {
      sender.handleDatagram(p, this.now);
      moved = true;
    }
    while (sender.pollEvent() !== undefined);
    return moved;
  }

  /**
   * Delivers what is queued; when nothing was, moves the clock to the next deadline and fires
   * it, the receiver's first (a delayed SACK that would stop the sender's T3-rtx at the same
   * instant).
   */
  step(): void {
    if (this.#deliver()) return;
    const deadlines = [this.receiver.pollTimeout(), this.sender.pollTimeout()];
    const next = Math.min(...deadlines.filter((at) => at !== undefined));
    if (!Number.isFinite(next)) throw new Error('in-memory SCTP: idle with no deadline');
    this.now = Math.max(this.now, next);
    this.idleJumps++;
    for (const association of [this.receiver, this.sender]) {
      const at = association.pollTimeout();
      if (at !== undefined && at <= this.now) association.handleTimeout(this.now);
      this.#deliver();
    }
  }
}

function inMemoryTransfer(
  pump: AssociationPump,
  payload: Uint8Array,
  count: number,
  highWaterBytes: number,
): { seconds: number; idleJumps: number; retransmissions: number } {
  const { sender } = pump;
  const startMessages = pump.receivedMessages;
  const startBytes = pump.receivedBytes;
  const startJumps = pump.idleJumps;
  const startRetransmissions = sender.stats.retransmissions;
  let sent = 0;
  const start = performance.now();
  while (pump.receivedMessages - startMessages < count) {
    while (sent < count && sender.bufferedAmount(STREAM_ID) + payload.length <= highWaterBytes) {
      sender.send({ streamId: STREAM_ID, ppid: Ppid.binary, data: payload, unordered: false });
      sent++;
    }
    pump.step();
  }
  const seconds = (performance.now() - start) / 1000;
  if (pump.receivedBytes - startBytes !== count * payload.length) {
    throw new Error('in-memory SCTP: the bytes received differ from the bytes sent');
  }
  return {
    seconds,
    idleJumps: pump.idleJumps - startJumps,
    retransmissions: sender.stats.retransmissions - startRetransmissions,
  };
}

function measureInMemory(messageBytes: number, options: SctpBenchOptions): InMemoryFigures {
  const pump = new AssociationPump();
  const payload = payloadOf(messageBytes);
  const warmupCount = Math.max(1, Math.round(options.warmupBytes / messageBytes));
  const warmup = inMemoryTransfer(pump, payload, warmupCount, options.highWaterBytes);
  const messages = timedCount(messageBytes, (warmupCount * messageBytes) / warmup.seconds, options);
  const timed = Array.from({ length: options.rounds }, () =>
    inMemoryTransfer(pump, payload, messages, options.highWaterBytes),
  );
  const rates = timed.map((t) => (messages * messageBytes) / t.seconds / 1e6);
  return {
    messageBytes,
    messages,
    rates,
    megabytesPerSecond: median(rates),
    idleJumps: timed.reduce((sum, t) => sum + t.idleJumps, 0),
    retransmissions: timed.reduce((sum, t) => sum + t.retransmissions, 0),
  };
}

// ---------------------------------------------------------------------------------------------
// The run and its report

export async function runSctpBench(options: SctpBenchOptions): Promise<SctpFigures> {
  const inMemory = options.messageSizes.map((size) => measureInMemory(size, options));
  const dataChannels: ThroughputFigures[] = [];
  const links = [
    await typertcLink(),
    await typertcLink(options.largeReceiveBufferBytes),
    await weriftLink(),
  ];
  try {
    for (const size of options.messageSizes) {
      dataChannels.push(...(await measureLinks(links, size, options)));
    }
  } finally {
    for (const link of links) await link.close();
  }
  return {
    rounds: options.rounds,
    highWaterBytes: options.highWaterBytes,
    lowWaterBytes: options.lowWaterBytes,
    dataChannels,
    inMemory,
    gcForced: typeof globalThis.gc === 'function',
  };
}

const mebibytes = (bytes: number): string => `${(bytes / MiB).toFixed(0)} MiB`;
const size = (bytes: number): string =>
  bytes >= MiB ? `${bytes / MiB} MiB` : `${bytes / KiB} KiB`;
const growth = (bytes: number, from: number): string => {
  const delta = (bytes - from) / MiB;
  return `${mebibytes(bytes)} (${delta < 0 ? '' : '+'}${delta.toFixed(1)})`;
};
const rateRange = (rates: readonly number[]): string =>
  `${Math.min(...rates).toFixed(1)}-${Math.max(...rates).toFixed(1)}`;

function linkName(result: ThroughputFigures): string {
  if (result.implementation === 'werift') return 'werift peer connections on 127.0.0.1';
  const buffers =
    result.receiveBufferBytes === undefined
      ? 'default socket buffers'
      : `${size(result.receiveBufferBytes)} socket receive buffers`;
  return `TypeRTC, DTLS over UDP on 127.0.0.1, ${buffers}`;
}

export function formatSctpFigures(figures: SctpFigures): string[] {
  const lines = [
    `SCTP data channel throughput, one reliable ordered channel, both ends in one process, ` +
      `bufferedAmount <= ${size(figures.highWaterBytes)}, refilled at ` +
      `${size(figures.lowWaterBytes)}; median of ${figures.rounds} transfers (range)` +
      (figures.gcForced ? '' : ' (no --expose-gc: RSS before without a forced GC)'),
  ];
  for (const result of figures.dataChannels) {
    const { rss } = result;
    const retransmitted =
      result.retransmissions === undefined ? '' : `, ${result.retransmissions} retransmitted`;
    const werift = figures.dataChannels.find(
      (other) => other.implementation === 'werift' && other.messageBytes === result.messageBytes,
    );
    const ratio =
      result.implementation === 'typertc' && werift !== undefined
        ? `, ${(result.megabytesPerSecond / werift.megabytesPerSecond).toFixed(2)}× werift`
        : '';
    lines.push(
      `  ${linkName(result)}, ${size(result.messageBytes)} messages: ` +
        `${result.megabytesPerSecond.toFixed(1)} MB/s (${rateRange(result.rates)})${ratio}; ` +
        `${mebibytes(result.messages * result.messageBytes)} per transfer${retransmitted}; ` +
        `RSS ${mebibytes(rss.beforeBytes)} before, peak ${growth(rss.peakBytes, rss.beforeBytes)}, ` +
        `after ${growth(rss.afterBytes, rss.beforeBytes)}`,
    );
  }
  for (const result of figures.inMemory) {
    lines.push(
      `SCTP pure, 2 SctpAssociations pumped in memory, ${size(result.messageBytes)} messages: ` +
        `${result.megabytesPerSecond.toFixed(1)} MB/s (${rateRange(result.rates)}); ` +
        `${mebibytes(result.messages * result.messageBytes)} per transfer, ` +
        `${result.idleJumps} idle clock jumps, ${result.retransmissions} retransmitted`,
    );
  }
  return lines;
}
