/**
 * Without WebAssembly (as under `node --jitless`) there is no crypto kernel, and AES-GCM records
 * fall back to the crypto backend's own AES-GCM, with the same bytes on the wire. The kernel
 * reads the WebAssembly global when first asked, and vitest gives each test file its own
 * modules, so hiding the global here, before any cipher is made, hides it from this file only.
 */

import { createCipheriv } from 'node:crypto';
import { CryptoKernel, cryptoKernelAvailable, toHex } from '@typertc/common';
import { SeededRandom } from '@typertc/common/testing';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createGcmCipher } from '../src/record/index.js';
import {
  backendCases,
  countingBackend,
  expectBadRecordMac,
  FIELDS,
  flipBit,
  open,
  referenceAdditionalData,
  seal,
  sequenceBytes,
  withBackend,
} from './record-helpers.js';

vi.stubGlobal('WebAssembly', undefined);
afterAll(() => {
  vi.unstubAllGlobals();
});

const random = new SeededRandom(0x7c);

describe('without WebAssembly', () => {
  it('has no crypto kernel, and says so', () => {
    expect(cryptoKernelAvailable()).toBe(false);
    expect(() => new CryptoKernel()).toThrow(expect.objectContaining({ code: 'NO_WEBASSEMBLY' }));
  });

  describe.each(backendCases)('%s backend', (_, backend) => {
    it.each([16, 32])(
      "seals and opens AES-GCM records with the backend's AES-GCM (%i-byte key)",
      (keyLength) => {
        const { backend: counting, calls } = countingBackend(backend);
        const key = random.bytes(keyLength);
        const salt = random.bytes(4);
        const cipher = withBackend(counting, () => createGcmCipher(key, salt));
        const lengths = [0, 57, 1200];
        for (const length of lengths) {
          const plaintext = random.bytes(length);
          const fragment = seal(cipher, FIELDS, plaintext);
          // RFC 5288 §3, built independently: explicit nonce || ciphertext || tag.
          const explicit = sequenceBytes(FIELDS);
          const name = keyLength === 16 ? 'aes-128-gcm' : 'aes-256-gcm';
          const reference = createCipheriv(name, key, Buffer.concat([salt, explicit]));
          reference.setAAD(referenceAdditionalData(FIELDS, length));
          const body = Buffer.concat([reference.update(plaintext), reference.final()]);
          expect(toHex(fragment)).toBe(
            toHex(Buffer.concat([explicit, body, reference.getAuthTag()])),
          );
          expect(toHex(open(cipher, FIELDS, fragment))).toBe(toHex(plaintext));
        }
        expectBadRecordMac(() =>
          open(cipher, FIELDS, flipBit(seal(cipher, FIELDS, random.bytes(9)), 12)),
        );
        expect(calls).toEqual({ ecb: 0, gcm: 2 * lengths.length + 2 });
      },
    );
  });
});
