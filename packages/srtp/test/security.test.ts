/**
 * Security properties checked against independent references: SRTP output recomputed from the
 * backend's own AES-CTR/HMAC/GCM primitives (so the keystream cache, nonce and AAD layouts are
 * checked packet by packet), state left untouched by rejected packets, index exhaustion, and
 * index continuity across `removeSsrc`.
 */

import { type CryptoBackend, cryptoBackends, nodeCrypto, readU32BE, toHex } from '@typertc/common';
import { describe, expect, it } from 'vitest';
import type { SrtpContext } from '../src/context.js';
import { SrtpAuthError, SrtpKeyExhaustedError, SrtpReplayError } from '../src/errors.js';
import { deriveSrtpSessionKeys } from '../src/key-derivation.js';
import { SRTP_PROFILES, type SrtpProfile } from '../src/profiles.js';
import { ALL_PROFILES, contextPair, rtcpPacket, rtpPacket } from './helpers.js';

/** The same master key and salt `contextPair` uses. */
function sessionKeys(profile: SrtpProfile, backend: CryptoBackend) {
  const { keyLength, saltLength, authKeyLength } = SRTP_PROFILES[profile];
  const masterKey = Uint8Array.from({ length: keyLength }, (_, i) => i * 11 + 1);
  const masterSalt = Uint8Array.from({ length: saltLength }, (_, i) => i * 5 + 3);
  return deriveSrtpSessionKeys(
    backend,
    masterKey,
    masterSalt,
    keyLength,
    saltLength,
    authKeyLength,
  );
}

function headerLength(packet: Uint8Array): number {
  const csrcs = (packet[0] as number) & 0x0f;
  let end = 12 + csrcs * 4;
  if ((packet[0] as number) & 0x10)
    end += 4 + (((packet[end + 2] as number) << 8) | (packet[end + 3] as number)) * 4;
  return end;
}

/** SRTP per RFC 3711 §4.1.1/§4.2 or RFC 7714 §8, straight from the primitives. */
function referenceProtect(
  profile: SrtpProfile,
  backend: CryptoBackend,
  packet: Uint8Array,
  roc: number,
): Uint8Array {
  const { rtp } = sessionKeys(profile, backend);
  const { cipher, srtpTagLength } = SRTP_PROFILES[profile];
  const header = headerLength(packet);
  const ssrc = readU32BE(packet, 8);
  const seq = ((packet[2] as number) << 8) | (packet[3] as number);
  const ssrcBytes = [ssrc >>> 24, (ssrc >>> 16) & 0xff, (ssrc >>> 8) & 0xff, ssrc & 0xff];
  const rocBytes = [roc >>> 24, (roc >>> 16) & 0xff, (roc >>> 8) & 0xff, roc & 0xff];
  if (cipher === 'AES-GCM') {
    // RFC 7714 §8.1: IV = (0x0000 || SSRC || ROC || SEQ) XOR salt; AAD = the whole header.
    const nonce = Uint8Array.from([0, 0, ...ssrcBytes, ...rocBytes, seq >>> 8, seq & 0xff]);
    for (let i = 0; i < 12; i++) nonce[i] = (nonce[i] as number) ^ (rtp.salt[i] as number);
    const sealed = backend
      .aesGcm(rtp.encryptionKey)
      .seal(nonce, packet.subarray(header), packet.subarray(0, header));
    const out = new Uint8Array(header + sealed.length);
    out.set(packet.subarray(0, header));
    out.set(sealed, header);
    return out;
  }
  // RFC 3711 §4.1.1: IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16), i = 2^16 * ROC + SEQ.
  const iv = new Uint8Array(16);
  iv.set(rtp.salt);
  const indexBytes = [...rocBytes, seq >>> 8, seq & 0xff];
  for (let k = 0; k < 4; k++) iv[4 + k] = (iv[4 + k] as number) ^ (ssrcBytes[k] as number);
  for (let k = 0; k < 6; k++) iv[8 + k] = (iv[8 + k] as number) ^ (indexBytes[k] as number);
  const out = new Uint8Array(packet.length + srtpTagLength);
  out.set(packet.subarray(0, header));
  out.set(backend.aesCtr(rtp.encryptionKey).xor(iv, packet.subarray(header)), header);
  // RFC 3711 §4.2: tag over the authenticated portion || ROC, truncated.
  const tag = backend
    .hmac('SHA-1', rtp.authenticationKey)
    .macParts([out.subarray(0, packet.length), Uint8Array.from(rocBytes)]);
  out.set(tag.subarray(0, srtpTagLength), packet.length);
  return out;
}

