/**
 * AEAD AES-GCM (RFC 7714). SRTP (§8): the header — CSRCs and header extension included — is the
 * associated data, the payload is encrypted, the 16-byte tag follows. SRTCP (§9): the first
 * 8 bytes and the E || SRTCP index word are the associated data, the rest is encrypted, the tag
 * follows the ciphertext and the index word comes last; with E = 0 (§9.2, authentication only)
 * the whole RTCP packet is associated data and only the tag is added.
 *
 * node:crypto has no reusable GCM context, and a cipher object per packet costs several times
 * the cryptography. So GCM is assembled here from its parts (NIST SP 800-38D §7): the counter
 * blocks' AES comes from the backend's AES-ECB, a batch of packets at a time
 * (`CounterKeystream`), and GCTR's XOR and GHASH run in the crypto kernel of @typertc/common,
 * over 4-bit multiplication tables for H built once per key. Packets are copied into the
 * kernel's packet region, sealed or opened there, and copied out.
 */

import {
  AES_BLOCK_LENGTH,
  type CryptoBackend,
  CryptoKernel,
  GHASH_TABLE_LENGTH,
  writeGhashTable,
  writeU32BE,
} from '@typertc/common';
import { SrtpAuthError } from './errors.js';
import type { SrtpSessionKeys } from './key-derivation.js';
import { AES_GCM_LAYOUT, CounterKeystream, type KeystreamCache } from './keystream.js';
import type { SrtpTransform } from './transform.js';

/** RFC 7714 §14.2: a 16-byte authentication tag for both SRTP and SRTCP. */
const TAG = 16;
/** RFC 7714 §9.1: the SRTCP bytes left in the clear (and authenticated): V/P/RC, PT, length, SSRC. */
const RTCP_CLEAR = 8;
/** The keystream's first block, E(K, J0), masks the tag; the payload's follows. */
const J0_BLOCK = AES_BLOCK_LENGTH;

/** One key's keystream and GHASH table. */
interface GcmKey {
  readonly keystream: CounterKeystream;
  readonly table: number;
}

export class AesGcmTransform implements SrtpTransform {
  readonly srtpTagLength = TAG;
  readonly srtcpTagLength = TAG;
  private readonly kernel = new CryptoKernel();
  private readonly rtp: GcmKey;
  private readonly rtcp: GcmKey;
  /** SRTCP associated data: 8 header bytes and the index word (RFC 7714 §9.1). */
  private readonly rtcpAad: number;

  constructor(backend: CryptoBackend, rtp: SrtpSessionKeys, rtcp: SrtpSessionKeys) {
    this.rtp = this.key(backend, rtp);
    this.rtcp = this.key(backend, rtcp);
    this.rtcpAad = this.kernel.allocate(RTCP_CLEAR + 4);
  }

  private key(backend: CryptoBackend, keys: SrtpSessionKeys): GcmKey {
    const kernel = this.kernel;
    const keystream = new CounterKeystream(
      backend,
      kernel,
      keys.encryptionKey,
      keys.salt,
      AES_GCM_LAYOUT,
    );
    const table = kernel.allocate(GHASH_TABLE_LENGTH);
    // SP 800-38D §6.4: H = CIPH_K(0^128).
    const h = keystream.encryptBlocks(new Uint8Array(AES_BLOCK_LENGTH));
    writeGhashTable(kernel.bytes, table, h);
    return { keystream, table };
  }

  protectRtp(
    packet: Uint8Array,
    headerLength: number,
    ssrc: number,
    index: number,
    _roc: number,
    out: Uint8Array,
    cache: KeystreamCache | null,
  ): number {
    const end = packet.length;
    const textLength = end - headerLength;
    const kernel = this.kernel;
    kernel.ensurePacket(end + TAG);
    this.rtp.keystream.load(ssrc, index, J0_BLOCK + textLength, cache);
    const data = kernel.data;
    kernel.bytes.set(packet, data);
    kernel.exports.gcmSeal(
      this.rtp.table,
      kernel.keystream,
      data,
      headerLength,
      data + headerLength,
      textLength,
    );
    out.set(kernel.packet(end + TAG));
    return end + TAG;
  }

