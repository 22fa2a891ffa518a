/**
 * Two `DtlsConnection`s wired back to back in memory, driven by hand, at two grains:
 *
 * - `Pair.pump()` carries every queued datagram across (through an optional `link` that may
 *   drop, reorder or alter them) until neither side has anything to send.
 * - `RecordWire` passes records one at a time, each alone in its datagram, on a clock the test
 *   moves: a test stops at any record of the handshake and delivers something else instead.
 *
 * Links that capture or rewrite what crosses are built on the record helpers' reader and writer.
 */

import { concatBytes } from '@typertc/common';
import type { DtlsCertificate } from '../src/certificate/certificate.js';
import { DtlsConnection, handshakeContextOf } from '../src/connection/dtls-connection.js';
import type { DtlsConnectionOptions, DtlsEvent } from '../src/connection/options.js';
import {
  HANDSHAKE_HEADER_LENGTH,
  readHandshakeFragments,
} from '../src/handshake/handshake-header.js';
import { ContentType, DTLS_1_2 } from '../src/record/index.js';
import { fingerprintsOf } from './certificate-fixtures.js';
import {
  handshakeMessage,
  readRecords,
  splitRecords,
  type WireRecord,
  writeRecords,
} from './record-helpers.js';

export type Side = 'client' | 'server';
export type Link = (datagram: Uint8Array, from: Side) => Uint8Array[];

/** The other side. */
export function peerOf(side: Side): Side {
  return side === 'client' ? 'server' : 'client';
}

export interface Pair {
  readonly client: DtlsConnection;
  readonly server: DtlsConnection;
  readonly events: { client: DtlsEvent[]; server: DtlsEvent[] };
  /** Moves datagrams both ways until quiet; returns how many were delivered. */
  pump(now?: number, link?: Link): number;
  /** Starts the client at `now` and pumps: a whole handshake when nothing is lost. */
  handshake(link?: Link, now?: number): void;
}

/** Each side has its own certificate and accepts only the other's. */
export function connectionPair(
  clientCertificate: DtlsCertificate,
  serverCertificate: DtlsCertificate,
  client: Partial<DtlsConnectionOptions> = {},
  server: Partial<DtlsConnectionOptions> = {},
): Pair {
  const pair: Pair = {
    client: new DtlsConnection({
      role: 'client',
      certificate: clientCertificate,
      remoteFingerprints: fingerprintsOf(serverCertificate),
      ...client,
    }),
    server: new DtlsConnection({
      role: 'server',
      certificate: serverCertificate,
      remoteFingerprints: fingerprintsOf(clientCertificate),
      ...server,
    }),
    events: { client: [], server: [] },
    pump(now = 0, link: Link = (d) => [d]): number {
      let delivered = 0;
      for (let moved = true; moved; ) {
        moved = false;
        for (const from of ['client', 'server'] as const) {
          for (const datagram of drain(pair[from])) {
            for (const out of link(datagram, from)) {
              pair[peerOf(from)].handleDatagram(out, now);
              delivered++;
              moved = true;
            }
          }
          for (let e = pair[from].pollEvent(); e; e = pair[from].pollEvent()) {
            pair.events[from].push(e);
          }
        }
      }
      return delivered;
    },
    handshake(link?: Link, now = 0): void {
      pair.client.start(now);
      pair.pump(now, link);
    },
  };
  return pair;
}

/** Everything `connection` has queued to send. */
export function drain(connection: DtlsConnection): Uint8Array[] {
  const datagrams: Uint8Array[] = [];
  for (let d = connection.pollTransmit(); d; d = connection.pollTransmit()) datagrams.push(d);
  return datagrams;
}

/** Hands `connection` each of `datagrams`, in order, at `now`. */
export function deliver(
  connection: DtlsConnection,
  datagrams: readonly Uint8Array[],
  now = 0,
): void {
  for (const datagram of datagrams) connection.handleDatagram(datagram, now);
}

/** A record in epoch 1 sealed with the keys `from` writes with, as only `from` could make it. */
export function sealedBy(
  pair: Pair,
  from: Side,
  contentType: number,
  plaintext: Uint8Array,
  sequenceNumber: number,
): Uint8Array {
  const cipher = handshakeContextOf(pair[from]).recordCiphers(from).write;
  const fragment = cipher.seal(contentType, DTLS_1_2, 1, sequenceNumber, plaintext);
  return writeRecords([{ contentType, epoch: 1, sequenceNumber, fragment }]);
}

/** A link that keeps a copy of every datagram each side sends, then passes it on. */
export function capturing(next: Link = (d) => [d]): Link & Record<Side, Uint8Array[]> {
  const sent = { client: [] as Uint8Array[], server: [] as Uint8Array[] };
  const link = (datagram: Uint8Array, from: Side): Uint8Array[] => {
    sent[from].push(datagram.slice());
    return next(datagram, from);
  };
  return Object.assign(link, sent);
}

/**
 * A link that passes `edit(body)` for the body of every whole (unfragmented) plaintext handshake
 * message of `msgType` that `from` sends, its lengths fixed up to fit, and the rest as it was.
 */
export function rewriteHandshake(
  from: Side,
  msgType: number,
  edit: (body: Uint8Array) => Uint8Array,
): Link {
  return (datagram, side) => {
    if (side !== from) return [datagram];
    const records = readRecords(datagram).map((record): WireRecord => {
      if (record.epoch !== 0 || record.contentType !== ContentType.handshake) return record;
      const parts = readHandshakeFragments(record.fragment).map((f) => {
        const whole = f.fragmentOffset === 0 && f.fragmentLength === f.length;
        if (!whole || f.msgType !== msgType) {
          const start = f.body.byteOffset - record.fragment.byteOffset - HANDSHAKE_HEADER_LENGTH;
          return record.fragment.subarray(start, start + HANDSHAKE_HEADER_LENGTH + f.body.length);
        }
        return handshakeMessage(msgType, f.messageSeq, edit(f.body.slice()));
      });
      return { ...record, fragment: concatBytes(...parts) };
    });
    return [writeRecords(records)];
  };
}

/** A record on its way to `to`, alone in its datagram. */
export interface Flow {
  readonly to: Side;
  readonly record: Uint8Array;
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
    const sent = drain(this.connection(from)).flatMap(splitRecords);
    for (const record of sent) this.queue.push({ to: peerOf(from), record });
    return sent;
  }
}
