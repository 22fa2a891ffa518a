/**
 * The crypto backend interface (DESIGN.md principle 6): the symmetric primitives SRTP, DTLS and
 * STUN need, behind one interface with two implementations — `node` (OpenSSL via node:crypto,
 * the default) and `noble` (pure JS, for hosts without node:crypto). Both pass the same vectors
 * in test-vectors/ and behave identically, errors included.
 *
 * The consumers are hot paths (SRTP protect/unprotect per packet, DTLS per record), so every
 * keyed primitive is an object built once per key — key schedule, HMAC pads and cipher handles
 * are set up there — and then used synchronously per message.
 *
 * Output buffers: every method that produces bytes takes an optional `out`. Without it the
 * result is a fresh `Uint8Array`. With it, `out` must be at least as long as the result (else
 * `BufferOverflowError`); the result is written to its start and the method returns the view
 * `out.subarray(0, resultLength)`, so a caller can serialize straight into a packet buffer.
 * `out` may be the input itself (in-place operation, same offset) or a disjoint buffer; other
 * overlaps are not supported.
 */

import { TypeRtcError } from '../errors.js';

/**
 * The hash functions the stack uses: SHA-1 (SRTP, STUN), SHA-256/384 (DTLS PRF, fingerprints),
 * and MD5 only because STUN's long-term credential key is MD5 (RFC 8489 §9.2.2).
 */
export type HashAlgorithm = 'MD5' | 'SHA-1' | 'SHA-256' | 'SHA-384';

/** Digest length in bytes of each hash (RFC 1321 §3.5, FIPS 180-4 §1). */
export const HASH_OUTPUT_LENGTH: Readonly<Record<HashAlgorithm, number>> = {
  MD5: 16,
  'SHA-1': 20,
  'SHA-256': 32,
  'SHA-384': 48,
};

/** AES block length in bytes (FIPS 197 §3.1). */
export const AES_BLOCK_LENGTH = 16;
/** AEAD nonce length: 96 bits, the only length RFC 5116 §5.1, RFC 7714 and RFC 8439 use. */
export const AEAD_NONCE_LENGTH = 12;
/** AEAD tag length: the full 128 bits (RFC 5116 §5.1, RFC 8439 §2.8); no truncation. */
export const AEAD_TAG_LENGTH = 16;

/** A key, nonce, IV or input of the wrong length or shape for the primitive it was given to. */
export class CryptoParameterError extends TypeRtcError {
  constructor(message: string) {
    super(message, 'CRYPTO_PARAMETER');
  }
}

/** An AEAD (AES-GCM or ChaCha20-Poly1305) keyed once, used per message. */
export interface AeadCipher {
  /** Key length in bytes this object was created with. */
  readonly keyLength: number;
  /**
   * Encrypts and authenticates: returns `ciphertext || tag` (`plaintext.length + 16` bytes).
   * `nonce` must be 12 bytes and must never repeat under one key.
   */
  seal(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array, out?: Uint8Array): Uint8Array;
  /**
   * Verifies and decrypts `sealed` (`ciphertext || tag`): returns the plaintext
   * (`sealed.length - 16` bytes). Throws `AuthenticationError` when the tag does not verify —
   * including when `sealed` is shorter than a tag — and then writes nothing to `out`.
   */
  open(nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array, out?: Uint8Array): Uint8Array;
}

/**
 * AES in counter mode (NIST SP 800-38A §6.5): the keystream is AES of a 128-bit big-endian
 * counter block that starts at `iv` and is incremented modulo 2^128 per block (SP 800-38A
 * Appendix B.1) — the layout SRTP AES-CM (RFC 3711 §4.1.1) uses.
 */
export interface AesCtrCipher {
  readonly keyLength: number;
  /** XORs `input` with the keystream starting at the 16-byte counter block `iv`. Encrypts and decrypts. */
  xor(iv: Uint8Array, input: Uint8Array, out?: Uint8Array): Uint8Array;
}

