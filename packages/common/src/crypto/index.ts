/**
 * Crypto backends: the interface, both implementations, and the process-wide choice of one;
 * and the WebAssembly kernel that SRTP and DTLS records build their hot paths on around a
 * backend's AES (`kernel/`).
 *
 * Protocol code asks `getCryptoBackend()` for the backend when it sets up keys (an SRTP context,
 * a DTLS epoch) and keeps the keyed objects it gets; changing the backend later affects objects
 * created afterwards, never keys already in use.
 */

import { type CryptoBackend, CryptoParameterError } from './backend.js';
import { nobleCrypto } from './noble.js';
import { nodeCrypto } from './node.js';

export * from './backend.js';
export { KernelAesGcm } from './kernel/aes-gcm.js';
export { GHASH_TABLE_LENGTH, writeGhashTable } from './kernel/ghash-table.js';
export {
  CryptoKernel,
  cryptoKernelAvailable,
  KERNEL_PAD_LENGTH,
  type KernelExports,
  type KernelMemory,
} from './kernel/kernel.js';
export { nobleCrypto } from './noble.js';
export { nodeCrypto } from './node.js';

/** Every backend, default first: tests and benchmarks run each primitive against all of them. */
export const cryptoBackends: readonly CryptoBackend[] = [nodeCrypto, nobleCrypto];

let current: CryptoBackend = nodeCrypto;

/** The backend new keys are set up with: `node` unless `setCryptoBackend()` chose another. */
export function getCryptoBackend(): CryptoBackend {
  return current;
}

/** Chooses the backend for keys set up from now on (e.g. `noble` where node:crypto is unwanted). */
export function setCryptoBackend(backend: CryptoBackend): void {
  current = backend;
}

/** Looks a backend up by name (`node`, `noble`), e.g. from a command-line flag. */
export function cryptoBackendByName(name: string): CryptoBackend {
  const backend = cryptoBackends.find((candidate) => candidate.name === name);
  if (backend === undefined) {
    const known = cryptoBackends.map((candidate) => candidate.name).join(', ');
    throw new CryptoParameterError(
      `unknown crypto backend ${JSON.stringify(name)}; known: ${known}`,
    );
  }
  return backend;
}