interface StreamState {
  roc: number;
  highestSeq: number;
  nextRtcpIndex: number;
}

function inboundState(context: SrtpContext, ssrc: number): StreamState | undefined {
  return (context as unknown as { inbound: Map<number, StreamState> }).inbound.get(ssrc);
}

function outboundState(context: SrtpContext, ssrc: number): StreamState | undefined {
  return (context as unknown as { outbound: Map<number, StreamState> }).outbound.get(ssrc);
}

const SSRC = 0x1234_5678;

for (const backend of cryptoBackends) {
  for (const profile of ALL_PROFILES) {
    describe(`against a reference implementation (${profile}, ${backend.name})`, () => {
      it('every packet gets its own index keystream: runs, repeats, reorders, jumps, the wrap, sizes', () => {
        const { sender, receiver } = contextPair(profile, backend);
        // True packet indexes, each within 2^15 of the highest before it, so the sender's
        // estimate is the true ROC. Repeats are retransmissions of the same packet.
        const indexes: number[] = [];
        for (let i = 65500; i < 65540; i++) indexes.push(i); // in order, across the wrap
        indexes.push(65530, 65520, 65541, 65541, 65539, 65600); // old, old, fresh, repeat, old, jump
        for (let i = 65601; i < 65620; i++) indexes.push(i);
        indexes.push(85600, 85601, 85570, 115600, 2 * 65536 + 3); // big jumps, old, next wrap
        for (let i = 2 * 65536 + 4; i < 2 * 65536 + 40; i++) indexes.push(i);
        const lengths = [160, 0, 1, 15, 16, 17, 37, 1200, 1600, 3000, 160, 20_000];
        const received: { packet: Uint8Array; sent: Uint8Array }[] = [];
        indexes.forEach((index, n) => {
          const payloadLength = lengths[n % lengths.length] as number;
          const packet = rtpPacket({ seq: index & 0xffff, payloadLength, extensionWords: n % 3 });
          const expected = referenceProtect(profile, backend, packet, Math.floor(index / 65536));
          const sent = sender.protectRtp(packet);
          expect(toHex(sent), `index ${index}`).toBe(toHex(expected));
          received.push({ packet, sent });
        });
        // The receiver decrypts them in order of arrival (duplicates are replays).
        const seen = new Set<number>();
        received.forEach(({ packet, sent }, n) => {
          const index = indexes[n] as number;
          if (seen.has(index)) {
            expect(() => receiver.unprotectRtp(sent)).toThrow(SrtpReplayError);
            return;
          }
          seen.add(index);
          expect(toHex(receiver.unprotectRtp(sent)), `index ${index}`).toBe(toHex(packet));
        });
      });

      it('refuses to send an index behind the sending window (it may have been used)', () => {
        const { sender } = contextPair(profile, backend);
        for (const seq of [65500, 65535, 0, 100]) sender.protectRtp(rtpPacket({ seq }));
        // ROC 1, highest 100. 45100 is 45000 ahead, which Appendix A estimates as ROC 0, 20536
        // behind: protecting it would reuse index 45100's keystream.
        expect(() => sender.protectRtp(rtpPacket({ seq: 45100 }))).toThrow(SrtpReplayError);
        expect(sender.counters.replayRejections).toBe(1);
        // A retransmission within the window is still protected, and in-order sending goes on.
        expect(sender.protectRtp(rtpPacket({ seq: 0 })).length).toBeGreaterThan(12);
        expect(sender.protectRtp(rtpPacket({ seq: 101 })).length).toBeGreaterThan(12);
      });

      it('with allowRepeatTx false, refuses any index already used', () => {
        const { sender } = contextPair(profile, backend, { allowRepeatTx: false });
        sender.protectRtp(rtpPacket({ seq: 7 }));
        expect(() => sender.protectRtp(rtpPacket({ seq: 7 }))).toThrow(SrtpReplayError);
        expect(sender.protectRtp(rtpPacket({ seq: 8 })).length).toBeGreaterThan(12);
      });
    });
  }
}

