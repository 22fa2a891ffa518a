import { cryptoBackends } from '@typertc/common';
import { fuzzIterations, fuzzParser } from '@typertc/common/testing';
import { describe, expect, it } from 'vitest';
import { MAX_PACKET_LENGTH, SrtpContext } from '../src/context.js';
import {
  SrtpAuthError,
  SrtpConfigError,
  SrtpError,
  SrtpParseError,
  SrtpSsrcLimitError,
} from '../src/errors.js';
import { SRTP_PROFILES } from '../src/profiles.js';
import { ALL_PROFILES, contextPair, rtcpPacket, rtpPacket } from './helpers.js';

describe('bounded SSRC state', () => {
  it('rejects new SSRCs past maxSsrcs without touching known ones', () => {
    const { sender, receiver } = contextPair('SRTP_AES128_CM_HMAC_SHA1_80', undefined, {
      maxSsrcs: 4,
    });
    const flood = contextPair('SRTP_AES128_CM_HMAC_SHA1_80', undefined, { maxSsrcs: 10_000 });
    for (let ssrc = 1; ssrc <= 4; ssrc++) {
      receiver.unprotectRtp(sender.protectRtp(rtpPacket({ seq: 1, ssrc })));
    }
    for (let ssrc = 100; ssrc < 1100; ssrc++) {
      const packet = flood.sender.protectRtp(rtpPacket({ seq: 1, ssrc }));
      expect(() => receiver.unprotectRtp(packet)).toThrow(SrtpSsrcLimitError);
    }
    expect(receiver.ssrcCount.inbound).toBe(4);
    expect(receiver.counters.ssrcLimitRejections).toBe(1000);
    const next = rtpPacket({ seq: 2, ssrc: 3 });
    expect(receiver.unprotectRtp(sender.protectRtp(next))).toEqual(next);
    receiver.removeSsrc(3);
    const fresh = rtpPacket({ seq: 1, ssrc: 7 });
    expect(receiver.unprotectRtp(flood.sender.protectRtp(fresh))).toEqual(fresh);
  });

  it('creates no state for packets that fail authentication', () => {
    const { receiver } = contextPair('SRTP_AEAD_AES_128_GCM');
    const other = new SrtpContext({
      profile: 'SRTP_AEAD_AES_128_GCM',
      masterKey: new Uint8Array(16).fill(9),
      masterSalt: new Uint8Array(12),
    });
    for (let ssrc = 0; ssrc < 50; ssrc++) {
      expect(() => receiver.unprotectRtp(other.protectRtp(rtpPacket({ seq: 1, ssrc })))).toThrow(
        SrtpAuthError,
      );
    }
    expect(receiver.ssrcCount.inbound).toBe(0);
    expect(receiver.counters.authFailures).toBe(50);
  });
});

describe('configuration', () => {
  it('rejects wrong key and salt lengths and bad windows', () => {
    const profile = 'SRTP_AES128_CM_HMAC_SHA1_80';
    const masterSalt = new Uint8Array(14);
    expect(() => new SrtpContext({ profile, masterKey: new Uint8Array(32), masterSalt })).toThrow(
      SrtpConfigError,
    );
    expect(
      () =>
        new SrtpContext({ profile, masterKey: new Uint8Array(16), masterSalt: new Uint8Array(12) }),
    ).toThrow(SrtpConfigError);
    expect(
      () =>
        new SrtpContext({ profile, masterKey: new Uint8Array(16), masterSalt, replayWindow: 8 }),
    ).toThrow(SrtpConfigError);
  });
});

