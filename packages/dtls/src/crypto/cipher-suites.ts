/**
 * The cipher suites this stack speaks, all ECDHE with an ECDSA or RSA certificate (RFC 8422
 * §6): AES-GCM (RFC 5289), ChaCha20-Poly1305 (RFC 7905) and, for older devices, AES-128-CBC
 * with HMAC-SHA1 (RFC 8422 §6 / RFC 4492). Each entry says how to cut the key block and which
 * record protection to build from it.
 */

import { CipherSuite } from '../handshake/ids.js';
import type { KeyBlockSizes, PrfHash } from './prf.js';

export type BulkCipher = 'AES_128_GCM' | 'AES_256_GCM' | 'CHACHA20_POLY1305' | 'AES_128_CBC_SHA';

export interface CipherSuiteInfo extends KeyBlockSizes {
  readonly id: number;
  readonly name: string;
  /** The certificate's key type the suite's ServerKeyExchange signature needs. */
  readonly authentication: 'ECDSA' | 'RSA';
  readonly bulkCipher: BulkCipher;
  readonly prfHash: PrfHash;
}

function suite(
  id: number,
  name: string,
  authentication: 'ECDSA' | 'RSA',
  bulkCipher: BulkCipher,
): CipherSuiteInfo {
  const sizes: Record<BulkCipher, KeyBlockSizes> = {
    // RFC 5288 §3: a 4-byte implicit salt; RFC 7905 §2: a 12-byte IV; RFC 5246 §6.3: CBC's IV
    // is explicit per record, so the key block holds MAC keys instead.
    AES_128_GCM: { macKeyLength: 0, keyLength: 16, fixedIvLength: 4 },
    AES_256_GCM: { macKeyLength: 0, keyLength: 32, fixedIvLength: 4 },
    CHACHA20_POLY1305: { macKeyLength: 0, keyLength: 32, fixedIvLength: 12 },
    AES_128_CBC_SHA: { macKeyLength: 20, keyLength: 16, fixedIvLength: 0 },
  };
  const prfHash = bulkCipher === 'AES_256_GCM' ? 'SHA-384' : 'SHA-256';
  return { id, name, authentication, bulkCipher, prfHash, ...sizes[bulkCipher] };
}

/** In our order of preference: AEADs first, ECDSA before RSA (WebRTC certificates are ECDSA). */
export const CIPHER_SUITES: readonly CipherSuiteInfo[] = [
  suite(
    CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
    'ECDSA',
    'AES_128_GCM',
  ),
  suite(
    CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
    'RSA',
    'AES_128_GCM',
  ),
  suite(
    CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
    'ECDSA',
    'AES_256_GCM',
  ),
  suite(
    CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
    'RSA',
    'AES_256_GCM',
  ),
  suite(
    CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
    'ECDSA',
    'CHACHA20_POLY1305',
  ),
  suite(
    CipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
    'RSA',
    'CHACHA20_POLY1305',
  ),
  suite(
    CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
    'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA',
    'ECDSA',
    'AES_128_CBC_SHA',
  ),
  suite(
    CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
    'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA',
    'RSA',
    'AES_128_CBC_SHA',
  ),
];

const BY_ID = new Map(CIPHER_SUITES.map((info) => [info.id, info]));
const BY_NAME = new Map(CIPHER_SUITES.map((info) => [info.name, info]));

export function cipherSuiteById(id: number): CipherSuiteInfo | undefined {
  return BY_ID.get(id);
}

export function cipherSuiteByName(name: string): CipherSuiteInfo | undefined {
  return BY_NAME.get(name);
}
