/**
 * AES-CM encryption with HMAC-SHA1 authentication (RFC 3711 §4.1.1, §4.2.1; AES-256 per
 * RFC 6188). SRTP: header in the clear, payload XORed with the keystream, then the tag over
 * header || encrypted payload || ROC (§4.2). SRTCP (§3.4): the first 8 bytes in the clear, the
 * rest encrypted, then E || SRTCP index and the tag over all of that.
 */

import { type CryptoBackend, CryptoKernel, writeU32BE } from '@typertc/common';
import { SrtpAuthError } from './errors.js';
import { HmacSha1 } from './hmac-sha1.js';
import type { SrtpSessionKeys } from './key-derivation.js';
import { AES_CM_LAYOUT, CounterKeystream, type KeystreamCache } from './keystream.js';
import type { SrtpTransform } from './transform.js';

/** The SRTCP header left in the clear: V/P/RC, PT, length, sender SSRC (RFC 3711 §3.4). */
const RTCP_CLEAR = 8;

/**
 * Every packet is copied into the kernel's packet region, encrypted or decrypted and
 * authenticated there (the HMAC input — K ^ ipad, packet, ROC — is then one range), and copied
 * out: two 1.2 kB copies cost less than one pass of XOR in JavaScript.
 */
export class AesCmTransform implements SrtpTransform {
  private readonly kernel = new CryptoKernel();
  private readonly rtpKeystream: CounterKeystream;
  private readonly rtcpKeystream: CounterKeystream;
  private readonly rtpAuth: HmacSha1;
  private readonly rtcpAuth: HmacSha1;

  constructor(
    backend: CryptoBackend,
    rtp: SrtpSessionKeys,
    rtcp: SrtpSessionKeys,
    readonly srtpTagLength: number,
    readonly srtcpTagLength: number,
  ) {
    const kernel = this.kernel;
    this.rtpKeystream = new CounterKeystream(
      backend,
      kernel,
      rtp.encryptionKey,
      rtp.salt,
      AES_CM_LAYOUT,
    );
    this.rtcpKeystream = new CounterKeystream(
      backend,
      kernel,
      rtcp.encryptionKey,
      rtcp.salt,
      AES_CM_LAYOUT,
    );
    this.rtpAuth = new HmacSha1(backend, kernel, rtp.authenticationKey);
    this.rtcpAuth = new HmacSha1(backend, kernel, rtcp.authenticationKey);
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
    const kernel = this.kernel;
    kernel.ensurePacket(end);
    kernel.bytes.set(packet, kernel.data);
    this.crypt(this.rtpKeystream, headerLength, end, ssrc, index, cache);
    // RFC 3711 §4.2: the tag covers the authenticated portion || ROC; the tag then takes the
    // ROC's place.
    const data = kernel.data;
    writeU32BE(kernel.bytes, data + end, roc);
    this.rtpAuth.compute(end + 4);
    const mac = this.rtpAuth.mac;
    kernel.bytes.copyWithin(data + end, mac, mac + this.srtpTagLength);
    out.set(kernel.packet(end + this.srtpTagLength));
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
    const kernel = this.kernel;
    kernel.ensurePacket(packet.length);
    kernel.bytes.set(packet, kernel.data);
    writeU32BE(kernel.bytes, kernel.data + end, roc);
    this.rtpAuth.compute(end + 4);
    // RFC 3711 §3.3 step 5: authenticate before decrypting, and discard on failure.
    if (!this.rtpAuth.matches(packet, end, this.srtpTagLength)) throw new SrtpAuthError();
    this.crypt(this.rtpKeystream, headerLength, end, ssrc, index, cache);
    out.set(kernel.packet(end));
    return end;
  }

  protectRtcp(packet: Uint8Array, ssrc: number, index: number, out: Uint8Array): number {
    const end = packet.length;
    const kernel = this.kernel;
    kernel.ensurePacket(end);
    kernel.bytes.set(packet, kernel.data);
    this.crypt(this.rtcpKeystream, RTCP_CLEAR, end, ssrc, index, null);
    // E = 1: this package always encrypts SRTCP.
    const data = kernel.data;
    writeU32BE(kernel.bytes, data + end, (0x8000_0000 | index) >>> 0);
    this.rtcpAuth.compute(end + 4);
    const mac = this.rtcpAuth.mac;
    kernel.bytes.copyWithin(data + end + 4, mac, mac + this.srtcpTagLength);
    const length = end + 4 + this.srtcpTagLength;
    out.set(kernel.packet(length));
    return length;
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
    const kernel = this.kernel;
    kernel.ensurePacket(packet.length);
    kernel.bytes.set(packet, kernel.data);
    this.rtcpAuth.compute(tagAt);
    if (!this.rtcpAuth.matches(packet, tagAt, this.srtcpTagLength)) throw new SrtpAuthError();
    const end = tagAt - 4;
    if (encrypted) this.crypt(this.rtcpKeystream, RTCP_CLEAR, end, ssrc, index, null);
    out.set(kernel.packet(end));
    return end;
  }

  /** XORs the keystream over bytes `from..to` of the packet region. */
  private crypt(
    keystream: CounterKeystream,
    from: number,
    to: number,
    ssrc: number,
    index: number,
    cache: KeystreamCache | null,
  ): void {
    const length = to - from;
    if (length <= 0) return;
    keystream.load(ssrc, index, length, cache);
    const kernel = this.kernel;
    const at = kernel.data + from;
    kernel.exports.xor(at, at, kernel.keystream, length);
  }
}