/**
 * Raw AES block encryption (ECB, NIST SP 800-38A §6.1) of many blocks at once, for callers that
 * build their own modes: SRTP key derivation (RFC 3711 §4.3), keystream precomputation.
 */
export interface AesEcbCipher {
  readonly keyLength: number;
  /** Encrypts each 16-byte block of `input` (length a multiple of 16) independently. */
  encryptBlocks(input: Uint8Array, out?: Uint8Array): Uint8Array;
}

/**
 * AES in cipher block chaining mode (NIST SP 800-38A §6.2) without padding: inputs are whole
 * blocks, because the protocols that use CBC pad themselves — TLS's GenericBlockCipher (RFC 5246
 * §6.2.3.2) has a padding of its own that the receiver must check in constant time, which a
 * library's PKCS#7 unpadding would defeat. Unauthenticated: callers add a MAC.
 */
export interface AesCbcCipher {
  readonly keyLength: number;
  /** Encrypts `plaintext` (a multiple of 16 bytes) chained from the 16-byte `iv`. */
  encrypt(iv: Uint8Array, plaintext: Uint8Array, out?: Uint8Array): Uint8Array;
  /** Decrypts `ciphertext` (a multiple of 16 bytes) chained from the 16-byte `iv`. */
  decrypt(iv: Uint8Array, ciphertext: Uint8Array, out?: Uint8Array): Uint8Array;
}

/** HMAC (RFC 2104) with one key, used per message. */
export interface HmacKey {
  readonly algorithm: HashAlgorithm;
  /** MAC length in bytes: the hash's digest length; truncation is the caller's (RFC 2104 §5). */
  readonly outputLength: number;
  /** HMAC of `data`. */
  mac(data: Uint8Array, out?: Uint8Array): Uint8Array;
  /**
   * HMAC of the concatenation of `parts`, without concatenating them — e.g. SRTP's
   * `authenticated portion || ROC` (RFC 3711 §4.2). Keep the array to avoid one per call.
   */
  macParts(parts: readonly Uint8Array[], out?: Uint8Array): Uint8Array;
}

/** One implementation of every primitive. Obtain the active one with `getCryptoBackend()`. */
export interface CryptoBackend {
  /** `node` or `noble`; also the variant name in conformance reports. */
  readonly name: string;
  /** AES-GCM (NIST SP 800-38D) with a 16- or 32-byte key, 12-byte nonce, 16-byte tag. */
  aesGcm(key: Uint8Array): AeadCipher;
  /** AEAD_CHACHA20_POLY1305 (RFC 8439 §2.8) with a 32-byte key. */
  chacha20Poly1305(key: Uint8Array): AeadCipher;
  /** AES-CTR with a 16-, 24- or 32-byte key. */
  aesCtr(key: Uint8Array): AesCtrCipher;
  /** AES block encryption with a 16-, 24- or 32-byte key. */
  aesEcb(key: Uint8Array): AesEcbCipher;
  /** Unpadded AES-CBC with a 16- or 32-byte key (AES_128_CBC, AES_256_CBC of RFC 5246). */
  aesCbc(key: Uint8Array): AesCbcCipher;
  /** HMAC with a key of any length (RFC 2104 §3; keys longer than a block are hashed first). */
  hmac(algorithm: HashAlgorithm, key: Uint8Array): HmacKey;
  /**
   * One-shot digest (FIPS 180-4): a new array, or the first digest-length bytes of `out` (a
   * per-packet caller's reused buffer).
   */
  hash(algorithm: HashAlgorithm, data: Uint8Array, out?: Uint8Array): Uint8Array;
  /** `length` bytes from the platform's CSPRNG. */
  randomBytes(length: number): Uint8Array;
  /** Fills `buffer` from the platform's CSPRNG and returns it. */
  randomFill(buffer: Uint8Array): Uint8Array;
}
