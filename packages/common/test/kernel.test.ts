import { createCipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  CryptoKernel,
  GHASH_TABLE_LENGTH,
  nodeCrypto,
  toHex,
  writeGhashTable,
} from '@typertc/common';
import { SeededRandom } from '@typertc/common/testing';
import { describe, expect, it } from 'vitest';
import { compileKernel } from '../scripts/compile-kernel.mjs';
import { KERNEL_BASE64 } from '../src/crypto/kernel/kernel-binary.js';

const random = new SeededRandom(0x5e7);

describe('kernel binary', () => {
  it('is kernel.wat compiled (run `npm run build:kernel -w @typertc/common` after editing it)', async () => {
    const wat = readFileSync(new URL('../src/crypto/kernel/kernel.wat', import.meta.url), 'utf8');
    const compiled = await compileKernel(wat);
    expect(Buffer.from(compiled).toString('base64')).toBe(KERNEL_BASE64);
  });
});

describe('xor', () => {
  it('XORs exactly `length` bytes, in place or not, leaving what follows alone', () => {
    const kernel = new CryptoKernel();
    const [src, key, dst] = [kernel.allocate(96), kernel.allocate(96), kernel.allocate(96)];
    const memory = kernel.bytes;
    for (let length = 0; length <= 50; length++) {
      const source = random.bytes(length + 16);
      const keystream = random.bytes(length + 16);
      const expected = source.map((byte, i) => byte ^ (keystream[i] as number));
      memory.set(source, src);
      memory.set(keystream, key);
      memory.fill(0xa5, dst, dst + 96);
      kernel.exports.xor(dst, src, key, length);
      expect(toHex(memory.subarray(dst, dst + length))).toBe(toHex(expected.subarray(0, length)));
      expect(memory.subarray(dst + length, dst + 96).every((byte) => byte === 0xa5)).toBe(true);
      kernel.exports.xor(src, src, key, length);
      expect(toHex(memory.subarray(src, src + length + 16))).toBe(
        toHex(Uint8Array.from([...expected.subarray(0, length), ...source.subarray(length)])),
      );
    }
  });
});

describe('counterBlocks', () => {
  it('writes IV + i with a big-endian counter in the last two bytes, carrying into byte 14', () => {
    const kernel = new CryptoKernel();
    const iv = kernel.allocate(16);
    const out = kernel.allocate(16 * 300);
    const ivBytes = random.bytes(16);
    ivBytes[14] = 0;
    ivBytes[15] = 0;
    kernel.bytes.set(ivBytes, iv);
    for (const first of [0, 1]) {
      kernel.exports.counterBlocks(out, iv, first, 300);
      for (let i = 0; i < 300; i++) {
        const block = kernel.bytes.subarray(out + i * 16, out + i * 16 + 16);
        const counter = first + i;
        expect(toHex(block)).toBe(
          toHex(Uint8Array.from([...ivBytes.subarray(0, 14), counter >>> 8, counter & 0xff])),
        );
      }
    }
  });
});

