import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UdpTransport } from '@typertc/common';
import { afterEach, describe, expect, it } from 'vitest';
import { DtlsError } from '../src/errors.js';
import { DtlsTransport } from '../src/node/dtls-transport.js';
import { certificates, fingerprintsOf } from './certificate-fixtures.js';

const { ecdsa, rsa } = await certificates();

const LOOPBACK = '127.0.0.1';
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

async function socket(remote?: UdpTransport): Promise<UdpTransport> {
  const udp = await UdpTransport.open({
    address: LOOPBACK,
    ...(remote === undefined ? {} : { remote: remote.localAddress }),
  });
  cleanups.push(() => udp.close());
  return udp;
}

/** A server DtlsTransport on one socket and a client on another, connected over loopback. */
async function loopbackPair() {
  const serverSocket = await socket();
  const clientSocket = await socket(serverSocket);
  const server = DtlsTransport.create({
    transport: serverSocket,
    role: 'server',
    certificate: rsa,
    remoteFingerprints: fingerprintsOf(ecdsa),
  });
  const client = DtlsTransport.create({
    transport: clientSocket,
    role: 'client',
    certificate: ecdsa,
    remoteFingerprints: fingerprintsOf(rsa),
  });
  cleanups.push(
    () => client.close(),
    () => server.close(),
  );
  await Promise.all([client.connected(), server.connected()]);
  return { client, server, clientSocket };
}

function next(transport: DtlsTransport): Promise<string> {
  return new Promise((resolve) => {
    const off = transport.on('datagram', (data) => {
      off();
      resolve(new TextDecoder().decode(data));
    });
  });
}

describe('DtlsTransport on loopback UDP', () => {
  it('connects, learns the client address on the server, and carries records both ways', async () => {
    const { client, server, clientSocket } = await loopbackPair();
    expect(server.remoteAddress).toEqual(clientSocket.localAddress);
    const states: string[] = [];
    server.on('state', (state) => states.push(state));
    const atServer = next(server);
    client.send(new TextEncoder().encode('ping'));
    expect(await atServer).toBe('ping');
    const atClient = next(client);
    server.send(new TextEncoder().encode('pong'));
    expect(await atClient).toBe('pong');
    expect(client.exportKeyingMaterial('EXTRACTOR-dtls_srtp', 60)).toEqual(
      server.exportKeyingMaterial('EXTRACTOR-dtls_srtp', 60),
    );
    // close_notify reaches the server, which closes too.
    const closed = new Promise<void>((resolve) => server.on('close', () => resolve()));
    client.close();
    await closed;
    expect(server.state).toBe('closed');
    expect(states).toEqual(['closed']);
  });

  it('appends NSS key log lines to SSLKEYLOGFILE', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'typertc-sslkeylog-'));
    const file = join(directory, 'keys.log');
    const previous = process.env.SSLKEYLOGFILE;
    process.env.SSLKEYLOGFILE = file;
    cleanups.push(() => {
      if (previous === undefined) delete process.env.SSLKEYLOGFILE;
      else process.env.SSLKEYLOGFILE = previous;
      rmSync(directory, { recursive: true, force: true });
    });
    await loopbackPair();
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    // Both ends log the session's one master secret.
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}$/);
    expect(lines[1]).toBe(lines[0]);
  });

  it('refuses a client that has nowhere to send', async () => {
    const udp = await socket();
    expect(() =>
      DtlsTransport.create({ transport: udp, role: 'client', certificate: ecdsa }),
    ).toThrow(DtlsError);
  });
});
