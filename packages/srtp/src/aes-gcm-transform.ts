/**
 * AEAD AES-GCM (RFC 7714). SRTP (§8): the header — CSRCs and header extension included — is the
 * associated data, the payload is encrypted, the 16-byte tag follows. SRTCP (§9): the first
 * 8 bytes and the E || SRTCP index word are the associated data, the rest is encrypted, the tag
 * follows the ciphertext and the index word comes last; with E = 0 (§9.2, authentication only)
 * the whole RTCP packet is associated data and only the tag is added.
 *
 * node:crypto has no reusable GCM context, so the backend creates a cipher per packet; the
 * nonce and associated-data buffers around it are kept per context.
 */

import {
  type AeadCipher,
  AuthenticationError,
  type CryptoBackend,
  writeU32BE,
} from '@typertc/common';
import { SrtpAuthError } from './errors.js';
import type { SrtpSessionKeys } from './key-derivation.js';
import type { SrtpTransform } from './transform.js';

const TAG = 16;
const RTCP_CLEAR = 8;

export class AesGcmTransform implements SrtpTransform {
  readonly srtpTagLength = TAG;
  readonly srtcpTagLength = TAG;
  private readonly rtpAead: AeadCipher;
  private readonly rtcpAead: AeadCipher;
  private readonly rtpSalt: Uint8Array;
  private readonly rtcpSalt: Uint8Array;
  private readonly nonce = new Uint8Array(12);
  /** SRTCP associated data: 8 header bytes and the index word (RFC 7714 §9.1). */
  private readonly rtcpAad = new Uint8Array(RTCP_CLEAR + 4);
  /** SRTCP associated data of an unencrypted packet: the whole packet and the index word. */
  private rtcpAuthOnlyAad = new Uint8Array(256);

  constructor(backend: CryptoBackend, rtp: SrtpSessionKeys, rtcp: SrtpSessionKeys) {
    this.rtpAead = backend.aesGcm(rtp.encryptionKey);
    this.rtcpAead = backend.aesGcm(rtcp.encryptionKey);
    this.rtpSalt = rtp.salt;
    this.rtcpSalt = rtcp.salt;
  }

  protectRtp(
    packet: Uint8Array,
    headerLength: number,
    ssrc: number,
    index: number,
    roc: number,
    out: Uint8Array,
  ): number {
    this.rtpNonce(ssrc, roc, index);
    if (out !== packet) out.set(packet.subarray(0, headerLength));
    this.rtpAead.seal(
      this.nonce,
      packet.subarray(headerLength),
      packet.subarray(0, headerLength),
      out.subarray(headerLength),
    );
    return packet.length + TAG;
  }

  unprotectRtp(
    packet: Uint8Array,
    headerLength: number,
    ssrc: number,
    index: number,
    roc: number,
    out: Uint8Array,
  ): number {
    this.rtpNonce(ssrc, roc, index);
    try {
      this.rtpAead.open(
        this.nonce,
        packet.subarray(headerLength),
        packet.subarray(0, headerLength),
        out.subarray(headerLength),
      );
    } catch (error) {
      if (error instanceof AuthenticationError) throw new SrtpAuthError();
      throw error;
    }
    if (out !== packet) out.set(packet.subarray(0, headerLength));
    return packet.length - TAG;
  }

  protectRtcp(packet: Uint8Array, ssrc: number, index: number, out: Uint8Array): number {
    const end = packet.length;
    const word = (0x8000_0000 | index) >>> 0;
    this.rtcpNonce(ssrc, index);
    this.rtcpAad.set(packet.subarray(0, RTCP_CLEAR));
    writeU32BE(this.rtcpAad, RTCP_CLEAR, word);
    if (out !== packet) out.set(packet.subarray(0, RTCP_CLEAR));
    this.rtcpAead.seal(
      this.nonce,
      packet.subarray(RTCP_CLEAR),
      this.rtcpAad,
      out.subarray(RTCP_CLEAR),
    );
    writeU32BE(out, end + TAG, word);
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
    this.rtcpNonce(ssrc, index);
    try {
      if (encrypted) {
        this.rtcpAad.set(packet.subarray(0, RTCP_CLEAR));
        this.rtcpAad.set(packet.subarray(trailer), RTCP_CLEAR);
        this.rtcpAead.open(
          this.nonce,
          packet.subarray(RTCP_CLEAR, trailer),
          this.rtcpAad,
          out.subarray(RTCP_CLEAR),
        );
        if (out !== packet) out.set(packet.subarray(0, RTCP_CLEAR));
      } else {
        const end = trailer - TAG;
        if (this.rtcpAuthOnlyAad.length < end + 4) this.rtcpAuthOnlyAad = new Uint8Array(end + 4);
        const aad = this.rtcpAuthOnlyAad;
        aad.set(packet.subarray(0, end));
        aad.set(packet.subarray(trailer), end);
        this.rtcpAead.open(this.nonce, packet.subarray(end, trailer), aad.subarray(0, end + 4));
        if (out !== packet) out.set(packet.subarray(0, end));
      }
    } catch (error) {
      if (error instanceof AuthenticationError) throw new SrtpAuthError();
      throw error;
    }
    return trailer - TAG;
  }

  /** RFC 7714 §8.1: IV = salt XOR (0^16 || SSRC || ROC || SEQ). */
  private rtpNonce(ssrc: number, roc: number, index: number): void {
    const n = this.nonce;
    const s = this.rtpSalt;
    n[0] = s[0] as number;
    n[1] = s[1] as number;
    n[2] = (s[2] as number) ^ (ssrc >>> 24);
    n[3] = (s[3] as number) ^ (ssrc >>> 16);
    n[4] = (s[4] as number) ^ (ssrc >>> 8);
    n[5] = (s[5] as number) ^ ssrc;
    n[6] = (s[6] as number) ^ (roc >>> 24);
    n[7] = (s[7] as number) ^ (roc >>> 16);
    n[8] = (s[8] as number) ^ (roc >>> 8);
    n[9] = (s[9] as number) ^ roc;
    n[10] = (s[10] as number) ^ (index >>> 8);
    n[11] = (s[11] as number) ^ index;
  }

  /** RFC 7714 §9.1: IV = salt XOR (0^16 || SSRC || 0^16 || 0 || SRTCP index). */
  private rtcpNonce(ssrc: number, index: number): void {
    const n = this.nonce;
    const s = this.rtcpSalt;
    n[0] = s[0] as number;
    n[1] = s[1] as number;
    n[2] = (s[2] as number) ^ (ssrc >>> 24);
    n[3] = (s[3] as number) ^ (ssrc >>> 16);
    n[4] = (s[4] as number) ^ (ssrc >>> 8);
    n[5] = (s[5] as number) ^ ssrc;
    n[6] = s[6] as number;
    n[7] = s[7] as number;
    n[8] = (s[8] as number) ^ (index >>> 24);
    n[9] = (s[9] as number) ^ (index >>> 16);
    n[10] = (s[10] as number) ^ (index >>> 8);
    n[11] = (s[11] as number) ^ index;
  }
}
