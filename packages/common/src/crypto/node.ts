/**
 * The `node` crypto backend: OpenSSL through node:crypto, the default on Node (AES-NI, and
 * several times faster than pure JS on every primitive here).
 *
 * node:crypto cannot re-key or re-IV a cipher object, so AEAD, CTR and CBC ciphers are created
 * per call; what can be done once per key is: the key is wrapped in a `KeyObject` (so OpenSSL
 * does not re-import raw bytes each call), cipher names are resolved, and the ECB cipher —
 * stateless between blocks — is created once and fed with repeated `update()`s. HMAC and
 * digests avoid per-message objects altogether: one-shot `crypto.hash` calls over pads prepared
 * per key.
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
  createSecretKey,
  type DecipherChaCha20Poly1305,
  type DecipherGCM,
  hash as digest,
  randomBytes as randomBytesNode,
  randomFillSync,
} from 'node:crypto';
import { AuthenticationError } from '../errors.js';
import {
  AEAD_TAG_LENGTH,
  type AeadCipher,
  type AesCbcCipher,
  type AesCtrCipher,
  type AesEcbCipher,
  type CryptoBackend,
  HASH_OUTPUT_LENGTH,
  type HashAlgorithm,
  type HmacKey,
} from './backend.js';
import {
  AES_CBC_KEY_LENGTHS,
  AES_GCM_KEY_LENGTHS,
  AES_KEY_LENGTHS,
  CHACHA20_POLY1305_KEY_LENGTHS,
  checkByteCount,
  checkCbcIv,
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
      checkWholeBlocks('AES-ECB', input);
      const target = out === undefined ? undefined : outputView(out, input.length);
      return deliver(cipher.update(input), target);
    },
  };
}

function nodeAesCbc(key: Uint8Array): AesCbcCipher {
  checkKey('AES-CBC', key, AES_CBC_KEY_LENGTHS);
  const keyObject = createSecretKey(key);
  const cipherName = `aes-${aesBits(key)}-cbc`;
  // A cipher object per call, since node:crypto cannot re-IV one. With padding off and whole
  // blocks in, update() returns every block (OpenSSL holds back a final block only when it
  // has padding to strip), so final() has nothing to add and is not needed.
  return {
    keyLength: key.length,
    encrypt(iv, plaintext, out) {
      checkCbcIv(iv);
      checkWholeBlocks('AES-CBC', plaintext);
      const target = out === undefined ? undefined : outputView(out, plaintext.length);
      const cipher = createCipheriv(cipherName, keyObject, iv);
      cipher.setAutoPadding(false);
      return deliver(cipher.update(plaintext), target);
    },
    decrypt(iv, ciphertext, out) {
      checkCbcIv(iv);
      checkWholeBlocks('AES-CBC', ciphertext);
      const target = out === undefined ? undefined : outputView(out, ciphertext.length);
      const decipher = createDecipheriv(cipherName, keyObject, iv);
      decipher.setAutoPadding(false);
      return deliver(decipher.update(ciphertext), target);
    },
  };
}

/** RFC 2104 §2: B, the hash's block length in bytes. */
const HMAC_BLOCK_LENGTH: Readonly<Record<HashAlgorithm, number>> = {
  MD5: 64,
  'SHA-1': 64,
  'SHA-256': 64,
  'SHA-384': 128,
};

/**
 * HMAC (RFC 2104 §2) as H(K ^ opad || H(K ^ ipad || m)) with two one-shot digests, not
 * `createHmac`: an Hmac object per message costs more than hashing a kilobyte (it is
 * STUN's per-message and DTLS's per-record cost), while the pads are built once per key. The
 * inner input is assembled in a per-key buffer that grows to the longest message seen.
 */
function nodeHmac(algorithm: HashAlgorithm, key: Uint8Array): HmacKey {
  checkHashAlgorithm(algorithm);
  const digestName = DIGEST_NAMES[algorithm];
  const block = HMAC_BLOCK_LENGTH[algorithm];
  const outputLength = HASH_OUTPUT_LENGTH[algorithm];
  // RFC 2104 §3: a key longer than B is hashed first; shorter ones are zero-padded.
  const k = key.length > block ? digestInto(digestName, key, new Uint8Array(outputLength)) : key;
  let inner = new Uint8Array(block + 256);
  const outer = new Uint8Array(block + outputLength);
  for (let i = 0; i < block; i++) {
    const byte = i < k.length ? (k[i] as number) : 0;
    inner[i] = byte ^ 0x36;
    outer[i] = byte ^ 0x5c;
  }
  const innerDigest = outer.subarray(block);
  const finish = (length: number, out: Uint8Array | undefined): Uint8Array => {
    digestInto(digestName, inner.subarray(0, block + length), innerDigest);
    return digestInto(digestName, outer, outputView(out, outputLength));
  };
  const room = (length: number): void => {
    if (inner.length < block + length) {
      const grown = new Uint8Array(block + length);
      grown.set(inner.subarray(0, block));
      inner = grown;
    }
  };
  return {
    algorithm,
    outputLength,
    mac(data, out) {
      const target = out === undefined ? undefined : outputView(out, outputLength);
      room(data.length);
      inner.set(data, block);
      return finish(data.length, target);
    },
    macParts(parts, out) {
      const target = out === undefined ? undefined : outputView(out, outputLength);
      let length = 0;
      for (const part of parts) length += part.length;
      room(length);
      let at = block;
      for (const part of parts) {
        inner.set(part, at);
        at += part.length;
      }
      return finish(length, target);
    },
  };
}

/**
 * One-shot digest of `data` into `out`. node:crypto allocates a Buffer per call when asked for
 * one, which costs more than hashing a kilobyte; a 'binary' (latin1) string, one character per
 * byte, is cheap to make and to read back.
 */
function digestInto(digestName: string, data: Uint8Array, out: Uint8Array): Uint8Array {
  const text = digest(digestName, data, 'binary');
  for (let i = 0; i < out.length; i++) out[i] = text.charCodeAt(i);
  return out;
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
  aesCbc: nodeAesCbc,
  hmac: nodeHmac,
  hash(algorithm, data, out) {
    checkHashAlgorithm(algorithm);
    return digestInto(
      DIGEST_NAMES[algorithm],
      data,
      outputView(out, HASH_OUTPUT_LENGTH[algorithm]),
    );
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
