/**
 * G.711 PCMU (µ-law) and PCMA (A-law) over RTP (RFC 3551 §4.5.14), and the ITU-T G.711
 * companding between 16-bit linear PCM and 8-bit codes.
 *
 * Each sample is one byte and carries no framing, so a payload is any whole number of samples
 * (RFC 3551 §4.5.14); every packet decodes alone, hence every packet is a whole frame.
 */

import type { Packetizer } from './types.js';
import { WholeFrameDepacketizer } from './whole-frame.js';

export class G711Packetizer implements Packetizer {
  /**
   * Splits a buffer of 8-bit samples (PCMU or PCMA alike) into views of at most `maxPayloadSize`
   * samples: full packets, then the remainder. An empty buffer gives no payload.
   */
  packetize(frame: Uint8Array, maxPayloadSize: number): Uint8Array[] {
    if (!Number.isInteger(maxPayloadSize) || maxPayloadSize < 1) {
      throw new RangeError(`maxPayloadSize must be a positive integer, not ${maxPayloadSize}`);
    }
    const payloads: Uint8Array[] = [];
    for (let at = 0; at < frame.length; at += maxPayloadSize) {
      payloads.push(frame.subarray(at, at + maxPayloadSize));
    }
    return payloads;
  }
}

/** The samples: the payload itself. */
export class G711Depacketizer extends WholeFrameDepacketizer {
  protected readonly format = 'G.711';
}

// µ-law (G.711 §2, table 2a) on the 16-bit scale: a bias of 0x84 (33 on the 14-bit scale) makes
// every segment's lower edge a power of two, so the segment is the position of the top bit.
const MULAW_BIAS = 0x84;
/** The largest magnitude that still fits the top segment after the bias (0x7fff - 0x84). */
const MULAW_CLIP = 0x7f7b;

/** The index of the highest set bit of `value` (1..0x7fff), i.e. floor(log2(value)). */
function topBit(value: number): number {
  return 31 - Math.clz32(value);
}

/** One 16-bit linear PCM sample (clamped to -32768..32767) to its µ-law code. */
export function linearToMulaw(sample: number): number {
  const clamped = Math.max(-0x8000, Math.min(0x7fff, Math.trunc(sample)));
  const sign = clamped < 0 ? 0x80 : 0;
  // Negative values are one's-complemented, as in the ITU-T G.191 reference (ulaw_compress), so
  // -1..-4 land on negative zero (0x7f) like 0..3 land on positive zero (0xff).
  const magnitude = clamped < 0 ? -clamped - 1 : clamped;
  const biased = Math.min(magnitude, MULAW_CLIP) + MULAW_BIAS;
  // biased >= 0x84 puts the top bit at 7..14: segments 0..7.
  const segment = topBit(biased) - 7;
  const mantissa = (biased >> (segment + 3)) & 0x0f;
  // Codes are sent inverted (G.711 §2: "the character signal... is inverted"), so silence is 0xff.
  return ~(sign | (segment << 4) | mantissa) & 0xff;
}

/** One µ-law code (0..255) to 16-bit linear PCM: the midpoint of its quantization interval. */
export function mulawToLinear(code: number): number {
  const inverted = ~code & 0xff;
  const segment = (inverted >> 4) & 0x07;
  const magnitude = (((inverted & 0x0f) << 3) + MULAW_BIAS) << segment;
  // Written as two subtractions so that code 0x7f (negative zero) decodes to 0, not -0.
  return inverted & 0x80 ? MULAW_BIAS - magnitude : magnitude - MULAW_BIAS;
}

/** One 16-bit linear PCM sample (clamped to -32768..32767) to its A-law code. */
export function linearToAlaw(sample: number): number {
  const clamped = Math.max(-0x8000, Math.min(0x7fff, Math.trunc(sample)));
  // A-law works on 13 bits (G.711 §3, table 1a); negative values are one's-complemented so the
  // two halves of the characteristic are symmetric around -0.5.
  const scaled = clamped >> 3;
  const positive = scaled >= 0;
  const magnitude = positive ? scaled : -scaled - 1;
  // Segment 0 and 1 share a step size of 2 (on 13 bits); segment s >= 1 starts at 2^(s+4).
  const segment = magnitude < 0x20 ? 0 : topBit(magnitude) - 4;
  const mantissa = (magnitude >> (segment === 0 ? 1 : segment)) & 0x0f;
  // Even bits are inverted on the wire (G.711 §3, note to table 1a): XOR 0x55, sign bit 1 = +.
  return ((segment << 4) | mantissa) ^ (positive ? 0xd5 : 0x55);
}

/** One A-law code (0..255) to 16-bit linear PCM: the midpoint of its quantization interval. */
export function alawToLinear(code: number): number {
  const value = (code & 0xff) ^ 0x55;
  const segment = (value >> 4) & 0x07;
  let magnitude = ((value & 0x0f) << 4) + 8;
  if (segment > 0) magnitude = (magnitude + 0x100) << (segment - 1);
  return value & 0x80 ? magnitude : -magnitude;
}

/** 16-bit linear PCM samples to µ-law codes. */
export function encodeMulaw(samples: Int16Array): Uint8Array {
  const out = new Uint8Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = linearToMulaw(samples[i] as number);
  return out;
}

/** µ-law codes to 16-bit linear PCM samples. */
export function decodeMulaw(codes: Uint8Array): Int16Array {
  const out = new Int16Array(codes.length);
  for (let i = 0; i < codes.length; i++) out[i] = mulawToLinear(codes[i] as number);
  return out;
}

/** 16-bit linear PCM samples to A-law codes. */
export function encodeAlaw(samples: Int16Array): Uint8Array {
  const out = new Uint8Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = linearToAlaw(samples[i] as number);
  return out;
}

/** A-law codes to 16-bit linear PCM samples. */
export function decodeAlaw(codes: Uint8Array): Int16Array {
  const out = new Int16Array(codes.length);
  for (let i = 0; i < codes.length; i++) out[i] = alawToLinear(codes[i] as number);
  return out;
}
