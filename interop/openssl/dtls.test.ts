/**
 * DTLS 1.2 against real OpenSSL (`openssl s_server` / `s_client -dtls1_2`) on loopback, both
 * roles: every suite of ours that OpenSSL offers, ECDSA and RSA certificates on each side,
 * use_srtp with each profile, fragmentation at a 500-byte MTU, application data both ways, and
 * the DTLS-SRTP keying material equal to what OpenSSL exports (RFC 5764 §4.2).
 */

import { type SocketAddress, UdpTransport } from '@typertc/common';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type DtlsCertificate,
  generateCertificate,
} from '../../packages/dtls/src/certificate/certificate.js';
import { fingerprint } from '../../packages/dtls/src/certificate/fingerprint.js';
import { DtlsTransport } from '../../packages/dtls/src/node/dtls-transport.js';
import { OPENSSL_SUITE_NAMES, OpensslProcess, opensslAvailable } from './openssl.js';

const LOOPBACK = '127.0.0.1';
const KEYING_LABEL = 'EXTRACTOR-dtls_srtp';
/** OpenSSL's names of the SRTP profiles (RFC 5764 §4.1.2, RFC 7714 §14.2), by our ids. */
const SRTP_PROFILES: readonly [number, string][] = [
  [0x0001, 'SRTP_AES128_CM_SHA1_80'],
  [0x0002, 'SRTP_AES128_CM_SHA1_32'],
  [0x0007, 'SRTP_AEAD_AES_128_GCM'],
  [0x0008, 'SRTP_AEAD_AES_256_GCM'],
];

const available = opensslAvailable();
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

let ecdsa: DtlsCertificate;
let rsa: DtlsCertificate;
let opensslEcdsa: DtlsCertificate;
let opensslRsa: DtlsCertificate;
beforeAll(async () => {
  [ecdsa, rsa, opensslEcdsa, opensslRsa] = await Promise.all([
    generateCertificate(),
    generateCertificate({ keyType: 'RSA-2048' }),
    generateCertificate(),
    generateCertificate({ keyType: 'RSA-2048' }),
  ]);
});

function fingerprintsOf(certificate: DtlsCertificate) {
  return [{ algorithm: 'sha-256', value: fingerprint(certificate.der) }];
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex').toUpperCase();
}

async function freePort(): Promise<number> {
  const probe = await UdpTransport.open({ address: LOOPBACK });
  const { port } = probe.localAddress;
  probe.close();
  return port;
}

function nextDatagram(transport: DtlsTransport): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no application data from OpenSSL')), 5000);
    const off = transport.on('datagram', (data) => {
      clearTimeout(timer);
      off();
      resolve(Buffer.from(data).toString('latin1'));
    });
  });
}

interface Case {
  readonly suite: string;
  readonly ours: () => DtlsCertificate;
  readonly theirs: () => DtlsCertificate;
  readonly srtp?: readonly [number, string];
  readonly mtu?: number;
}

/** Each suite with the certificate its authentication needs; the peer's of the other kind. */
function cases(): Case[] {
  const list: Case[] = Object.keys(OPENSSL_SUITE_NAMES).map((suite, i) => {
    const rsaSuite = suite.includes('_RSA_');
    return {
      suite,
      // The server's certificate must fit the suite; the client's may be either kind.
      ours: () => (rsaSuite ? rsa : ecdsa),
      theirs: () => (rsaSuite ? opensslRsa : opensslEcdsa),
      srtp: SRTP_PROFILES[i % SRTP_PROFILES.length],
    };
  });
  list.push({
    suite: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
    ours: () => ecdsa,
    theirs: () => opensslEcdsa,
    mtu: 500,
  });
  return list;
}

/** Records the size of every datagram `udp` sends, to check flights fit the MTU. */
function recordSizes(udp: UdpTransport): number[] {
  const sizes: number[] = [];
  const send = udp.send.bind(udp);
  udp.send = (data, to) => {
    sizes.push(data.length);
    send(data, to);
  };
  return sizes;
}

/** With an MTU set, every datagram we sent fits it, and the flights needed several. */
function expectWithinMtu(c: Case, sizes: readonly number[]): void {
  if (c.mtu === undefined) return;
  expect(Math.max(...sizes)).toBeLessThanOrEqual(c.mtu);
  expect(sizes.length).toBeGreaterThan(4);
}

