/**
 * Every crypto vector file in test-vectors/, run against every crypto backend. node:crypto
 * (OpenSSL) and noble are independent implementations: a vector both fail is a wrong vector.
 */

import {
  type AeadCipher,
  type CryptoBackend,
  cryptoBackends,
  fromHex,
  type HashAlgorithm,
  toHex,
} from '@typertc/common';
import { conformanceTag, loadVectors, type Vector, type VectorFile } from '@typertc/common/testing';
import { describe, expect, it } from 'vitest';

/** AES-GCM (McGrew & Viega) and ChaCha20-Poly1305 (RFC 8439) known answers. */
interface AeadVector extends Vector {
  readonly key: string;
  readonly nonce: string;
  readonly plaintext: string;
  readonly aad: string;
  readonly ciphertext: string;
  readonly tag: string;
}

interface HmacVector extends Vector {
  readonly algorithm: HashAlgorithm;
  readonly key: string;
  readonly data: string;
  /** The MAC, or only its leading bytes where the standard truncates it (RFC 4231 §4.6). */
  readonly mac: string;
}

/** SP 800-38A Appendix F: ECB has no `iv`; CTR's `iv` is the initial counter block. */
interface AesModeVector extends Vector {
  readonly mode: 'ECB' | 'CTR';
  readonly key: string;
  readonly iv?: string;
  readonly plaintext: string;
  readonly ciphertext: string;
}

interface HashVector extends Vector {
  readonly algorithm: HashAlgorithm;
  readonly message: string;
  readonly digest: string;
}

/** One test per (backend, vector), tagged for the conformance table with the backend's name. */
function runVectors<V extends Vector>(
  file: VectorFile<V>,
  check: (backend: CryptoBackend, vector: V) => void,
): void {
  describe(file.title, () => {
    for (const backend of cryptoBackends) {
      describe(backend.name, () => {
        for (const vector of file.vectors) {
          const name = `${vector.source.document} ${vector.source.section}: ${vector.description}`;
          it(name, ({ task }) => {
            task.meta.conformance = conformanceTag(file, vector, backend.name);
            check(backend, vector);
          });
        }
      });
    }
  });
}

function checkAead(construct: (backend: CryptoBackend, key: Uint8Array) => AeadCipher) {
  return (backend: CryptoBackend, vector: AeadVector): void => {
    const aead = construct(backend, fromHex(vector.key));
    const nonce = fromHex(vector.nonce);
    const aad = fromHex(vector.aad);
    const sealed = aead.seal(nonce, fromHex(vector.plaintext), aad);
    expect(toHex(sealed)).toBe(vector.ciphertext + vector.tag);
    expect(toHex(aead.open(nonce, fromHex(vector.ciphertext + vector.tag), aad))).toBe(
      vector.plaintext,
    );
  };
}

runVectors(
  loadVectors<AeadVector>('nist-gcm-aes.json'),
  checkAead((backend, key) => backend.aesGcm(key)),
);

runVectors(
  loadVectors<AeadVector>('rfc8439-chacha20-poly1305.json'),
  checkAead((backend, key) => backend.chacha20Poly1305(key)),
);

function checkHmac(backend: CryptoBackend, vector: HmacVector): void {
  const hmac = backend.hmac(vector.algorithm, fromHex(vector.key));
  const data = fromHex(vector.data);
  const mac = toHex(hmac.mac(data));
  expect(mac).toHaveLength(2 * hmac.outputLength);
  // A truncated MAC keeps the leftmost bits (RFC 2104 §5), so the standard's value is a prefix.
  expect(mac.slice(0, vector.mac.length)).toBe(vector.mac);
  const middle = data.length >> 1;
  expect(toHex(hmac.macParts([data.subarray(0, middle), data.subarray(middle)]))).toBe(mac);
}

runVectors(loadVectors<HmacVector>('rfc2202-hmac-sha1.json'), checkHmac);
runVectors(loadVectors<HmacVector>('rfc4231-hmac-sha2.json'), checkHmac);

runVectors(loadVectors<AesModeVector>('nist-sp800-38a-aes.json'), (backend, vector) => {
  const key = fromHex(vector.key);
  const plaintext = fromHex(vector.plaintext);
  if (vector.mode === 'ECB') {
    expect(toHex(backend.aesEcb(key).encryptBlocks(plaintext))).toBe(vector.ciphertext);
    return;
  }
  expect(vector.iv).toBeDefined();
  const iv = fromHex(vector.iv ?? '');
  const ctr = backend.aesCtr(key);
  expect(toHex(ctr.xor(iv, plaintext))).toBe(vector.ciphertext);
  // CTR decryption is the same keystream XOR (SP 800-38A §6.5, F.5.2/F.5.4/F.5.6).
  expect(toHex(ctr.xor(iv, fromHex(vector.ciphertext)))).toBe(vector.plaintext);
});

const checkHash = (backend: CryptoBackend, vector: HashVector): void => {
  expect(toHex(backend.hash(vector.algorithm, fromHex(vector.message)))).toBe(vector.digest);
};
runVectors(loadVectors<HashVector>('fips180-sha.json'), checkHash);
runVectors(loadVectors<HashVector>('rfc1321-md5.json'), checkHash);
