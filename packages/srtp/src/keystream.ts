/**
 * Counter-mode keystream for SRTP and SRTCP, generated many packets at a time.
 *
 * Both cipher families encrypt counter blocks IV + j with AES: AES-CM (RFC 3711 §4.1.1)
 * IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16), so the SSRC sits at bytes 4..7 and the
 * 48-bit index i at bytes 8..13, blocks counted from 0; AES-GCM (RFC 7714 §8.1, §9.1) builds a
 * 96-bit IV = salt XOR (0^16 || SSRC || ROC || SEQ) — SSRC at bytes 2..5, index at 6..11 — and
 * counts from 1, block 1 (J0) masking the tag and the payload starting at block 2 (SP 800-38D
 * §7.1). SRTCP uses the same layouts with its 31-bit index in place of i.
 *
 * A sender (and an in-order receiver) uses indexes i, i+1, i+2, ..., so when a stream asks for
 * index i the counter blocks of i..i+BATCH-1 are laid out in one buffer (by the kernel) and
 * encrypted with a single AES-ECB call — one trip into the backend per BATCH packets instead of
 * one cipher object per packet — and kept on the stream. An index behind the batch
 * (reordering, retransmission) is computed on its own; one past it starts the next batch.
 */

import {
  AES_BLOCK_LENGTH,
  type AesEcbCipher,
  type CryptoBackend,
  type CryptoKernel,
} from '@typertc/common';

/** Packets per batch: enough to amortize the ECB call, small enough to keep per-SSRC memory low. */
const BATCH_PACKETS = 16;
/** Packets longer than this (in blocks, ~1.5 kB) are computed alone rather than batched. */
const MAX_BATCH_BLOCKS = 96;

const EMPTY = new Uint8Array(0);

/** Where a cipher family puts the SSRC and index in its IV, and its first block counter. */
export interface CounterLayout {
  /** Offset of the SSRC in the IV; the 48-bit index follows it. */
  readonly ssrcAt: number;
  /** Counter value of the first keystream block. */
  readonly firstCounter: number;
}

export const AES_CM_LAYOUT: CounterLayout = { ssrcAt: 4, firstCounter: 0 };
export const AES_GCM_LAYOUT: CounterLayout = { ssrcAt: 2, firstCounter: 1 };

/** A stream's precomputed keystream: `count` packets from index `start`, `blocks` blocks each. */
export class KeystreamCache {
  start = -1;
  count = 0;
  blocks = 0;
  keystream: Uint8Array = EMPTY;
}

export class CounterKeystream {
  private readonly ecb: AesEcbCipher;
  /** The IV being built, in kernel memory. */
  private readonly iv: number;

  constructor(
    backend: CryptoBackend,
    private readonly kernel: CryptoKernel,
    key: Uint8Array,
    private readonly salt: Uint8Array,
    private readonly layout: CounterLayout,
  ) {
    this.ecb = backend.aesEcb(key);
    this.iv = kernel.allocate(AES_BLOCK_LENGTH);
  }

  /**
   * Copies `length` bytes of keystream for (`ssrc`, `index`) into the kernel's keystream region,
   * from `cache` when it holds them (refilling it when `index` is past it), else computed
   * directly. `cache` is null for streams without one (SRTCP, not yet authenticated SSRCs).
   */
  load(ssrc: number, index: number, length: number, cache: KeystreamCache | null): void {
    this.copy(ssrc, index, length, cache, true);
  }

  /**
   * Like `load`, but a miss computes this packet's keystream alone and leaves `cache` as it
   * was: for keystream needed before the packet is authenticated (GCM's tag mask), which a
   * forged packet must not be able to move.
   */
  loadWithoutRefill(
    ssrc: number,
    index: number,
    length: number,
    cache: KeystreamCache | null,
  ): void {
    this.copy(ssrc, index, length, cache, false);
  }

  /** AES-ECB under this keystream's key (GCM derives its hash subkey H from it). */
  encryptBlocks(blocks: Uint8Array): Uint8Array {
    return this.ecb.encryptBlocks(blocks);
  }

  private copy(
    ssrc: number,
    index: number,
    length: number,
    cache: KeystreamCache | null,
    refill: boolean,
  ): void {
    const blocks = Math.ceil(length / AES_BLOCK_LENGTH);
    let source: Uint8Array;
    let offset = 0;
    const slot = cache === null ? -1 : index - cache.start;
    if (
      cache !== null &&
      cache.start >= 0 &&
      slot >= 0 &&
      slot < cache.count &&
      blocks <= cache.blocks
    ) {
      source = cache.keystream;
      offset = slot * cache.blocks * AES_BLOCK_LENGTH;
    } else if (
      refill &&
      cache !== null &&
      blocks <= MAX_BATCH_BLOCKS &&
      (cache.start < 0 || slot >= 0)
    ) {
      const perPacket = Math.max(blocks, cache.blocks);
      source = this.generate(ssrc, index, BATCH_PACKETS, perPacket);
      cache.keystream = source;
      cache.start = index;
      cache.count = BATCH_PACKETS;
      cache.blocks = perPacket;
    } else {
      source = this.generate(ssrc, index, 1, blocks);
    }
    this.kernel.bytes.set(source.subarray(offset, offset + length), this.kernel.keystream);
  }

  /** Keystream for `packets` consecutive indexes from `index`, `blocks` blocks each. */
  private generate(ssrc: number, index: number, packets: number, blocks: number): Uint8Array {
    const kernel = this.kernel;
    kernel.ensureCounters(packets * blocks);
    const memory = kernel.bytes;
    const iv = this.iv;
    const salt = this.salt;
    const at = iv + this.layout.ssrcAt;
    const first = this.layout.firstCounter;
    for (let p = 0; p < packets; p++) {
      // The IV, bytewise: salt XOR SSRC XOR 48-bit index, zeros where the counter goes.
      const i = index + p;
      const high = Math.floor(i / 0x1_0000_0000);
      memory.fill(0, iv, iv + AES_BLOCK_LENGTH);
      memory.set(salt, iv);
      memory[at] = (memory[at] as number) ^ (ssrc >>> 24);
      memory[at + 1] = (memory[at + 1] as number) ^ (ssrc >>> 16);
      memory[at + 2] = (memory[at + 2] as number) ^ (ssrc >>> 8);
      memory[at + 3] = (memory[at + 3] as number) ^ ssrc;
      memory[at + 4] = (memory[at + 4] as number) ^ (high >>> 8);
      memory[at + 5] = (memory[at + 5] as number) ^ high;
      memory[at + 6] = (memory[at + 6] as number) ^ (i >>> 24);
      memory[at + 7] = (memory[at + 7] as number) ^ (i >>> 16);
      memory[at + 8] = (memory[at + 8] as number) ^ (i >>> 8);
      memory[at + 9] = (memory[at + 9] as number) ^ i;
      kernel.exports.counterBlocks(
        kernel.counters + p * blocks * AES_BLOCK_LENGTH,
        iv,
        first,
        blocks,
      );
    }
    const counters = memory.subarray(
      kernel.counters,
      kernel.counters + packets * blocks * AES_BLOCK_LENGTH,
    );
    return this.ecb.encryptBlocks(counters);
  }
}
