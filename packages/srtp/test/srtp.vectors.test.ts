/**
 * The SRTP vector files — RFC 3711 Appendix B, RFC 6188 §7, RFC 7714 §16-17 — against both
 * crypto backends. The two backends are independent implementations of AES: a vector both
 * fail is a wrong vector.
 */

import {
  CryptoKernel,
  cryptoBackends,
  fromHex,
  GHASH_TABLE_LENGTH,
  readU16BE,
  readU32BE,
  toHex,
  writeGhashTable,
} from '@typertc/common';
import { conformanceTag, loadVectors, type Vector } from '@typertc/common/testing';
import { describe, expect, it } from 'vitest';
import { SrtpContext } from '../src/context.js';
import { deriveSessionKey, SRTP_LABEL } from '../src/key-derivation.js';
import { AES_CM_LAYOUT, AES_GCM_LAYOUT, CounterKeystream } from '../src/keystream.js';
import type { SrtpProfile } from '../src/profiles.js';

interface KeystreamVector extends Vector {
  readonly kind: 'keystream';
  readonly sessionKey: string;
  readonly sessionSalt: string;
  readonly ssrc: number;
  readonly index: number;
  readonly blocks: readonly { readonly block: number; readonly keystream: string }[];
}

interface KdfVector extends Vector {
  readonly kind: 'kdf';
  readonly masterKey: string;
  readonly masterSalt: string;
  readonly cipherKey: string;
  readonly cipherSalt: string;
  readonly authKey: string;
}

interface GcmVector extends Vector {
  readonly kind: 'srtp' | 'srtp-auth-only' | 'srtcp' | 'srtcp-auth-only';
  readonly profile: SrtpProfile;
  readonly key: string;
  readonly salt: string;
  readonly srtcpIndex?: number;
  readonly plaintext: string;
  readonly protected: string;
}

const cmFiles = [
  loadVectors<KeystreamVector | KdfVector>('rfc3711-srtp.json'),
  loadVectors<KeystreamVector | KdfVector>('rfc6188-srtp-aes256.json'),
];
const gcmFile = loadVectors<GcmVector>('rfc7714-srtp-gcm.json');

for (const backend of cryptoBackends) {
  describe(`AES-CM vectors (${backend.name})`, () => {
    for (const file of cmFiles) {
      for (const vector of file.vectors) {
        it(`${file.title}: ${vector.description}`, ({ task }) => {
          task.meta.conformance = conformanceTag(file, vector, backend.name);
          if (vector.kind === 'keystream') {
            const kernel = new CryptoKernel();
            const generator = new CounterKeystream(
              backend,
              kernel,
              fromHex(vector.sessionKey),
              fromHex(vector.sessionSalt),
              AES_CM_LAYOUT,
            );
            const last = Math.max(...vector.blocks.map((entry) => entry.block));
            kernel.ensurePacket((last + 1) * 16);
            generator.load(vector.ssrc, vector.index, (last + 1) * 16, null);
            for (const { block, keystream } of vector.blocks) {
              const at = kernel.keystream + block * 16;
              expect(toHex(kernel.bytes.subarray(at, at + 16))).toBe(keystream);
            }
          } else {
            const key = fromHex(vector.masterKey);
            const salt = fromHex(vector.masterSalt);
            const derive = (label: number, hex: string): string =>
              toHex(deriveSessionKey(backend, key, salt, label, hex.length / 2));
            expect(derive(SRTP_LABEL.rtpEncryption, vector.cipherKey)).toBe(vector.cipherKey);
            expect(derive(SRTP_LABEL.rtpSalt, vector.cipherSalt)).toBe(vector.cipherSalt);
            expect(derive(SRTP_LABEL.rtpAuthentication, vector.authKey)).toBe(vector.authKey);
          }
        });
      }
    }
  });

  describe(`AES-GCM vectors (${backend.name})`, () => {
    const context = (vector: GcmVector): SrtpContext => {
      const keys = {
        encryptionKey: fromHex(vector.key),
        salt: fromHex(vector.salt),
        authenticationKey: new Uint8Array(0),
      };
      return new SrtpContext({
        profile: vector.profile,
        sessionKeys: { rtp: keys, rtcp: keys },
        backend,
      });
    };

    for (const vector of gcmFile.vectors) {
      it(`${gcmFile.title}: ${vector.description}`, ({ task }) => {
        task.meta.conformance = conformanceTag(gcmFile, vector, backend.name);
        const plaintext = fromHex(vector.plaintext);
        const protectedPacket = fromHex(vector.protected);
        if (vector.kind === 'srtp') {
          // Interop self-check: our protect of the RFC plaintext is the RFC ciphertext.
          expect(toHex(context(vector).protectRtp(plaintext))).toBe(vector.protected);
          expect(toHex(context(vector).unprotectRtp(protectedPacket))).toBe(vector.plaintext);
          return;
        }
        if (vector.kind === 'srtp-auth-only') {
          // §16.x.3-4 tag an SRTP packet without encrypting it: the whole packet is associated
          // data, there is no text, and the tag is appended. SrtpContext has no such mode, so
          // this drives its GCM parts directly: the keystream's J0 block for (SSRC, ROC 0, SEQ)
          // and the kernel's GHASH.
          const key = fromHex(vector.key);
          const kernel = new CryptoKernel();
          const keystream = new CounterKeystream(
            backend,
            kernel,
            key,
            fromHex(vector.salt),
            AES_GCM_LAYOUT,
          );
          const table = kernel.allocate(GHASH_TABLE_LENGTH);
          const h = backend.aesEcb(key).encryptBlocks(new Uint8Array(16));
          writeGhashTable(kernel.bytes, table, h);
          const ssrc = readU32BE(plaintext, 8);
          const seq = readU16BE(plaintext, 2);
          const { length } = plaintext;
          keystream.load(ssrc, seq, 16, null);
          const { data } = kernel;
          kernel.bytes.set(plaintext, data);
          kernel.exports.gcmSeal(table, kernel.keystream, data, length, data + length, 0);
          expect(toHex(kernel.bytes.subarray(data, data + length + 16))).toBe(vector.protected);
          kernel.bytes.set(protectedPacket, data);
          expect(
            kernel.exports.gcmVerify(table, kernel.keystream, data, length, data + length, 0),
          ).toBe(1);
          kernel.bytes.set(protectedPacket, data);
          kernel.bytes[data + 5] = (kernel.bytes[data + 5] as number) ^ 1;
          expect(
            kernel.exports.gcmVerify(table, kernel.keystream, data, length, data + length, 0),
          ).toBe(0);
          return;
        }
        expect(toHex(context(vector).unprotectRtcp(protectedPacket))).toBe(vector.plaintext);
        if (vector.kind === 'srtcp') {
          // SRTCP indexes count from 0 per SSRC: send up to the vector's index first.
          const sender = context(vector);
          for (let i = 0; i < (vector.srtcpIndex ?? 0); i++) sender.protectRtcp(plaintext);
          expect(toHex(sender.protectRtcp(plaintext))).toBe(vector.protected);
        }
      });
    }
  });
}
