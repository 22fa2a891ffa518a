/**
 * Real OpenSSL as the DTLS peer: `openssl s_server -dtls1_2` / `s_client -dtls1_2` on loopback,
 * started by the tests themselves. Output is collected so a test can wait for a line (the
 * handshake summary, the exported keying material, application data).
 */

import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  certificateToPem,
  type DtlsCertificate,
  privateKeyToPem,
} from '../../packages/dtls/src/certificate/certificate.js';

export function opensslAvailable(): boolean {
  return spawnSync('openssl', ['version']).status === 0;
}

/** The suites OpenSSL names as ours do. */
export const OPENSSL_SUITE_NAMES: Readonly<Record<string, string>> = {
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
};

export class OpensslProcess {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #directory: string;
  #output = '';
  #waiters: { pattern: RegExp; resolve: (match: RegExpMatchArray) => void }[] = [];
  #exited = false;

  constructor(args: readonly string[], certificate: DtlsCertificate) {
    this.#directory = mkdtempSync(join(tmpdir(), 'typertc-openssl-'));
    const cert = join(this.#directory, 'cert.pem');
    const key = join(this.#directory, 'key.pem');
    writeFileSync(cert, certificateToPem(certificate));
    writeFileSync(key, privateKeyToPem(certificate));
    this.#child = spawn('openssl', [...args, '-cert', cert, '-key', key], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const collect = (chunk: Buffer): void => {
      this.#output += chunk.toString('latin1');
      this.#check();
    };
    this.#child.stdout.on('data', collect);
    this.#child.stderr.on('data', collect);
    this.#child.on('exit', () => {
      this.#exited = true;
    });
  }

  get output(): string {
    return this.#output;
  }

  get exited(): boolean {
    return this.#exited;
  }

  /** Resolves with the first match of `pattern` in the output so far or to come. */
  waitFor(pattern: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`openssl never printed ${pattern}; output:\n${this.#output}`));
      }, timeoutMs);
      this.#waiters.push({
        pattern,
        resolve: (match) => {
          clearTimeout(timer);
          resolve(match);
        },
      });
      this.#check();
    });
  }

  /** Types a line into s_server/s_client: it goes to the peer as application data. */
  write(text: string): void {
    this.#child.stdin.write(text);
  }

  kill(): void {
    if (!this.#exited) this.#child.kill('SIGKILL');
    rmSync(this.#directory, { recursive: true, force: true });
  }

  #check(): void {
    this.#waiters = this.#waiters.filter(({ pattern, resolve }) => {
      const match = this.#output.match(pattern);
      if (match === null) return true;
      resolve(match);
      return false;
    });
  }
}
