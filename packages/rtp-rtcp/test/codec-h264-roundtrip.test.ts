/**
 * H.264 packetize → depacketize round trips over random access units and MTUs, through the
 * frame assembler, and mutation fuzzing of both directions.
 */

import { fuzzIterations, fuzzParser, SeededRandom } from '@typertc/common/testing';
import { describe, expect, it } from 'vitest';
import { FrameAssembler } from '../src/codecs/frame-assembler.js';
import { H264Depacketizer, H264Packetizer, splitAnnexB } from '../src/codecs/h264.js';
import { PayloadError } from '../src/errors.js';

/**
 * A random NAL unit of `type` with a body of `length` bytes, shaped as an encoder's output: no
 * 00 00 0x (x <= 3) inside (emulation prevention, H.264 §7.4.1) and a non-zero last byte.
 */
function nalUnit(random: SeededRandom, type: number, length: number): Uint8Array {
  const out: number[] = [(random.int(type === 6 ? 0 : 1, 3) << 5) | type];
  for (let i = 0; i < length; i++) {
    const byte = random.chance(0.1) ? 0 : random.int(0, 255);
    if (byte <= 3 && out.at(-1) === 0 && out.at(-2) === 0) out.push(3);
    out.push(byte);
  }
  if (out.at(-1) === 0) out.push(0x80);
  return Uint8Array.from(out);
}

/** An access unit: SPS, PPS, SEI and IDR slices for a key frame, else SEI and slices. */
function accessUnit(random: SeededRandom, keyframe: boolean, maxUnit: number): Uint8Array[] {
  const units: Uint8Array[] = [];
  if (keyframe) {
    units.push(nalUnit(random, 7, random.int(3, 20)), nalUnit(random, 8, random.int(1, 6)));
  }
  if (random.chance(0.3)) units.push(nalUnit(random, 6, random.int(1, 30)));
  const slices = random.int(1, 3);
  for (let i = 0; i < slices; i++) {
    units.push(nalUnit(random, keyframe ? 5 : 1, random.int(0, maxUnit)));
  }
  return units;
}

/** Units joined with 3- or 4-byte start codes, sometimes with leading and trailing zeros. */
function annexB(random: SeededRandom, units: readonly Uint8Array[]): Uint8Array {
  const parts: Uint8Array[] = [];
  if (random.chance(0.2)) parts.push(new Uint8Array(random.int(1, 3)));
  for (const unit of units) {
    parts.push(random.chance(0.5) ? Uint8Array.of(0, 0, 1) : Uint8Array.of(0, 0, 0, 1), unit);
  }
  if (random.chance(0.2)) parts.push(new Uint8Array(random.int(1, 3)));
  return new Uint8Array(Buffer.concat(parts));
}

function sameUnits(actual: readonly Uint8Array[], expected: readonly Uint8Array[]): boolean {
  return (
    actual.length === expected.length &&
    actual.every((unit, i) => Buffer.from(unit).equals(expected[i] as Uint8Array))
  );
}

