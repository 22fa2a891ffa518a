/**
 * The `noble` crypto backend: @noble/ciphers and @noble/hashes, audited pure JavaScript, for
 * hosts without node:crypto. Slower than `node` (see bench/), identical in results and errors.
 *
 * What is done once per key:
 * - AES-CTR, AES-ECB and AES-CBC expand the AES key schedule once and run noble's block
 *   functions (`unsafe.expandKeyLE`, `unsafe.expandKeyDecLE`, `unsafe.ctrCounter`,
 *   `unsafe.encrypt`, `unsafe.decrypt`); the public `ctr()`/`ecb()`/`cbc()` constructors would
 *   re-expand the key on every call, and `cbc()` also wants 4-byte-aligned output. The
 *   `unsafe` surface is noble's own internals and may change between versions — the SP 800-38A
 *   and RFC 3602 vectors pin its behaviour.
 * - HMAC keeps an instance that has absorbed the inner and outer key pads (RFC 2104 §2) and
 *   clones it per message (`_cloneInto`, into one reused scratch instance), instead of hashing
 *   the pads again.
 * AES-GCM and ChaCha20-Poly1305 go through noble's public AEADs, which take the nonce at
 * construction and are single-use, so one small instance is made per message.
 */

import { gcm, unsafe } from '@noble/ciphers/aes.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hmac } from '@noble/hashes/hmac.js';
import { md5, sha1 } from '@noble/hashes/legacy.js';
import { sha256, sha384 } from '@noble/hashes/sha2.js';
import { readU32LE, writeU32LE } from '../bytes/endian.js';
import { AuthenticationError } from '../errors.js';
import {
  AEAD_TAG_LENGTH,
  AES_BLOCK_LENGTH,
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
  overlapsShifted,
} from './params.js';

const HASHES = { MD5: md5, 'SHA-1': sha1, 'SHA-256': sha256, 'SHA-384': sha384 } as const;

/** Web Crypto's per-call limit for getRandomValues() (W3C Web Cryptography API §10.1.1). */
const RANDOM_CHUNK = 65_536;

/** noble's word-oriented AES code reads and writes through Uint32Array views. */
function isAligned32(bytes: Uint8Array): boolean {
  return bytes.byteOffset % 4 === 0;
}

/** noble's AEAD constructor shape: `gcm` and `chacha20poly1305` both fit it. */
type AeadConstructor = (
  key: Uint8Array,
  nonce: Uint8Array,
  aad: Uint8Array,
) => {
  encrypt(plaintext: Uint8Array, output?: Uint8Array): Uint8Array;
  decrypt(sealed: Uint8Array, output?: Uint8Array): Uint8Array;
};

/**
 * `writesIntoOutput`: noble's ChaCha20-Poly1305 can write into a caller buffer (saving a copy);
 * its GCM cannot and rejects the argument, so GCM results are copied.
 */
function nobleAead(
  construct: AeadConstructor,
  key: Uint8Array,
  writesIntoOutput: boolean,
): AeadCipher {
  // Own copy: node imports the key into a KeyObject, so a caller reusing its key buffer must not
  // change this object's key on either backend.
  const ownKey = key.slice();
  return {
    keyLength: key.length,
    seal(nonce, plaintext, aad, out) {
      checkNonce(nonce);
      const length = plaintext.length + AEAD_TAG_LENGTH;
      const target = out === undefined ? undefined : outputView(out, length);
      const cipher = construct(ownKey, nonce, aad);
      if (target === undefined) return cipher.encrypt(plaintext);
      if (writesIntoOutput) return cipher.encrypt(plaintext, target);
      target.set(cipher.encrypt(plaintext));
      return target;
    },
    open(nonce, sealed, aad, out) {
      checkNonce(nonce);
      if (sealed.length < AEAD_TAG_LENGTH) throw new AuthenticationError();
      const length = sealed.length - AEAD_TAG_LENGTH;
      const target = out === undefined ? undefined : outputView(out, length);
      const cipher = construct(ownKey, nonce, aad);
      let plaintext: Uint8Array;
      try {
        // noble checks the tag (in constant time) before decrypting anything, so on failure
        // nothing has been written to `target`.
        plaintext =
          target !== undefined && writesIntoOutput
            ? cipher.decrypt(sealed, target)
            : cipher.decrypt(sealed);
      } catch {
        // Key, nonce and lengths are checked above, so the one failure left is the tag.
        throw new AuthenticationError();
      }
      if (target === undefined || plaintext === target) return plaintext;
      target.set(plaintext);
      return target;
    },
  };
}

