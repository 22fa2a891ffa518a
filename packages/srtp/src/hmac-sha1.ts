/**
 * HMAC-SHA1 (RFC 2104 §2) for SRTP authentication tags (RFC 3711 §4.2.1), computed from the
 * backend's one-shot SHA-1 as H(K ^ opad || H(K ^ ipad || message)).
 *
 * Why not the backend's `hmac()`: node:crypto cannot reuse an Hmac object, and creating one per
 * packet costs more than hashing a 1200-byte packet. Two one-shot digests over buffers kept per
 * key — the padded key blocks are written once, the message is copied in behind the inner
 * one — are markedly cheaper and allocate only the digests the backend returns. The message is
 * the authenticated portion plus, for SRTP, the 32-bit ROC (RFC 3711 §4.2).
 */

import type { CryptoBackend } from '@typertc/common';

const BLOCK = 64;
const DIGEST = 20;
/** Initial room for the message; grows (rarely) to the largest packet seen. */
const INITIAL_CAPACITY = 1500;

export class HmacSha1 {
  /** K ^ ipad, then the message being authenticated. */
  private inner: Uint8Array;
  /** K ^ opad, then the inner digest. */
  private readonly outer = new Uint8Array(BLOCK + DIGEST);
  /** The last digest computed, for `verify`. */
  private digest: Uint8Array = new Uint8Array(DIGEST);

  constructor(
    private readonly backend: CryptoBackend,
    key: Uint8Array,
  ) {
    // RFC 2104 §2: keys up to B bytes are zero-padded; SRTP's are 20 bytes (RFC 3711 §5.2).
    this.inner = new Uint8Array(BLOCK + INITIAL_CAPACITY);
    for (let i = 0; i < BLOCK; i++) {
      const k = i < key.length ? (key[i] as number) : 0;
      this.inner[i] = k ^ 0x36;
      this.outer[i] = k ^ 0x5c;
    }
  }

  /**
   * Computes the MAC of `data[0..end)`, followed by `roc` as 4 big-endian bytes when `withRoc`,
   * and writes its first `tagLength` bytes to `out` at `at` (RFC 3711 §4.2: truncated to the
   * leftmost bits).
   */
  sign(
    data: Uint8Array,
    end: number,
    withRoc: boolean,
    roc: number,
    tagLength: number,
    out: Uint8Array,
    at: number,
  ): void {
    const digest = this.compute(data, end, withRoc, roc);
    for (let i = 0; i < tagLength; i++) out[at + i] = digest[i] as number;
  }

  /**
   * Whether `data[tagAt..tagAt + tagLength)` is the tag of `data[0..end)` (|| ROC), compared in
   * constant time: an early exit would let a forger learn the tag byte by byte. The comparison
   * works on offsets, as common's `constantTimeEqual` would need two views per packet.
   */
  verify(
    data: Uint8Array,
    end: number,
    withRoc: boolean,
    roc: number,
    tagAt: number,
    tagLength: number,
  ): boolean {
    const digest = this.compute(data, end, withRoc, roc);
    let diff = 0;
    for (let i = 0; i < tagLength; i++) diff |= (digest[i] as number) ^ (data[tagAt + i] as number);
    return diff === 0;
  }

  private compute(data: Uint8Array, end: number, withRoc: boolean, roc: number): Uint8Array {
    const length = BLOCK + end + (withRoc ? 4 : 0);
    if (length > this.inner.length) {
      const grown = new Uint8Array(length);
      grown.set(this.inner.subarray(0, BLOCK));
      this.inner = grown;
    }
    const inner = this.inner;
    inner.set(end === data.length ? data : data.subarray(0, end), BLOCK);
    if (withRoc) {
      const at = BLOCK + end;
      inner[at] = roc >>> 24;
      inner[at + 1] = roc >>> 16;
      inner[at + 2] = roc >>> 8;
      inner[at + 3] = roc;
    }
    this.outer.set(this.backend.hash('SHA-1', inner.subarray(0, length)), BLOCK);
    this.digest = this.backend.hash('SHA-1', this.outer);
    return this.digest;
  }
}
