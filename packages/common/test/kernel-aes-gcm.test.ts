/**
 * `KernelAesGcm`, AES-GCM on the crypto kernel around a backend's AES-ECB, against node:crypto's
 * AES-GCM as the reference: every AAD and text shape, both key sizes, both backends, tamper
 * detection, the `AeadCipher` output-buffer contract, parameter errors, many keys sharing the
 * kernel's table slots and its one instance, and the hand-over of messages too long for the
 * kernel to the backend's own AES-GCM. Its NIST known answers are in
 * kernel-aes-gcm.vectors.test.ts.
 */

import { createCipheriv } from 'node:crypto';
import {
  type AeadCipher,
  AuthenticationError,
  BufferOverflowError,
  type CryptoBackend,
  CryptoKernel,
  CryptoParameterError,
  cryptoBackends,
  KernelAesGcm,
  toHex,
} from '@typertc/common';
import { SeededRandom } from '@typertc/common/testing';
import { describe, expect, it } from 'vitest';
import { KERNEL_GCM_MAX_MESSAGE } from '../src/crypto/kernel/aes-gcm.js';

const random = new SeededRandom(0x38d);

/** node:crypto's AES-GCM: `ciphertext || tag`. */
function referenceSeal(
  key: Uint8Array,
  nonce: Uint8Array,
  aad: Uint8Array,
  text: Uint8Array,
): string {
  const cipher = createCipheriv(key.length === 16 ? 'aes-128-gcm' : 'aes-256-gcm', key, nonce);
  cipher.setAAD(aad);
  return toHex(Buffer.concat([cipher.update(text), cipher.final(), cipher.getAuthTag()]));
}

function flipBit(bytes: Uint8Array, index: number, bit = 0): Uint8Array {
  const copy = bytes.slice();
  copy[index] = (copy[index] as number) ^ (1 << bit);
  return copy;
}

/** A backend whose AES-GCM objects count their calls: which path a message took. */
function countingBackend(backend: CryptoBackend): { backend: CryptoBackend; calls: () => number } {
  let calls = 0;
  const counted = (aead: AeadCipher): AeadCipher => ({
    keyLength: aead.keyLength,
    seal: (...args) => {
      calls++;
      return aead.seal(...args);
    },
    open: (...args) => {
      calls++;
      return aead.open(...args);
    },
  });
  return {
    backend: { ...backend, aesGcm: (key) => counted(backend.aesGcm(key)) },
    calls: () => calls,
  };
}

const backendCases = cryptoBackends.map((backend): [string, CryptoBackend] => [
  backend.name,
  backend,
]);