function nobleAesCtr(key: Uint8Array): AesCtrCipher {
  checkKey('AES-CTR', key, AES_KEY_LENGTHS);
  const expandedKey = unsafe.expandKeyLE(key);
  // ctrCounter() advances the counter block in place (a full 128-bit big-endian increment,
  // SP 800-38A Appendix B.1), so it runs on this scratch copy, never on the caller's IV.
  const counter = new Uint8Array(AES_BLOCK_LENGTH);
  return {
    keyLength: key.length,
    xor(iv, input, out) {
      checkCounterBlock(iv);
      const target = outputView(out, input.length);
      counter.set(iv);
      const source = isAligned32(input) && !overlapsShifted(input, target) ? input : input.slice();
      if (isAligned32(target)) return unsafe.ctrCounter(expandedKey, counter, source, target);
      target.set(unsafe.ctrCounter(expandedKey, counter, source));
      return target;
    },
  };
}

function nobleAesEcb(key: Uint8Array): AesEcbCipher {
  checkKey('AES-ECB', key, AES_KEY_LENGTHS);
  const expandedKey = unsafe.expandKeyLE(key);
  return {
    keyLength: key.length,
    encryptBlocks(input, out) {
      checkWholeBlocks('AES-ECB', input);
      const target = outputView(out, input.length);
      const source = overlapsShifted(input, target) ? input.slice() : input;
      // noble's AES round function takes the block as four little-endian 32-bit words (as its
      // own ecb() feeds it). Byte-wise reads and writes work at any alignment and on any host
      // byte order, without a DataView per call. A block is read whole before it is written,
      // so in-place (same offset) encryption is safe.
      for (let i = 0; i < source.length; i += AES_BLOCK_LENGTH) {
        const block = unsafe.encrypt(
          expandedKey,
          readU32LE(source, i),
          readU32LE(source, i + 4),
          readU32LE(source, i + 8),
          readU32LE(source, i + 12),
        );
        writeU32LE(target, i, block.s0);
        writeU32LE(target, i + 4, block.s1);
        writeU32LE(target, i + 8, block.s2);
        writeU32LE(target, i + 12, block.s3);
      }
      return target;
    },
  };
}

/**
 * CBC (NIST SP 800-38A §6.2) over noble's block functions, with both key schedules expanded
 * once. Words are read and written byte-wise in noble's little-endian word order, as in ECB
 * above, so any alignment works. Each block is read whole before its output is written and
 * the chaining value is kept in locals, so in-place (same offset) operation is safe.
 */
