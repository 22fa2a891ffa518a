/** The self-signed certificate coturn's TLS listener presents, made with the openssl CLI. */

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { CoturnHarnessError } from './errors.js';

export interface CertificateFiles {
  readonly certificatePath: string;
  readonly keyPath: string;
}

/**
 * Writes a P-256 key and a one-day self-signed certificate for `hostName` and `ipAddress` (both
 * as subjectAltName, so a client may verify either) into `directory`.
 */
export function makeCertificate(
  openssl: string,
  directory: string,
  hostName: string,
  ipAddress: string,
): CertificateFiles {
  const certificatePath = join(directory, 'cert.pem');
  const keyPath = join(directory, 'key.pem');
  const result = spawnSync(
    openssl,
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-subj',
      `/CN=${hostName}`,
      '-addext',
      `subjectAltName=DNS:${hostName},IP:${ipAddress}`,
      '-days',
      '1',
      '-keyout',
      keyPath,
      '-out',
      certificatePath,
    ],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) {
    throw new CoturnHarnessError(
      `openssl could not make the test certificate: ${result.error?.message ?? result.stderr}`,
      'COTURN_START_FAILED',
    );
  }
  return { certificatePath, keyPath };
}
