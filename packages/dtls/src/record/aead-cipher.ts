/**
 * AEAD record protection (RFC 5246 §6.2.3.3): AES-GCM (RFC 5288 §3) and ChaCha20-Poly1305
 * (RFC 7905 §2), as DTLS 1.2 uses them. Both authenticate the 13-byte additional data
 * `epoch || sequence_number || type || version || length` (RFC 6347 §4.1.2.1) and append a
 * 16-byte tag; they differ in how the 12-byte nonce is made.
 *
 * AES-GCM runs on the crypto kernel of @typertc/common (`KernelAesGcm`: one backend AES-ECB
 * call per record, GHASH and the XOR in WebAssembly) where WebAssembly is available, since
 * node:crypto's AES-GCM creates a cipher object per record that costs more than the record's
 * cryptography; elsewhere on the backend's `aesGcm`. Both produce the same bytes.
 */

import {
  AEAD_NONCE_LENGTH,
  AEAD_TAG_LENGTH,
  type AeadCipher,
  AuthenticationError,
  CryptoParameterError,
  cryptoKernelAvailable,
  getCryptoBackend,
  KernelAesGcm,
} from '@typertc/common';
import {
  ADDITIONAL_DATA_LENGTH,
  badRecordMac,
  checkPlaintextLength,
  outputView,
  type RecordCipher,
  writeAdditionalData,
} from './record-cipher.js';

/** RFC 5288 §3: the implicit part of the GCM nonce, from the key block (fixed_iv_length 4). */
export const GCM_SALT_LENGTH = 4;
/** RFC 5288 §3: the explicit part, sent at the start of each fragment (record_iv_length 8). */
const GCM_EXPLICIT_NONCE_LENGTH = 8;
/** RFC 7905 §2: the IV from the key block is a whole 12-byte nonce mask (fixed_iv_length 12). */
export const CHACHA_IV_LENGTH = AEAD_NONCE_LENGTH;

/** Length of `epoch || sequence_number`, the first bytes of the additional data. */
const SEQUENCE_LENGTH = 8;

function checkLength(what: string, bytes: Uint8Array, expected: number): void {
  if (bytes.length !== expected) {
    throw new CryptoParameterError(`${what} must be ${expected} bytes, got ${bytes.length}`);
  }
}

/** The backend reports a bad tag as `AuthenticationError`; the record layer as bad_record_mac. */
function openOrReject(
  aead: AeadCipher,
  nonce: Uint8Array,
  sealed: Uint8Array,
  additionalData: Uint8Array,
  out: Uint8Array | undefined,
): Uint8Array {
  try {
    return aead.open(nonce, sealed, additionalData, out);
  } catch (error) {
    if (error instanceof AuthenticationError) throw badRecordMac();
    throw error;
  }
}

/**
 * AES-GCM records (RFC 5288 §3): nonce = salt(4) || explicit(8), fragment = explicit || ciphertext
 * || tag. The explicit part this side sends is the record's own 64-bit `epoch || sequence_number`:
 * unique per key as RFC 5288 §3 requires, and what OpenSSL, BoringSSL and Chromium send. The
 * receiver takes whatever explicit nonce the peer sent.
 */
class GcmRecordCipher implements RecordCipher {
  readonly maxOverhead = GCM_EXPLICIT_NONCE_LENGTH + AEAD_TAG_LENGTH;
  readonly recordIvLength = GCM_EXPLICIT_NONCE_LENGTH;
  readonly #aead: AeadCipher;
  readonly #nonce = new Uint8Array(AEAD_NONCE_LENGTH);
  readonly #additionalData = new Uint8Array(ADDITIONAL_DATA_LENGTH);

  constructor(key: Uint8Array, salt: Uint8Array) {
    checkLength('AES-GCM record salt', salt, GCM_SALT_LENGTH);
    const backend = getCryptoBackend();
    this.#aead = cryptoKernelAvailable() ? new KernelAesGcm(backend, key) : backend.aesGcm(key);
    this.#nonce.set(salt);
  }

