/** Byte-string comparison and concatenation. */

/**
 * Compares two byte strings in time that depends only on their lengths, never on where they
 * differ: for MACs, AEAD tags, STUN MESSAGE-INTEGRITY (RFC 8489 §14.5) and DTLS Finished
 * verify_data, where an early exit would let an attacker guess a tag byte by byte.
 * Strings of different lengths are unequal (lengths are public: they are on the wire).
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

/** Whether two byte strings are equal, stopping at the first difference. Not for secrets. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  if (a === b) return true;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return false;
  }
  return true;
}

/** One new array holding `parts` in order (always a copy, even of a single part). */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
