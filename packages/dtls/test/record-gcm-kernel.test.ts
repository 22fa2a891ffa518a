/**
 * Where WebAssembly is available (every Node 20 not run with `--jitless`), AES-GCM records run
 * on the crypto kernel of @typertc/common: one AES-ECB call of the backend per record (E(K, J0)
 * and the record's keystream together), never a backend AES-GCM object. That the bytes are
 * right is record-cipher.test.ts's (known answers from node:crypto); the fallback without
 * WebAssembly is record-gcm-fallback.test.ts's.
 */

import { cryptoKernelAvailable, toHex } from '@typertc/common';
import { SeededRandom } from '@typertc/common/testing';
import { describe, expect, it } from 'vitest';
import { createGcmCipher } from '../src/record/index.js';
import {
  backendCases,
  countingBackend,
  expectBadRecordMac,
  FIELDS,
  flipBit,
  open,
  seal,
  withBackend,
} from './record-helpers.js';

const random = new SeededRandom(0x6c);

describe.each(backendCases)('%s backend', (_, backend) => {
  it('seals and opens each AES-GCM record with one AES-ECB call and no AES-GCM object', () => {
    expect(cryptoKernelAvailable()).toBe(true);
    const { backend: counting, calls } = countingBackend(backend);
    const key = random.bytes(32);
    const salt = random.bytes(4);
    const sender = withBackend(counting, () => createGcmCipher(key, salt));
    const receiver = withBackend(counting, () => createGcmCipher(key, salt));
    // Setting up computes each key's hash subkey H = E(K, 0^128): one call each.
    expect(calls).toEqual({ ecb: 2, gcm: 0 });
    const records = 10;
    for (let n = 0; n < records; n++) {
      const fields = { ...FIELDS, sequenceNumber: n };
      const plaintext = random.bytes(n * 150);
      const fragment = seal(sender, fields, plaintext);
      expect(toHex(open(receiver, fields, fragment))).toBe(toHex(plaintext));
    }
    expect(calls).toEqual({ ecb: 2 + 2 * records, gcm: 0 });
    // A forged record costs its ECB call too, and is rejected.
    const fragment = seal(sender, FIELDS, random.bytes(100));
    expectBadRecordMac(() => open(receiver, FIELDS, flipBit(fragment, 50)));
    expect(calls).toEqual({ ecb: 4 + 2 * records, gcm: 0 });
  });
});
