/**
 * Two `DtlsConnection`s wired back to back in memory, driven by hand: `pump()` carries every
 * queued datagram across (through an optional `link` that may drop, reorder or alter them)
 * until neither side has anything to send.
 */

import { type DtlsCertificate, generateCertificate } from '../src/certificate/certificate.js';
import { fingerprint } from '../src/certificate/fingerprint.js';
import { DtlsConnection } from '../src/connection/dtls-connection.js';
import type { DtlsConnectionOptions, DtlsEvent } from '../src/connection/options.js';

export type Link = (datagram: Uint8Array, from: 'client' | 'server') => Uint8Array[];

export interface Pair {
  readonly client: DtlsConnection;
  readonly server: DtlsConnection;
  readonly events: { client: DtlsEvent[]; server: DtlsEvent[] };
  /** Moves datagrams both ways until quiet; returns how many were delivered. */
  pump(now?: number, link?: Link): number;
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
  const pair = {
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
    events: { client: [] as DtlsEvent[], server: [] as DtlsEvent[] },
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
  };
  return pair;
}
