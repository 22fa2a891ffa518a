/**
 * AES-CBC with HMAC-SHA1 records (RFC 5246 §6.2.3.2) against a plain reference implementation
 * (node:crypto aes-*-cbc and createHmac): what we seal it opens, what it seals with any padding
 * we open, bad padding and bad MAC fail alike, and the SHA-1 work does not depend on the padding.
 */

import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';
import { type CryptoBackend, concatBytes, toHex } from '@typertc/common';
import { SeededRandom } from '@typertc/common/testing';
import { describe, expect, it } from 'vitest';
import { DtlsVerificationError } from '../src/errors.js';
import { createCbcCipher } from '../src/record/index.js';
import {
  backendCases,
  expectBadRecordMac,
  FIELDS,
  type Fields,
  open,
  referenceAdditionalData,
  seal,
  withBackend,
} from './record-helpers.js';

function cbcName(key: Uint8Array): string {
  return key.length === 16 ? 'aes-128-cbc' : 'aes-256-cbc';
}

function referenceMac(macKey: Uint8Array, fields: Fields, content: Uint8Array): Buffer {
  return createHmac('sha1', macKey)
    .update(referenceAdditionalData(fields, content.length))
    .update(content)
    .digest();
}

/**
 * RFC 5246 §6.2.3.2 done the obvious (not constant-time) way: decrypt, check the padding, check
 * the MAC. Returns the content, or throws a plain Error naming what was wrong.
 */
function referenceCbcOpen(
  key: Uint8Array,
  macKey: Uint8Array,
  fields: Fields,
  fragment: Uint8Array,
): Uint8Array {
  const decipher = createDecipheriv(cbcName(key), key, fragment.subarray(0, 16));
  decipher.setAutoPadding(false);
  const body = Buffer.concat([decipher.update(fragment.subarray(16)), decipher.final()]);
  const paddingLength = body[body.length - 1] as number;
  const macEnd = body.length - paddingLength - 1;
  for (let i = macEnd; i < body.length; i++) {
    if (body[i] !== paddingLength) throw new Error('bad padding');
  }
  const content = body.subarray(0, macEnd - 20);
  if (!referenceMac(macKey, fields, content).equals(body.subarray(macEnd - 20, macEnd))) {
    throw new Error('bad mac');
  }
  return content;
}

/** Seals as RFC 5246 §6.2.3.2 with a chosen padding length, optionally spoiling MAC or padding. */
function referenceCbcSeal(
  key: Uint8Array,
  macKey: Uint8Array,
  fields: Fields,
  content: Uint8Array,
  paddingLength: number,
  spoil: 'none' | 'mac' | 'padding' = 'none',
): Uint8Array {
  const mac = referenceMac(macKey, fields, content);
  if (spoil === 'mac') mac[7] = (mac[7] as number) ^ 0x10;
  const padding = Buffer.alloc(paddingLength + 1, paddingLength);
  if (spoil === 'padding') padding[0] = (padding[0] as number) ^ 0x01;
  const body = Buffer.concat([content, mac, padding]);
  expect(body.length % 16, 'reference record must be whole blocks').toBe(0);
  const iv = new SeededRandom(paddingLength).bytes(16);
  const cipher = createCipheriv(cbcName(key), key, iv);
  cipher.setAutoPadding(false);
  return concatBytes(iv, cipher.update(body), cipher.final());
}

