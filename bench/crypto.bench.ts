/**
 * Crypto backends, node vs noble, on 1200-byte payloads — a typical video RTP packet, the SRTP
 * hot path. Keyed objects are created once and outputs go to preallocated buffers, as an SRTP
 * context uses them, so the numbers are per-packet costs.
 */

import { type CryptoBackend, cryptoBackends } from '@typertc/common';
import type { BenchmarkGroup } from './harness.js';

const PACKET = 1200;

/** Fixed, non-trivial bytes: benchmark inputs need not be random, only not all zero. */
function pattern(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 131 + seed * 29 + 7) & 0xff);
}

const key16 = pattern(16, 1);
// A fixed nonce is fine here: nothing is secret, and the cost does not depend on its value.
const nonce = pattern(12, 2);
const iv = pattern(16, 3);
const aad = pattern(12, 4); // the size of an RTP header without extensions
const payload = pattern(PACKET, 5);

/** One entry per backend, named after it; `setup` builds the per-key state once. */
function perBackend(
  setup: (backend: CryptoBackend) => () => Uint8Array,
): BenchmarkGroup['entries'] {
  return cryptoBackends.map((backend) => ({ name: backend.name, fn: setup(backend) }));
}

export const benchmarks: readonly BenchmarkGroup[] = [
  {
    name: `AES-128-GCM seal, ${PACKET} B`,
    bytesPerOp: PACKET,
    baseline: 'noble',
    entries: perBackend((backend) => {
      const gcm = backend.aesGcm(key16);
      const out = new Uint8Array(PACKET + 16);
      return () => gcm.seal(nonce, payload, aad, out);
    }),
  },
  {
    name: `AES-128-GCM open, ${PACKET} B`,
    bytesPerOp: PACKET,
    baseline: 'noble',
    entries: perBackend((backend) => {
      const gcm = backend.aesGcm(key16);
      const sealed = gcm.seal(nonce, payload, aad);
      const out = new Uint8Array(PACKET);
      return () => gcm.open(nonce, sealed, aad, out);
    }),
  },
  {
    name: `HMAC-SHA1, ${PACKET} B`,
    bytesPerOp: PACKET,
    baseline: 'noble',
    entries: perBackend((backend) => {
      // SRTP's auth key is 160 bits (RFC 3711 §4.2.1).
      const hmac = backend.hmac('SHA-1', pattern(20, 6));
      const out = new Uint8Array(20);
      return () => hmac.mac(payload, out);
    }),
  },
  {
    name: `AES-128-CTR, ${PACKET} B`,
    bytesPerOp: PACKET,
    baseline: 'noble',
    entries: perBackend((backend) => {
      const ctr = backend.aesCtr(key16);
      const out = new Uint8Array(PACKET);
      return () => ctr.xor(iv, payload, out);
    }),
  },
];
