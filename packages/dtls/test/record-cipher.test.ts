/**
 * Record protection of every suite on both crypto backends: round trips, tamper detection,
 * output buffers and a fuzz of `open`, and AEAD known answers built independently with
 * node:crypto. The CBC suite's padding and MAC handling is in cbc-cipher.test.ts.
 */

import { createCipheriv } from 'node:crypto';
import {
  BufferOverflowError,
  type CryptoBackend,
  CryptoParameterError,
  concatBytes,
  cryptoBackends,
  toHex,
} from '@typertc/common';
import { fuzzIterations, fuzzParser, SeededRandom } from '@typertc/common/testing';
import { describe, expect, it } from 'vitest';
import { DtlsVerificationError } from '../src/errors.js';
import {
  ContentType,
  createCbcCipher,
  createChaChaCipher,
  createGcmCipher,
  MAX_PLAINTEXT_LENGTH,
  MAX_SEQUENCE_NUMBER,
  type RecordCipher,
} from '../src/record/index.js';
import {
  backendCases,
  expectBadRecordMac,
  FIELDS,
  type Fields,
  flipBit,
  open,
  referenceAdditionalData,
  seal,
  sequenceBytes,
  withBackend,
} from './record-helpers.js';

/** A cipher suite's record protection, with the key material lengths its factory takes. */
interface Suite {
  readonly name: string;
  readonly keyLength: number;
  /** Length of the second factory argument: GCM salt, ChaCha IV, or CBC MAC key. */
  readonly secondLength: number;
  readonly create: (key: Uint8Array, second: Uint8Array) => RecordCipher;
}

const SUITES: readonly Suite[] = [
  { name: 'AES-128-GCM', keyLength: 16, secondLength: 4, create: createGcmCipher },
  { name: 'AES-256-GCM', keyLength: 32, secondLength: 4, create: createGcmCipher },
  { name: 'ChaCha20-Poly1305', keyLength: 32, secondLength: 12, create: createChaChaCipher },
  { name: 'AES-128-CBC-SHA', keyLength: 16, secondLength: 20, create: createCbcCipher },
  { name: 'AES-256-CBC-SHA', keyLength: 32, secondLength: 20, create: createCbcCipher },
];

const LENGTHS = [0, 1, 11, 12, 15, 16, 17, 31, 32, 100, 1200, MAX_PLAINTEXT_LENGTH];

function cipherOn(
  backend: CryptoBackend,
  suite: Suite,
  key: Uint8Array,
  second: Uint8Array,
): RecordCipher {
  return withBackend(backend, () => suite.create(key, second));
}

function referenceGcmFragment(
  key: Uint8Array,
  salt: Uint8Array,
  fields: Fields,
  plaintext: Uint8Array,
): string {
  const explicit = sequenceBytes(fields);
  const name = key.length === 16 ? 'aes-128-gcm' : 'aes-256-gcm';
  const cipher = createCipheriv(name, key, Buffer.concat([salt, explicit]), { authTagLength: 16 });
  cipher.setAAD(referenceAdditionalData(fields, plaintext.length));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return toHex(Buffer.concat([explicit, ciphertext, cipher.getAuthTag()]));
}

function referenceChaChaFragment(
  key: Uint8Array,
  iv: Uint8Array,
  fields: Fields,
  plaintext: Uint8Array,
): string {
  // RFC 7905 §2: the sequence number padded on the left to 12 bytes, XORed with the IV.
  const padded = Buffer.concat([Buffer.alloc(4), sequenceBytes(fields)]);
  const nonce = Buffer.from(iv.map((byte, i) => byte ^ (padded[i] as number)));
  const cipher = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
  cipher.setAAD(referenceAdditionalData(fields, plaintext.length), {
    plaintextLength: plaintext.length,
  });
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return toHex(Buffer.concat([ciphertext, cipher.getAuthTag()]));
}

const suiteCases = SUITES.map((suite): [string, Suite] => [suite.name, suite]);