describe('H.264 round trips', () => {
  for (const mode of [1, 0] as const) {
    it(`packetization-mode ${mode}: random access units and MTUs come back unit for unit`, () => {
      const random = new SeededRandom(6184 + mode);
      const packetizer = new H264Packetizer({ packetizationMode: mode });
      // A 90 kB key frame at a 50-byte MTU is ~1900 packets.
      const assembler = new FrameAssembler(new H264Depacketizer(), { maxPackets: 4096 });
      let sequence = 65_300;
      for (let i = 0; i < 300; i++) {
        const maxPayloadSize = random.int(50, 1500);
        const keyframe = i % 25 === 0;
        // Mode 0 cannot fragment: keep every unit within the MTU there.
        const maxUnit = mode === 0 ? maxPayloadSize - 20 : keyframe ? 30_000 : 4000;
        const units = accessUnit(random, keyframe, maxUnit);
        const payloads = packetizer.packetize(annexB(random, units), maxPayloadSize);
        expect(Math.max(...payloads.map((payload) => payload.length))).toBeLessThanOrEqual(
          maxPayloadSize,
        );
        const frames = payloads.flatMap((payload, index) =>
          assembler.push({
            sequenceNumber: sequence++ & 0xffff,
            timestamp: i * 3000,
            marker: index === payloads.length - 1,
            payload,
          }),
        );
        expect(frames).toHaveLength(1);
        expect(frames[0]?.keyframe).toBe(keyframe);
        expect(frames[0]?.timestamp).toBe(i * 3000);
        expect(sameUnits(splitAnnexB(frames[0]?.data as Uint8Array), units)).toBe(true);
      }
      expect(assembler.framesEmitted).toBe(300);
    });
  }

  it('every IDR frame carries parameter sets after insertion', () => {
    const random = new SeededRandom(61841);
    const packetizer = new H264Packetizer();
    const depacketizer = new H264Depacketizer();
    const first = accessUnit(random, true, 500);
    packetizer.packetize(annexB(random, first), 1200);
    for (let i = 0; i < 50; i++) {
      const keyframe = random.chance(0.3);
      // Key frames without their SPS and PPS: the packetizer must add the remembered ones.
      const units = accessUnit(random, keyframe, 3000).filter(
        (unit) => ((unit[0] as number) & 0x1f) < 7,
      );
      const payloads = packetizer.packetize(annexB(random, units), random.int(50, 1500));
      const stream = Buffer.concat(payloads.map((payload) => depacketizer.depacketize(payload)));
      const received = splitAnnexB(new Uint8Array(stream));
      const expected = keyframe ? insertBeforeIdr(units, first.slice(0, 2)) : units;
      expect(sameUnits(received, expected)).toBe(true);
    }
  });
});

function insertBeforeIdr(units: Uint8Array[], sets: Uint8Array[]): Uint8Array[] {
  const at = units.findIndex((unit) => ((unit[0] as number) & 0x1f) === 5);
  return [...units.slice(0, at), ...sets, ...units.slice(at)];
}

describe('H.264 robustness', () => {
  const random = new SeededRandom(1);
  const frame = annexB(random, accessUnit(random, true, 300));
  const seeds = [
    ...new H264Packetizer().packetize(frame, 1200),
    ...new H264Packetizer().packetize(frame, 60),
  ];

  it('fuzz: mutated H.264 payloads raise only PayloadError', () => {
    const depacketizer = new H264Depacketizer();
    expect(seeds.some((seed) => ((seed[0] as number) & 0x1f) === 24)).toBe(true);
    expect(seeds.some((seed) => ((seed[0] as number) & 0x1f) === 28)).toBe(true);
    const stats = fuzzParser({
      seeds,
      parse: (bytes) => {
        depacketizer.isFrameStart(bytes);
        depacketizer.isKeyframe(bytes);
        return depacketizer.depacketize(bytes);
      },
      expectedError: PayloadError,
      iterations: fuzzIterations(10_000, 200_000),
      seed: 6184,
    });
    expect(stats.accepted).toBeGreaterThan(0);
    expect(stats.rejected).toBeGreaterThan(0);
  });

  it('fuzz: mutated Annex B input makes the packetizer raise only PayloadError', () => {
    const packetizer = new H264Packetizer();
    const sizes = new SeededRandom(2);
    const stats = fuzzParser({
      seeds: [frame],
      parse: (bytes) => {
        const maxPayloadSize = sizes.int(3, 200);
        for (const payload of packetizer.packetize(bytes, maxPayloadSize)) {
          if (payload.length > maxPayloadSize) throw new Error('payload over maxPayloadSize');
        }
      },
      expectedError: PayloadError,
      iterations: fuzzIterations(10_000, 200_000),
      seed: 6185,
    });
    expect(stats.accepted).toBeGreaterThan(0);
    expect(stats.rejected).toBeGreaterThan(0);
  });
});
