/**
 * The TLS 1.2 pseudorandom function and everything derived with it (RFC 5246 §5, §6.3, §7.4.9,
 * §8.1; RFC 7627 §4; RFC 5705 §4). DTLS 1.2 uses TLS 1.2's unchanged (RFC 6347 §4.2).
 *
 * PRF(secret, label, seed) = P_hash(secret, label || seed), where P_hash chains HMACs:
 * A(0) = seed, A(i) = HMAC(secret, A(i-1)), output = HMAC(secret, A(1) || seed) || ... The hash
 * is SHA-256 for every suite here except the *_SHA384 ones (RFC 5289 §3).
 */

import { concatBytes, getCryptoBackend, type HashAlgorithm } from '@typertc/common';

export type PrfHash = Extract<HashAlgorithm, 'SHA-256' | 'SHA-384'>;

const encoder = new TextEncoder();

/** P_hash (RFC 5246 §5): `length` bytes of HMAC-chained output. */
export function pHash(
  hash: PrfHash,
  secret: Uint8Array,
  seed: Uint8Array,
  length: number,
): Uint8Array {
  const hmac = getCryptoBackend().hmac(hash, secret);
  const out = new Uint8Array(length);
  const parts = [new Uint8Array(0), seed];
  let a = seed;
  for (let filled = 0; filled < length; ) {
    a = hmac.mac(a);
    parts[0] = a;
    const block = hmac.macParts(parts);
    const take = Math.min(block.length, length - filled);
    out.set(block.subarray(0, take), filled);
    filled += take;
  }
  return out;
}

/** PRF(secret, label, seed) (RFC 5246 §5), the label in ASCII without a terminating NUL. */
export function prf(
  hash: PrfHash,
  secret: Uint8Array,
  label: string,
  seed: Uint8Array,
  length: number,
): Uint8Array {
  return pHash(hash, secret, concatBytes(encoder.encode(label), seed), length);
}

/** The 48-byte master secret length (RFC 5246 §8.1). */
export const MASTER_SECRET_LENGTH = 48;

/** master_secret from the premaster secret and both randoms (RFC 5246 §8.1). */
export function masterSecret(
  hash: PrfHash,
  premaster: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
): Uint8Array {
  const seed = concatBytes(clientRandom, serverRandom);
  return prf(hash, premaster, 'master secret', seed, MASTER_SECRET_LENGTH);
}

/**
 * The extended master secret (RFC 7627 §4): bound to the session hash — the hash of every
 * handshake message up to and including ClientKeyExchange — so a man in the middle cannot
 * synchronize two sessions' master secrets (the triple handshake attack).
 */
export function extendedMasterSecret(
  hash: PrfHash,
  premaster: Uint8Array,
  sessionHash: Uint8Array,
): Uint8Array {
  return prf(hash, premaster, 'extended master secret', sessionHash, MASTER_SECRET_LENGTH);
}

/** The Finished message's verify_data: 12 bytes for every suite here (RFC 5246 §7.4.9). */
export const VERIFY_DATA_LENGTH = 12;

export function finishedVerifyData(
  hash: PrfHash,
  master: Uint8Array,
  sender: 'client' | 'server',
  transcriptHash: Uint8Array,
): Uint8Array {
  return prf(hash, master, `${sender} finished`, transcriptHash, VERIFY_DATA_LENGTH);
}

/** The keys and IVs of both directions, cut from the key block (RFC 5246 §6.3). */
export interface KeyBlock {
  readonly clientMacKey: Uint8Array;
  readonly serverMacKey: Uint8Array;
  readonly clientKey: Uint8Array;
  readonly serverKey: Uint8Array;
  readonly clientIv: Uint8Array;
  readonly serverIv: Uint8Array;
}

export interface KeyBlockSizes {
  readonly macKeyLength: number;
  readonly keyLength: number;
  /** The implicit IV (the AEAD salt or nonce base); 0 for CBC, whose IVs are explicit. */
  readonly fixedIvLength: number;
}

/** key_block = PRF(master, "key expansion", server_random || client_random), cut in six. */
export function keyBlock(
  hash: PrfHash,
  master: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
  sizes: KeyBlockSizes,
): KeyBlock {
  const { macKeyLength, keyLength, fixedIvLength } = sizes;
  const total = 2 * (macKeyLength + keyLength + fixedIvLength);
  const seed = concatBytes(serverRandom, clientRandom);
  const block = prf(hash, master, 'key expansion', seed, total);
  let at = 0;
  const take = (n: number): Uint8Array => {
    const part = block.subarray(at, at + n);
    at += n;
    return part;
  };
  return {
    clientMacKey: take(macKeyLength),
    serverMacKey: take(macKeyLength),
    clientKey: take(keyLength),
    serverKey: take(keyLength),
    clientIv: take(fixedIvLength),
    serverIv: take(fixedIvLength),
  };
}

/**
 * The keying material exporter (RFC 5705 §4): PRF(master, label, client_random ||
 * server_random [|| context length (2 bytes) || context]). DTLS-SRTP calls it with
 * "EXTRACTOR-dtls_srtp" and no context (RFC 5764 §4.2).
 */
export function exportKeyingMaterial(
  hash: PrfHash,
  master: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
  label: string,
  length: number,
  context?: Uint8Array,
): Uint8Array {
  const randoms = concatBytes(clientRandom, serverRandom);
  const seed =
    context === undefined
      ? randoms
      : concatBytes(randoms, Uint8Array.of(context.length >> 8, context.length & 0xff), context);
  return prf(hash, master, label, seed, length);
}