describe.each(backendCases)('%s backend', (_, backend) => {
  describe.each(suiteCases)('%s', (name, suite) => {
    const random = new SeededRandom(name.length * 31 + backend.name.length);
    const key = random.bytes(suite.keyLength);
    const second = random.bytes(suite.secondLength);
    const create = () => cipherOn(backend, suite, key, second);
    const isCbc = suite.secondLength === 20;

    it('opens what it sealed, at every length up to 2^14, with the stated overhead', () => {
      const sender = create();
      const receiver = create();
      for (const length of LENGTHS) {
        const plaintext = random.bytes(length);
        const fields = { ...FIELDS, sequenceNumber: length };
        const fragment = seal(sender, fields, plaintext);
        expect(fragment.length - length).toBeLessThanOrEqual(sender.maxOverhead);
        if (isCbc) {
          // Minimal padding: the shortest whole-block body holding content, MAC, padding_length.
          expect(fragment.length).toBe(16 + Math.ceil((length + 21) / 16) * 16);
        } else {
          expect(fragment.length - length).toBe(sender.maxOverhead);
        }
        expect(toHex(open(receiver, fields, fragment)), `length ${length}`).toBe(toHex(plaintext));
      }
    });

    it('interoperates with the same suite on the other backend', () => {
      const other = cryptoBackends.find((candidate) => candidate !== backend) as CryptoBackend;
      const mine = create();
      const theirs = cipherOn(other, suite, key, second);
      for (const length of [0, 33, 1200]) {
        const plaintext = random.bytes(length);
        expect(toHex(open(theirs, FIELDS, seal(mine, FIELDS, plaintext)))).toBe(toHex(plaintext));
        expect(toHex(open(mine, FIELDS, seal(theirs, FIELDS, plaintext)))).toBe(toHex(plaintext));
      }
    });

    it('rejects every tampered byte of the fragment with record-mac', () => {
      const cipher = create();
      const fragment = seal(cipher, FIELDS, random.bytes(45));
      for (let i = 0; i < fragment.length; i++) {
        for (const bit of [0, 7]) {
          expectBadRecordMac(() => open(cipher, FIELDS, flipBit(fragment, i, bit)), `byte ${i}`);
        }
      }
    });

    it('rejects a record opened under another epoch, sequence number, type or version', () => {
      const cipher = create();
      const fragment = seal(cipher, FIELDS, random.bytes(30));
      const changes: Partial<Fields>[] = [
        { epoch: 2 },
        { epoch: 0 },
        { sequenceNumber: FIELDS.sequenceNumber + 1 },
        { sequenceNumber: FIELDS.sequenceNumber + 2 ** 32 },
        { contentType: ContentType.handshake },
        { version: 0xfeff },
      ];
      for (const change of changes) {
        expectBadRecordMac(() => open(cipher, { ...FIELDS, ...change }, fragment));
      }
      expect(open(cipher, FIELDS, fragment)).toHaveLength(30);
    });

    it('rejects a changed length: truncated, extended, or empty', () => {
      const cipher = create();
      const fragment = seal(cipher, FIELDS, random.bytes(64));
      for (const cut of [1, 15, 16, 32]) {
        expectBadRecordMac(() => open(cipher, FIELDS, fragment.subarray(0, fragment.length - cut)));
        expectBadRecordMac(() => open(cipher, FIELDS, fragment.subarray(cut)));
      }
      for (const extra of [1, 16]) {
        const extended = concatBytes(fragment, new Uint8Array(extra));
        expectBadRecordMac(() => open(cipher, FIELDS, extended));
      }
      for (const length of [0, 1, cipher.maxOverhead - 1]) {
        expectBadRecordMac(() => open(cipher, FIELDS, random.bytes(length)));
      }
    });

    it('writes into caller buffers, in place, and nothing when open fails', () => {
      const cipher = create();
      const plaintext = random.bytes(100);
      const bound = plaintext.length + cipher.maxOverhead;
      const out = new Uint8Array(bound + 7).fill(0xa5);
      const fragment = seal(cipher, FIELDS, plaintext, out);
      expect([fragment.buffer, fragment.byteOffset]).toEqual([out.buffer, 0]);
      expect(out.subarray(bound).every((byte) => byte === 0xa5)).toBe(true);
      const opened = new Uint8Array(120);
      const result = open(cipher, FIELDS, fragment, opened);
      expect([result.buffer, result.byteOffset, toHex(result)]).toEqual([
        opened.buffer,
        0,
        toHex(plaintext),
      ]);

      // In place: the plaintext already sits after the explicit nonce or IV.
      const packet = new Uint8Array(bound);
      packet.set(plaintext, cipher.recordIvLength);
      const sealedInPlace = seal(
        cipher,
        FIELDS,
        packet.subarray(cipher.recordIvLength, cipher.recordIvLength + 100),
        packet,
      );
      expect(toHex(open(cipher, FIELDS, sealedInPlace))).toBe(toHex(plaintext));
      const openedInPlace = open(
        cipher,
        FIELDS,
        sealedInPlace,
        sealedInPlace.subarray(cipher.recordIvLength),
      );
      expect(toHex(openedInPlace)).toBe(toHex(plaintext));

      const untouched = new Uint8Array(120).fill(0x5a);
      expectBadRecordMac(() =>
        open(cipher, FIELDS, flipBit(fragment, fragment.length - 1), untouched),
      );
      expect(untouched.every((byte) => byte === 0x5a)).toBe(true);
      expect(() => seal(cipher, FIELDS, plaintext, new Uint8Array(100))).toThrow(
        BufferOverflowError,
      );
    });

    it('refuses bad key material and out-of-range record fields', () => {
      expect(() => cipherOn(backend, suite, key, second.subarray(1))).toThrow(CryptoParameterError);
      expect(() => cipherOn(backend, suite, key.subarray(1), second)).toThrow(CryptoParameterError);
      const cipher = create();
      const plaintext = new Uint8Array(10);
      const tooLong = new Uint8Array(MAX_PLAINTEXT_LENGTH + 1);
      expect(() => seal(cipher, FIELDS, tooLong)).toThrow(RangeError);
      for (const change of [
        { epoch: 0x10000 },
        { sequenceNumber: MAX_SEQUENCE_NUMBER + 1 },
        { sequenceNumber: -1 },
        { contentType: 256 },
        { version: 0x10000 },
      ]) {
        expect(() => seal(cipher, { ...FIELDS, ...change }, plaintext)).toThrow(RangeError);
      }
      const last = { ...FIELDS, epoch: 0xffff, sequenceNumber: MAX_SEQUENCE_NUMBER };
      expect(open(cipher, last, seal(cipher, last, plaintext))).toHaveLength(10);
    });

    it('fuzz: open throws only DtlsVerificationError on mutated and random fragments', () => {
      const cipher = create();
      const seeds = [0, 1, 40, 300].map((length) => seal(cipher, FIELDS, random.bytes(length)));
      const stats = fuzzParser({
        seeds,
        iterations: fuzzIterations(1500),
        expectedError: DtlsVerificationError,
        parse: (bytes) => open(cipher, FIELDS, bytes),
      });
      // Seeds authenticate; a mutant only if a mutation happened to leave the bytes as they were.
      expect(stats.accepted).toBeGreaterThanOrEqual(seeds.length);
      for (let i = 0; i < 300; i++) {
        const fragment = random.bytes(random.int(0, 120) + (i % 3) * 16 * random.int(0, 20));
        expectBadRecordMac(() => open(cipher, FIELDS, fragment));
      }
    });
  });
});

