/**
 * AES-CM encryption with HMAC-SHA1 authentication (RFC 3711 §4.1.1, §4.2.1; AES-256 per
 * RFC 6188). SRTP: header in the clear, payload XORed with the keystream, then the tag over
 * header || encrypted payload || ROC (§4.2). SRTCP (§3.4): the first 8 bytes in the clear, the
 * rest encrypted, then E || SRTCP index and the tag over all of that.
 */

import type { CryptoBackend } from '@typertc/common';
import { writeU32BE } from '@typertc/common';
import { SrtpAuthError } from './errors.js';
import { HmacSha1 } from './hmac-sha1.js';
import type { SrtpSessionKeys } from './key-derivation.js';
import { AesCmKeystream, type KeystreamCache } from './keystream.js';
import type { SrtpTransform } from './transform.js';
import { xorKeystream } from './xor.js';

/** The SRTCP header left in the clear: V/P/RC, PT, length, sender SSRC (RFC 3711 §3.4). */
const RTCP_CLEAR = 8;

export class AesCmTransform implements SrtpTransform {
  private readonly rtpKeystream: AesCmKeystream;
  private readonly rtcpKeystream: AesCmKeystream;
  private readonly rtpAuth: HmacSha1;
  private readonly rtcpAuth: HmacSha1;

  constructor(
    backend: CryptoBackend,
    rtp: SrtpSessionKeys,
    rtcp: SrtpSessionKeys,
    readonly srtpTagLength: number,
    readonly srtcpTagLength: number,
  ) {
    this.rtpKeystream = new AesCmKeystream(backend, rtp.encryptionKey, rtp.salt);
    this.rtcpKeystream = new AesCmKeystream(backend, rtcp.encryptionKey, rtcp.salt);
    this.rtpAuth = new HmacSha1(backend, rtp.authenticationKey);
    this.rtcpAuth = new HmacSha1(backend, rtcp.authenticationKey);
  }

  protectRtp(
    packet: Uint8Array,
    headerLength: number,
    ssrc: number,
    index: number,
    roc: number,
    out: Uint8Array,
    cache: KeystreamCache | null,
  ): number {
    const end = packet.length;
    if (out !== packet) out.set(packet.subarray(0, headerLength));
    this.crypt(this.rtpKeystream, packet, headerLength, end, ssrc, index, out, cache);
    this.rtpAuth.sign(out, end, true, roc, this.srtpTagLength, out, end);
    return end + this.srtpTagLength;
  }

  unprotectRtp(
    packet: Uint8Array,
    headerLength: number,
    ssrc: number,
    index: number,
    roc: number,
    out: Uint8Array,
    cache: KeystreamCache | null,
  ): number {
    const end = packet.length - this.srtpTagLength;
    // RFC 3711 §3.3 step 5: authenticate before decrypting, and discard on failure.
    if (!this.rtpAuth.verify(packet, end, true, roc, end, this.srtpTagLength)) {
      throw new SrtpAuthError();
    }
    if (out !== packet) out.set(packet.subarray(0, headerLength));
    this.crypt(this.rtpKeystream, packet, headerLength, end, ssrc, index, out, cache);
    return end;
  }

  protectRtcp(packet: Uint8Array, ssrc: number, index: number, out: Uint8Array): number {
    const end = packet.length;
    if (out !== packet) out.set(packet.subarray(0, RTCP_CLEAR));
    this.crypt(this.rtcpKeystream, packet, RTCP_CLEAR, end, ssrc, index, out, null);
    // E = 1: this package always encrypts SRTCP.
    writeU32BE(out, end, (0x8000_0000 | index) >>> 0);
    this.rtcpAuth.sign(out, end + 4, false, 0, this.srtcpTagLength, out, end + 4);
    return end + 4 + this.srtcpTagLength;
  }

  rtcpTrailerOffset(length: number): number {
    return length - this.srtcpTagLength - 4;
  }

  unprotectRtcp(
    packet: Uint8Array,
    ssrc: number,
    index: number,
    encrypted: boolean,
    out: Uint8Array,
  ): number {
    const tagAt = packet.length - this.srtcpTagLength;
    if (!this.rtcpAuth.verify(packet, tagAt, false, 0, tagAt, this.srtcpTagLength)) {
      throw new SrtpAuthError();
    }
    const end = tagAt - 4;
    if (encrypted) {
      if (out !== packet) out.set(packet.subarray(0, RTCP_CLEAR));
      this.crypt(this.rtcpKeystream, packet, RTCP_CLEAR, end, ssrc, index, out, null);
    } else if (out !== packet) {
      out.set(packet.subarray(0, end));
    }
    return end;
  }

  private crypt(
    keystream: AesCmKeystream,
    packet: Uint8Array,
    from: number,
    to: number,
    ssrc: number,
    index: number,
    out: Uint8Array,
    cache: KeystreamCache | null,
  ): void {
    const length = to - from;
    if (length <= 0) return;
    keystream.locate(ssrc, index, length, cache);
    xorKeystream(packet, from, keystream.buffer, keystream.offset, out, from, length);
  }
}