  unprotectRtp(
    packet: Uint8Array,
    headerLength: number,
    ssrc: number,
    index: number,
    _roc: number,
    out: Uint8Array,
    cache: KeystreamCache | null,
  ): number {
    const end = packet.length - TAG;
    const textLength = end - headerLength;
    const kernel = this.kernel;
    kernel.ensurePacket(packet.length);
    // Only the tag mask E(K, J0) before the tag verifies: a forged packet must not refill the
    // stream's keystream batch (RFC 3711 §3.3: a rejected packet changes nothing).
    this.rtp.keystream.loadWithoutRefill(ssrc, index, J0_BLOCK, cache);
    const data = kernel.data;
    kernel.bytes.set(packet, data);
    const text = data + headerLength;
    if (
      kernel.exports.gcmVerify(
        this.rtp.table,
        kernel.keystream,
        data,
        headerLength,
        text,
        textLength,
      ) !== 1
    ) {
      throw new SrtpAuthError();
    }
    this.rtp.keystream.load(ssrc, index, J0_BLOCK + textLength, cache);
    kernel.exports.xor(text, text, kernel.keystream + J0_BLOCK, textLength);
    out.set(kernel.packet(end));
    return end;
  }

  protectRtcp(packet: Uint8Array, ssrc: number, index: number, out: Uint8Array): number {
    const end = packet.length;
    const textLength = end - RTCP_CLEAR;
    const word = (0x8000_0000 | index) >>> 0;
    const kernel = this.kernel;
    kernel.ensurePacket(end + TAG + 4);
    this.rtcp.keystream.load(ssrc, index, J0_BLOCK + textLength, null);
    const data = kernel.data;
    const memory = kernel.bytes;
    memory.set(packet, data);
    memory.copyWithin(this.rtcpAad, data, data + RTCP_CLEAR);
    writeU32BE(memory, this.rtcpAad + RTCP_CLEAR, word);
    kernel.exports.gcmSeal(
      this.rtcp.table,
      kernel.keystream,
      this.rtcpAad,
      RTCP_CLEAR + 4,
      data + RTCP_CLEAR,
      textLength,
    );
    writeU32BE(memory, data + end + TAG, word);
    out.set(kernel.packet(end + TAG + 4));
    return end + TAG + 4;
  }

  rtcpTrailerOffset(length: number): number {
    return length - 4;
  }

  unprotectRtcp(
    packet: Uint8Array,
    ssrc: number,
    index: number,
    encrypted: boolean,
    out: Uint8Array,
  ): number {
    const trailer = packet.length - 4;
    const end = trailer - TAG;
    const kernel = this.kernel;
    kernel.ensurePacket(packet.length);
    const data = kernel.data;
    let authentic: number;
    if (encrypted) {
      const textLength = end - RTCP_CLEAR;
      // SRTCP keeps no keystream batch, so the whole keystream can come before the tag check.
      this.rtcp.keystream.load(ssrc, index, J0_BLOCK + textLength, null);
      const memory = kernel.bytes;
      memory.set(packet, data);
      memory.copyWithin(this.rtcpAad, data, data + RTCP_CLEAR);
      memory.copyWithin(this.rtcpAad + RTCP_CLEAR, data + trailer, data + trailer + 4);
      const text = data + RTCP_CLEAR;
      authentic = kernel.exports.gcmVerify(
        this.rtcp.table,
        kernel.keystream,
        this.rtcpAad,
        RTCP_CLEAR + 4,
        text,
        textLength,
      );
      if (authentic === 1) {
        kernel.exports.xor(text, text, kernel.keystream + J0_BLOCK, textLength);
      }
    } else {
      // Associated data: the packet, then the index word; no text; the tag after that. The
      // layout fills exactly the packet's length.
      this.rtcp.keystream.load(ssrc, index, J0_BLOCK, null);
      const memory = kernel.bytes;
      memory.set(packet, data);
      memory.copyWithin(data + end, data + trailer, data + trailer + 4);
      const tagAt = data + end + 4;
      memory.set(packet.subarray(end, trailer), tagAt);
      authentic = kernel.exports.gcmVerify(
        this.rtcp.table,
        kernel.keystream,
        data,
        end + 4,
        tagAt,
        0,
      );
    }
    if (authentic !== 1) throw new SrtpAuthError();
    out.set(kernel.packet(end));
    return end;
  }
}