describe('AEAD known answers, computed independently with node:crypto', () => {
  const random = new SeededRandom(0x5288);

  it.each([16, 32])(
    'AES-GCM (RFC 5288 §3): explicit nonce = epoch || seq, on both backends (%i-byte key)',
    (keyLength) => {
      const key = random.bytes(keyLength);
      const salt = random.bytes(4);
      for (const backend of cryptoBackends) {
        const cipher = withBackend(backend, () => createGcmCipher(key, salt));
        for (const fields of [FIELDS, { ...FIELDS, epoch: 0xabcd, sequenceNumber: 2 ** 48 - 2 }]) {
          const plaintext = random.bytes(57);
          const fragment = seal(cipher, fields, plaintext);
          expect(toHex(fragment), backend.name).toBe(
            referenceGcmFragment(key, salt, fields, plaintext),
          );
          expect(toHex(fragment.subarray(0, 8))).toBe(toHex(sequenceBytes(fields)));
        }
      }
    },
  );

  it('AES-GCM opens with whatever explicit nonce the peer chose', () => {
    const key = random.bytes(16);
    const salt = random.bytes(4);
    const explicit = random.bytes(8);
    const plaintext = random.bytes(33);
    const cipher = createCipheriv('aes-128-gcm', key, concatBytes(salt, explicit));
    cipher.setAAD(referenceAdditionalData(FIELDS, plaintext.length));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const fragment = concatBytes(explicit, ciphertext, cipher.getAuthTag());
    for (const backend of cryptoBackends) {
      const receiver = withBackend(backend, () => createGcmCipher(key, salt));
      expect(toHex(open(receiver, FIELDS, fragment))).toBe(toHex(plaintext));
    }
  });

  it('ChaCha20-Poly1305 (RFC 7905 §2): nonce = IV xor padded epoch || seq, on both backends', () => {
    const key = random.bytes(32);
    const iv = random.bytes(12);
    for (const backend of cryptoBackends) {
      const cipher = withBackend(backend, () => createChaChaCipher(key, iv));
      for (const fields of [
        FIELDS,
        { ...FIELDS, epoch: 0, sequenceNumber: 0 },
        { ...FIELDS, epoch: 0xffff, sequenceNumber: MAX_SEQUENCE_NUMBER },
      ]) {
        const plaintext = random.bytes(70);
        expect(toHex(seal(cipher, fields, plaintext)), backend.name).toBe(
          referenceChaChaFragment(key, iv, fields, plaintext),
        );
      }
    }
  });
});