for (const profile of ALL_PROFILES) {
  describe(`state changes only after authentication (${profile})`, () => {
    it('forged packets move neither ROC, s_l nor the replay window', () => {
      const { sender, receiver } = contextPair(profile);
      for (const seq of [65000, 65535, 0, 100]) {
        receiver.unprotectRtp(sender.protectRtp(rtpPacket({ seq })));
      }
      const before = { ...inboundState(receiver, SSRC) } as StreamState;
      expect(before.roc).toBe(1);
      expect(before.highestSeq).toBe(100);
      // Forgeries that would advance s_l, bump the ROC, or push the replay window past 101.
      for (const seq of [30000, 1000, 32868]) {
        // A fresh sender each time: the real one refuses indexes behind its sending window.
        const forged = contextPair(profile).sender.protectRtp(rtpPacket({ seq }));
        forged[forged.length - 1] = (forged[forged.length - 1] as number) ^ 1;
        expect(() => receiver.unprotectRtp(forged)).toThrow(SrtpAuthError);
      }
      const state = inboundState(receiver, SSRC) as StreamState;
      expect(state.roc).toBe(before.roc);
      expect(state.highestSeq).toBe(before.highestSeq);
      // Still inside the 64-packet window only if the forgeries did not move it.
      const next = rtpPacket({ seq: 101 });
      expect(receiver.unprotectRtp(sender.protectRtp(next))).toEqual(next);
      expect(receiver.counters.authFailures).toBe(3);
    });

    it('forged packets do not move the keystream batch (no extra AES work for what follows)', () => {
      // AES-ECB blocks the receiver encrypts for 36 in-order packets, with and without forged
      // packets before them that would restart the batch far ahead or widen it.
      const aesBlocksFor = (forge: boolean): number => {
        let blocks = 0;
        const counting: CryptoBackend = {
          ...nodeCrypto,
          aesEcb(key) {
            const ecb = nodeCrypto.aesEcb(key);
            return {
              keyLength: ecb.keyLength,
              encryptBlocks(input, out) {
                blocks += input.length / 16;
                return ecb.encryptBlocks(input, out);
              },
            };
          },
        };
        const { sender } = contextPair(profile);
        const { receiver } = contextPair(profile, counting);
        for (let seq = 1; seq <= 4; seq++)
          receiver.unprotectRtp(sender.protectRtp(rtpPacket({ seq })));
        if (forge) {
          for (const [seq, payloadLength] of [
            [20_000, 160],
            [5, 1400],
            [6, 160],
          ] as const) {
            // A fresh sender each: one would refuse index 5 after 20000 (its sending window).
            const forger = contextPair(profile).sender;
            const forged = forger.protectRtp(rtpPacket({ seq, payloadLength }));
            forged[forged.length - 1] = (forged[forged.length - 1] as number) ^ 1;
            expect(() => receiver.unprotectRtp(forged)).toThrow(SrtpAuthError);
          }
        }
        const before = blocks;
        for (let seq = 5; seq <= 40; seq++)
          receiver.unprotectRtp(sender.protectRtp(rtpPacket({ seq })));
        return blocks - before;
      };
      expect(aesBlocksFor(true)).toBe(aesBlocksFor(false));
    });

    it('a forged packet unprotected in place is left as it was (nothing decrypted into it)', () => {
      const { sender, receiver } = contextPair(profile);
      receiver.unprotectRtp(sender.protectRtp(rtpPacket({ seq: 1 })));
      const forged = sender.protectRtp(rtpPacket({ seq: 2, payloadLength: 300 }));
      forged[20] = (forged[20] as number) ^ 1;
      const copy = forged.slice();
      expect(() => receiver.unprotectRtpInto(forged, forged)).toThrow(SrtpAuthError);
      expect(toHex(forged)).toBe(toHex(copy));
    });

    it('a forged packet of an unknown SSRC creates no state, a forged SRTCP no window entry', () => {
      const { sender, receiver } = contextPair(profile);
      const forged = sender.protectRtp(rtpPacket({ seq: 7, ssrc: 99 }));
      forged[forged.length - 1] = (forged[forged.length - 1] as number) ^ 0x80;
      expect(() => receiver.unprotectRtp(forged)).toThrow(SrtpAuthError);
      expect(receiver.ssrcCount.inbound).toBe(0);
      const rtcp = sender.protectRtcp(rtcpPacket());
      const forgedRtcp = rtcp.slice();
      forgedRtcp[10] = (forgedRtcp[10] as number) ^ 1;
      expect(() => receiver.unprotectRtcp(forgedRtcp)).toThrow(SrtpAuthError);
      expect(receiver.ssrcCount.inbound).toBe(0);
      expect(receiver.unprotectRtcp(rtcp)).toEqual(rtcpPacket());
    });
  });

  describe(`ROC estimation at the start of a stream (${profile})`, () => {
    it('a sequence number just below the first one (ROC - 1 from ROC 0) keeps both sides in step', () => {
      // Sender input reordered at the start (a forwarder): 0, then 65535, then 1, 2.
      const { sender, receiver } = contextPair(profile);
      for (const seq of [0, 65535, 1, 2]) {
        const packet = rtpPacket({ seq });
        expect(receiver.unprotectRtp(sender.protectRtp(packet)), `seq ${seq}`).toEqual(packet);
      }
      expect(inboundState(receiver, SSRC)?.roc).toBe(outboundState(sender, SSRC)?.roc);
    });
  });

  describe(`index exhaustion (${profile})`, () => {
    it('the sender stops at index 2^48 - 1 instead of wrapping the ROC', () => {
      const { sender, receiver } = contextPair(profile);
      sender.protectRtp(rtpPacket({ seq: 65534 }));
      const state = outboundState(sender, SSRC) as StreamState;
      state.roc = 0xffff_ffff;
      expect(sender.protectRtp(rtpPacket({ seq: 65535 })).length).toBeGreaterThan(0);
      expect(() => sender.protectRtp(rtpPacket({ seq: 0 }))).toThrow(SrtpKeyExhaustedError);
      expect(state.roc).toBe(0xffff_ffff);
      expect(state.highestSeq).toBe(65535);
      // A receiver at the top of the index space does not wrap either.
      const early = contextPair(profile).sender;
      const replayOfIndexZero = early.protectRtp(rtpPacket({ seq: 0 }));
      receiver.unprotectRtp(early.protectRtp(rtpPacket({ seq: 1 })));
      const receiving = inboundState(receiver, SSRC) as StreamState;
      receiving.roc = 0xffff_ffff;
      receiving.highestSeq = 65535;
      // Estimated as ROC 2^32: index 2^48, whose tag and keystream would be those of index 0.
      expect(() => receiver.unprotectRtp(replayOfIndexZero)).toThrow(SrtpKeyExhaustedError);
      expect(receiving.roc).toBe(0xffff_ffff);
    });

    it('the SRTCP sender stops at index 2^31 - 1', () => {
      const { sender } = contextPair(profile);
      sender.protectRtcp(rtcpPacket());
      (outboundState(sender, SSRC) as StreamState).nextRtcpIndex = 0x7fff_ffff;
      sender.protectRtcp(rtcpPacket());
      expect(() => sender.protectRtcp(rtcpPacket())).toThrow(SrtpKeyExhaustedError);
    });
  });

  describe(`removeSsrc on the sending side (${profile})`, () => {
    const { cipher, srtcpTagLength } = SRTP_PROFILES[profile];
    const indexAt = (length: number): number =>
      cipher === 'AES-CM' ? length - srtcpTagLength - 4 : length - 4;

    it('resumes the SRTCP index and the ROC instead of reusing keystream', () => {
      const { sender, receiver } = contextPair(profile);
      sender.protectRtcp(rtcpPacket());
      sender.protectRtcp(rtcpPacket());
      for (const seq of [65534, 65535, 0]) {
        receiver.unprotectRtp(sender.protectRtp(rtpPacket({ seq })));
      }
      sender.removeSsrc(SSRC);
      expect(sender.ssrcCount.outbound).toBe(0);
      const rtcp = sender.protectRtcp(rtcpPacket());
      expect(readU32BE(rtcp, indexAt(rtcp.length))).toBe((0x8000_0000 | 2) >>> 0);
      // ROC 1 carries on: the receiver, which kept its state, authenticates it.
      const packet = rtpPacket({ seq: 1 });
      expect(receiver.unprotectRtp(sender.protectRtp(packet))).toEqual(packet);
      expect(outboundState(sender, SSRC)?.roc).toBe(1);
    });
  });
}
