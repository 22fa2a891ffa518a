/**
 * Argument checks and output-buffer handling shared by both backends, so that `node` and `noble`
 * reject the same inputs with the same typed errors instead of each library's own messages.
 * Internal: not re-exported from the package.
 */

import { BufferOverflowError } from '../errors.js';
import {
  AEAD_NONCE_LENGTH,
  AES_BLOCK_LENGTH,
  CryptoParameterError,
  HASH_OUTPUT_LENGTH,
  type HashAlgorithm,
} from './backend.js';

/** AES-128/192/256 (FIPS 197 §5). */
export const AES_KEY_LENGTHS: readonly number[] = [16, 24, 32];
/** AES-GCM as WebRTC uses it: AEAD_AES_128_GCM and AEAD_AES_256_GCM (RFC 5116 §5.1-5.2, RFC 7714). */
export const AES_GCM_KEY_LENGTHS: readonly number[] = [16, 32];
/** AEAD_CHACHA20_POLY1305 (RFC 8439 §2.8: K_LEN is 32 octets). */
export const CHACHA20_POLY1305_KEY_LENGTHS: readonly number[] = [32];
/** AES-CBC as TLS 1.2 uses it: AES_128_CBC and AES_256_CBC (RFC 5246 Appendix C). */
export const AES_CBC_KEY_LENGTHS: readonly number[] = [16, 32];

export function checkKey(primitive: string, key: Uint8Array, allowed: readonly number[]): void {
  if (!allowed.includes(key.length)) {
    throw new CryptoParameterError(
      `${primitive} key must be ${allowed.join(', ')} bytes, got ${key.length}`,
    );
  }
}

export function checkNonce(nonce: Uint8Array): void {
  if (nonce.length !== AEAD_NONCE_LENGTH) {
    throw new CryptoParameterError(
      `AEAD nonce must be ${AEAD_NONCE_LENGTH} bytes, got ${nonce.length}`,
    );
  }
}

export function checkCounterBlock(iv: Uint8Array): void {
  if (iv.length !== AES_BLOCK_LENGTH) {
    throw new CryptoParameterError(
      `AES-CTR initial counter block must be ${AES_BLOCK_LENGTH} bytes, got ${iv.length}`,
    );
  }
}

/** CBC's IV is one whole block (NIST SP 800-38A §6.2). */
export function checkCbcIv(iv: Uint8Array): void {
  if (iv.length !== AES_BLOCK_LENGTH) {
    throw new CryptoParameterError(
      `AES-CBC IV must be ${AES_BLOCK_LENGTH} bytes, got ${iv.length}`,
    );
  }
}

/** ECB and unpadded CBC work on whole blocks only; padding is the caller's (e.g. TLS's). */
export function checkWholeBlocks(primitive: string, input: Uint8Array): void {
  if (input.length % AES_BLOCK_LENGTH !== 0) {
    throw new CryptoParameterError(
      `${primitive} input must be a multiple of ${AES_BLOCK_LENGTH} bytes, got ${input.length}`,
    );
  }
}

/** Guards JavaScript callers and configuration strings that bypass the `HashAlgorithm` type. */
export function checkHashAlgorithm(algorithm: string): asserts algorithm is HashAlgorithm {
  if (!Object.hasOwn(HASH_OUTPUT_LENGTH, algorithm)) {
    throw new CryptoParameterError(
      `unsupported hash ${JSON.stringify(algorithm)}; expected one of ${Object.keys(HASH_OUTPUT_LENGTH).join(', ')}`,
    );
  }
}

export function checkByteCount(length: number): void {
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new CryptoParameterError(`byte count must be a non-negative integer, got ${length}`);
  }
}

/**
 * Where a result of `length` bytes goes: a fresh array, or the first `length` bytes of the
 * caller's `out` (which must be long enough). Checked before any work, so a too-small buffer
 * fails the same way on both backends and never receives partial output.
 */
export function outputView(out: Uint8Array | undefined, length: number): Uint8Array {
  if (out === undefined) return new Uint8Array(length);
  if (out.length < length) throw new BufferOverflowError(length, out.length);
  return out.length === length ? out : out.subarray(0, length);
}

/**
 * True when `a` and `b` share memory but start at different offsets: the one layout in which
 * writing the output block by block would overwrite input not yet read. (Same-offset in-place
 * operation is fine for every primitive here.)
 */
export function overlapsShifted(a: Uint8Array, b: Uint8Array): boolean {
  return (
    a.buffer === b.buffer &&
    a.byteOffset !== b.byteOffset &&
    a.byteOffset < b.byteOffset + b.length &&
    b.byteOffset < a.byteOffset + a.length
  );
}
