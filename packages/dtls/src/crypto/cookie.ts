/**
 * Stateless HelloVerifyRequest cookies (RFC 6347 §4.2.1): the server answers a ClientHello
 * without a valid cookie with Cookie = HMAC(secret, client address || client parameters) and
 * keeps nothing; the client's second ClientHello must echo it, which proves the client receives
 * at its claimed address before the server spends any work or memory on it (no amplification,
 * no per-client state for spoofed floods).
 *
 * The secret changes every `rotationMs`; a cookie made with the previous secret is still
 * accepted, so a rotation never fails a client in the middle of its exchange.
 */

import { constantTimeEqual, getCryptoBackend, type HmacKey } from '@typertc/common';

/** RFC 6347 §4.2.1 allows up to 255 bytes; 20 is enough to be unforgeable. */
const COOKIE_LENGTH = 20;
const SECRET_LENGTH = 32;
const encoder = new TextEncoder();

export interface CookieOptions {
  /** How long a secret lives; default 5 minutes. */
  readonly rotationMs?: number;
}

export class HelloCookies {
  readonly #rotationMs: number;
  #current: HmacKey;
  #previous: HmacKey | undefined;
  #rotatedAt: number | undefined;

  constructor(options: CookieOptions = {}) {
    this.#rotationMs = options.rotationMs ?? 300_000;
    this.#current = newSecret();
  }

  /** The cookie for a client at `clientAddress` sending these ClientHello parameters. */
  create(clientAddress: string, clientParameters: Uint8Array, now: number): Uint8Array {
    this.#rotate(now);
    return cookieWith(this.#current, clientAddress, clientParameters);
  }

  /** Whether `cookie` was made by this server, recently, for this client and parameters. */
  verify(
    cookie: Uint8Array,
    clientAddress: string,
    clientParameters: Uint8Array,
    now: number,
  ): boolean {
    this.#rotate(now);
    if (cookie.length !== COOKIE_LENGTH) return false;
    for (const key of [this.#current, this.#previous]) {
      if (key === undefined) continue;
      if (constantTimeEqual(cookie, cookieWith(key, clientAddress, clientParameters))) return true;
    }
    return false;
  }

  #rotate(now: number): void {
    if (this.#rotatedAt === undefined) {
      this.#rotatedAt = now;
      return;
    }
    if (now - this.#rotatedAt < this.#rotationMs) return;
    this.#previous = now - this.#rotatedAt < 2 * this.#rotationMs ? this.#current : undefined;
    this.#current = newSecret();
    this.#rotatedAt = now;
  }
}

function newSecret(): HmacKey {
  const backend = getCryptoBackend();
  return backend.hmac('SHA-256', backend.randomBytes(SECRET_LENGTH));
}

function cookieWith(key: HmacKey, clientAddress: string, parameters: Uint8Array): Uint8Array {
  const address = encoder.encode(clientAddress);
  const length = Uint8Array.of(address.length >> 8, address.length & 0xff);
  return key.macParts([length, address, parameters]).subarray(0, COOKIE_LENGTH);
}
