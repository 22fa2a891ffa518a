/**
 * Unpadded AES-CBC on every crypto backend: the RFC 3602 §4 known answers, node/noble agreement
 * on seeded random inputs, caller output buffers (in place, unaligned, shifted over the input),
 * and the typed errors for bad key, IV and input lengths.
 */

import {
  BufferOverflowError,
  type CryptoBackend,
  CryptoParameterError,
  cryptoBackends,
  fromHex,
  nobleCrypto,
  nodeCrypto,
  toHex,
} from '@typertc/common';
import { conformanceTag, loadVectors, SeededRandom, type Vector } from '@typertc/common/testing';
import { describe, expect, it } from 'vitest';

interface CbcVector extends Vector {
  readonly key: string;
  readonly iv: string;
  readonly plaintext: string;
  readonly ciphertext: string;
}

const file = loadVectors<CbcVector>('rfc3602-aes-cbc.json');

const backendCases = cryptoBackends.map((backend): [string, CryptoBackend] => [
  backend.name,
  backend,
]);

describe(file.title, () => {
  describe.each(backendCases)('%s', (backendName, backend) => {
    for (const vector of file.vectors) {
      const name = `${vector.source.document} ${vector.source.section}: ${vector.description}`;
      it(name, ({ task }) => {
        task.meta.conformance = conformanceTag(file, vector, backendName);
        const cbc = backend.aesCbc(fromHex(vector.key));
        const iv = fromHex(vector.iv);
        expect(toHex(cbc.encrypt(iv, fromHex(vector.plaintext)))).toBe(vector.ciphertext);
        expect(toHex(cbc.decrypt(iv, fromHex(vector.ciphertext)))).toBe(vector.plaintext);
      });
    }
  });
});

describe('node and noble agree on seeded random inputs', () => {
  const random = new SeededRandom(0xcbc);

  it.each([16, 32])('AES-CBC with a %i-byte key, both directions', (keyLength) => {
    for (const blocks of [0, 1, 2, 3, 17, 75, 1025]) {
      const key = random.bytes(keyLength);
      const iv = random.bytes(16);
      const plaintext = random.bytes(16 * blocks);
      const node = nodeCrypto.aesCbc(key);
      const noble = nobleCrypto.aesCbc(key);
      const ciphertext = node.encrypt(iv, plaintext);
      expect(ciphertext).toHaveLength(plaintext.length);
      expect(toHex(noble.encrypt(iv, plaintext)), `${blocks} blocks`).toBe(toHex(ciphertext));
      expect(toHex(noble.decrypt(iv, ciphertext))).toBe(toHex(plaintext));
      expect(toHex(node.decrypt(iv, ciphertext))).toBe(toHex(plaintext));
      // Decryption of arbitrary blocks (not produced by encrypt) must agree too.
      const garbage = random.bytes(16 * blocks);
      expect(toHex(noble.decrypt(iv, garbage))).toBe(toHex(node.decrypt(iv, garbage)));
    }
  });
});

