/**
 * Ephemeral ECDH (RFC 8422 §5.4, §5.7, §5.10) on the groups WebRTC peers offer: x25519 (RFC
 * 7748), secp256r1 and secp384r1. Key generation and agreement go through `node:crypto`, which
 * does them in microseconds (pure-JS curves take milliseconds, and a server's handshake rate is
 * bound by them).
 */

import {
  createECDH,
  createPublicKey,
  diffieHellman,
  type ECDH,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { DtlsError } from '../errors.js';
import { NamedGroup } from '../handshake/ids.js';

/** The groups we offer and accept, in preference order (x25519 is the fastest and the safest). */
export const SUPPORTED_GROUPS: readonly number[] = [
  NamedGroup.x25519,
  NamedGroup.secp256r1,
  NamedGroup.secp384r1,
];

/** A public key the peer sent that is not a point of the group, or an all-zero x25519 result. */
export class InvalidKeyShareError extends DtlsError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'DTLS_KEY_SHARE', options);
  }
}

/** One side's ephemeral key pair for one handshake. */
export interface EphemeralKey {
  readonly group: number;
  /** The public key as the handshake carries it: 32 bytes (x25519) or an uncompressed point. */
  readonly publicKey: Uint8Array;
  /**
   * The shared secret with the peer's public key: the premaster secret (RFC 8422 §5.10: the
   * x-coordinate for the NIST curves, the X25519 output for x25519). Throws
   * `InvalidKeyShareError` for a key that is not valid on the group.
   */
  agree(peerPublicKey: Uint8Array): Uint8Array;
}

const X25519_SPKI_PREFIX = Uint8Array.of(
  0x30,
  0x2a,
  0x30,
  0x05,
  0x06,
  0x03,
  0x2b,
  0x65,
  0x6e,
  0x03,
  0x21,
  0x00,
);

class X25519Key implements EphemeralKey {
  readonly group = NamedGroup.x25519;
  readonly publicKey: Uint8Array;
  readonly #privateKey: KeyObject;

  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync('x25519');
    this.#privateKey = privateKey;
    const spki = publicKey.export({ format: 'der', type: 'spki' });
    this.publicKey = new Uint8Array(spki.subarray(X25519_SPKI_PREFIX.length));
  }

  agree(peerPublicKey: Uint8Array): Uint8Array {
    if (peerPublicKey.length !== 32) throw new InvalidKeyShareError('x25519 key is not 32 bytes');
    const spki = new Uint8Array(X25519_SPKI_PREFIX.length + 32);
    spki.set(X25519_SPKI_PREFIX);
    spki.set(peerPublicKey, X25519_SPKI_PREFIX.length);
    let shared: Uint8Array;
    try {
      const publicKey = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
      shared = new Uint8Array(diffieHellman({ privateKey: this.#privateKey, publicKey }));
    } catch (error) {
      throw new InvalidKeyShareError('invalid x25519 key', { cause: error });
    }
    // RFC 8422 §5.11: an all-zero result (a small-order peer key) MUST abort the handshake.
    if (shared.every((byte) => byte === 0)) throw new InvalidKeyShareError('x25519 result is zero');
    return shared;
  }
}

/** OpenSSL's names of the NIST curves, and their uncompressed point lengths (SEC 1 §2.3.3). */
const NIST_CURVES = new Map<number, { name: string; pointLength: number }>([
  [NamedGroup.secp256r1, { name: 'prime256v1', pointLength: 65 }],
  [NamedGroup.secp384r1, { name: 'secp384r1', pointLength: 97 }],
]);

class NistKey implements EphemeralKey {
  readonly publicKey: Uint8Array;
  readonly #ecdh: ECDH;
  readonly #pointLength: number;

  constructor(
    readonly group: number,
    curve: { name: string; pointLength: number },
  ) {
    this.#ecdh = createECDH(curve.name);
    this.#pointLength = curve.pointLength;
    this.publicKey = new Uint8Array(this.#ecdh.generateKeys());
  }

  agree(peerPublicKey: Uint8Array): Uint8Array {
    // RFC 8422 §5.1.2: only the uncompressed form is used.
    if (peerPublicKey.length !== this.#pointLength || peerPublicKey[0] !== 4) {
      throw new InvalidKeyShareError('not an uncompressed point of the curve');
    }
    try {
      // computeSecret checks the point is on the curve (OpenSSL's EC_POINT_oct2point).
      return new Uint8Array(this.#ecdh.computeSecret(peerPublicKey));
    } catch (error) {
      throw new InvalidKeyShareError('point not on the curve', { cause: error });
    }
  }
}

/** A fresh key pair on `group`; undefined for a group we do not support. */
export function generateEphemeralKey(group: number): EphemeralKey | undefined {
  if (group === NamedGroup.x25519) return new X25519Key();
  const curve = NIST_CURVES.get(group);
  return curve === undefined ? undefined : new NistKey(group, curve);
}