describe.each(backendCases)(
  '%s backend: AES-CBC with HMAC-SHA1 (RFC 5246 §6.2.3.2)',
  (_, backend) => {
    const random = new SeededRandom(0x5246);
    const key = random.bytes(16);
    const macKey = random.bytes(20);
    const create = () => withBackend(backend, () => createCbcCipher(key, macKey));

    it('seals records a plain reference implementation opens, each with a fresh IV', () => {
      const cipher = create();
      for (const length of [0, 11, 12, 27, 28, 100, 1200]) {
        const plaintext = random.bytes(length);
        const first = seal(cipher, FIELDS, plaintext);
        const second = seal(cipher, FIELDS, plaintext);
        expect(toHex(first.subarray(0, 16))).not.toBe(toHex(second.subarray(0, 16)));
        expect(toHex(referenceCbcOpen(key, macKey, FIELDS, first))).toBe(toHex(plaintext));
        expect(toHex(referenceCbcOpen(key, macKey, FIELDS, second))).toBe(toHex(plaintext));
      }
    });

    it('opens records with any valid padding, up to 255 bytes', () => {
      const cipher = create();
      const cases = [
        { content: 12, padding: 255 },
        { content: 0, padding: 251 },
        { content: 11, padding: 0 },
        { content: 27, padding: 0 },
        { content: 28, padding: 15 },
        { content: 300, padding: 111 },
        { content: 4, padding: 7 },
      ];
      for (const { content, padding } of cases) {
        const plaintext = random.bytes(content);
        const fragment = referenceCbcSeal(key, macKey, FIELDS, plaintext, padding);
        expect(toHex(open(cipher, FIELDS, fragment)), `padding ${padding}`).toBe(toHex(plaintext));
      }
    });

    it('rejects bad padding and a bad MAC with the same error', () => {
      const cipher = create();
      const messages = new Set<string>();
      for (const { content, padding } of [
        { content: 12, padding: 255 },
        { content: 28, padding: 15 },
        { content: 300, padding: 111 },
        { content: 4, padding: 7 },
      ]) {
        const plaintext = random.bytes(content);
        for (const spoil of ['mac', 'padding'] as const) {
          const fragment = referenceCbcSeal(key, macKey, FIELDS, plaintext, padding, spoil);
          expect(() => referenceCbcOpen(key, macKey, FIELDS, fragment)).toThrow(`bad ${spoil}`);
          messages.add(expectBadRecordMac(() => open(cipher, FIELDS, fragment)).message);
        }
      }
      expect(messages.size).toBe(1);
    });

    it('does the same SHA-1 work whatever the padding length, valid or not (Lucky Thirteen)', () => {
      // Counts SHA-1 compression-function calls: a message of n bytes takes ceil((n + 9) / 64).
      let compressions = 0;
      const blocks = (length: number) => Math.ceil((length + 9) / 64);
      const counting: CryptoBackend = {
        ...backend,
        hmac(algorithm, hmacKey) {
          const hmac = backend.hmac(algorithm, hmacKey);
          return {
            algorithm,
            outputLength: hmac.outputLength,
            mac(data, out) {
              compressions += blocks(data.length);
              return hmac.mac(data, out);
            },
            macParts(parts, out) {
              compressions += blocks(parts.reduce((sum, part) => sum + part.length, 0));
              return hmac.macParts(parts, out);
            },
          };
        },
        hash(algorithm, data, out) {
          compressions += blocks(data.length);
          return backend.hash(algorithm, data, out);
        },
      };
      const cipher = withBackend(counting, () => createCbcCipher(key, macKey));
      const counts = new Set<number>();
      // Every record has 288 encrypted bytes; the padding splits them differently.
      for (const { content, padding } of [
        { content: 12, padding: 255 },
        { content: 60, padding: 207 },
        { content: 167, padding: 100 },
        { content: 252, padding: 15 },
        { content: 267, padding: 0 },
      ]) {
        for (const spoil of ['none', 'mac', 'padding'] as const) {
          if (spoil === 'padding' && padding === 0) continue;
          const fragment = referenceCbcSeal(
            key,
            macKey,
            FIELDS,
            random.bytes(content),
            padding,
            spoil,
          );
          expect(fragment).toHaveLength(16 + 288);
          compressions = 0;
          try {
            open(cipher, FIELDS, fragment);
          } catch (error) {
            expect(error).toBeInstanceOf(DtlsVerificationError);
          }
          counts.add(compressions);
        }
      }
      expect(counts.size).toBe(1);
    });

    it('rejects a padding_length pointing past the start of the record', () => {
      const cipher = create();
      // 48-byte fragment: 32 encrypted bytes, so padding_length 12 leaves no room for the MAC.
      for (const padding of [12, 31, 200, 255]) {
        const body = Buffer.alloc(32, padding);
        const iv = random.bytes(16);
        const encrypt = createCipheriv('aes-128-cbc', key, iv);
        encrypt.setAutoPadding(false);
        const fragment = concatBytes(iv, encrypt.update(body), encrypt.final());
        expectBadRecordMac(() => open(cipher, FIELDS, fragment), `padding ${padding}`);
      }
    });

    it('rejects fragments that are not IV plus whole blocks, or too short for a MAC', () => {
      const cipher = create();
      for (const length of [0, 16, 31, 32, 47, 49, 63, 65]) {
        expectBadRecordMac(() => open(cipher, FIELDS, random.bytes(length)), `length ${length}`);
      }
    });
  },
);