describe.each(backendCases)('%s backend: AES-CBC', (_, backend) => {
  const random = new SeededRandom(0x3602);
  const key = random.bytes(16);
  const iv = random.bytes(16);
  const plaintext = random.bytes(80);
  const cbc = backend.aesCbc(key);
  const ciphertext = cbc.encrypt(iv, plaintext);

  it('chains: the same block twice encrypts differently, and the IV changes everything', () => {
    const repeated = new Uint8Array(32).fill(0x42);
    const sealed = cbc.encrypt(iv, repeated);
    expect(toHex(sealed.subarray(0, 16))).not.toBe(toHex(sealed.subarray(16)));
    const otherIv = iv.slice();
    otherIv[15] = (otherIv[15] as number) ^ 1;
    const other = cbc.encrypt(otherIv, repeated);
    expect(toHex(other.subarray(0, 16))).not.toBe(toHex(sealed.subarray(0, 16)));
    expect(toHex(other.subarray(16))).not.toBe(toHex(sealed.subarray(16)));
  });

  it('rejects wrong key, IV and input lengths with CryptoParameterError', () => {
    for (const length of [0, 15, 17, 24, 31, 33]) {
      expect(() => backend.aesCbc(new Uint8Array(length)), `key ${length}`).toThrow(
        CryptoParameterError,
      );
    }
    for (const length of [0, 12, 15, 17, 32]) {
      const badIv = new Uint8Array(length);
      expect(() => cbc.encrypt(badIv, plaintext)).toThrow(CryptoParameterError);
      expect(() => cbc.decrypt(badIv, ciphertext)).toThrow(CryptoParameterError);
    }
    for (const length of [1, 15, 17, 31, 33, 81]) {
      const input = new Uint8Array(length);
      expect(() => cbc.encrypt(iv, input), `input ${length}`).toThrow(CryptoParameterError);
      expect(() => cbc.decrypt(iv, input), `input ${length}`).toThrow(CryptoParameterError);
    }
    expect(() => cbc.encrypt(iv, new Uint8Array(1))).toThrow(
      expect.objectContaining({ code: 'CRYPTO_PARAMETER' }),
    );
  });

  it('rejects an output buffer that is too small with BufferOverflowError', () => {
    expect(() => cbc.encrypt(iv, plaintext, new Uint8Array(79))).toThrow(BufferOverflowError);
    expect(() => cbc.decrypt(iv, ciphertext, new Uint8Array(79))).toThrow(BufferOverflowError);
  });

  it('writes into caller buffers at any alignment, leaving the bytes after untouched', () => {
    for (const offset of [0, 1, 3, 4]) {
      const backing = new Uint8Array(offset + 80 + 5).fill(0xa5);
      const out = backing.subarray(offset);
      const encrypted = cbc.encrypt(iv, plaintext, out);
      expect([encrypted.buffer, encrypted.byteOffset, encrypted.length]).toEqual([
        backing.buffer,
        offset,
        80,
      ]);
      expect(toHex(encrypted)).toBe(toHex(ciphertext));
      expect([...backing.subarray(offset + 80)]).toEqual([0xa5, 0xa5, 0xa5, 0xa5, 0xa5]);
      expect(toHex(cbc.decrypt(iv, ciphertext, out))).toBe(toHex(plaintext));
    }
  });

  it('works in place and on unaligned input', () => {
    for (const offset of [0, 1, 2, 3]) {
      const backing = new Uint8Array(offset + 80);
      const buffer = backing.subarray(offset);
      buffer.set(plaintext);
      expect(toHex(cbc.encrypt(iv, buffer, buffer))).toBe(toHex(ciphertext));
      expect(toHex(buffer)).toBe(toHex(ciphertext));
      expect(toHex(cbc.decrypt(iv, buffer, buffer))).toBe(toHex(plaintext));
      expect(toHex(buffer)).toBe(toHex(plaintext));
    }
  });

  it('works with the output shifted over the input', () => {
    for (const shift of [-16, -4, -1, 1, 4, 16]) {
      const backing = new Uint8Array(80 + 32);
      const outView = backing.subarray(16 + shift, 96 + shift);
      backing.set(plaintext, 16);
      expect(toHex(cbc.encrypt(iv, backing.subarray(16, 96), outView)), `${shift}`).toBe(
        toHex(ciphertext),
      );
      backing.set(ciphertext, 16);
      expect(toHex(cbc.decrypt(iv, backing.subarray(16, 96), outView)), `${shift}`).toBe(
        toHex(plaintext),
      );
    }
  });

  it('keeps its own copy of the key and never changes the IV', () => {
    const mutable = key.slice();
    const own = backend.aesCbc(mutable);
    mutable.fill(0);
    const ivCopy = iv.slice();
    expect(toHex(own.encrypt(ivCopy, plaintext))).toBe(toHex(ciphertext));
    expect(toHex(own.decrypt(ivCopy, ciphertext))).toBe(toHex(plaintext));
    expect(toHex(ivCopy)).toBe(toHex(iv));
  });
});