describe.each(backendCases)('KernelAesGcm on the %s backend', (_, backend) => {
  it('seals and opens exactly as node:crypto for every AAD and text shape, both key sizes', () => {
    const aadLengths = [0, 1, 13, 16, 17, 40];
    const textLengths = [0, 1, 15, 16, 17, 31, 33, 160, 1200, 4099, 16384];
    for (const keyLength of [16, 32]) {
      const key = random.bytes(keyLength);
      const aead = new KernelAesGcm(backend, key);
      expect(aead.keyLength).toBe(keyLength);
      for (const aadLength of aadLengths) {
        for (const textLength of textLengths) {
          const nonce = random.bytes(12);
          const aad = random.bytes(aadLength);
          const text = random.bytes(textLength);
          const sealed = aead.seal(nonce, text, aad);
          const shape = `key ${keyLength}, aad ${aadLength}, text ${textLength}`;
          expect(toHex(sealed), shape).toBe(referenceSeal(key, nonce, aad, text));
          expect(toHex(aead.open(nonce, sealed, aad)), shape).toBe(toHex(text));
        }
      }
    }
  });

  it('rejects a flipped bit anywhere in the sealed bytes, the AAD or the nonce', () => {
    const aead = new KernelAesGcm(backend, random.bytes(16));
    const nonce = random.bytes(12);
    const aad = random.bytes(13);
    const sealed = aead.seal(nonce, random.bytes(45), aad);
    for (let index = 0; index < sealed.length; index++) {
      for (const bit of [0, 7]) {
        const tampered = flipBit(sealed, index, bit);
        expect(() => aead.open(nonce, tampered, aad), `byte ${index}`).toThrow(AuthenticationError);
      }
    }
    for (let index = 0; index < aad.length; index++) {
      expect(() => aead.open(nonce, sealed, flipBit(aad, index))).toThrow(AuthenticationError);
    }
    expect(() => aead.open(flipBit(nonce, 11), sealed, aad)).toThrow(AuthenticationError);
    expect(() => aead.open(nonce, sealed, new Uint8Array(0))).toThrow(AuthenticationError);
    for (const length of [0, 1, 15]) {
      expect(() => aead.open(nonce, sealed.subarray(0, length), aad)).toThrow(AuthenticationError);
    }
    expect(() => aead.open(nonce, sealed.subarray(0, sealed.length - 1), aad)).toThrow(
      AuthenticationError,
    );
    // After all those failures it still opens the authentic message.
    expect(aead.open(nonce, sealed, aad)).toHaveLength(45);
  });

  it('writes into caller buffers, in place or not, and nothing when the tag fails', () => {
    const aead = new KernelAesGcm(backend, random.bytes(32));
    const nonce = random.bytes(12);
    const aad = random.bytes(13);
    const text = random.bytes(100);
    const expected = aead.seal(nonce, text, aad);

    const out = new Uint8Array(130).fill(0xa5);
    const sealed = aead.seal(nonce, text, aad, out);
    expect([sealed.buffer, sealed.byteOffset, sealed.length]).toEqual([out.buffer, 0, 116]);
    expect(toHex(sealed)).toBe(toHex(expected));
    expect(out.subarray(116).every((byte) => byte === 0xa5)).toBe(true);

    // In place: the text at the start of the buffer that receives text || tag.
    const buffer = new Uint8Array(116);
    buffer.set(text);
    aead.seal(nonce, buffer.subarray(0, 100), aad, buffer);
    expect(toHex(buffer)).toBe(toHex(expected));
    aead.open(nonce, buffer, aad, buffer);
    expect(toHex(buffer.subarray(0, 100))).toBe(toHex(text));

    const opened = new Uint8Array(120).fill(0x5a);
    const result = aead.open(nonce, expected, aad, opened);
    expect([result.buffer, result.byteOffset, toHex(result)]).toEqual([
      opened.buffer,
      0,
      toHex(text),
    ]);
    // A fresh array without `out`, not a view of the kernel's memory.
    const fresh = aead.open(nonce, expected, aad);
    expect(fresh.buffer).not.toBe(result.buffer);
    aead.seal(random.bytes(12), random.bytes(100), aad);
    expect(toHex(fresh)).toBe(toHex(text));

    const untouched = new Uint8Array(120).fill(0x5a);
    expect(() => aead.open(nonce, flipBit(expected, 115), aad, untouched)).toThrow(
      AuthenticationError,
    );
    expect(untouched.every((byte) => byte === 0x5a)).toBe(true);
    expect(() => aead.seal(nonce, text, aad, new Uint8Array(115))).toThrow(BufferOverflowError);
    expect(() => aead.open(nonce, expected, aad, new Uint8Array(99))).toThrow(BufferOverflowError);
  });

  it('refuses keys other than 16 or 32 bytes and nonces other than 12', () => {
    for (const length of [0, 15, 24, 31, 33]) {
      expect(() => new KernelAesGcm(backend, new Uint8Array(length))).toThrow(CryptoParameterError);
    }
    const aead = new KernelAesGcm(backend, random.bytes(16));
    for (const length of [0, 8, 11, 13, 16]) {
      const nonce = new Uint8Array(length);
      expect(() => aead.seal(nonce, new Uint8Array(5), new Uint8Array(0))).toThrow(
        CryptoParameterError,
      );
      expect(() => aead.open(nonce, new Uint8Array(32), new Uint8Array(0))).toThrow(
        CryptoParameterError,
      );
    }
  });

  it('keeps its own copy of the key', () => {
    const key = random.bytes(16);
    const aead = new KernelAesGcm(backend, key);
    const nonce = random.bytes(12);
    const text = random.bytes(20);
    const expected = referenceSeal(key, nonce, new Uint8Array(0), text);
    key.fill(0);
    expect(toHex(aead.seal(nonce, text, new Uint8Array(0)))).toBe(expected);
  });

  it('keeps many keys apart in the shared kernel, used in any order', () => {
    // More ciphers than the shared kernel has table slots, so slots change hands.
    const keys = Array.from({ length: 7 }, (_, i) => random.bytes(i % 2 === 0 ? 16 : 32));
    const ciphers = keys.map((key) => new KernelAesGcm(backend, key));
    const aad = random.bytes(13);
    for (let i = 0; i < 60; i++) {
      const which = random.int(0, keys.length - 1);
      const nonce = random.bytes(12);
      const text = random.bytes(random.int(0, 300));
      const sealed = (ciphers[which] as KernelAesGcm).seal(nonce, text, aad);
      expect(toHex(sealed), `cipher ${which}`).toBe(
        referenceSeal(keys[which] as Uint8Array, nonce, aad, text),
      );
      const other = (which + 1 + random.int(0, keys.length - 2)) % keys.length;
      expect(() => (ciphers[other] as KernelAesGcm).open(nonce, sealed, aad)).toThrow(
        AuthenticationError,
      );
      expect(toHex((ciphers[which] as KernelAesGcm).open(nonce, sealed, aad))).toBe(toHex(text));
    }
  });

  it("hands messages over KERNEL_GCM_MAX_MESSAGE to the backend's AES-GCM, same bytes", () => {
    const { backend: counting, calls } = countingBackend(backend);
    const key = random.bytes(16);
    const aead = new KernelAesGcm(counting, key);
    const nonce = random.bytes(12);
    const aad = random.bytes(13);
    // AAD and text exactly at the bound stay in the kernel; one byte more does not.
    for (const [textLength, viaBackend] of [
      [KERNEL_GCM_MAX_MESSAGE - 13, 0],
      [KERNEL_GCM_MAX_MESSAGE - 12, 2],
      [200_000, 2],
      [1200, 0],
    ] as const) {
      const before = calls();
      const text = random.bytes(textLength);
      const sealed = aead.seal(nonce, text, aad);
      expect(toHex(sealed), `text ${textLength}`).toBe(referenceSeal(key, nonce, aad, text));
      expect(toHex(aead.open(nonce, sealed, aad))).toBe(toHex(text));
      expect(calls() - before, `text ${textLength}`).toBe(viaBackend);
    }
  });
});

