/**
 * Certificate fingerprints as SDP carries them in `a=fingerprint` (RFC 8122 §5): how a WebRTC
 * peer authenticates the self-signed certificate of the other side (RFC 8827 §6.5).
 */

import { createHash } from 'node:crypto';
import { constantTimeEqual, fromHex } from '@typertc/common';
import { DtlsError } from '../errors.js';

/** The hash functions we fingerprint with, named as in SDP (RFC 8122 §5, hash-func). */
export type FingerprintAlgorithm = 'sha-1' | 'sha-224' | 'sha-256' | 'sha-384' | 'sha-512';

/** A fingerprint as the W3C `RTCDtlsFingerprint` holds it; `algorithm` may be one we lack. */
export interface CertificateFingerprint {
  readonly algorithm: string;
  readonly value: string;
}

const NODE_HASH_NAMES: Readonly<Record<FingerprintAlgorithm, string>> = {
  'sha-1': 'sha1',
  'sha-224': 'sha224',
  'sha-256': 'sha256',
  'sha-384': 'sha384',
  'sha-512': 'sha512',
};

/** RFC 8122 §5: fingerprint = 2UHEX *(":" 2UHEX); lower case is accepted as browsers do. */
const FINGERPRINT_VALUE = /^[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2})*$/;

function nodeHashName(algorithm: string): string | undefined {
  const name = algorithm.toLowerCase();
  return Object.hasOwn(NODE_HASH_NAMES, name)
    ? NODE_HASH_NAMES[name as FingerprintAlgorithm]
    : undefined;
}

function digest(der: Uint8Array, hashName: string): Uint8Array {
  return new Uint8Array(createHash(hashName).update(der).digest());
}

/** The fingerprint of a DER certificate: upper-case hex pairs joined by colons (`AB:CD:...`). */
export function fingerprint(der: Uint8Array, algorithm: FingerprintAlgorithm = 'sha-256'): string {
  const hashName = nodeHashName(algorithm);
  if (hashName === undefined) {
    throw new DtlsError(`unsupported fingerprint algorithm ${algorithm}`, 'DTLS_FINGERPRINT');
  }
  const pairs: string[] = [];
  for (const byte of digest(der, hashName)) {
    pairs.push(byte.toString(16).padStart(2, '0').toUpperCase());
  }
  return pairs.join(':');
}

/**
 * Whether the certificate matches any of the `expected` fingerprints (those of the peer's SDP,
 * RFC 8122 §5: any one suffices). Algorithms we do not support and malformed values are skipped,
 * so an empty list, or one with nothing we can check, matches nothing.
 */
export function matchesFingerprint(
  der: Uint8Array,
  expected: readonly CertificateFingerprint[],
): boolean {
  for (const { algorithm, value } of expected) {
    const hashName = nodeHashName(algorithm);
    if (hashName === undefined || !FINGERPRINT_VALUE.test(value)) continue;
    if (constantTimeEqual(fromHex(value), digest(der, hashName))) return true;
  }
  return false;
}
