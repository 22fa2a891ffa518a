/**
 * The duration of an Opus packet from its TOC byte (RFC 6716 §3.1) and, for code 3, its frame
 * count byte (§3.2.5), in samples at 48 kHz: what an Ogg Opus muxer adds to the granule position
 * per packet (RFC 7845 §4).
 *
 *     TOC byte:  config (5 bits) | s (stereo, 1 bit) | c (code, 2 bits)
 *
 * The configuration selects mode, bandwidth and frame size (Table 2 of §3.1):
 *   0..11  SILK-only, frames of 10, 20, 40, 60 ms (config % 4)
 *   12..15 Hybrid,    frames of 10, 20 ms (config % 2)
 *   16..31 CELT-only, frames of 2.5, 5, 10, 20 ms (config % 4)
 * The code gives the frame count: 0 one frame, 1 and 2 two frames, 3 an arbitrary count M in
 * the low 6 bits of the second byte.
 */

import { PayloadError } from '../errors.js';

/** 48 kHz samples per frame for each configuration number. */
const FRAME_SAMPLES = (() => {
  const table = new Uint16Array(32);
  for (let config = 0; config < 32; config++) {
    if (config < 12) table[config] = [480, 960, 1920, 2880][config % 4] as number;
    else if (config < 16) table[config] = [480, 960][config % 2] as number;
    else table[config] = [120, 240, 480, 960][config % 4] as number;
  }
  return table;
})();

/** 120 ms: the longest a packet may last (RFC 6716 §3.2.5, requirement R5). */
export const OPUS_MAX_PACKET_SAMPLES = 5760;

/**
 * Samples (at 48 kHz) that `packet` decodes to. Throws `PayloadError` when the duration cannot be
 * known or the packet is invalid by RFC 6716 §3.4: an empty packet (R1), a code 3 packet without
 * its frame count byte or with M = 0 (R5), or more than 120 ms of audio (R5).
 */
export function opusPacketDuration(packet: Uint8Array): number {
  if (packet.length === 0) throw new PayloadError('empty Opus packet (RFC 6716 §3.4 R1)', 0);
  const toc = packet[0] as number;
  const frameSamples = FRAME_SAMPLES[toc >>> 3] as number;
  const code = toc & 0x03;
  if (code === 0) return frameSamples;
  if (code !== 3) return 2 * frameSamples;
  if (packet.length < 2) {
    throw new PayloadError('code 3 Opus packet without a frame count byte', 1);
  }
  const frames = (packet[1] as number) & 0x3f;
  const samples = frames * frameSamples;
  if (frames === 0 || samples > OPUS_MAX_PACKET_SAMPLES) {
    throw new PayloadError(
      `code 3 Opus packet of ${frames} frames of ${frameSamples} samples (1..120 ms allowed)`,
      1,
    );
  }
  return samples;
}
