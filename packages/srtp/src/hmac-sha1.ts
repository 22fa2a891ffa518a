/**
 * HMAC-SHA1 (RFC 2104 §2) for SRTP authentication tags (RFC 3711 §4.2.1), computed as
 * H(K ^ opad || H(K ^ ipad || message)).
 *
 * Why not the backend's `hmac()`: node:crypto cannot reuse an Hmac object, and creating one per
 * packet costs more than hashing a 1200-byte packet. Instead the inner hash is one one-shot
 * backend digest over a buffer kept per key (K ^ ipad written once, the message copied in
 * behind it), and the outer hash is a single SHA-1 compression in JavaScript (FIPS 180-4 §6.1)
 * from the state after the K ^ opad block, computed once per key: its input is only the 20-byte
 * inner digest, where a second backend call would cost more in call overhead than the hashing.
 * The message is the authenticated portion plus, for SRTP, the 32-bit ROC (RFC 3711 §4.2).
 */

import type { CryptoBackend } from '@typertc/common';

const BLOCK = 64;
const DIGEST = 20;
/** Initial room for the message; grows (rarely) to the largest packet seen. */
const INITIAL_CAPACITY = 1500;

/** FIPS 180-4 §5.3.1: the initial SHA-1 hash value. */
const SHA1_INITIAL = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];
/** Bits hashed by the outer hash: the K ^ opad block and the inner digest. */
const OUTER_MESSAGE_BITS = (BLOCK + DIGEST) * 8;

/**
 * One SHA-1 compression (FIPS 180-4 §6.1.2): folds the 16 words in `w[0..16)` into `state`,
 * using `w[16..80)` for the message schedule.
 */
function sha1Compress(state: Int32Array, w: Int32Array): void {
  for (let t = 16; t < 80; t++) {
    const x =
      (w[t - 3] as number) ^ (w[t - 8] as number) ^ (w[t - 14] as number) ^ (w[t - 16] as number);
    w[t] = (x << 1) | (x >>> 31);
  }
  let a = state[0] as number;
  let b = state[1] as number;
  let c = state[2] as number;
  let d = state[3] as number;
  let e = state[4] as number;
  for (let t = 0; t < 80; t++) {
    let f: number;
    let k: number;
    if (t < 20) {
      f = (b & c) | (~b & d);
      k = 0x5a827999;
    } else if (t < 40) {
      f = b ^ c ^ d;
      k = 0x6ed9eba1;
    } else if (t < 60) {
      f = (b & c) | (b & d) | (c & d);
      k = 0x8f1bbcdc;
    } else {
      f = b ^ c ^ d;
      k = 0xca62c1d6;
    }
    const temp = (((a << 5) | (a >>> 27)) + f + e + k + (w[t] as number)) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = temp;
  }
  state[0] = ((state[0] as number) + a) | 0;
  state[1] = ((state[1] as number) + b) | 0;
  state[2] = ((state[2] as number) + c) | 0;
  state[3] = ((state[3] as number) + d) | 0;
  state[4] = ((state[4] as number) + e) | 0;
}

export class HmacSha1 {
  /** K ^ ipad, then the message being authenticated. */
  private inner: Uint8Array;
  /** SHA-1 state after the K ^ opad block. */
  private readonly outerState = new Int32Array(5);
  /** Working state and message schedule of the outer compression, reused per packet. */
  private readonly state = new Int32Array(5);
  private readonly schedule = new Int32Array(80);
  /** The last digest computed, for `sign` and `verify`. */
  private readonly digest = new Uint8Array(DIGEST);

  constructor(
    private readonly backend: CryptoBackend,
    key: Uint8Array,
  ) {
    // RFC 2104 §2: keys up to B bytes are zero-padded; SRTP's are 20 bytes (RFC 3711 §5.2).
    this.inner = new Uint8Array(BLOCK + INITIAL_CAPACITY);
    const w = this.schedule;
    for (let i = 0; i < BLOCK; i++) {
      const k = i < key.length ? (key[i] as number) : 0;
      this.inner[i] = k ^ 0x36;
      // K ^ opad as big-endian words, for the outer hash's first block.
      w[i >> 2] = ((w[i >> 2] as number) << 8) | (k ^ 0x5c);
    }
    this.outerState.set(SHA1_INITIAL);
    sha1Compress(this.outerState, w);
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
    const innerDigest = this.backend.hash('SHA-1', inner.subarray(0, length));
    // The outer hash's second and last block: the inner digest, then FIPS 180-4 §5.1.1 padding
    // (a 1 bit, zeros, and the message length in bits).
    const w = this.schedule;
    for (let i = 0; i < 5; i++) {
      const at = i * 4;
      w[i] =
        ((innerDigest[at] as number) << 24) |
        ((innerDigest[at + 1] as number) << 16) |
        ((innerDigest[at + 2] as number) << 8) |
        (innerDigest[at + 3] as number);
    }
    w[5] = 0x80000000 | 0;
    w.fill(0, 6, 15);
    w[15] = OUTER_MESSAGE_BITS;
    const state = this.state;
    state.set(this.outerState);
    sha1Compress(state, w);
    const digest = this.digest;
    for (let i = 0; i < 5; i++) {
      const word = state[i] as number;
      digest[i * 4] = word >>> 24;
      digest[i * 4 + 1] = word >>> 16;
      digest[i * 4 + 2] = word >>> 8;
      digest[i * 4 + 3] = word;
    }
    return digest;
  }
}
