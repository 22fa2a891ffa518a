/**
 * SRTP master keys from DTLS-SRTP keying material (RFC 5764 §4.2): the exporter's output with
 * label "EXTRACTOR-dtls_srtp" is client_write_SRTP_master_key, server_write_SRTP_master_key,
 * client_write_SRTP_master_salt, server_write_SRTP_master_salt, in that order. Each side
 * protects with its own write key and unprotects with the peer's.
 */

import { SrtpConfigError } from './errors.js';
import { SRTP_PROFILES, type SrtpProfile } from './profiles.js';

/** The exporter label of RFC 5764 §4.2. */
export const DTLS_SRTP_EXPORTER_LABEL = 'EXTRACTOR-dtls_srtp';

export interface SrtpMasterKey {
  readonly masterKey: Uint8Array;
  readonly masterSalt: Uint8Array;
}

export interface DtlsSrtpKeys {
  /** For the context that protects what this side sends. */
  readonly local: SrtpMasterKey;
  /** For the context that unprotects what the peer sends. */
  readonly remote: SrtpMasterKey;
}

/** Bytes of keying material to export for `profile`: 2 × (key + salt). */
export function dtlsSrtpKeyingMaterialLength(profile: SrtpProfile): number {
  const { keyLength, saltLength } = SRTP_PROFILES[profile];
  return 2 * (keyLength + saltLength);
}

/** Splits exported keying material into this side's and the peer's master keys and salts. */
export function srtpKeysFromKeyingMaterial(
  profile: SrtpProfile,
  material: Uint8Array,
  role: 'client' | 'server',
): DtlsSrtpKeys {
  const { keyLength, saltLength } = SRTP_PROFILES[profile];
  const expected = dtlsSrtpKeyingMaterialLength(profile);
  if (material.length !== expected) {
    throw new SrtpConfigError(
      `${profile} needs ${expected} bytes of keying material, got ${material.length}`,
    );
  }
  // slice(), not subarray(): the keys outlive the exporter's buffer.
  const client = {
    masterKey: material.slice(0, keyLength),
    masterSalt: material.slice(2 * keyLength, 2 * keyLength + saltLength),
  };
  const server = {
    masterKey: material.slice(keyLength, 2 * keyLength),
    masterSalt: material.slice(2 * keyLength + saltLength, expected),
  };
  return role === 'client' ? { local: client, remote: server } : { local: server, remote: client };
}
