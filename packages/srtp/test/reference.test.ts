/**
 * SrtpContext against a straightforward reference built from node:crypto one cipher per packet:
 * the keystream batches, the kernel's XOR and GHASH, and the HMAC shortcut must give exactly the
 * bytes RFC 3711 and RFC 7714 define, for packets of every size, in order, out of order, across
 * a batch boundary and across a rollover.
 */

import { type CipherGCMTypes, createCipheriv, createHmac } from 'node:crypto';
import { cryptoBackends, toHex } from '@typertc/common';
import { SeededRandom } from '@typertc/common/testing';
import { describe, expect, it } from 'vitest';
import { SrtpContext } from '../src/context.js';
import { SrtpReplayError } from '../src/errors.js';
import type { SrtpSessionKeys } from '../src/key-derivation.js';
import { SRTP_PROFILES, type SrtpProfile } from '../src/profiles.js';
import { ALL_PROFILES, rtcpPacket, rtpPacket } from './helpers.js';

const random = new SeededRandom(0x7714);
const SSRC = 0x1234_5678;

function sessionKeys(profile: SrtpProfile): SrtpSessionKeys {
  const { keyLength, saltLength, authKeyLength } = SRTP_PROFILES[profile];
  return {
    encryptionKey: random.bytes(keyLength),
    salt: random.bytes(saltLength),
    authenticationKey: random.bytes(authKeyLength),
  };
}

/** The 16-byte (AES-CM) or 12-byte (GCM) IV: salt XOR SSRC XOR 48-bit index, per layout. */
function iv(salt: Uint8Array, ssrc: number, index: number, ssrcAt: number, length: number) {
  const out = new Uint8Array(length);
  out.set(salt);
  const view = new DataView(out.buffer);
  view.setUint32(ssrcAt, view.getUint32(ssrcAt) ^ ssrc);
  const high = Math.floor(index / 0x1_0000_0000);
  view.setUint16(ssrcAt + 4, view.getUint16(ssrcAt + 4) ^ high);
  view.setUint32(ssrcAt + 6, view.getUint32(ssrcAt + 6) ^ (index >>> 0));
  return out;
}

function gcmName(key: Uint8Array): CipherGCMTypes {
  return key.length === 16 ? 'aes-128-gcm' : 'aes-256-gcm';
}

function ctrName(key: Uint8Array): string {
  return key.length === 16 ? 'aes-128-ctr' : 'aes-256-ctr';
}

/** RFC 3711 §3.1 / §4.1.1 / §4.2.1, or RFC 7714 §8, with one node:crypto cipher per packet. */
function referenceSrtp(
  profile: SrtpProfile,
  keys: SrtpSessionKeys,
  packet: Uint8Array,
  header: number,
  roc: number,
) {
  const seq = (packet[2] as number) * 256 + (packet[3] as number);
  const index = roc * 0x1_0000 + seq;
  const head = packet.subarray(0, header);
  const payload = packet.subarray(header);
  const { cipher, srtpTagLength } = SRTP_PROFILES[profile];
  if (cipher === 'AES-GCM') {
    const gcm = createCipheriv(
      gcmName(keys.encryptionKey),
      keys.encryptionKey,
      iv(keys.salt, SSRC, index, 2, 12),
    );
    gcm.setAAD(head);
    return Buffer.concat([head, gcm.update(payload), gcm.final(), gcm.getAuthTag()]);
  }
  const ctr = createCipheriv(
    ctrName(keys.encryptionKey),
    keys.encryptionKey,
    iv(keys.salt, SSRC, index, 4, 16),
  );
  const body = Buffer.concat([head, ctr.update(payload)]);
  const rocBytes = Buffer.alloc(4);
  rocBytes.writeUInt32BE(roc);
  const tag = createHmac('sha1', keys.authenticationKey).update(body).update(rocBytes).digest();
  return Buffer.concat([body, tag.subarray(0, srtpTagLength)]);
}