/** `WebAssembly.Instance`, which the Node type definitions leave to the DOM library. */
type WasmInstance = new (module: object, imports: object) => object;

describe('KernelAesGcm instances', () => {
  it('share one kernel: making more creates no WebAssembly instance', () => {
    // V8 reserves address space for every WebAssembly memory, enough for only about 13,000 in
    // a process, and an instance costs more to make than a handshake's records gain from it.
    const backend = cryptoBackends[0] as CryptoBackend;
    const key = random.bytes(16);
    const first = new KernelAesGcm(backend, key);
    const wasm = (globalThis as unknown as { WebAssembly: { Instance: WasmInstance } }).WebAssembly;
    const original = wasm.Instance;
    let instances = 0;
    wasm.Instance = class extends original {
      constructor(module: object, imports: object) {
        super(module, imports);
        instances++;
      }
    };
    try {
      const more = Array.from({ length: 100 }, () => new KernelAesGcm(backend, key));
      expect(instances).toBe(0);
      const nonce = random.bytes(12);
      const sealed = first.seal(nonce, random.bytes(10), new Uint8Array(0));
      expect((more[99] as KernelAesGcm).open(nonce, sealed, new Uint8Array(0))).toHaveLength(10);
      // The count does see instances being made.
      new CryptoKernel();
      expect(instances).toBe(1);
    } finally {
      wasm.Instance = original;
    }
  });
});
