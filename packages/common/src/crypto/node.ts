/**
 * The `node` crypto backend: OpenSSL through node:crypto, the default on Node (AES-NI, and
 * several times faster than pure JS on every primitive here).
 *
 * node:crypto cannot re-key or re-IV a cipher object, so the per-message objects (Cipheriv,
 * Hmac) are created per call; what can be done once per key is: the key is wrapped in a
 * `KeyObject` (so OpenSSL does not re-import raw bytes each call), cipher names are resolved, and
 * the ECB cipher — stateless between blocks — is created once and fed with repeated `update()`s.
 *
 * Results come back from node:crypto as `Buffer`s; they are re-wrapped as plain `Uint8Array`
 * views (no copy) so that both backends return the same type — `Buffer#slice` aliases where
 * `Uint8Array#slice` copies, a difference callers should never have to know about.
 */

import {
  type CipherChaCha20Poly1305,
  type CipherChaCha20Poly1305Types,
  type CipherGCM,
  type CipherGCMTypes,
  createCipheriv,
  createDecipheriv,
  createHmac,
  createSecretKey,
  type DecipherChaCha20Poly1305,
  type DecipherGCM,
  hash as digest,
  type KeyObject,
  randomBytes as randomBytesNode,
  randomFillSync,
} from 'node:crypto';
import { AuthenticationError } from '../errors.js';
import {
  AEAD_TAG_LENGTH,
  type AeadCipher,
  type AesCtrCipher,
  type AesEcbCipher,
  type CryptoBackend,
  HASH_OUTPUT_LENGTH,
  type HashAlgorithm,
  type HmacKey,
} from './backend.js';
import {
  AES_GCM_KEY_LENGTHS,
  AES_KEY_LENGTHS,
  CHACHA20_POLY1305_KEY_LENGTHS,
  checkByteCount,
  checkCounterBlock,
  checkHashAlgorithm,
  checkKey,
  checkNonce,
  checkWholeBlocks,
  outputView,
} from './params.js';

/** OpenSSL digest names. */
const DIGEST_NAMES: Readonly<Record<HashAlgorithm, string>> = {
  MD5: 'md5',
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
};

