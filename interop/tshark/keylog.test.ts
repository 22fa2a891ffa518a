/**
 * The NSS key log makes a session decryptable: a handshake and application data run in memory,
 * the datagrams are written to a pcap file and the key log lines (`keyLog` option, SSLKEYLOGFILE
 * format) to a file, and tshark, given both, shows the application data in the clear.
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateCertificate } from '../../packages/dtls/src/certificate/certificate.js';
import { fingerprint } from '../../packages/dtls/src/certificate/fingerprint.js';
import { DtlsConnection } from '../../packages/dtls/src/connection/dtls-connection.js';
import { type CapturedDatagram, writePcap } from './pcap.js';

const tsharkAvailable = spawnSync('tshark', ['--version']).status === 0;
const directory = mkdtempSync(join(tmpdir(), 'typertc-keylog-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const CLIENT = { address: '10.0.0.1', port: 40000 };
const SERVER = { address: '10.0.0.2', port: 50000 };

describe.skipIf(!tsharkAvailable)('NSS key log with tshark', () => {
  // Not ChaCha20-Poly1305: Debian's tshark 4.0 does not decrypt it in DTLS (the OpenSSL interop
  // tests prove our records of that suite).
  for (const suite of [
    'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
    'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
    'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA',
  ]) {
    it(`tshark decrypts a ${suite} session with the key log`, async () => {
      const [clientCertificate, serverCertificate] = await Promise.all([
        generateCertificate(),
        generateCertificate(),
      ]);
      const keyLog: string[] = [];
      const client = new DtlsConnection({
        role: 'client',
        certificate: clientCertificate,
        remoteFingerprints: [{ algorithm: 'sha-256', value: fingerprint(serverCertificate.der) }],
        cipherSuites: [suite],
        keyLog: (line) => keyLog.push(line),
      });
      const server = new DtlsConnection({
        role: 'server',
        certificate: serverCertificate,
        remoteFingerprints: [{ algorithm: 'sha-256', value: fingerprint(clientCertificate.der) }],
      });
      const captured: CapturedDatagram[] = [];
      let timeUs = 1_000_000;
      const pump = (): void => {
        for (let moved = true; moved; ) {
          moved = false;
          for (const [from, to, fromAddress, toAddress] of [
            [client, server, CLIENT, SERVER],
            [server, client, SERVER, CLIENT],
          ] as const) {
            for (let data = from.pollTransmit(); data; data = from.pollTransmit()) {
              timeUs += 1000;
              captured.push({ from: fromAddress, to: toAddress, data, timeUs });
              to.handleDatagram(data, 0);
              moved = true;
            }
          }
        }
      };
      client.start(0);
      pump();
      expect(client.state).toBe('connected');
      client.send(new TextEncoder().encode('secret from the client'));
      server.send(new TextEncoder().encode('secret from the server'));
      pump();
      expect(keyLog).toHaveLength(1);
      expect(keyLog[0]).toMatch(/^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}$/);

      const capture = join(directory, `${suite}.pcap`);
      const keys = join(directory, `${suite}.keys`);
      writeFileSync(capture, writePcap(captured));
      writeFileSync(keys, `${keyLog.join('\n')}\n`);
      const tshark = spawnSync(
        'tshark',
        [
          '-r',
          capture,
          '-o',
          `tls.keylog_file:${keys}`,
          '-d',
          `udp.port==${SERVER.port},dtls`,
          '-x',
        ],
        { encoding: 'latin1' },
      );
      expect(tshark.status, tshark.stderr).toBe(0);
      // `-x` prints each frame's decrypted DTLS payload as its own hex/ASCII block.
      const text = tshark.stdout.replace(/\s+/g, ' ');
      expect(text).toContain('Decrypted DTLS');
      const decrypted = tshark.stdout
        .split('\n')
        .map((line) => line.slice(56))
        .join('');
      expect(decrypted).toContain('secret from the cl');
      expect(decrypted).toContain('secret from the se');
    });
  }
});
