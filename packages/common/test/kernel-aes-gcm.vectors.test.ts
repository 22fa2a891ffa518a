/**
 * The AES-GCM known answers of test-vectors/nist-gcm-aes.json (McGrew & Viega Appendix B, the
 * NIST SP 800-38D examples; all with 96-bit nonces) against `KernelAesGcm`, the kernel's GCM
 * around each backend's AES-ECB. The backends' own AES-GCM runs them in crypto.vectors.test.ts.
 */

import { cryptoBackends, fromHex, KernelAesGcm, toHex } from '@typertc/common';
import { conformanceTag, loadVectors, type Vector } from '@typertc/common/testing';
import { describe, expect, it } from 'vitest';

interface AeadVector extends Vector {
  readonly key: string;
  readonly nonce: string;
  readonly plaintext: string;
  readonly aad: string;
  readonly ciphertext: string;
  readonly tag: string;
}

const file = loadVectors<AeadVector>('nist-gcm-aes.json');

describe(`${file.title}: the crypto kernel's AES-GCM`, () => {
  for (const backend of cryptoBackends) {
    const variant = `kernel, ${backend.name} AES`;
    describe(variant, () => {
      for (const vector of file.vectors) {
        const name = `${vector.source.document} ${vector.source.section}: ${vector.description}`;
        it(name, ({ task }) => {
          task.meta.conformance = conformanceTag(file, vector, variant);
          const aead = new KernelAesGcm(backend, fromHex(vector.key));
          const nonce = fromHex(vector.nonce);
          const aad = fromHex(vector.aad);
          expect(toHex(aead.seal(nonce, fromHex(vector.plaintext), aad))).toBe(
            vector.ciphertext + vector.tag,
          );
          const sealed = fromHex(vector.ciphertext + vector.tag);
          expect(toHex(aead.open(nonce, sealed, aad))).toBe(vector.plaintext);
        });
      }
    });
  }
});
