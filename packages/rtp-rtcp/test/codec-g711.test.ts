/**
 * G.711 over RTP (RFC 3551 §4.5.14) and the µ-law / A-law companding (ITU-T G.711). Expected
 * codes and levels were cross-checked against CPython's `audioop` (a port of the Sun reference
 * code); where the two references round negative samples differently, the comments say so.
 */

import { fuzzIterations, fuzzParser, SeededRandom } from '@typertc/common/testing';
import { describe, expect, it } from 'vitest';
import { FrameAssembler } from '../src/codecs/frame-assembler.js';
import {
  alawToLinear,
  decodeAlaw,
  decodeMulaw,
  encodeAlaw,
  encodeMulaw,
  G711Depacketizer,
  G711Packetizer,
  linearToAlaw,
  linearToMulaw,
  mulawToLinear,
} from '../src/codecs/g711.js';
import { PayloadError } from '../src/errors.js';

describe('µ-law', () => {
  it('encodes silence as 0xff and the extremes as 0x80 / 0x00', () => {
    expect(linearToMulaw(0)).toBe(0xff);
    expect(linearToMulaw(1)).toBe(0xff);
    expect(linearToMulaw(32767)).toBe(0x80);
    expect(linearToMulaw(-32768)).toBe(0x00);
  });

  it('encodes known samples', () => {
    expect(linearToMulaw(100)).toBe(0xf2);
    expect(linearToMulaw(-101)).toBe(0x72);
    expect(linearToMulaw(1000)).toBe(0xce);
    expect(linearToMulaw(-1000)).toBe(0x4e);
    expect(linearToMulaw(8159)).toBe(0x9f);
    expect(linearToMulaw(-8159)).toBe(0x1f);
    expect(linearToMulaw(12345)).toBe(0x97);
    expect(linearToMulaw(-12345)).toBe(0x17);
  });

  it('one-complements negative samples like the ITU-T G.191 reference', () => {
    // -1..-4 are negative zero (0x7f) just as 0..3 are positive zero; the Sun code (audioop)
    // negates instead and sends -1 as 0x7e.
    expect(linearToMulaw(-1)).toBe(0x7f);
    expect(linearToMulaw(-4)).toBe(0x7f);
    expect(linearToMulaw(-5)).toBe(0x7e);
  });

  it('decodes known codes', () => {
    expect(mulawToLinear(0xff)).toBe(0);
    expect(mulawToLinear(0x7f)).toBe(0); // not -0
    expect(Object.is(mulawToLinear(0x7f), -0)).toBe(false);
    expect(mulawToLinear(0x80)).toBe(32124);
    expect(mulawToLinear(0x00)).toBe(-32124);
    expect(mulawToLinear(0x01)).toBe(-31100);
    expect(mulawToLinear(0x0f)).toBe(-16764);
    expect(mulawToLinear(0x10)).toBe(-15996);
    expect(mulawToLinear(0x3c)).toBe(-2364);
    expect(mulawToLinear(0x7e)).toBe(-8);
    expect(mulawToLinear(0xa7)).toBe(6140);
    expect(mulawToLinear(0xce)).toBe(988);
    expect(mulawToLinear(0xfe)).toBe(8);
  });

  it('decodes to a level that encodes back to the same code', () => {
    for (let code = 0; code < 256; code++) {
      const level = mulawToLinear(code);
      // 0x7f and 0xff are both zero; zero encodes as 0xff.
      expect(linearToMulaw(level)).toBe(code === 0x7f ? 0xff : code);
    }
  });

  it('keeps the round-trip error within half a quantization step of the segment', () => {
    for (let sample = -32768; sample <= 32767; sample++) {
      const error = Math.abs(mulawToLinear(linearToMulaw(sample)) - sample);
      const magnitude = Math.min(Math.abs(sample), 32635);
      // Segment s has steps of 2^(s+3) on the 16-bit scale; clipping costs up to 644 at the top
      // (-32768 decodes to -32124).
      const segment = 31 - Math.clz32(magnitude + 0x84) - 7;
      const bound = Math.abs(sample) > 32635 ? 644 : 2 ** (segment + 2) + 4;
      expect(error).toBeLessThanOrEqual(bound);
    }
  });

  it('converts sample buffers both ways', () => {
    const samples = Int16Array.of(0, 1000, -1000, 32767, -32768);
    const codes = encodeMulaw(samples);
    expect(codes).toEqual(Uint8Array.of(0xff, 0xce, 0x4e, 0x80, 0x00));
    expect(decodeMulaw(codes)).toEqual(Int16Array.of(0, 988, -988, 32124, -32124));
  });
});