  seal(
    contentType: number,
    version: number,
    epoch: number,
    sequenceNumber: number,
    plaintext: Uint8Array,
    out?: Uint8Array,
  ): Uint8Array {
    checkPlaintextLength(plaintext);
    const additionalData = this.#additionalData;
    writeAdditionalData(
      additionalData,
      contentType,
      version,
      epoch,
      sequenceNumber,
      plaintext.length,
    );
    const fragment = outputView(out, this.maxOverhead + plaintext.length);
    // The explicit nonce is the additional data's `epoch || sequence_number`.
    for (let i = 0; i < SEQUENCE_LENGTH; i++) {
      const byte = additionalData[i] as number;
      this.#nonce[GCM_SALT_LENGTH + i] = byte;
      fragment[i] = byte;
    }
    this.#aead.seal(
      this.#nonce,
      plaintext,
      additionalData,
      fragment.subarray(GCM_EXPLICIT_NONCE_LENGTH),
    );
    return fragment;
  }

  open(
    contentType: number,
    version: number,
    epoch: number,
    sequenceNumber: number,
    fragment: Uint8Array,
    out?: Uint8Array,
  ): Uint8Array {
    if (fragment.length < this.maxOverhead) throw badRecordMac();
    writeAdditionalData(
      this.#additionalData,
      contentType,
      version,
      epoch,
      sequenceNumber,
      fragment.length - this.maxOverhead,
    );
    for (let i = 0; i < GCM_EXPLICIT_NONCE_LENGTH; i++) {
      this.#nonce[GCM_SALT_LENGTH + i] = fragment[i] as number;
    }
    return openOrReject(
      this.#aead,
      this.#nonce,
      fragment.subarray(GCM_EXPLICIT_NONCE_LENGTH),
      this.#additionalData,
      out,
    );
  }
}

/**
 * ChaCha20-Poly1305 records (RFC 7905 §2): no explicit nonce; the nonce is the 12-byte IV XORed
 * with the 64-bit `epoch || sequence_number` padded on the left with four zero bytes. Fragment =
 * ciphertext || tag.
 */
class ChaChaRecordCipher implements RecordCipher {
  readonly maxOverhead = AEAD_TAG_LENGTH;
  readonly recordIvLength = 0;
  readonly #aead: AeadCipher;
  readonly #iv = new Uint8Array(CHACHA_IV_LENGTH);
  readonly #nonce = new Uint8Array(AEAD_NONCE_LENGTH);
  readonly #additionalData = new Uint8Array(ADDITIONAL_DATA_LENGTH);

  constructor(key: Uint8Array, iv: Uint8Array) {
    checkLength('ChaCha20-Poly1305 record IV', iv, CHACHA_IV_LENGTH);
    this.#aead = getCryptoBackend().chacha20Poly1305(key);
    this.#iv.set(iv);
  }

  seal(
    contentType: number,
    version: number,
    epoch: number,
    sequenceNumber: number,
    plaintext: Uint8Array,
    out?: Uint8Array,
  ): Uint8Array {
    checkPlaintextLength(plaintext);
    this.#prepare(contentType, version, epoch, sequenceNumber, plaintext.length);
    return this.#aead.seal(this.#nonce, plaintext, this.#additionalData, out);
  }

  open(
    contentType: number,
    version: number,
    epoch: number,
    sequenceNumber: number,
    fragment: Uint8Array,
    out?: Uint8Array,
  ): Uint8Array {
    if (fragment.length < this.maxOverhead) throw badRecordMac();
    this.#prepare(contentType, version, epoch, sequenceNumber, fragment.length - this.maxOverhead);
    return openOrReject(this.#aead, this.#nonce, fragment, this.#additionalData, out);
  }

  /** Writes the additional data, then derives the nonce from its `epoch || sequence_number`. */
  #prepare(
    contentType: number,
    version: number,
    epoch: number,
    sequenceNumber: number,
    length: number,
  ): void {
    const additionalData = this.#additionalData;
    writeAdditionalData(additionalData, contentType, version, epoch, sequenceNumber, length);
    const padding = AEAD_NONCE_LENGTH - SEQUENCE_LENGTH;
    for (let i = 0; i < padding; i++) this.#nonce[i] = this.#iv[i] as number;
    for (let i = 0; i < SEQUENCE_LENGTH; i++) {
      this.#nonce[padding + i] = (this.#iv[padding + i] as number) ^ (additionalData[i] as number);
    }
  }
}

/**
 * Record protection with AES-GCM (TLS_ECDHE_*_WITH_AES_{128,256}_GCM_*, RFC 5289): `key` is the
 * write key (16 or 32 bytes) and `salt` the 4-byte write IV from the key block (RFC 5288 §3).
 * Throws `CryptoParameterError` for other lengths.
 */
export function createGcmCipher(key: Uint8Array, salt: Uint8Array): RecordCipher {
  return new GcmRecordCipher(key, salt);
}

/**
 * Record protection with ChaCha20-Poly1305 (TLS_ECDHE_*_WITH_CHACHA20_POLY1305_SHA256, RFC
 * 7905): `key` is the 32-byte write key and `iv` the 12-byte write IV from the key block.
 * Throws `CryptoParameterError` for other lengths.
 */
export function createChaChaCipher(key: Uint8Array, iv: Uint8Array): RecordCipher {
  return new ChaChaRecordCipher(key, iv);
}
