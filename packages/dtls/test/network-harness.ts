/**
 * What the connection tests drive DTLS with, at two levels:
 *
 * - `RecordWire`: two `DtlsConnection`s (sans-I/O) passing records one at a time, each alone in
 *   its datagram, on a clock the test moves: a test stops at any record of the handshake and
 *   delivers something else instead. With the record helpers to take datagrams apart and forge
 *   plaintext records.
 * - `dtlsOverNetwork`: two `DtlsTransport`s on the in-memory network, on a `ManualClock`, a
 *   server host and a client host each on its own link, so a test sets the conditions of each
 *   direction (a packet from the client crosses the client's uplink, then the server's
 *   downlink). Time moves only through `runUntil`, in small steps, so timers and deliveries
 *   interleave as they would on a real path.
 */

import { ManualClock } from '@typertc/common';
import {
  type DuplexLinkConditions,
  type LinkConditions,
  VirtualNetwork,
  type VirtualUdpSocket,
} from '@typertc/common/testing';
import type { DtlsCertificate } from '../src/certificate/certificate.js';
import { fingerprint } from '../src/certificate/fingerprint.js';
import type { DtlsConnection } from '../src/connection/dtls-connection.js';
import type { DtlsConnectionOptions, DtlsState } from '../src/connection/options.js';
import {
  fragmentMessage,
  HANDSHAKE_HEADER_LENGTH,
  type HandshakeFragment,
  readHandshakeFragments,
} from '../src/handshake/handshake-header.js';
import { DtlsTransport } from '../src/node/dtls-transport.js';
import {
  ContentType,
  DTLS_1_2,
  RECORD_HEADER_LENGTH,
  type RecordHeader,
  readRecordHeader,
  writeRecordHeader,
} from '../src/record/index.js';
import type { Pair } from './connection-pair.js';

export type Side = 'client' | 'server';

/** A record on its way to `to`, alone in its datagram. */
export interface Flow {
  readonly to: Side;
  readonly record: Uint8Array;
}

/** The header of the record at `offset`. */
export function readHeader(record: Uint8Array, offset = 0): RecordHeader {
  const header = { contentType: 0, version: 0, epoch: 0, sequenceNumber: 0, length: 0 };
  readRecordHeader(record, offset, header);
  return header;
}

/** The records of a datagram, header included (RFC 6347 §4.1.1: several may share one). */
export function splitRecords(datagram: Uint8Array): Uint8Array[] {
  const records: Uint8Array[] = [];
  for (let offset = 0; offset < datagram.length; ) {
    const end = offset + RECORD_HEADER_LENGTH + readHeader(datagram, offset).length;
    records.push(datagram.slice(offset, end));
    offset = end;
  }
  return records;
}

/** A plaintext record (epoch 0 unless told) around `fragment`, as DTLS 1.2 writes it. */
export function plainRecord(
  contentType: number,
  fragment: Uint8Array,
  epoch = 0,
  seq = 0,
): Uint8Array {
  const record = new Uint8Array(RECORD_HEADER_LENGTH + fragment.length);
  const header = { contentType, version: DTLS_1_2, epoch, sequenceNumber: seq };
  writeRecordHeader(record, 0, { ...header, length: fragment.length });
  record.set(fragment, RECORD_HEADER_LENGTH);
  return record;
}

/** `body` as one whole handshake fragment (RFC 6347 §4.2.2). */
export function handshakeMessage(
  msgType: number,
  messageSeq: number,
  body: Uint8Array,
): Uint8Array {
  const whole = body.length + HANDSHAKE_HEADER_LENGTH + 1;
  return fragmentMessage(msgType, messageSeq, body, whole)[0] as Uint8Array;
}

/** The first handshake fragment of a plaintext handshake record, if it is one. */
export function plainFragment(record: Uint8Array): HandshakeFragment | undefined {
  const header = readHeader(record);
  if (header.epoch !== 0 || header.contentType !== ContentType.handshake) return undefined;
  return readHandshakeFragments(record.subarray(RECORD_HEADER_LENGTH))[0];
}

/**
 * A connection pair driven one record at a time, each record its own datagram, on a clock of
 * its own: a test stops at the record it wants, delivers something else instead, and lets the
 * rest run.
 */
export class RecordWire {
  readonly queue: Flow[] = [];
  now = 0;

  constructor(readonly pair: Pair) {
    pair.client.start(0);
  }

  connection(side: Side): DtlsConnection {
    return this.pair[side];
  }

  /** Hands `bytes` to `to`; returns the records it sent in answer (queued for its peer too). */
  deliver(to: Side, bytes: Uint8Array): Uint8Array[] {
    this.connection(to).handleDatagram(bytes, this.now);
    return this.#collect(to);
  }

  /** Delivers queued records until `stop` picks one, which it returns, off the queue. */
  runTo(stop: (flow: Flow) => boolean): Flow | undefined {
    this.#collect('client');
    this.#collect('server');
    for (let flow = this.queue.shift(); flow; flow = this.queue.shift()) {
      if (stop(flow)) return flow;
      this.deliver(flow.to, flow.record);
    }
    return undefined;
  }

