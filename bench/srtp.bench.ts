/**
 * SRTP protect and unprotect, every profile, 1200-byte (video) and 160-byte (audio) payloads:
 * TypeRTC on the node and noble backends, werift's `SrtpSession` (which implements
 * AES128_CM_HMAC_SHA1_80 and AEAD_AES_128_GCM only) and a "node:crypto per-packet floor" — one
 * bare createCipheriv (and createHmac for AES-CM) per packet doing the same cryptographic work,
 * without packet handling: what a straightforward node:crypto SRTP cannot go below.
 *
 * Protect benchmarks send consecutive sequence numbers, as a sender does. Unprotect benchmarks
 * cycle through a ring of packets protected in advance with consecutive sequence numbers; since
 * a replay-protected receiver rejects every packet of a second lap, each lap starts a fresh
 * receiver (its setup costs well under 0.1 % of a lap), so every measured call does the full
 * work: estimate, replay check, authenticate, decrypt.
 */

import { createCipheriv, createDecipheriv, createHmac, createSecretKey } from 'node:crypto';
import { type CryptoBackend, nobleCrypto, nodeCrypto } from '@typertc/common';
import { SRTP_PROFILES, SrtpContext, type SrtpProfile } from '@typertc/srtp';
import { RtpHeader, SrtpSession } from 'werift';
import type { BenchmarkEntry, BenchmarkGroup } from './harness.js';

const SIZES = [1200, 160] as const;
const RING = 2048;
const SSRC = 0x1234_5678;
const HEADER = 12;

/** werift's profile numbers are the DTLS-SRTP ids; it implements these two. */
const WERIFT_PROFILES: Partial<Record<SrtpProfile, 1 | 7>> = {
  SRTP_AES128_CM_HMAC_SHA1_80: 1,
  SRTP_AEAD_AES_128_GCM: 7,
};

function pattern(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 131 + seed * 29 + 7) & 0xff);
}

function rtpPacket(payload: number, seq: number): Uint8Array {
  const packet = pattern(HEADER + payload, seq);
  packet[0] = 0x80;
  packet[1] = 96;
  packet[2] = seq >>> 8;
  packet[3] = seq;
  packet[8] = SSRC >>> 24;
  packet[9] = SSRC >>> 16;
  packet[10] = SSRC >>> 8;
  packet[11] = SSRC;
  return packet;
}

function keysOf(profile: SrtpProfile): { masterKey: Uint8Array; masterSalt: Uint8Array } {
  const { keyLength, saltLength } = SRTP_PROFILES[profile];
  return { masterKey: pattern(keyLength, 1), masterSalt: pattern(saltLength, 2) };
}

function typertcContext(profile: SrtpProfile, backend: CryptoBackend): SrtpContext {
  return new SrtpContext({ profile, ...keysOf(profile), backend });
}

function typertcProtect(profile: SrtpProfile, payload: number, backend: CryptoBackend) {
  const context = typertcContext(profile, backend);
  const packet = rtpPacket(payload, 0);
  const out = new Uint8Array(packet.length + SRTP_PROFILES[profile].srtpTagLength);
  let seq = 0;
  return (): number => {
    seq = (seq + 1) & 0xffff;
    packet[2] = seq >>> 8;
    packet[3] = seq;
    return context.protectRtpInto(packet, out);
  };
}

function typertcUnprotect(profile: SrtpProfile, payload: number, backend: CryptoBackend) {
  const sender = typertcContext(profile, backend);
  const ring = Array.from({ length: RING }, (_, seq) => sender.protectRtp(rtpPacket(payload, seq)));
  const out = new Uint8Array(HEADER + payload);
  let receiver = typertcContext(profile, backend);
  let i = 0;
  return (): number => {
    if (i === RING) {
      i = 0;
      receiver = typertcContext(profile, backend);
    }
    return receiver.unprotectRtpInto(ring[i++] as Uint8Array, out);
  };
}

function weriftSession(profile: 1 | 7, keys: ReturnType<typeof keysOf>): SrtpSession {
  const key = Buffer.from(keys.masterKey);
  const salt = Buffer.from(keys.masterSalt);
  return new SrtpSession({
    profile,
    keys: {
      localMasterKey: key,
      localMasterSalt: salt,
      remoteMasterKey: key,
      remoteMasterSalt: salt,
    },
  });
}