/** node:crypto's AES-GCM, the reference. */
function referenceSeal(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, text: Uint8Array) {
  const cipher = createCipheriv(key.length === 16 ? 'aes-128-gcm' : 'aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  return Buffer.concat([cipher.update(text), cipher.final(), cipher.getAuthTag()]);
}

/** AES(K, IV || counter) for counters 1..blocks: E(J0), then the GCTR keystream. */
function gcmKeystream(key: Uint8Array, iv: Uint8Array, blocks: number): Uint8Array {
  const counters = new Uint8Array(blocks * 16);
  for (let i = 0; i < blocks; i++) {
    counters.set(iv, i * 16);
    new DataView(counters.buffer).setUint32(i * 16 + 12, i + 1);
  }
  return nodeCrypto.aesEcb(key).encryptBlocks(counters);
}

describe('gcmSeal and gcmVerify', () => {
  const kernel = new CryptoKernel();
  const table = kernel.allocate(GHASH_TABLE_LENGTH);
  const aadAt = kernel.allocate(64);
  const aadLengths = [0, 1, 12, 15, 16, 17, 40];
  const textLengths = [0, 1, 15, 16, 17, 31, 33, 160, 1200, 5000];

  it('match node:crypto AES-GCM for AAD and text of every shape, both key sizes', () => {
    for (const keyLength of [16, 32]) {
      const key = random.bytes(keyLength);
      writeGhashTable(
        kernel.bytes,
        table,
        nodeCrypto.aesEcb(key).encryptBlocks(new Uint8Array(16)),
      );
      for (const aadLength of aadLengths) {
        for (const textLength of textLengths) {
          kernel.ensurePacket(textLength + 16);
          const iv = random.bytes(12);
          const aad = random.bytes(aadLength);
          const text = random.bytes(textLength);
          const expected = toHex(referenceSeal(key, iv, aad, text));
          const memory = kernel.bytes;
          memory.set(gcmKeystream(key, iv, 1 + Math.ceil(textLength / 16)), kernel.keystream);
          memory.set(aad, aadAt);
          memory.set(text, kernel.data);
          kernel.exports.gcmSeal(
            table,
            kernel.keystream,
            aadAt,
            aadLength,
            kernel.data,
            textLength,
          );
          const sealed = memory.slice(kernel.data, kernel.data + textLength + 16);
          expect(toHex(sealed), `aad ${aadLength}, text ${textLength}`).toBe(expected);
          memory.set(sealed, kernel.data);
          const verified = kernel.exports.gcmVerify(
            table,
            kernel.keystream,
            aadAt,
            aadLength,
            kernel.data,
            textLength,
          );
          expect(verified).toBe(1);
          // Verifying decrypts nothing; the caller's xor does.
          expect(toHex(memory.subarray(kernel.data, kernel.data + textLength))).toBe(
            toHex(sealed.subarray(0, textLength)),
          );
          kernel.exports.xor(kernel.data, kernel.data, kernel.keystream + 16, textLength);
          expect(toHex(memory.subarray(kernel.data, kernel.data + textLength))).toBe(toHex(text));
        }
      }
    }
  });

  it('gcmVerify rejects a flipped bit anywhere in AAD, text or tag', () => {
    const key = random.bytes(16);
    writeGhashTable(kernel.bytes, table, nodeCrypto.aesEcb(key).encryptBlocks(new Uint8Array(16)));
    const iv = random.bytes(12);
    const aad = random.bytes(20);
    const text = random.bytes(37);
    const sealed = referenceSeal(key, iv, aad, text);
    const keystream = gcmKeystream(key, iv, 4);
    const memory = kernel.bytes;
    const positions = aad.length + sealed.length;
    for (let at = 0; at < positions; at++) {
      const bit = 1 << (at % 8);
      memory.set(keystream, kernel.keystream);
      memory.set(aad, aadAt);
      memory.set(sealed, kernel.data);
      const target = at < aad.length ? aadAt + at : kernel.data + at - aad.length;
      memory[target] = (memory[target] as number) ^ bit;
      const verified = kernel.exports.gcmVerify(
        table,
        kernel.keystream,
        aadAt,
        20,
        kernel.data,
        37,
      );
      expect(verified, `byte ${at}`).toBe(0);
    }
  });
});

describe('memory', () => {
  it('grows for large packets, keeping fixed slots and handing out views of the new memory', () => {
    const kernel = new CryptoKernel();
    const slot = kernel.allocate(16);
    kernel.bytes.set(Uint8Array.of(1, 2, 3), slot);
    const small = kernel.packet(10);
    const before = kernel.bytes.length;
    kernel.ensurePacket(200_000);
    expect(kernel.bytes.length).toBeGreaterThan(before);
    expect([...kernel.bytes.subarray(slot, slot + 3)]).toEqual([1, 2, 3]);
    expect(kernel.data + 200_000).toBeLessThanOrEqual(kernel.bytes.length);
    const large = kernel.packet(10);
    expect(small.buffer.byteLength).toBe(0); // the old memory, detached by the growth
    expect([large.buffer, large.byteOffset]).toEqual([kernel.bytes.buffer, kernel.data]);
    kernel.ensureCounters(100_000);
    expect(kernel.counters + 100_000 * 16).toBeLessThanOrEqual(kernel.bytes.length);
    expect(kernel.packet(10).buffer).toBe(kernel.bytes.buffer);
  });
});
