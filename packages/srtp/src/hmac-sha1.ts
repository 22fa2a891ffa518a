/**
 * HMAC-SHA1 (RFC 2104 §2) for SRTP authentication tags (RFC 3711 §4.2.1), computed as
 * H(K ^ opad || H(K ^ ipad || message)) over a message in the kernel's packet region.
 *
 * Why not the backend's `hmac()`: node:crypto cannot reuse an Hmac object, and creating one per
 * packet costs more than hashing a 1200-byte packet. Instead the inner hash is one one-shot
 * backend digest over the K ^ ipad block kept right in front of the packet region and the
 * message in it; the outer hash is a single SHA-1 compression in the kernel from the state
 * after the K ^ opad block, computed once per key: its input is only the 20-byte inner digest,
 * where a second backend call would cost more in call overhead than the hashing.
 */

import { type CryptoBackend, type CryptoKernel, KERNEL_PAD_LENGTH } from '@typertc/common';

const DIGEST = 20;
/** FIPS 180-4 §5.3.1: the initial SHA-1 hash value. */
const SHA1_INITIAL = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];
/** Bits hashed by the outer hash: the K ^ opad block and the inner digest. */
const OUTER_MESSAGE_BITS = (KERNEL_PAD_LENGTH + DIGEST) * 8;
/** Kernel scratch: outer state (20), outer block (64), schedule (320), MAC (20). */
const STATE_AT = 0;
const BLOCK_AT = 32;
const SCHEDULE_AT = BLOCK_AT + 64;
const MAC_AT = SCHEDULE_AT + 320;
const SCRATCH = MAC_AT + 32;

export class HmacSha1 {
  /** K ^ ipad, copied in front of the packet region when another key's is there. */
  private readonly innerPad = new Uint8Array(KERNEL_PAD_LENGTH);
  /** SHA-1 state after the K ^ opad block, as five little-endian words. */
  private readonly outerState: number;
  /** The outer hash's second and last block: the inner digest, then its fixed padding. */
  private readonly outerBlock: number;
  private readonly schedule: number;
  /** Where `compute` leaves the 20-byte MAC. */
  readonly mac: number;
  /** The outer block's first 20 bytes, where the inner digest goes; renewed if memory grows. */
  private digestView: Uint8Array;

  constructor(
    private readonly backend: CryptoBackend,
    private readonly kernel: CryptoKernel,
    key: Uint8Array,
  ) {
    const scratch = kernel.allocate(SCRATCH);
    this.outerState = scratch + STATE_AT;
    this.outerBlock = scratch + BLOCK_AT;
    this.schedule = scratch + SCHEDULE_AT;
    this.mac = scratch + MAC_AT;
    this.digestView = kernel.bytes.subarray(this.outerBlock, this.outerBlock + DIGEST);
    const memory = new DataView(kernel.bytes.buffer);
    // RFC 2104 §2: keys up to B bytes are zero-padded; SRTP's are 20 bytes (RFC 3711 §5.2).
    for (let i = 0; i < KERNEL_PAD_LENGTH; i++) {
      const k = i < key.length ? (key[i] as number) : 0;
      this.innerPad[i] = k ^ 0x36;
      memory.setUint8(this.outerBlock + i, k ^ 0x5c);
    }
    // The state after the K ^ opad block: one compression from the initial value.
    SHA1_INITIAL.forEach((word, i) => {
      memory.setUint32(this.outerState + i * 4, word, true);
    });
    kernel.exports.sha1Block(this.outerState, this.outerBlock, this.schedule, this.mac);
    for (let i = 0; i < 5; i++) {
      memory.setUint32(this.outerState + i * 4, memory.getUint32(this.mac + i * 4), true);
    }
    // FIPS 180-4 §5.1.1 padding of the outer message after the digest: a 1 bit, zeros, and the
    // message length in bits.
    for (let i = DIGEST; i < 64; i++) memory.setUint8(this.outerBlock + i, 0);
    memory.setUint8(this.outerBlock + DIGEST, 0x80);
    memory.setUint32(this.outerBlock + 60, OUTER_MESSAGE_BITS);
  }

  /** Computes the MAC of the packet region's first `length` bytes, at `this.mac`. */
  compute(length: number): void {
    const kernel = this.kernel;
    if (kernel.padOwner !== this) {
      kernel.bytes.set(this.innerPad, kernel.data - KERNEL_PAD_LENGTH);
      kernel.padOwner = this;
    }
    if (this.digestView.buffer !== kernel.bytes.buffer) {
      this.digestView = kernel.bytes.subarray(this.outerBlock, this.outerBlock + DIGEST);
    }
    this.backend.hash('SHA-1', kernel.padded(length), this.digestView);
    kernel.exports.sha1Block(this.outerState, this.outerBlock, this.schedule, this.mac);
  }

  /**
   * Whether `tagLength` bytes of `packet` at `tagAt` are the MAC's first bytes (RFC 3711 §4.2:
   * the tag is the truncated MAC), compared in constant time: an early exit would let a forger
   * learn the tag byte by byte.
   */
  matches(packet: Uint8Array, tagAt: number, tagLength: number): boolean {
    const memory = this.kernel.bytes;
    const mac = this.mac;
    let diff = 0;
    for (let i = 0; i < tagLength; i++) {
      diff |= (memory[mac + i] as number) ^ (packet[tagAt + i] as number);
    }
    return diff === 0;
  }
}
