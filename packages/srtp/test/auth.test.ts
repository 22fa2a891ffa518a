import { CryptoKernel, cryptoBackends } from '@typertc/common';
import { describe, expect, it } from 'vitest';
import { SrtpAuthError, SrtpError } from '../src/errors.js';
import { HmacSha1 } from '../src/hmac-sha1.js';
import { ALL_PROFILES, contextPair, rtcpPacket, rtpPacket } from './helpers.js';

for (const profile of ALL_PROFILES) {
  describe(`authentication (${profile})`, () => {
    it('rejects a flipped bit anywhere in an SRTP packet, then decrypts the next', () => {
      const { sender, receiver } = contextPair(profile);
      const shape = { extensionWords: 1, payloadLength: 40 };
      const length = 12 + 8 + 40 + sender.parameters.srtpTagLength;
      for (let byte = 0; byte < length; byte++) {
        const packet = sender.protectRtp(rtpPacket({ seq: byte, ...shape }));
        const forged = packet.slice();
        forged[byte] = (forged[byte] as number) ^ (1 << (byte % 8));
        // In the header a flip may instead make it unparseable or hit another index;
        // past it (payload and tag) only authentication can notice.
        expect(() => receiver.unprotectRtp(forged)).toThrow(byte >= 20 ? SrtpAuthError : SrtpError);
        expect(receiver.unprotectRtp(packet)).toEqual(rtpPacket({ seq: byte, ...shape }));
      }
      expect(receiver.counters.authFailures).toBeGreaterThanOrEqual(length - 20);
      expect(receiver.counters.rtpUnprotected).toBe(length);
    });

    it('rejects a flipped bit in an SRTCP packet, then accepts the next', () => {
      const { sender, receiver } = contextPair(profile);
      const length = 32 + 4 + sender.parameters.srtcpTagLength;
      for (let byte = 0; byte < length; byte++) {
        const packet = sender.protectRtcp(rtcpPacket());
        const forged = packet.slice();
        forged[byte] = (forged[byte] as number) ^ 0x04;
        // Every byte is authenticated (header, payload, E || index, tag); 0x04 keeps version 2.
        expect(() => receiver.unprotectRtcp(forged)).toThrow(SrtpAuthError);
        expect(receiver.unprotectRtcp(packet)).toEqual(rtcpPacket());
      }
      expect(receiver.counters.authFailures).toBe(length);
    });

    it('rejects truncated tags', () => {
      const { sender, receiver } = contextPair(profile);
      const packet = sender.protectRtp(rtpPacket({ seq: 9 }));
      expect(() => receiver.unprotectRtp(packet.subarray(0, packet.length - 1))).toThrow(
        SrtpAuthError,
      );
    });
  });
}

for (const backend of cryptoBackends) {
  it(`HmacSha1 matches the backend's HMAC-SHA1 (${backend.name})`, () => {
    const key = Uint8Array.from({ length: 20 }, (_, i) => i + 100);
    const reference = backend.hmac('SHA-1', key);
    const kernel = new CryptoKernel();
    const hmac = new HmacSha1(backend, kernel, key);
    // A second key sharing the kernel must not disturb the first (the pad in front is swapped).
    const other = new HmacSha1(
      backend,
      kernel,
      key.map((byte) => byte ^ 0xff),
    );
    for (const length of [0, 1, 55, 56, 63, 64, 1500, 3000, 70_000]) {
      const data = Uint8Array.from({ length }, (_, i) => i * 13);
      kernel.ensurePacket(length);
      kernel.bytes.set(data, kernel.data);
      other.compute(length);
      hmac.compute(length);
      const mac = kernel.bytes.slice(hmac.mac, hmac.mac + 20);
      expect(mac).toEqual(reference.mac(data));
      expect(hmac.matches(mac, 0, 20)).toBe(true);
      mac[19] = (mac[19] as number) ^ 1;
      expect(hmac.matches(mac, 0, 20)).toBe(false);
    }
  });
}
