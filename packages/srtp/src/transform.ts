/**
 * What differs between the AES-CM/HMAC-SHA1 and the AEAD AES-GCM profiles: how a packet whose
 * header was parsed, index estimated and replay status checked (by `SrtpContext`) is encrypted
 * and authenticated. Every method writes into `out` (already checked to be large enough; it may
 * share memory with the packet at the same offset) and returns the bytes written.
 */

import type { KeystreamCache } from './keystream.js';

export interface SrtpTransform {
  /** Bytes an SRTP packet grows by: the tag. */
  readonly srtpTagLength: number;
  /** Bytes of tag on an SRTCP packet (besides the 4-byte E flag and index). */
  readonly srtcpTagLength: number;
  protectRtp(
    packet: Uint8Array,
    headerLength: number,
    ssrc: number,
    index: number,
    roc: number,
    out: Uint8Array,
    cache: KeystreamCache | null,
  ): number;
  /** Throws `SrtpAuthError`, writing nothing, when the tag does not verify. */
  unprotectRtp(
    packet: Uint8Array,
    headerLength: number,
    ssrc: number,
    index: number,
    roc: number,
    out: Uint8Array,
    cache: KeystreamCache | null,
  ): number;
  protectRtcp(packet: Uint8Array, ssrc: number, index: number, out: Uint8Array): number;
  /** Where the E flag and SRTCP index word is in a protected packet of `length` bytes. */
  rtcpTrailerOffset(length: number): number;
  /** Throws `SrtpAuthError`, writing nothing, when the tag does not verify. */
  unprotectRtcp(
    packet: Uint8Array,
    ssrc: number,
    index: number,
    encrypted: boolean,
    out: Uint8Array,
  ): number;
}
