/** Packet builders and context pairs shared by the SRTP tests. */

import type { CryptoBackend } from '@typertc/common';
import { SrtpContext } from '../src/context.js';
import { SRTP_PROFILES, type SrtpProfile } from '../src/profiles.js';

export const ALL_PROFILES = Object.keys(SRTP_PROFILES) as SrtpProfile[];

export interface RtpOptions {
  readonly seq: number;
  readonly ssrc?: number;
  readonly payloadLength?: number;
  readonly csrcs?: number;
  /** Words of header extension data (RFC 3550 §5.3.1), 0 for none. */
  readonly extensionWords?: number;
  /** Padding bytes including the count byte, 0 for none. */
  readonly padding?: number;
}

/** An RTP packet with recognizable contents. */
export function rtpPacket(options: RtpOptions): Uint8Array {
  const csrcs = options.csrcs ?? 0;
  const extensionWords = options.extensionWords ?? -1;
  const payload = options.payloadLength ?? 160;
  const padding = options.padding ?? 0;
  const header = 12 + csrcs * 4 + (extensionWords >= 0 ? 4 + extensionWords * 4 : 0);
  const packet = new Uint8Array(header + payload + padding);
  packet[0] = 0x80 | (padding > 0 ? 0x20 : 0) | (extensionWords >= 0 ? 0x10 : 0) | csrcs;
  packet[1] = 96;
  packet[2] = options.seq >>> 8;
  packet[3] = options.seq;
  packet[7] = 0x2a;
  const ssrc = options.ssrc ?? 0x1234_5678;
  packet[8] = ssrc >>> 24;
  packet[9] = ssrc >>> 16;
  packet[10] = ssrc >>> 8;
  packet[11] = ssrc;
  for (let i = 12; i < header; i++) packet[i] = i;
  if (extensionWords >= 0) {
    const at = 12 + csrcs * 4;
    packet[at] = 0xbe;
    packet[at + 1] = 0xde;
    packet[at + 2] = extensionWords >>> 8;
    packet[at + 3] = extensionWords;
  }
  for (let i = 0; i < payload; i++) packet[header + i] = (i * 7 + options.seq) & 0xff;
  if (padding > 0) packet[packet.length - 1] = padding;
  return packet;
}

/** A receiver report (RFC 3550 §6.4.2) with one report block. */
export function rtcpPacket(ssrc = 0x1234_5678): Uint8Array {
  const packet = new Uint8Array(32);
  packet[0] = 0x81;
  packet[1] = 201;
  packet[3] = 7;
  packet[4] = ssrc >>> 24;
  packet[5] = ssrc >>> 16;
  packet[6] = ssrc >>> 8;
  packet[7] = ssrc;
  for (let i = 8; i < 32; i++) packet[i] = i * 3;
  return packet;
}

/** A sender and a receiver context sharing a master key. */
export function contextPair(
  profile: SrtpProfile,
  backend?: CryptoBackend,
  extra: { replayWindow?: number; maxSsrcs?: number; allowRepeatTx?: boolean } = {},
): { sender: SrtpContext; receiver: SrtpContext } {
  const { keyLength, saltLength } = SRTP_PROFILES[profile];
  const masterKey = Uint8Array.from({ length: keyLength }, (_, i) => i * 11 + 1);
  const masterSalt = Uint8Array.from({ length: saltLength }, (_, i) => i * 5 + 3);
  const options = { profile, masterKey, masterSalt, ...extra, ...(backend ? { backend } : {}) };
  return { sender: new SrtpContext(options), receiver: new SrtpContext(options) };
}
