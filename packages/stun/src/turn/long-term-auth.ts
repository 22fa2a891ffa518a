/**
 * The client side of STUN's long-term credential mechanism (RFC 8489 §9.2) as a TURN client uses
 * it: the first request goes without credentials, the 401 that answers it names the REALM and
 * NONCE (and maybe PASSWORD-ALGORITHMS), and every later request carries USERNAME, REALM, NONCE
 * and MESSAGE-INTEGRITY under the key derived from them. A 438 (Stale Nonce) swaps the nonce.
 */

import {
  NONCE,
  PASSWORD_ALGORITHM,
  PASSWORD_ALGORITHMS,
  type PasswordAlgorithmValue,
  REALM,
  USERNAME,
} from '../attributes.js';
import { PasswordAlgorithm } from '../constants.js';
import { longTermKey, prepareCredential } from '../credentials.js';
import { StunError } from '../errors.js';
import type { StunMessage } from '../message.js';

/** What a request was signed with, kept to verify its response (RFC 8489 §9.2.5). */
export interface Signature {
  readonly key: Uint8Array;
  /** MESSAGE-INTEGRITY-SHA256 instead of MESSAGE-INTEGRITY. */
  readonly sha256: boolean;
  readonly realm: string;
  readonly nonce: string;
}

/** The authentication attributes of a 401 or 438 error response. */
export interface Challenge {
  readonly realm: string | undefined;
  readonly nonce: string | undefined;
  readonly algorithms: readonly PasswordAlgorithmValue[] | undefined;
}

/**
 * RFC 8489 §9.2: a nonce starting with this "nonce cookie" carries, in its next four characters,
 * the server's 24 STUN Security Feature bits in base64.
 */
const NONCE_COOKIE = 'obMatJos2';
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/**
 * The "Password algorithms" feature bit, read both ways: RFC 8489 §9.2 as published numbers the
 * bits from the left (0x800000, as RFC 8656 §20's example nonce "obMatJos2gAAA..." has it),
 * verified erratum 6290 from the right (0x000001). Honouring either keeps the bid-down check
 * working against servers of both readings.
 */
const PASSWORD_ALGORITHMS_FEATURE = 0x800001;

/** The security feature bits a nonce announces, or 0 without the nonce cookie. */
function securityFeatures(nonce: string): number {
  if (!nonce.startsWith(NONCE_COOKIE) || nonce.length < NONCE_COOKIE.length + 4) return 0;
  let bits = 0;
  for (const char of nonce.slice(NONCE_COOKIE.length, NONCE_COOKIE.length + 4)) {
    const value = BASE64.indexOf(char);
    if (value < 0) return 0;
    bits = (bits << 6) | value;
  }
  return bits;
}

export class LongTermAuth {
  readonly #username: string;
  readonly #password: string;
  #realm: string | undefined;
  #nonce: string | undefined;
  /** PASSWORD-ALGORITHMS as the server sent it, echoed in every request (RFC 8489 §9.2.5). */
  #algorithms: readonly PasswordAlgorithmValue[] | undefined;
  #algorithm: PasswordAlgorithmValue | undefined;
  #key: Uint8Array | undefined;

  /**
   * @throws StunError when the username is longer than USERNAME allows or either has a
   *   character SASLprep prohibits.
   */
  constructor(username: string, password: string) {
    // RFC 8489 §14.3: USERNAME carries the prepared string the key is computed from.
    const prepared = prepareCredential(username);
    USERNAME.encode(prepared, { transactionId: new Uint8Array(12), offset: 0 });
    prepareCredential(password);
    this.#username = prepared;
    this.#password = password;
  }

  /** Whether a challenge has been answered, so requests can carry credentials. */
  get ready(): boolean {
    return this.#key !== undefined;
  }