/** RFC 3711 §3.4 or RFC 7714 §9.1, E = 1. */
function referenceSrtcp(
  profile: SrtpProfile,
  keys: SrtpSessionKeys,
  packet: Uint8Array,
  index: number,
) {
  const word = Buffer.alloc(4);
  word.writeUInt32BE((0x8000_0000 | index) >>> 0);
  const head = packet.subarray(0, 8);
  const { cipher, srtcpTagLength } = SRTP_PROFILES[profile];
  if (cipher === 'AES-GCM') {
    const gcm = createCipheriv(
      gcmName(keys.encryptionKey),
      keys.encryptionKey,
      iv(keys.salt, SSRC, index, 2, 12),
    );
    gcm.setAAD(Buffer.concat([head, word]));
    return Buffer.concat([
      head,
      gcm.update(packet.subarray(8)),
      gcm.final(),
      gcm.getAuthTag(),
      word,
    ]);
  }
  const ctr = createCipheriv(
    ctrName(keys.encryptionKey),
    keys.encryptionKey,
    iv(keys.salt, SSRC, index, 4, 16),
  );
  const body = Buffer.concat([head, ctr.update(packet.subarray(8)), word]);
  const tag = createHmac('sha1', keys.authenticationKey).update(body).digest();
  return Buffer.concat([body, tag.subarray(0, srtcpTagLength)]);
}

/**
 * [sequence number, ROC] a sender might use: a run across batch boundaries and the rollover,
 * retransmissions from before and after it, a jump, one behind the jump.
 */
const SEQUENCE: readonly (readonly [number, number])[] = [
  ...Array.from({ length: 40 }, (_, i): [number, number] => [
    (65_500 + i) & 0xffff,
    i < 36 ? 0 : 1,
  ]),
  [65_510, 0],
  [3, 1],
  [500, 1],
  [501, 1],
  [480, 1],
];
const SIZES = [0, 1, 15, 16, 17, 160, 1200, 1500, 1600, 3000, 20_000];

for (const backend of cryptoBackends) {
  describe(`SrtpContext matches a per-packet node:crypto reference (${backend.name})`, () => {
    for (const profile of ALL_PROFILES) {
      it(profile, () => {
        const keys = sessionKeys(profile);
        const rtcpKeys = sessionKeys(profile);
        const options = { profile, sessionKeys: { rtp: keys, rtcp: rtcpKeys }, backend };
        const sender = new SrtpContext(options);
        const receiver = new SrtpContext(options);
        const received = new Set<number>();
        SEQUENCE.forEach(([seq, roc], i) => {
          const payloadLength = SIZES[i % SIZES.length] as number;
          const csrcs = i % 3;
          const extensionWords = i % 4 === 0 ? 2 : -1;
          const packet = rtpPacket({ seq, ssrc: SSRC, payloadLength, csrcs, extensionWords });
          const header = 12 + csrcs * 4 + (extensionWords >= 0 ? 4 + extensionWords * 4 : 0);
          const expected = toHex(referenceSrtp(profile, keys, packet, header, roc));
          const protectedPacket = sender.protectRtp(packet);
          expect(toHex(protectedPacket), `seq ${seq}, ${payloadLength} B`).toBe(expected);
          // A retransmission (same index) is the receiver's replay; the rest decrypt.
          const index = roc * 0x1_0000 + seq;
          if (received.has(index)) {
            expect(() => receiver.unprotectRtp(protectedPacket)).toThrow(SrtpReplayError);
          } else {
            expect(toHex(receiver.unprotectRtp(protectedPacket))).toBe(toHex(packet));
            received.add(index);
          }
        });
        for (let index = 0; index < 20; index++) {
          const packet = rtcpPacket(SSRC);
          const expected = toHex(referenceSrtcp(profile, rtcpKeys, packet, index));
          const protectedPacket = sender.protectRtcp(packet);
          expect(toHex(protectedPacket), `SRTCP index ${index}`).toBe(expected);
          expect(toHex(receiver.unprotectRtcp(protectedPacket))).toBe(toHex(packet));
        }
      });
    }
  });
}