describe('malformed input', () => {
  it('rejects short packets and lying CSRC and extension lengths with SrtpParseError', () => {
    const { sender, receiver } = contextPair('SRTP_AES128_CM_HMAC_SHA1_80');
    const good = sender.protectRtp(rtpPacket({ seq: 1, payloadLength: 8 }));
    expect(() => receiver.unprotectRtp(good.subarray(0, 12))).toThrow(SrtpParseError);
    const lyingCsrc = good.slice();
    lyingCsrc[0] = 0x8f;
    expect(() => receiver.unprotectRtp(lyingCsrc)).toThrow(SrtpParseError);
    const lyingExtension = sender.protectRtp(rtpPacket({ seq: 2, extensionWords: 1 }));
    lyingExtension[15] = 200;
    expect(() => receiver.unprotectRtp(lyingExtension)).toThrow(SrtpParseError);
    expect(() => receiver.unprotectRtcp(new Uint8Array(10))).toThrow(SrtpParseError);
    expect(() => sender.protectRtp(new Uint8Array(11))).toThrow(SrtpParseError);
    expect(receiver.counters.parseErrors).toBe(4);
  });

  it('takes packets up to MAX_PACKET_LENGTH and refuses longer ones before any work', () => {
    for (const profile of ALL_PROFILES) {
      const { sender, receiver } = contextPair(profile);
      const tag = SRTP_PROFILES[profile].srtpTagLength;
      const largest = rtpPacket({ seq: 1, payloadLength: MAX_PACKET_LENGTH - 12 - tag });
      expect(receiver.unprotectRtp(sender.protectRtp(largest))).toEqual(largest);
      const tooLong = rtpPacket({ seq: 2, payloadLength: MAX_PACKET_LENGTH - 11 });
      expect(() => sender.protectRtp(tooLong)).toThrow(SrtpParseError);
      expect(() => receiver.unprotectRtp(tooLong)).toThrow(SrtpParseError);
      expect(() => sender.protectRtcp(new Uint8Array(MAX_PACKET_LENGTH + 1))).toThrow(
        SrtpParseError,
      );
      expect(() => receiver.unprotectRtcp(new Uint8Array(MAX_PACKET_LENGTH + 1))).toThrow(
        SrtpParseError,
      );
      expect([sender.counters.parseErrors, receiver.counters.parseErrors]).toEqual([2, 2]);
    }
  });

  for (const backend of cryptoBackends) {
    for (const profile of ALL_PROFILES) {
      it(`fuzz: unprotectRtp and unprotectRtcp (${profile}, ${backend.name})`, () => {
        const { sender, receiver } = contextPair(profile, backend, { maxSsrcs: 8 });
        const seeds = [
          sender.protectRtp(rtpPacket({ seq: 1 })),
          sender.protectRtp(rtpPacket({ seq: 2, csrcs: 2, extensionWords: 2, padding: 3 })),
          sender.protectRtp(rtpPacket({ seq: 3, payloadLength: 0 })),
        ];
        // noble's pure-JS AES is an order of magnitude slower; it gets a tenth of the run.
        const iterations = fuzzIterations(10_000, 200_000) / (backend.name === 'node' ? 1 : 10);
        const rtp = fuzzParser({
          seeds,
          parse: (bytes) => receiver.unprotectRtp(bytes),
          expectedError: SrtpError,
          iterations: Math.ceil(iterations),
        });
        expect(rtp.rejected).toBeGreaterThan(0);
        // Only the seeds themselves authenticate: an accepted mutation would be a forgery.
        expect(rtp.accepted).toBe(seeds.length);
        const rtcp = fuzzParser({
          seeds: [sender.protectRtcp(rtcpPacket()), sender.protectRtcp(rtcpPacket(5))],
          parse: (bytes) => receiver.unprotectRtcp(bytes),
          expectedError: SrtpError,
          iterations: Math.ceil(iterations),
        });
        expect(rtcp.accepted).toBeGreaterThan(0);
        expect(rtcp.accepted).toBe(2);
        // After all that, the context still works.
        const next = rtpPacket({ seq: 4 });
        expect(receiver.unprotectRtp(sender.protectRtp(next))).toEqual(next);
      });
    }
  }
});
