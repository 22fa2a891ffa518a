/**
 * Two `DtlsConnection`s wired back to back in memory, driven by hand: `pump()` carries every
 * queued datagram across (through an optional `link` that may drop, reorder or alter them)
 * until neither side has anything to send. The wire helpers below read and rewrite the
 * plaintext (epoch 0) records a link sees, with the package's own parsers.
 */

import { concatBytes } from '@typertc/common';
import { type DtlsCertificate, generateCertificate } from '../src/certificate/certificate.js';
import { fingerprint } from '../src/certificate/fingerprint.js';
import { DtlsConnection } from '../src/connection/dtls-connection.js';
import type { DtlsConnectionOptions, DtlsEvent } from '../src/connection/options.js';
import {
  fragmentMessage,
  HANDSHAKE_HEADER_LENGTH,
  type HandshakeFragment,
  readHandshakeFragments,
} from '../src/handshake/handshake-header.js';
import {
  ContentType,
  RECORD_HEADER_LENGTH,
  type RecordHeader,
  readRecordHeader,
  writeRecordHeader,
} from '../src/record/index.js';

export type Side = 'client' | 'server';
export type Link = (datagram: Uint8Array, from: Side) => Uint8Array[];

export interface Pair {
  readonly client: DtlsConnection;
  readonly server: DtlsConnection;
  readonly events: { client: DtlsEvent[]; server: DtlsEvent[] };
  /** Moves datagrams both ways until quiet; returns how many were delivered. */
  pump(now?: number, link?: Link): number;
  /** Starts the client at `now` and pumps: a whole handshake when nothing is lost. */
  handshake(link?: Link, now?: number): void;
}

let cached: { ecdsa: DtlsCertificate; rsa: DtlsCertificate } | undefined;

export async function certificates(): Promise<{ ecdsa: DtlsCertificate; rsa: DtlsCertificate }> {
  cached ??= {
    ecdsa: await generateCertificate(),
    rsa: await generateCertificate({ keyType: 'RSA-2048' }),
  };
  return cached;
}

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
      remoteFingerprints: [{ algorithm: 'sha-256', value: fingerprint(serverCertificate.der) }],
      ...client,
    }),
    server: new DtlsConnection({
      role: 'server',
      certificate: serverCertificate,
      remoteFingerprints: [{ algorithm: 'sha-256', value: fingerprint(clientCertificate.der) }],
      ...server,
    }),
    events: { client: [], server: [] },
    pump(now = 0, link: Link = (d) => [d]): number {
      let delivered = 0;
      for (let moved = true; moved; ) {
        moved = false;
        for (const [from, to, side] of [
          [pair.client, pair.server, 'client'],
          [pair.server, pair.client, 'server'],
        ] as const) {
          for (let d = from.pollTransmit(); d; d = from.pollTransmit()) {
            for (const out of link(d, side)) {
              to.handleDatagram(out, now);
              delivered++;
              moved = true;
            }
          }
        }
        for (let e = pair.client.pollEvent(); e; e = pair.client.pollEvent())
          pair.events.client.push(e);
        for (let e = pair.server.pollEvent(); e; e = pair.server.pollEvent())
          pair.events.server.push(e);
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

/** A link that keeps a copy of every datagram each side sends, then passes it on. */
export function capturing(next: Link = (d) => [d]): Link & Record<Side, Uint8Array[]> {
  const sent = { client: [] as Uint8Array[], server: [] as Uint8Array[] };
  const link = (datagram: Uint8Array, from: Side): Uint8Array[] => {
    sent[from].push(datagram.slice());
    return next(datagram, from);
  };
  return Object.assign(link, sent);
}

/** One record of a datagram: its header and its fragment (plaintext in epoch 0). */
export interface WireRecord extends RecordHeader {
  readonly fragment: Uint8Array;
}

export function readRecords(datagram: Uint8Array): WireRecord[] {
  const records: WireRecord[] = [];
  for (let offset = 0; offset < datagram.length; ) {
    const header: RecordHeader = {
      contentType: 0,
      version: 0,
      epoch: 0,
      sequenceNumber: 0,
      length: 0,
    };
    readRecordHeader(datagram, offset, header);
    const start = offset + RECORD_HEADER_LENGTH;
    offset = start + header.length;
    records.push({ ...header, fragment: datagram.slice(start, offset) });
  }
  return records;
}

/** The records back into one datagram, each length taken from its fragment. */
export function writeRecords(records: readonly WireRecord[]): Uint8Array {
  const size = records.reduce((sum, r) => sum + RECORD_HEADER_LENGTH + r.fragment.length, 0);
  const datagram = new Uint8Array(size);
  let offset = 0;
  for (const record of records) {
    offset = writeRecordHeader(datagram, offset, { ...record, length: record.fragment.length });
    datagram.set(record.fragment, offset);
    offset += record.fragment.length;
  }
  return datagram;
}

/** The handshake fragments of the plaintext (epoch 0) handshake records of `datagrams`. */
export function handshakeFragments(datagrams: readonly Uint8Array[]): HandshakeFragment[] {
  return datagrams
    .flatMap(readRecords)
    .filter((r) => r.epoch === 0 && r.contentType === ContentType.handshake)
    .flatMap((r) => readHandshakeFragments(r.fragment));
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
        const body = edit(f.body.slice());
        const [message] = fragmentMessage(msgType, f.messageSeq, body, 0xffff);
        return message as Uint8Array;
      });
      const fragment = concatBytes(...parts);
      return { ...record, fragment };
    });
    return [writeRecords(records)];
  };
}
