/**
 * STUN credentials (RFC 8489 §9): the keys MESSAGE-INTEGRITY is computed with.
 *
 * - Short-term (§9.1, what ICE uses): the key is the password.
 * - Long-term (§9.2.2): MD5 or SHA-256 of `username ":" realm ":" password`; with USERHASH
 *   (§14.4) the username travels as SHA-256 of `username ":" realm`.
 *
 * Strings are prepared before hashing. RFC 8489 names the OpaqueString profile (RFC 8265);
 * RFC 5389, and RFC 5769's long-term vector, used SASLprep (RFC 4013). The two agree on ASCII,
 * which is all real deployments use; `prepareCredential` implements SASLprep's mapping,
 * normalization and prohibited output (which also yields RFC 5769's key). It does not apply
 * RFC 3454 §6's bidirectional-text rule, which needs Unicode's Bidi_Class tables.
 */

import { getCryptoBackend } from '@typertc/common';
import { PasswordAlgorithm } from './constants.js';
import { StunError } from './errors.js';

/** RFC 3454 B.1, "commonly mapped to nothing": SASLprep removes them (RFC 4013 §2.1). */
const MAPPED_TO_NOTHING: ReadonlySet<number> = new Set([
  0x00ad,
  0x034f,
  0x1806,
  0x180b,
  0x180c,
  0x180d,
  0x200b,
  0x200c,
  0x200d,
  0x2060,
  0xfeff,
  ...Array.from({ length: 16 }, (_, i) => 0xfe00 + i),
]);

/** RFC 3454 C.1.2, non-ASCII spaces: SASLprep maps them to SPACE (RFC 4013 §2.1). */
function isNonAsciiSpace(codePoint: number): boolean {
  return (
    codePoint === 0x00a0 ||
    codePoint === 0x1680 ||
    (codePoint >= 0x2000 && codePoint <= 0x200b) ||
    codePoint === 0x202f ||
    codePoint === 0x205f ||
    codePoint === 0x3000
  );
}

/**
 * RFC 4013 §2.3 prohibited output: control characters (RFC 3454 C.2.1, C.2.2), private use
 * (C.3), non-characters (C.4), surrogates (C.5), and C.6-C.9 (inappropriate for plain text or
 * canonical representation, change display properties, tagging).
 */
const PROHIBITED_RANGES: readonly (readonly [number, number])[] = [
  [0x0000, 0x001f],
  [0x007f, 0x009f],
  [0x0340, 0x0341],
  [0x06dd, 0x06dd],
  [0x070f, 0x070f],
  [0x180e, 0x180e],
  [0x200e, 0x200f],
  [0x2028, 0x202e],
  [0x2061, 0x2063],
  [0x206a, 0x206f],
  [0x2ff0, 0x2ffb],
  [0xd800, 0xdfff],
  [0xe000, 0xf8ff],
  [0xfdd0, 0xfdef],
  [0xfff9, 0xfffd],
  [0x1d173, 0x1d17a],
  [0xe0001, 0xe0001],
  [0xe0020, 0xe007f],
  [0xf0000, 0x10ffff],
];

function isProhibited(codePoint: number): boolean {
  // C.4 also names the last two code points of every plane (U+xFFFE, U+xFFFF).
  if ((codePoint & 0xfffe) === 0xfffe) return true;
  return PROHIBITED_RANGES.some(([from, to]) => codePoint >= from && codePoint <= to);
}

/**
 * A username, realm or password as SASLprep (RFC 4013) prepares it: B.1 characters removed,
 * non-ASCII spaces mapped to SPACE, NFKC normalization, prohibited characters rejected with a
 * `StunError`. Printable ASCII passes through unchanged.
 */
export function prepareCredential(value: string): string {
  let mapped = '';
  let ascii = true;
  for (const char of value) {
    const codePoint = char.codePointAt(0) as number;
    if (codePoint < 0x20 || codePoint > 0x7e) ascii = false;
    if (MAPPED_TO_NOTHING.has(codePoint)) continue;
    mapped += isNonAsciiSpace(codePoint) ? ' ' : char;
  }
  if (ascii) return value;
  const prepared = mapped.normalize('NFKC');
  for (const char of prepared) {
    if (isProhibited(char.codePointAt(0) as number)) {
      throw new StunError('credential contains a prohibited character (RFC 4013 §2.3)');
    }
  }
  return prepared;
}

const encoder = new TextEncoder();

/** Short-term credential key (RFC 8489 §9.1.1): the prepared password's UTF-8 bytes. */
export function shortTermKey(password: string): Uint8Array {
  return encoder.encode(prepareCredential(password));
}

/**
 * Long-term credential key (RFC 8489 §9.2.2): MD5 (algorithm 0x0001, the default) or SHA-256
 * (0x0002) of `username ":" realm ":" password`, each prepared.
 */
export function longTermKey(
  username: string,
  realm: string,
  password: string,
  algorithm: number = PasswordAlgorithm.Md5,
): Uint8Array {
  const input = encoder.encode(
    `${prepareCredential(username)}:${prepareCredential(realm)}:${prepareCredential(password)}`,
  );
  if (algorithm === PasswordAlgorithm.Md5) return getCryptoBackend().hash('MD5', input);
  if (algorithm === PasswordAlgorithm.Sha256) return getCryptoBackend().hash('SHA-256', input);
  throw new StunError(`unknown password algorithm 0x${algorithm.toString(16)}`);
}

/** USERHASH (RFC 8489 §14.4): SHA-256 of `username ":" realm`, each prepared. */
export function userHash(username: string, realm: string): Uint8Array {
  const input = encoder.encode(`${prepareCredential(username)}:${prepareCredential(realm)}`);
  return getCryptoBackend().hash('SHA-256', input);
}
