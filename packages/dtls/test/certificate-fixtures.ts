/**
 * The certificates of the DTLS tests: an ECDSA and an RSA one from `generateCertificate` (made
 * once per test file), the fingerprints that pin one, self-signed ones `generateCertificate` does
 * not make, and the `openssl` CLI.
 */

import { spawnSync } from 'node:child_process';
import { createPrivateKey, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { type DtlsCertificate, generateCertificate } from '../src/certificate/certificate.js';
import { type CertificateFingerprint, fingerprint } from '../src/certificate/fingerprint.js';

export interface TestCertificates {
  /** `generateCertificate()`: ECDSA P-256. */
  readonly ecdsa: DtlsCertificate;
  /** `generateCertificate({ keyType: 'RSA-2048' })`. */
  readonly rsa: DtlsCertificate;
}

let generated: Promise<TestCertificates> | undefined;

/** One ECDSA and one RSA certificate, generated on the first call (RSA keys are slow to make). */
export function certificates(): Promise<TestCertificates> {
  generated ??= Promise.all([
    generateCertificate(),
    generateCertificate({ keyType: 'RSA-2048' }),
  ]).then(([ecdsa, rsa]) => ({ ecdsa, rsa }));
  return generated;
}

/** What `remoteFingerprints` takes to accept `certificate` and no other (RFC 8122 §5). */
export function fingerprintsOf(certificate: DtlsCertificate): CertificateFingerprint[] {
  return [{ algorithm: 'sha-256', value: fingerprint(certificate.der) }];
}

/** A self-signed certificate (PEM) and its PKCS#8 key (PEM), made with @peculiar/x509. */
export interface PemPair {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

const KEY_ALGORITHMS = {
  'ECDSA-P384': {
    generate: { name: 'ECDSA', namedCurve: 'P-384' },
    sign: { name: 'ECDSA', hash: 'SHA-384' },
  },
  'RSA-3072': {
    generate: {
      name: 'RSASSA-PKCS1-v1_5',
      modulusLength: 3072,
      publicExponent: Uint8Array.of(1, 0, 1),
      hash: 'SHA-256',
    },
    sign: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
  },
  Ed25519: { generate: { name: 'Ed25519' }, sign: { name: 'Ed25519' } },
} as const;

export async function selfSigned(keyType: keyof typeof KEY_ALGORITHMS): Promise<PemPair> {
  const algorithm = KEY_ALGORITHMS[keyType];
  const keys = (await webcrypto.subtle.generateKey(algorithm.generate, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    { name: 'CN=fixture', signingAlgorithm: algorithm.sign, keys },
    webcrypto,
  );
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  const privateKey = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
  return {
    certificatePem: certificate.toString('pem'),
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  };
}

/** Whether the `openssl` CLI can be run; the cross-checks that need it skip, saying so, if not. */
export const HAS_OPENSSL = spawnSync('openssl', ['version']).error === undefined;

/** The test-name suffix that tells a reader why an openssl cross-check was skipped. */
export const OPENSSL_SKIP_NOTE = HAS_OPENSSL ? '' : ' (skipped: the openssl CLI is not installed)';

/** Runs `openssl` with `input` on stdin; throws with its stderr on a nonzero exit. */
export function openssl(args: readonly string[], input = ''): string {
  const result = spawnSync('openssl', args, { input, encoding: 'utf8' });
  if (result.error !== undefined) throw result.error;
  if (result.status !== 0) {
    throw new Error(`openssl ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  }
  return result.stdout;
}
