/**
 * MESSAGE-INTEGRITY (HMAC-SHA1, RFC 8489 §14.5), MESSAGE-INTEGRITY-SHA256 (HMAC-SHA256, §14.6)
 * and FINGERPRINT (CRC-32 XOR 0x5354554e, §14.7). Each covers the message up to the attribute
 * itself, with the header's length field set as if the attribute were the last one (for the
 * MACs) — so a MAC computed before FINGERPRINT was appended still verifies after.
 */

import { crc32, getCryptoBackend, type HmacKey, readU32BE, writeU16BE } from '@typertc/common';
import { FINGERPRINT_XOR, HEADER_LENGTH } from './constants.js';

export type IntegrityAlgorithm = 'SHA-1' | 'SHA-256';

/**
 * HMAC keys prepared once per key array: an ICE agent or TURN client signs every message with
 * the same few keys, and preparing one costs more than a short MAC.
 */
const prepared: Record<IntegrityAlgorithm, WeakMap<Uint8Array, HmacKey>> = {
  'SHA-1': new WeakMap(),
  'SHA-256': new WeakMap(),
};

function hmacOf(algorithm: IntegrityAlgorithm, key: Uint8Array): HmacKey {
  let hmac = prepared[algorithm].get(key);
  if (hmac === undefined) {
    hmac = getCryptoBackend().hmac(algorithm, key);
    prepared[algorithm].set(key, hmac);
  }
  return hmac;
}

/**
 * The MAC of `message[0..at)` (at = where the integrity attribute starts) with the header's
 * length field counting up to the end of an attribute of `valueLength` bytes at `at`.
 */
export function computeIntegrity(
  algorithm: IntegrityAlgorithm,
  key: Uint8Array,
  message: Uint8Array,
  at: number,
  valueLength: number,
): Uint8Array {
  const header = message.slice(0, HEADER_LENGTH);
  writeU16BE(header, 2, at + 4 + valueLength - HEADER_LENGTH);
  return hmacOf(algorithm, key).macParts([header, message.subarray(HEADER_LENGTH, at)]);
}

/**
 * FINGERPRINT's value for a message whose FINGERPRINT attribute starts at `at` (the header's
 * length field must already count it).
 */
export function computeFingerprint(message: Uint8Array, at: number): number {
  return (crc32(message.subarray(0, at)) ^ FINGERPRINT_XOR) >>> 0;
}

export function fingerprintMatches(message: Uint8Array, at: number): boolean {
  return computeFingerprint(message, at) === readU32BE(message, at + 4);
}