/** The suite, the keying material export, use_srtp and the MTU, as s_server/s_client take them. */
function caseArguments(c: Case): string[] {
  return [
    '-cipher',
    OPENSSL_SUITE_NAMES[c.suite] as string,
    '-keymatexport',
    KEYING_LABEL,
    '-keymatexportlen',
    '60',
    ...(c.srtp === undefined ? [] : ['-use_srtp', c.srtp[1]]),
    ...(c.mtu === undefined ? [] : ['-mtu', String(c.mtu)]),
  ];
}

async function runOpensslServer(c: Case): Promise<void> {
  const port = await freePort();
  const srtp = c.srtp;
  const server = new OpensslProcess(
    ['s_server', '-dtls1_2', '-accept', `${LOOPBACK}:${port}`, '-verify', '1', ...caseArguments(c)],
    c.theirs(),
  );
  cleanups.push(() => server.kill());
  await server.waitFor(/ACCEPT/);
  const remote: SocketAddress = { address: LOOPBACK, port, family: 'IPv4' };
  const udp = await UdpTransport.open({ address: LOOPBACK, remote });
  cleanups.push(() => udp.close());
  const sizes = recordSizes(udp);
  const dtls = DtlsTransport.create({
    transport: udp,
    role: 'client',
    // The client certificate of the other kind than the server's, to cover both.
    certificate: c.ours() === rsa ? ecdsa : rsa,
    remoteFingerprints: fingerprintsOf(c.theirs()),
    cipherSuites: [c.suite],
    srtpProfiles: srtp === undefined ? [0x0001] : [srtp[0]],
    ...(c.mtu === undefined ? {} : { mtu: c.mtu }),
  });
  cleanups.push(() => dtls.close());
  await dtls.connected();
  expectWithinMtu(c, sizes);
  expect(dtls.connection.cipherSuite).toBe(c.suite);
  const material = await server.waitFor(/Keying material: ([0-9A-F]+)/);
  expect(hex(dtls.exportKeyingMaterial(KEYING_LABEL, 60))).toBe(material[1]);
  if (srtp !== undefined) expect(dtls.connection.srtpProfile).toBe(srtp[0]);

  dtls.send(new TextEncoder().encode('from typertc\n'));
  await server.waitFor(/from typertc/);
  const reply = nextDatagram(dtls);
  server.write('from openssl\n');
  expect(await reply).toBe('from openssl\n');
}

async function runOpensslClient(c: Case): Promise<void> {
  const udp = await UdpTransport.open({ address: LOOPBACK });
  cleanups.push(() => udp.close());
  const sizes = recordSizes(udp);
  const srtp = c.srtp;
  const dtls = DtlsTransport.create({
    transport: udp,
    role: 'server',
    certificate: c.ours(),
    remoteFingerprints: fingerprintsOf(c.ours() === rsa ? opensslEcdsa : opensslRsa),
    srtpProfiles: srtp === undefined ? [0x0001] : [srtp[0]],
    ...(c.mtu === undefined ? {} : { mtu: c.mtu }),
  });
  cleanups.push(() => dtls.close());
  const client = new OpensslProcess(
    [
      's_client',
      '-dtls1_2',
      '-connect',
      `${LOOPBACK}:${udp.localAddress.port}`,
      ...caseArguments(c),
    ],
    c.ours() === rsa ? opensslEcdsa : opensslRsa,
  );
  cleanups.push(() => client.kill());
  await dtls.connected();
  expectWithinMtu(c, sizes);
  expect(dtls.connection.cipherSuite).toBe(c.suite);
  const material = await client.waitFor(/Keying material: ([0-9A-F]+)/);
  expect(hex(dtls.exportKeyingMaterial(KEYING_LABEL, 60))).toBe(material[1]);
  if (srtp !== undefined) expect(dtls.connection.srtpProfile).toBe(srtp[0]);

  const fromClient = nextDatagram(dtls);
  client.write('from openssl\n');
  expect(await fromClient).toBe('from openssl\n');
  dtls.send(new TextEncoder().encode('from typertc\n'));
  await client.waitFor(/from typertc/);
}

describe.skipIf(!available)('DTLS 1.2 against OpenSSL', () => {
  for (const c of cases()) {
    const what = `${c.suite}${c.srtp ? ` + ${c.srtp[1]}` : ''}${c.mtu ? `, MTU ${c.mtu}` : ''}`;
    it(`our client, openssl s_server: ${what}`, () => runOpensslServer(c));
    it(`our server, openssl s_client: ${what}`, () => runOpensslClient(c));
  }
});