describe('A-law', () => {
  it('encodes silence as 0xd5 and the extremes as 0xaa / 0x2a', () => {
    expect(linearToAlaw(0)).toBe(0xd5);
    expect(linearToAlaw(-1)).toBe(0x55);
    expect(linearToAlaw(32767)).toBe(0xaa);
    expect(linearToAlaw(-32768)).toBe(0x2a);
  });

  it('encodes known samples', () => {
    expect(linearToAlaw(100)).toBe(0xd3);
    expect(linearToAlaw(-100)).toBe(0x53);
    expect(linearToAlaw(1000)).toBe(0xfa);
    expect(linearToAlaw(-1000)).toBe(0x7a);
    expect(linearToAlaw(8159)).toBe(0x8a);
    expect(linearToAlaw(-8159)).toBe(0x0a);
    expect(linearToAlaw(12345)).toBe(0xbd);
    expect(linearToAlaw(-12345)).toBe(0x3d);
  });

  it('decodes known codes', () => {
    expect(alawToLinear(0xd5)).toBe(8);
    expect(alawToLinear(0x55)).toBe(-8);
    expect(alawToLinear(0xd4)).toBe(24);
    expect(alawToLinear(0xaa)).toBe(32256);
    expect(alawToLinear(0x2a)).toBe(-32256);
    expect(alawToLinear(0x80)).toBe(5504);
    expect(alawToLinear(0x00)).toBe(-5504);
    expect(alawToLinear(0x7f)).toBe(-848);
    expect(alawToLinear(0x34)).toBe(-8960);
    expect(alawToLinear(0xe3)).toBe(1440);
  });

  it('decodes to a level that encodes back to the same code', () => {
    for (let code = 0; code < 256; code++) {
      expect(linearToAlaw(alawToLinear(code))).toBe(code);
    }
  });

  it('keeps the round-trip error within half a quantization step of the segment', () => {
    for (let sample = -32768; sample <= 32767; sample++) {
      const error = Math.abs(alawToLinear(linearToAlaw(sample)) - sample);
      // Segments 0 and 1 step by 16 on the 16-bit scale, segment s >= 1 by 2^(s+3); the top
      // level is 32256, 512 short of full scale.
      const magnitude = sample < 0 ? -sample - 1 : sample;
      const step = magnitude < 512 ? 16 : 2 ** (31 - Math.clz32(magnitude) - 4);
      expect(error).toBeLessThanOrEqual(magnitude >= 32256 ? 512 : step / 2 + 1);
    }
  });

  it('converts sample buffers both ways', () => {
    const samples = Int16Array.of(0, 1000, -1000, 32767, -32768);
    const codes = encodeAlaw(samples);
    expect(codes).toEqual(Uint8Array.of(0xd5, 0xfa, 0x7a, 0xaa, 0x2a));
    expect(decodeAlaw(codes)).toEqual(Int16Array.of(8, 1008, -1008, 32256, -32256));
  });

  it('clamps out-of-range and fractional input', () => {
    expect(linearToAlaw(100_000)).toBe(0xaa);
    expect(linearToMulaw(-100_000)).toBe(0x00);
    expect(linearToMulaw(1000.9)).toBe(linearToMulaw(1000));
  });
});

describe('G711Packetizer / G711Depacketizer', () => {
  const packetizer = new G711Packetizer();
  const depacketizer = new G711Depacketizer();

  it('splits samples into full packets and a remainder', () => {
    const samples = new Uint8Array(400).map((_, i) => i & 0xff);
    const payloads = packetizer.packetize(samples, 160);
    expect(payloads.map((payload) => payload.length)).toEqual([160, 160, 80]);
    expect(payloads[1]?.[0]).toBe(160);
    expect(payloads[2]?.[79]).toBe(399 & 0xff);
    expect(packetizer.packetize(new Uint8Array(0), 160)).toEqual([]);
  });

  it('rejects empty payloads and calls every packet a whole keyframe', () => {
    expect(() => depacketizer.depacketize(new Uint8Array(0))).toThrow(PayloadError);
    const payload = Uint8Array.of(0xff, 0xd5);
    expect(depacketizer.depacketize(payload)).toEqual(payload);
    expect(depacketizer.isFrameStart(payload)).toBe(true);
    expect(depacketizer.isFrameEnd(payload, false)).toBe(true);
    expect(depacketizer.isKeyframe(payload)).toBe(true);
  });

  it('round-trips random sample buffers and MTUs', () => {
    const random = new SeededRandom(3551);
    const assembler = new FrameAssembler(depacketizer);
    let sequence = 65_000;
    let timestamp = 0;
    for (let i = 0; i < 200; i++) {
      const maxPayloadSize = random.int(50, 1500);
      const samples = random.bytes(random.int(1, 4000));
      const payloads = packetizer.packetize(samples, maxPayloadSize);
      expect(payloads).toHaveLength(Math.ceil(samples.length / maxPayloadSize));
      const received: Uint8Array[] = [];
      for (const payload of payloads) {
        expect(payload.length).toBeLessThanOrEqual(maxPayloadSize);
        const frames = assembler.push({
          sequenceNumber: sequence++ & 0xffff,
          timestamp,
          marker: false,
          payload,
        });
        timestamp += payload.length; // 8 kHz: one timestamp unit per sample
        expect(frames).toHaveLength(1);
        received.push(frames[0]?.data as Uint8Array);
      }
      expect(Buffer.concat(received)).toEqual(Buffer.from(samples));
    }
  });

  it('fuzz: mutated G.711 payloads raise only PayloadError', () => {
    const stats = fuzzParser({
      seeds: [Uint8Array.of(0xff, 0xd5, 0x7f)],
      parse: (bytes) => depacketizer.depacketize(bytes),
      expectedError: PayloadError,
      iterations: fuzzIterations(10_000, 200_000),
      seed: 711,
    });
    expect(stats.accepted).toBeGreaterThan(0);
    expect(stats.rejected).toBeGreaterThan(0);
  });
});