  /**
   * Runs the rest out: delivers what is queued, then fires the earliest timer, until nothing is
   * queued and neither side is connecting. False if that took more than `maxSteps` (a hang).
   */
  settle(maxSteps = 400): boolean {
    this.#collect('client');
    this.#collect('server');
    for (let step = 0; step < maxSteps; step++) {
      const flow = this.queue.shift();
      if (flow !== undefined) {
        this.deliver(flow.to, flow.record);
        continue;
      }
      const deadlines = [this.pair.client.pollTimeout(), this.pair.server.pollTimeout()];
      const due = Math.min(...deadlines.map((at) => at ?? Number.POSITIVE_INFINITY));
      if (due === Number.POSITIVE_INFINITY) return true;
      this.now = Math.max(this.now, due);
      for (const side of ['client', 'server'] as const) {
        this.connection(side).handleTimeout(this.now);
        this.#collect(side);
      }
    }
    return false;
  }

  #collect(from: Side): Uint8Array[] {
    const connection = this.connection(from);
    const sent: Uint8Array[] = [];
    for (let d = connection.pollTransmit(); d; d = connection.pollTransmit()) {
      sent.push(...splitRecords(d));
    }
    const to = from === 'client' ? 'server' : 'client';
    for (const record of sent) this.queue.push({ to, record });
    return sent;
  }
}

// --- DtlsTransport on the in-memory network ---

/** Connection options a test may set on one side (the role and certificate are the pair's). */
export type SideOptions = Partial<Omit<DtlsConnectionOptions, 'role' | 'certificate'>>;

export interface NetworkPairOptions {
  readonly seed: number;
  readonly clientCertificate: DtlsCertificate;
  readonly serverCertificate: DtlsCertificate;
  readonly clientLink?: LinkConditions | DuplexLinkConditions;
  readonly serverLink?: LinkConditions | DuplexLinkConditions;
  readonly client?: SideOptions;
  readonly server?: SideOptions;
}

/** What one side saw: its state changes, the data records it received, its errors. */
export interface SideLog {
  readonly states: DtlsState[];
  readonly received: Uint8Array[];
  readonly errors: Error[];
}

export interface NetworkPair {
  readonly clock: ManualClock;
  readonly network: VirtualNetwork;
  readonly client: DtlsTransport;
  readonly server: DtlsTransport;
  readonly clientSocket: VirtualUdpSocket;
  readonly serverSocket: VirtualUdpSocket;
  readonly log: { readonly client: SideLog; readonly server: SideLog };
}

const CLIENT_ADDRESS = '198.51.100.10';
const SERVER_ADDRESS = '203.0.113.20';

function logOf(transport: DtlsTransport): SideLog {
  const log: SideLog = { states: [], received: [], errors: [] };
  transport.on('state', (state) => log.states.push(state));
  transport.on('datagram', (data) => log.received.push(data));
  transport.on('error', (error) => log.errors.push(error));
  return log;
}

/** Binds both sockets and creates both transports; the client's ClientHello is sent at once. */
export function dtlsOverNetwork(options: NetworkPairOptions): NetworkPair {
  const clock = new ManualClock();
  const network = new VirtualNetwork(clock, { seed: options.seed });
  const serverHost = network.addHost({
    name: 'server',
    addresses: [SERVER_ADDRESS],
    ...(options.serverLink !== undefined && { link: options.serverLink }),
  });
  const clientHost = network.addHost({
    name: 'client',
    addresses: [CLIENT_ADDRESS],
    ...(options.clientLink !== undefined && { link: options.clientLink }),
  });
  const serverSocket = serverHost.bind({ port: 5000 });
  const clientSocket = clientHost.bind({ port: 6000 });
  const server = DtlsTransport.create({
    transport: serverSocket,
    role: 'server',
    certificate: options.serverCertificate,
    remoteFingerprints: [
      { algorithm: 'sha-256', value: fingerprint(options.clientCertificate.der) },
    ],
    scheduler: clock,
    ...options.server,
  });
  const serverLog = logOf(server);
  const client = DtlsTransport.create({
    transport: clientSocket,
    remoteAddress: serverSocket.localAddress,
    role: 'client',
    certificate: options.clientCertificate,
    remoteFingerprints: [
      { algorithm: 'sha-256', value: fingerprint(options.serverCertificate.der) },
    ],
    scheduler: clock,
    ...options.client,
  });
  const clientLog = logOf(client);
  return {
    clock,
    network,
    client,
    server,
    clientSocket,
    serverSocket,
    log: { client: clientLog, server: serverLog },
  };
}

/**
 * Advances `clock` in `stepMs` steps (every timer and delivery on the way fires in order) until
 * `done()` holds or `limitMs` of simulated time have passed. Returns whether `done()` held.
 */
export function runUntil(
  clock: ManualClock,
  done: () => boolean,
  limitMs: number,
  stepMs = 5,
): boolean {
  const end = clock.now() + limitMs;
  while (!done()) {
    if (clock.now() >= end) return false;
    clock.advanceTo(Math.min(clock.now() + stepMs, end));
  }
  return true;
}

/** Neither side is still connecting: both connected, or one gave up (the test checks which). */
export function handshakeSettled(pair: NetworkPair): boolean {
  const settled = (state: DtlsState): boolean => state !== 'new' && state !== 'connecting';
  return settled(pair.client.state) && settled(pair.server.state);
}