function weriftEntries(
  profile: SrtpProfile,
  payload: number,
): {
  protect: BenchmarkEntry['fn'];
  unprotect: BenchmarkEntry['fn'];
} | null {
  const id = WERIFT_PROFILES[profile];
  if (id === undefined) return null;
  const keys = keysOf(profile);
  const body = Buffer.from(pattern(payload, 3));
  const header = new RtpHeader({ payloadType: 96, sequenceNumber: 0, ssrc: SSRC, timestamp: 0 });
  const sender = weriftSession(id, keys);
  let seq = 0;
  const protect = (): Uint8Array => {
    seq = (seq + 1) & 0xffff;
    header.sequenceNumber = seq;
    return sender.encrypt(body, header);
  };
  const ringSender = weriftSession(id, keys);
  const ring = Array.from({ length: RING }, (_, n) => {
    header.sequenceNumber = n;
    return ringSender.encrypt(body, header);
  });
  let receiver = weriftSession(id, keys);
  let i = 0;
  const unprotect = (): Uint8Array => {
    if (i === RING) {
      i = 0;
      receiver = weriftSession(id, keys);
    }
    return receiver.decrypt(ring[i++] as Buffer);
  };
  return { protect, unprotect };
}

/** One createCipheriv (+ createHmac) per packet over the same bytes SRTP processes. */
function floorEntries(
  profile: SrtpProfile,
  payload: number,
): {
  protect: BenchmarkEntry['fn'];
  unprotect: BenchmarkEntry['fn'];
} {
  const { cipher, keyLength, srtpTagLength } = SRTP_PROFILES[profile];
  const bits = keyLength * 8;
  const key = createSecretKey(pattern(keyLength, 4));
  const packet = rtpPacket(payload, 1);
  const header = packet.subarray(0, HEADER);
  const body = packet.subarray(HEADER);
  if (cipher === 'AES-GCM') {
    const nonce = pattern(12, 5);
    const name = `aes-${bits}-gcm` as 'aes-128-gcm';
    const seal = (): Uint8Array => {
      const c = createCipheriv(name, key, nonce);
      c.setAAD(header);
      const ct = c.update(body);
      c.final();
      c.getAuthTag();
      return ct;
    };
    const sealedCipher = createCipheriv(name, key, nonce);
    sealedCipher.setAAD(header);
    const sealed = sealedCipher.update(body);
    sealedCipher.final();
    const tag = sealedCipher.getAuthTag();
    const open = (): Uint8Array => {
      const d = createDecipheriv(name, key, nonce);
      d.setAuthTag(tag);
      d.setAAD(header);
      const pt = d.update(sealed);
      d.final();
      return pt;
    };
    return { protect: seal, unprotect: open };
  }
  const authKey = createSecretKey(pattern(20, 6));
  const iv = pattern(16, 7);
  const roc = new Uint8Array(4);
  const ctrName = `aes-${bits}-ctr`;
  const protect = (): Uint8Array => {
    const ct = createCipheriv(ctrName, key, iv).update(body);
    createHmac('sha1', authKey).update(header).update(ct).update(roc).digest();
    return ct;
  };
  const unprotect = (): Uint8Array => {
    const mac = createHmac('sha1', authKey).update(header).update(body).update(roc).digest();
    if (mac.length < srtpTagLength) throw new Error('unreachable');
    return createCipheriv(ctrName, key, iv).update(body);
  };
  return { protect, unprotect };
}

function groups(): BenchmarkGroup[] {
  const result: BenchmarkGroup[] = [];
  for (const profile of Object.keys(SRTP_PROFILES) as SrtpProfile[]) {
    for (const payload of SIZES) {
      const werift = weriftEntries(profile, payload);
      const floor = floorEntries(profile, payload);
      for (const direction of ['protect', 'unprotect'] as const) {
        const make = direction === 'protect' ? typertcProtect : typertcUnprotect;
        const entries: BenchmarkEntry[] = [
          { name: 'typertc (node)', fn: make(profile, payload, nodeCrypto) },
          { name: 'typertc (noble)', fn: make(profile, payload, nobleCrypto) },
          { name: 'node:crypto per-packet floor', fn: floor[direction] },
        ];
        if (werift !== null) entries.push({ name: 'werift', fn: werift[direction] });
        result.push({
          name: `SRTP ${direction} ${profile.replace(/^SRTP_/, '')}, ${payload} B`,
          bytesPerOp: payload,
          ...(werift !== null
            ? { baseline: 'werift' }
            : { baseline: 'node:crypto per-packet floor' }),
          entries,
        });
      }
    }
  }
  return result;
}

export const benchmarks: readonly BenchmarkGroup[] = groups();
