/** Certificates `generateCertificate` does not make, and the `openssl` CLI, for the DTLS tests. */

import { spawnSync } from 'node:child_process';
import { createPrivateKey, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

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