function nobleAesCbc(key: Uint8Array): AesCbcCipher {
  checkKey('AES-CBC', key, AES_CBC_KEY_LENGTHS);
  const encryptionKey = unsafe.expandKeyLE(key);
  const decryptionKey = unsafe.expandKeyDecLE(key);
  return {
    keyLength: key.length,
    encrypt(iv, plaintext, out) {
      checkCbcIv(iv);
      checkWholeBlocks('AES-CBC', plaintext);
      const target = outputView(out, plaintext.length);
      const source = overlapsShifted(plaintext, target) ? plaintext.slice() : plaintext;
      let c0 = readU32LE(iv, 0);
      let c1 = readU32LE(iv, 4);
      let c2 = readU32LE(iv, 8);
      let c3 = readU32LE(iv, 12);
      for (let i = 0; i < source.length; i += AES_BLOCK_LENGTH) {
        // C_i = E(K, P_i xor C_{i-1}), C_0 = IV.
        const block = unsafe.encrypt(
          encryptionKey,
          readU32LE(source, i) ^ c0,
          readU32LE(source, i + 4) ^ c1,
          readU32LE(source, i + 8) ^ c2,
          readU32LE(source, i + 12) ^ c3,
        );
        c0 = block.s0;
        c1 = block.s1;
        c2 = block.s2;
        c3 = block.s3;
        writeU32LE(target, i, c0);
        writeU32LE(target, i + 4, c1);
        writeU32LE(target, i + 8, c2);
        writeU32LE(target, i + 12, c3);
      }
      return target;
    },
    decrypt(iv, ciphertext, out) {
      checkCbcIv(iv);
      checkWholeBlocks('AES-CBC', ciphertext);
      const target = outputView(out, ciphertext.length);
      const source = overlapsShifted(ciphertext, target) ? ciphertext.slice() : ciphertext;
      let c0 = readU32LE(iv, 0);
      let c1 = readU32LE(iv, 4);
      let c2 = readU32LE(iv, 8);
      let c3 = readU32LE(iv, 12);
      for (let i = 0; i < source.length; i += AES_BLOCK_LENGTH) {
        // P_i = D(K, C_i) xor C_{i-1}; C_i is kept before P_i may overwrite it in place.
        const n0 = readU32LE(source, i);
        const n1 = readU32LE(source, i + 4);
        const n2 = readU32LE(source, i + 8);
        const n3 = readU32LE(source, i + 12);
        const block = unsafe.decrypt(decryptionKey, n0, n1, n2, n3);
        writeU32LE(target, i, block.s0 ^ c0);
        writeU32LE(target, i + 4, block.s1 ^ c1);
        writeU32LE(target, i + 8, block.s2 ^ c2);
        writeU32LE(target, i + 12, block.s3 ^ c3);
        c0 = n0;
        c1 = n1;
        c2 = n2;
        c3 = n3;
      }
      return target;
    },
  };
}

function nobleHmac(algorithm: HashAlgorithm, key: Uint8Array): HmacKey {
  checkHashAlgorithm(algorithm);
  const keyed = hmac.create(HASHES[algorithm], key);
  // Each message runs on `scratch`, reset from `keyed` by copying state, not by re-keying.
  const scratch = keyed.clone();
  const outputLength = keyed.outputLen;
  return {
    algorithm,
    outputLength,
    mac(data, out) {
      const target = outputView(out, outputLength);
      keyed._cloneInto(scratch);
      scratch.update(data);
      scratch.digestInto(target);
      return target;
    },
    macParts(parts, out) {
      const target = outputView(out, outputLength);
      keyed._cloneInto(scratch);
      for (const part of parts) scratch.update(part);
      scratch.digestInto(target);
      return target;
    },
  };
}

function randomFill(buffer: Uint8Array): Uint8Array {
  for (let offset = 0; offset < buffer.length; offset += RANDOM_CHUNK) {
    crypto.getRandomValues(buffer.subarray(offset, offset + RANDOM_CHUNK));
  }
  return buffer;
}

export const nobleCrypto: CryptoBackend = {
  name: 'noble',
  aesGcm(key) {
    checkKey('AES-GCM', key, AES_GCM_KEY_LENGTHS);
    return nobleAead(gcm, key, false);
  },
  chacha20Poly1305(key) {
    checkKey('ChaCha20-Poly1305', key, CHACHA20_POLY1305_KEY_LENGTHS);
    return nobleAead(chacha20poly1305, key, true);
  },
  aesCtr: nobleAesCtr,
  aesEcb: nobleAesEcb,
  aesCbc: nobleAesCbc,
  hmac: nobleHmac,
  hash(algorithm, data, out) {
    checkHashAlgorithm(algorithm);
    if (out === undefined) return HASHES[algorithm](data);
    const target = outputView(out, HASH_OUTPUT_LENGTH[algorithm]);
    target.set(HASHES[algorithm](data));
    return target;
  },
  randomBytes(length) {
    checkByteCount(length);
    return randomFill(new Uint8Array(length));
  },
  randomFill,
};
