/**
 * The State Cookie (RFC 9260 §5.1.3): everything the endpoint needs to build the association
 * from the peer's INIT and its own INIT-ACK, carried by the peer and signed with our secret, so
 * that no state is kept between INIT-ACK and COOKIE-ECHO (§5.1: resistance to SYN-flood-style
 * attacks). A cookie older than its lifetime is stale (§5.1.5), one whose MAC does not verify
 * is silently discarded.
 */

import { constantTimeEqual, getCryptoBackend, type HmacKey } from '@typertc/common';

/** What a cookie carries: both sides' INIT parameters (§5.1.3). */
export interface CookieContents {
  /** The peer's Initiate Tag: our packets' verification tag. */
  readonly peerTag: number;
  readonly peerInitialTsn: number;
  readonly peerReceiverWindow: number;
  readonly peerOutboundStreams: number;
  readonly peerInboundStreams: number;
  /** Our Initiate Tag from the INIT-ACK: the peer's packets' verification tag. */
  readonly localTag: number;
  readonly localInitialTsn: number;
  /** The tie-tags of §5.2.2, or 0: our and the peer's tags of an existing association. */
  readonly localTieTag: number;
  readonly peerTieTag: number;
  /** RFC 3758 §3.3 and RFC 6525 §4.1: what the peer's INIT said it supports. */
  readonly peerForwardTsn: boolean;
  readonly peerReconfig: boolean;
  /** RFC 9653: the peer's INIT accepted zero checksums over DTLS. */
  readonly peerZeroChecksum: boolean;
  /** When the INIT-ACK was made, ms on the association's clock. */
  readonly createdAt: number;
}

const MAC_LENGTH = 32;
/** Seven 32-bit words, two 16-bit stream counts, a flags byte and the creation time. */
const BODY_LENGTH = 7 * 4 + 2 * 2 + 1 + 8;
export const COOKIE_LENGTH = BODY_LENGTH + MAC_LENGTH;
/** RFC 9260 §16: Valid.Cookie.Life, 60 s. */
export const COOKIE_LIFETIME_MS = 60_000;

export type CookieVerdict =
  | { readonly valid: true; readonly contents: CookieContents }
  | { readonly valid: false; readonly reason: 'forged' | 'stale' };

export class StateCookies {
  readonly #key: HmacKey;

  constructor() {
    const backend = getCryptoBackend();
    this.#key = backend.hmac('SHA-256', backend.randomBytes(32));
  }

  create(contents: CookieContents): Uint8Array {
    const cookie = new Uint8Array(COOKIE_LENGTH);
    const view = new DataView(cookie.buffer);
    const words = [
      contents.peerTag,
      contents.peerInitialTsn,
      contents.peerReceiverWindow,
      contents.localTag,
      contents.localInitialTsn,
      contents.localTieTag,
      contents.peerTieTag,
    ];
    for (const [i, word] of words.entries()) view.setUint32(4 * i, word);
    view.setUint16(28, contents.peerOutboundStreams);
    view.setUint16(30, contents.peerInboundStreams);
    cookie[32] =
      (contents.peerForwardTsn ? 1 : 0) |
      (contents.peerReconfig ? 2 : 0) |
      (contents.peerZeroChecksum ? 4 : 0);
    view.setFloat64(33, contents.createdAt);
    this.#key.mac(cookie.subarray(0, BODY_LENGTH), cookie.subarray(BODY_LENGTH));
    return cookie;
  }

  /** §5.1.5: the MAC first (a forged cookie is dropped), then the age. */
  verify(cookie: Uint8Array, now: number): CookieVerdict {
    if (cookie.length !== COOKIE_LENGTH) return { valid: false, reason: 'forged' };
    const mac = this.#key.mac(cookie.subarray(0, BODY_LENGTH));
    if (!constantTimeEqual(mac, cookie.subarray(BODY_LENGTH))) {
      return { valid: false, reason: 'forged' };
    }
    const view = new DataView(cookie.buffer, cookie.byteOffset, cookie.length);
    const createdAt = view.getFloat64(33);
    if (!(now - createdAt <= COOKIE_LIFETIME_MS)) return { valid: false, reason: 'stale' };
    const flags = cookie[32] as number;
    return {
      valid: true,
      contents: {
        peerTag: view.getUint32(0),
        peerInitialTsn: view.getUint32(4),
        peerReceiverWindow: view.getUint32(8),
        localTag: view.getUint32(12),
        localInitialTsn: view.getUint32(16),
        localTieTag: view.getUint32(20),
        peerTieTag: view.getUint32(24),
        peerOutboundStreams: view.getUint16(28),
        peerInboundStreams: view.getUint16(30),
        peerForwardTsn: (flags & 1) !== 0,
        peerReconfig: (flags & 2) !== 0,
        peerZeroChecksum: (flags & 4) !== 0,
        createdAt,
      },
    };
  }
}
