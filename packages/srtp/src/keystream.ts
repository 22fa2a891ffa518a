/**
 * AES-CM keystream (RFC 3711 §4.1.1), generated many packets at a time.
 *
 * The counter block for packet index i of stream SSRC and keystream block j is
 * IV + j, IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16); with a 112-bit salt the low 16 bits
 * of IV are zero, so "+ j" only fills them. A sender (and an in-order receiver) uses indexes
 * i, i+1, i+2, ..., so when a stream asks for index i the counter blocks of i..i+BATCH-1 are
 * laid out in one buffer and encrypted with a single AES-ECB call — one trip into the backend
 * per BATCH packets instead of one cipher object per packet — and kept on the stream. An index
 * behind the batch (reordering, retransmission) is computed on its own; one past it starts the
 * next batch.
 */

import { AES_BLOCK_LENGTH, type AesEcbCipher, type CryptoBackend } from '@typertc/common';

/** Packets per batch: enough to amortize the ECB call, small enough to keep per-SSRC memory low. */
const BATCH_PACKETS = 16;
/** Packets longer than this (in blocks, ~1.5 kB) are computed alone rather than batched. */
const MAX_BATCH_BLOCKS = 96;

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const EMPTY = new Uint8Array(0);

/** A stream's precomputed keystream: `count` packets from index `start`, `blocks` blocks each. */
export class KeystreamCache {
  start = -1;
  count = 0;
  blocks = 0;
  keystream: Uint8Array = EMPTY;
}

export class AesCmKeystream {
  private readonly ecb: AesEcbCipher;
  /** The salt as the top 112 bits of a counter block, read as native-endian words. */
  private readonly saltWords: Uint32Array;
  private counters = new Uint8Array(BATCH_PACKETS * 8 * AES_BLOCK_LENGTH);
  private counterWords = new Uint32Array(this.counters.buffer);
  private readonly ivBytes = new Uint8Array(AES_BLOCK_LENGTH);
  private readonly ivWords = new Uint32Array(this.ivBytes.buffer);

  /** Where the last `locate` put the keystream: `buffer` from `offset`. */
  buffer: Uint8Array = EMPTY;
  offset = 0;

  constructor(backend: CryptoBackend, key: Uint8Array, salt: Uint8Array) {
    this.ecb = backend.aesEcb(key);
    const block = new Uint8Array(AES_BLOCK_LENGTH);
    block.set(salt);
    this.saltWords = new Uint32Array(block.buffer);
  }

  /**
   * Makes `length` bytes of keystream for (`ssrc`, `index`) available at `buffer`/`offset`,
   * from `cache` when it holds them (refilling it when `index` is past it), else computed
   * directly. `cache` is null for streams without one (SRTCP, not yet authenticated SSRCs).
   */
  locate(ssrc: number, index: number, length: number, cache: KeystreamCache | null): void {
    const blocks = Math.ceil(length / AES_BLOCK_LENGTH);
    if (cache !== null && blocks <= MAX_BATCH_BLOCKS) {
      const slot = index - cache.start;
      if (cache.start >= 0 && slot >= 0 && slot < cache.count && blocks <= cache.blocks) {
        this.buffer = cache.keystream;
        this.offset = slot * cache.blocks * AES_BLOCK_LENGTH;
        return;
      }
      if (cache.start < 0 || slot >= 0) {
        const perPacket = Math.max(blocks, cache.blocks);
        cache.keystream = this.generate(ssrc, index, BATCH_PACKETS, perPacket);
        cache.start = index;
        cache.count = BATCH_PACKETS;
        cache.blocks = perPacket;
        this.buffer = cache.keystream;
        this.offset = 0;
        return;
      }
    }
    this.buffer = this.generate(ssrc, index, 1, blocks);
    this.offset = 0;
  }

  /** Keystream for `packets` consecutive indexes from `index`, `blocks` blocks each. */
  private generate(ssrc: number, index: number, packets: number, blocks: number): Uint8Array {
    const words = packets * blocks * 4;
    if (this.counterWords.length < words) {
      this.counters = new Uint8Array(words * 4);
      this.counterWords = new Uint32Array(this.counters.buffer);
    }
    const counter = this.counterWords;
    const iv = this.ivBytes;
    const ivWords = this.ivWords;
    let w = 0;
    for (let p = 0; p < packets; p++) {
      // IV = salt XOR SSRC (bytes 4..7) XOR 48-bit index (bytes 8..13), built bytewise once
      // per packet, then read back as words so each block costs four word stores.
      const i = index + p;
      const high = Math.floor(i / 0x1_0000_0000);
      ivWords.set(this.saltWords);
      iv[4] = (iv[4] as number) ^ (ssrc >>> 24);
      iv[5] = (iv[5] as number) ^ (ssrc >>> 16);
      iv[6] = (iv[6] as number) ^ (ssrc >>> 8);
      iv[7] = (iv[7] as number) ^ ssrc;
      iv[8] = (iv[8] as number) ^ (high >>> 8);
      iv[9] = (iv[9] as number) ^ high;
      iv[10] = (iv[10] as number) ^ (i >>> 24);
      iv[11] = (iv[11] as number) ^ (i >>> 16);
      iv[12] = (iv[12] as number) ^ (i >>> 8);
      iv[13] = (iv[13] as number) ^ i;
      const w0 = ivWords[0] as number;
      const w1 = ivWords[1] as number;
      const w2 = ivWords[2] as number;
      const w3 = ivWords[3] as number;
      for (let j = 0; j < blocks; j++) {
        counter[w] = w0;
        counter[w + 1] = w1;
        counter[w + 2] = w2;
        // Block number j, big-endian, in bytes 14..15 of the block.
        counter[w + 3] = LITTLE_ENDIAN ? w3 | ((j >>> 8) << 16) | ((j & 0xff) << 24) : w3 | j;
        w += 4;
      }
    }
    return this.ecb.encryptBlocks(this.counters.subarray(0, words * 4));
  }
}