  /**
   * Takes the REALM, NONCE and PASSWORD-ALGORITHMS of a 401 (RFC 8489 §9.2.5). Returns why the
   * challenge cannot be answered, or undefined when requests can now be signed.
   */
  acceptChallenge(challenge: Challenge): string | undefined {
    const { realm, nonce, algorithms } = challenge;
    if (realm === undefined || nonce === undefined) return 'the challenge lacks REALM or NONCE';
    const downgrade = this.#checkDowngrade(challenge);
    if (downgrade !== undefined) return downgrade;
    let algorithm: PasswordAlgorithmValue | undefined;
    if (algorithms !== undefined) {
      // RFC 8489 §9.2.5 has the client take the first algorithm it supports in the server's
      // list; SHA-256 is chosen whenever offered, so a list that puts MD5 first (or an attacker
      // who reordered it) cannot lower the key's strength.
      algorithm =
        algorithms.find((a) => a.algorithm === PasswordAlgorithm.Sha256) ??
        algorithms.find((a) => a.algorithm === PasswordAlgorithm.Md5);
      if (algorithm === undefined) return 'the server offers no password algorithm we support';
    }
    try {
      this.#key = longTermKey(
        this.#username,
        realm,
        this.#password,
        algorithm?.algorithm ?? PasswordAlgorithm.Md5,
      );
    } catch (error) {
      // The realm comes from the server and may hold characters SASLprep prohibits.
      if (error instanceof StunError) return `no key for this realm: ${error.message}`;
      throw error;
    }
    this.#realm = realm;
    this.#nonce = nonce;
    this.#algorithms = algorithms;
    this.#algorithm = algorithm;
    return undefined;
  }

  /** Takes the new NONCE of a 438 (RFC 8489 §9.2.5); returns why it cannot, or undefined. */
  acceptStaleNonce(challenge: Challenge): string | undefined {
    if (challenge.nonce === undefined) return 'the 438 response lacks NONCE';
    const downgrade = this.#checkDowngrade(challenge);
    if (downgrade !== undefined) return downgrade;
    this.#nonce = challenge.nonce;
    return undefined;
  }

  /**
   * Adds USERNAME, REALM, NONCE (and PASSWORD-ALGORITHMS with PASSWORD-ALGORITHM when the server
   * offered them) and encodes the request with its integrity attribute and FINGERPRINT. Once the
   * server has offered password algorithms, requests carry MESSAGE-INTEGRITY-SHA256 only (RFC
   * 8489 §9.2.5); otherwise MESSAGE-INTEGRITY. Call only when `ready`.
   */
  sign(request: StunMessage): { bytes: Uint8Array; signature: Signature } {
    const key = this.#key as Uint8Array;
    const realm = this.#realm as string;
    const nonce = this.#nonce as string;
    request.add(USERNAME, this.#username).add(REALM, realm).add(NONCE, nonce);
    const sha256 = this.#algorithms !== undefined;
    if (this.#algorithms !== undefined && this.#algorithm !== undefined) {
      request.add(PASSWORD_ALGORITHMS, this.#algorithms).add(PASSWORD_ALGORITHM, this.#algorithm);
    }
    const bytes = sha256
      ? request.encode({ integritySha256: key, fingerprint: true })
      : request.encode({ integrity: key, fingerprint: true });
    return { bytes, signature: { key, sha256, realm, nonce } };
  }

  /**
   * RFC 8489 §9.2.5: a 401 or 438 whose nonce announces the "Password algorithms" feature but
   * which carries no PASSWORD-ALGORITHMS has had it stripped on the way (a bid-down attack), and
   * must not be answered.
   */
  #checkDowngrade({ nonce, algorithms }: Challenge): string | undefined {
    if (nonce === undefined || algorithms !== undefined) return undefined;
    return (securityFeatures(nonce) & PASSWORD_ALGORITHMS_FEATURE) !== 0
      ? 'the nonce announces password algorithms but PASSWORD-ALGORITHMS is missing'
      : undefined;
  }
}

/**
 * Whether a response to a request signed with `signature` is authentic (RFC 8489 §9.2.5): its
 * MESSAGE-INTEGRITY-SHA256 must verify when the request used SHA-256 (a MESSAGE-INTEGRITY alone
 * would be a downgrade), else its MESSAGE-INTEGRITY-SHA256 or MESSAGE-INTEGRITY, whichever is
 * present.
 */
export function verifyResponse(response: StunMessage, signature: Signature): boolean {
  if (response.integritySha256At >= 0) return response.verifySha256Integrity(signature.key);
  if (signature.sha256) return false;
  return response.verifyIntegrity(signature.key);
}