/** A zero-copy plain `Uint8Array` over a node:crypto result. */
function plain(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** Returns `result` as is, or copied into the caller's already size-checked `target`. */
function deliver(result: Buffer, target: Uint8Array | undefined): Uint8Array {
  if (target === undefined) return plain(result);
  target.set(result);
  return target;
}

function aesBits(key: Uint8Array): 128 | 192 | 256 {
  return key.length === 16 ? 128 : key.length === 24 ? 192 : 256;
}

/** Per-message cipher objects of one AEAD under one key. */
interface NodeAeadFactory {
  cipher(nonce: Uint8Array): CipherGCM | CipherChaCha20Poly1305;
  decipher(nonce: Uint8Array): DecipherGCM | DecipherChaCha20Poly1305;
}

/** The factory for AES-GCM or ChaCha20-Poly1305, with the key imported once. */
function aeadFactory(
  cipherName: CipherGCMTypes | CipherChaCha20Poly1305Types,
  key: Uint8Array,
): NodeAeadFactory {
  const keyObject = createSecretKey(key);
  const options = { authTagLength: AEAD_TAG_LENGTH };
  // Two branches because node's typings pick the AEAD option type from the literal cipher name.
  return cipherName === 'chacha20-poly1305'
    ? {
        cipher: (nonce) => createCipheriv(cipherName, keyObject, nonce, options),
        decipher: (nonce) => createDecipheriv(cipherName, keyObject, nonce, options),
      }
    : {
        cipher: (nonce) => createCipheriv(cipherName, keyObject, nonce, options),
        decipher: (nonce) => createDecipheriv(cipherName, keyObject, nonce, options),
      };
}

/**
 * Both AEADs share node's API: AAD before the data, the tag from `getAuthTag()` after
 * `final()` when sealing, and `setAuthTag()` before `final()` when opening.
 */
function nodeAead(factory: NodeAeadFactory, keyLength: number): AeadCipher {
  // node's typings require plaintextLength for ChaCha20-Poly1305; GCM accepts it too. setAAD()
  // reads it synchronously, so one options object, updated per call, spares an allocation.
  const aadOptions = { plaintextLength: 0 };
  return {
    keyLength,
    seal(nonce, plaintext, aad, out) {
      checkNonce(nonce);
      const length = plaintext.length;
      const target = outputView(out, length + AEAD_TAG_LENGTH);
      const cipher = factory.cipher(nonce);
      aadOptions.plaintextLength = length;
      if (aad.length > 0) cipher.setAAD(aad, aadOptions);
      // Read all of the plaintext before writing anything: `target` may be the same memory.
      const ciphertext = cipher.update(plaintext);
      // Stream-like AEADs emit everything from update(); final() only computes the tag.
      cipher.final();
      target.set(ciphertext);
      target.set(cipher.getAuthTag(), length);
      return target;
    },
    open(nonce, sealed, aad, out) {
      checkNonce(nonce);
      if (sealed.length < AEAD_TAG_LENGTH) throw new AuthenticationError();
      const length = sealed.length - AEAD_TAG_LENGTH;
      const target = out === undefined ? undefined : outputView(out, length);
      const decipher = factory.decipher(nonce);
      decipher.setAuthTag(sealed.subarray(length));
      aadOptions.plaintextLength = length;
      if (aad.length > 0) decipher.setAAD(aad, aadOptions);
      const plaintext = decipher.update(sealed.subarray(0, length));
      try {
        // OpenSSL verifies the tag here and throws a generic Error when it does not match.
        decipher.final();
      } catch {
        throw new AuthenticationError();
      }
      // Only now, authenticated, may the plaintext reach the caller's buffer.
      return deliver(plaintext, target);
    },
  };
}

function nodeAesCtr(key: Uint8Array): AesCtrCipher {
  checkKey('AES-CTR', key, AES_KEY_LENGTHS);
  const keyObject = createSecretKey(key);
  // OpenSSL's CTR mode increments the whole 16-byte block big-endian (CRYPTO_ctr128_encrypt),
  // the SP 800-38A / RFC 3711 counter, not a 32-bit one.
  const cipherName = `aes-${aesBits(key)}-ctr`;
  return {
    keyLength: key.length,
    xor(iv, input, out) {
      checkCounterBlock(iv);
      const target = out === undefined ? undefined : outputView(out, input.length);
      return deliver(createCipheriv(cipherName, keyObject, iv).update(input), target);
    },
  };
}

function nodeAesEcb(key: Uint8Array): AesEcbCipher {
  checkKey('AES-ECB', key, AES_KEY_LENGTHS);
  // ECB carries no state from one block to the next, so one cipher serves every call; with
  // padding off and whole blocks in, update() returns exactly as many bytes as it was given.
  const cipher = createCipheriv(`aes-${aesBits(key)}-ecb`, createSecretKey(key), null);
  cipher.setAutoPadding(false);
  return {
    keyLength: key.length,
    encryptBlocks(input, out) {
      checkWholeBlocks(input);
      const target = out === undefined ? undefined : outputView(out, input.length);
      return deliver(cipher.update(input), target);
    },
  };
}

function nodeHmac(algorithm: HashAlgorithm, key: Uint8Array): HmacKey {
  checkHashAlgorithm(algorithm);
  const digestName = DIGEST_NAMES[algorithm];
  // A KeyObject spares createHmac() from copying and importing raw key bytes on every message.
  const keyObject: KeyObject = createSecretKey(key);
  const outputLength = HASH_OUTPUT_LENGTH[algorithm];
  return {
    algorithm,
    outputLength,
    mac(data, out) {
      const target = out === undefined ? undefined : outputView(out, outputLength);
      return deliver(createHmac(digestName, keyObject).update(data).digest(), target);
    },
    macParts(parts, out) {
      const target = out === undefined ? undefined : outputView(out, outputLength);
      const hmac = createHmac(digestName, keyObject);
      for (const part of parts) hmac.update(part);
      return deliver(hmac.digest(), target);
    },
  };
}

export const nodeCrypto: CryptoBackend = {
  name: 'node',
  aesGcm(key) {
    checkKey('AES-GCM', key, AES_GCM_KEY_LENGTHS);
    return nodeAead(
      aeadFactory(key.length === 16 ? 'aes-128-gcm' : 'aes-256-gcm', key),
      key.length,
    );
  },
  chacha20Poly1305(key) {
    checkKey('ChaCha20-Poly1305', key, CHACHA20_POLY1305_KEY_LENGTHS);
    return nodeAead(aeadFactory('chacha20-poly1305', key), key.length);
  },
  aesCtr: nodeAesCtr,
  aesEcb: nodeAesEcb,
  hmac: nodeHmac,
  hash(algorithm, data, out) {
    checkHashAlgorithm(algorithm);
    const target = outputView(out, HASH_OUTPUT_LENGTH[algorithm]);
    // Asked for a Buffer, node:crypto allocates one per call, which costs more than hashing a
    // kilobyte; a 'binary' (latin1) string, one character per byte, is cheap to make and read.
    const text = digest(DIGEST_NAMES[algorithm], data, 'binary');
    for (let i = 0; i < target.length; i++) target[i] = text.charCodeAt(i);
    return target;
  },
  randomBytes(length) {
    checkByteCount(length);
    return plain(randomBytesNode(length));
  },
  randomFill(buffer) {
    randomFillSync(buffer);
    return buffer;
  },
};
