/**
 * RFC 5769's STUN test vectors: each message decodes to what the RFC says it holds, its
 * MESSAGE-INTEGRITY verifies under the RFC's credentials (and not under a wrong one), its
 * FINGERPRINT checks, and it re-encodes bit for bit — MESSAGE-INTEGRITY and FINGERPRINT
 * recomputed by the encoder — on both crypto backends.
 */

import { cryptoBackends, fromHex, setCryptoBackend, toHex } from '@typertc/common';
import { conformanceTag, loadVectors, type Vector } from '@typertc/common/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ICE_CONTROLLED,
  longTermKey,
  NONCE,
  PRIORITY,
  prepareCredential,
  REALM,
  SOFTWARE,
  StunMessage,
  StunMethod,
  shortTermKey,
  USERNAME,
  XOR_MAPPED_ADDRESS,
} from '../src/index.js';

interface StunVector extends Vector {
  readonly message: string;
  readonly class: string;
  readonly transactionId: string;
  readonly attributes: readonly { readonly name: string; readonly type: string }[];
  readonly credential: 'short-term' | 'long-term';
  readonly username?: string;
  readonly password: string;
  readonly passwordBeforeSaslprep?: string;
  readonly realm?: string;
  readonly nonce?: string;
  readonly longTermKey?: string;
  readonly software?: string;
  readonly priority?: number;
  readonly iceControlled?: string;
  readonly xorMappedAddress?: {
    readonly address: string;
    readonly port: number;
    readonly family: string;
  };
  readonly hasFingerprint: boolean;
}

const file = loadVectors<StunVector>('rfc5769.json');
const CLASSES: Record<string, string> = { request: 'request', 'success response': 'success' };

afterEach(() => setCryptoBackend(cryptoBackends[0] as (typeof cryptoBackends)[number]));

for (const backend of cryptoBackends) {
  describe(`RFC 5769 (${backend.name})`, () => {
    for (const vector of file.vectors) {
      it(vector.description, ({ task }) => {
        task.meta.conformance = conformanceTag(file, vector, backend.name);
        setCryptoBackend(backend);
        const bytes = fromHex(vector.message);
        const message = StunMessage.decode(bytes);
        expect(message.messageClass).toBe(CLASSES[vector.class]);
        expect(message.method).toBe(StunMethod.Binding);
        expect(toHex(message.transactionId)).toBe(vector.transactionId);
        const ordinary = vector.attributes.filter(
          (a) => a.name !== 'MESSAGE-INTEGRITY' && a.name !== 'FINGERPRINT',
        );
        expect(message.attributes.map((a) => a.type)).toEqual(
          ordinary.map((a) => Number.parseInt(a.type, 16)),
        );
        expect(message.get(SOFTWARE)).toBe(vector.software);
        expect(message.get(USERNAME)).toBe(vector.username);
        expect(message.get(PRIORITY)).toBe(vector.priority);
        expect(message.get(ICE_CONTROLLED)).toBe(
          vector.iceControlled === undefined ? undefined : BigInt(`0x${vector.iceControlled}`),
        );
        expect(message.get(XOR_MAPPED_ADDRESS)).toEqual(vector.xorMappedAddress);
        expect(message.get(REALM)).toBe(vector.realm);
        expect(message.get(NONCE)).toBe(vector.nonce);
        expect(message.fingerprint).toBe(vector.hasFingerprint ? 'valid' : 'absent');

        let key: Uint8Array;
        if (vector.credential === 'short-term') {
          key = shortTermKey(vector.password);
        } else {
          // §2.4 gives the password before SASLprep; the key must come out the same from both.
          expect(prepareCredential(vector.passwordBeforeSaslprep ?? '')).toBe(vector.password);
          key = longTermKey(
            vector.username ?? '',
            vector.realm ?? '',
            vector.passwordBeforeSaslprep ?? '',
          );
          expect(toHex(key)).toBe(vector.longTermKey);
        }
        expect(message.verifyIntegrity(key)).toBe(true);
        expect(message.verifyIntegrity(shortTermKey(`${vector.password}x`))).toBe(false);

        const again = message.encode({ integrity: key, fingerprint: vector.hasFingerprint });
        expect(toHex(again)).toBe(vector.message);
      });
    }
  });
}
