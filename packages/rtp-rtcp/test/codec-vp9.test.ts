/**
 * VP9 over RTP (RFC 9628): the frame header reader, the packetizer's exact output, round trips over
 * random frames and payload sizes, and fuzzing of everything that reads untrusted bytes.
 */

import { bytesEqual, concatBytes, fromHex } from '@typertc/common';
import { fuzzIterations, fuzzParser, SeededRandom } from '@typertc/common/testing';
import { describe, expect, it } from 'vitest';
import {
  parseVp9Descriptor,
  parseVp9FrameHeader,
  Vp9Depacketizer,
  Vp9Packetizer,
  vp9DescriptorSize,
} from '../src/codecs/vp9.js';
import { PayloadError } from '../src/errors.js';

/** Writes fields most significant bit first, as the VP9 uncompressed header is laid out. */
class BitWriter {
  readonly #bits: number[] = [];
  write(value: number, count: number): this {
    for (let i = count - 1; i >= 0; i--) this.#bits.push((value >>> i) & 1);
    return this;
  }
  bytes(): Uint8Array {
    const out = new Uint8Array(Math.ceil(this.#bits.length / 8));
    this.#bits.forEach((bit, i) => {
      out[i >>> 3] = (out[i >>> 3] as number) | (bit << (7 - (i & 7)));
    });
    return out;
  }
}

/** The uncompressed header of a key frame (VP9 bitstream §6.2) up to frame_size. */
function keyframeHeader(width: number, height: number, profile = 0, colorSpace = 1): Uint8Array {
  const bits = new BitWriter()
    .write(2, 2)
    .write(profile & 1, 1)
    .write(profile >> 1, 1);
  if (profile === 3) bits.write(0, 1);
  bits.write(0, 1).write(0, 1).write(1, 1).write(0, 1); // show_existing, KEY_FRAME, show, !resilient
  bits.write(0x498342, 24);
  if (profile >= 2) bits.write(1, 1); // ten_or_twelve_bit
  bits.write(colorSpace, 3);
  if (colorSpace !== 7) {
    bits.write(0, 1);
    if (profile === 1 || profile === 3) bits.write(0, 3);
  } else if (profile === 1 || profile === 3) {
    bits.write(0, 1);
  }
  return bits
    .write(width - 1, 16)
    .write(height - 1, 16)
    .bytes();
}

/** An inter frame's first octet: frame_marker 2, profile 0, not show_existing, NON_KEY, shown. */
const INTER_FRAME_OCTET = 0x86;

function frameOf(header: Uint8Array, body: Uint8Array): Uint8Array {
  const frame = new Uint8Array(header.length + body.length);
  frame.set(header);
  frame.set(body, header.length);
  return frame;
}

describe('parseVp9FrameHeader (VP9 bitstream §6.2)', () => {
  it('reads a profile 0 key frame: 82 49 83 42, color config, 640x480', () => {
    const header = keyframeHeader(640, 480);
    // 10 0 0 0 0 1 0 | sync | cs 001, range 0 | 639 | 479
    expect(header).toEqual(fromHex('8249834220' + '27f01df0'));
    expect(parseVp9FrameHeader(header)).toEqual({
      profile: 0,
      showExistingFrame: false,
      keyframe: true,
      width: 640,
      height: 480,
    });
  });

  it('reads the extra color config bits of profiles 1-3 and RGB', () => {
    for (const profile of [0, 1, 2, 3]) {
      for (const colorSpace of [0, 7]) {
        const parsed = parseVp9FrameHeader(keyframeHeader(1920, 1080, profile, colorSpace));
        expect(parsed, `profile ${profile}, color space ${colorSpace}`).toMatchObject({
          profile,
          keyframe: true,
          width: 1920,
          height: 1080,
        });
      }
    }
    expect(parseVp9FrameHeader(keyframeHeader(65536, 1))).toMatchObject({ width: 65536 });
  });

  it('reads inter frames and show_existing_frame without a size', () => {
    expect(parseVp9FrameHeader(fromHex('86ff'))).toEqual({
      profile: 0,
      showExistingFrame: false,
      keyframe: false,
    });
    // 10 1 0 1 (profile 1, show_existing) 000 (index)
    expect(parseVp9FrameHeader(fromHex('a8'))).toEqual({
      profile: 1,
      showExistingFrame: true,
      keyframe: false,
    });
  });

  it('rejects what is not a VP9 frame', () => {
    expect(() => parseVp9FrameHeader(new Uint8Array(0))).toThrow(PayloadError);
    expect(() => parseVp9FrameHeader(fromHex('46'))).toThrow(/frame marker/);
    expect(() => parseVp9FrameHeader(fromHex('b8'))).toThrow(/reserved bit/); // profile 3
    expect(() => parseVp9FrameHeader(fromHex('8249834310'))).toThrow(/sync code/);
    const header = keyframeHeader(640, 480);
    for (let length = 1; length < header.length; length++) {
      expect(() => parseVp9FrameHeader(header.subarray(0, length))).toThrow(/truncated/);
    }
  });
});

describe('Vp9Packetizer (RFC 9628 §4.2)', () => {
  it('sends a small key frame in one packet with SS, byte for byte', () => {
    const frame = frameOf(keyframeHeader(640, 480), fromHex('0102'));
    const [payload, ...more] = new Vp9Packetizer({ initialPictureId: 0x1234 }).packetize(
      frame,
      1200,
    );
    expect(more).toEqual([]);
    // |I|P|L|F|B|E|V|Z| = 1 0 0 0 1 1 1 0 = 8e; M=1, pid 0x1234 = 92 34;
    // SS: N_S 0, Y 1, G 0 = 10; 640x480 = 0280 01e0; then the frame.
    expect(payload).toEqual(concatBytes(fromHex('8e9234' + '10028001e0'), frame));
  });

  it('splits an inter frame into even packets with B on the first and E on the last', () => {
    const frame = frameOf(Uint8Array.of(INTER_FRAME_OCTET), new Uint8Array(20).fill(7));
    const payloads = new Vp9Packetizer({ initialPictureId: 0x7fff }).packetize(frame, 10);
    // 21 octets, 7 per packet after a 3-octet descriptor: three packets of 7.
    expect(payloads.map((payload) => payload.length)).toEqual([10, 10, 10]);
    // I, P, B = c8; I, P = c0; I, P, E = c4; pid 0x7fff = ff ff.
    expect(payloads.map((payload) => payload.subarray(0, 3))).toEqual([
      fromHex('c8ffff'),
      fromHex('c0ffff'),
      fromHex('c4ffff'),
    ]);
    expect(concatBytes(...payloads.map((payload) => payload.subarray(3)))).toEqual(frame);
  });

  it('keeps the SS-carrying first packet within the limit and evens out the rest', () => {
    const frame = frameOf(keyframeHeader(320, 240), new Uint8Array(41));
    const payloads = new Vp9Packetizer().packetize(frame, 20);
    expect(frame.length).toBe(50);
    // First packet: 8-octet descriptor, room for 12; the other 38 in 3 packets of 13, 13, 12.
    expect(payloads.map((payload) => payload.length)).toEqual([20, 16, 16, 15]);
    expect(payloads[0]?.subarray(0, 8)).toEqual(fromHex('8a8000' + '10014000f0'));
  });

  it('increments the 15-bit picture id per frame and wraps', () => {
    const packetizer = new Vp9Packetizer({ initialPictureId: 0x7ffe });
    const frame = Uint8Array.of(INTER_FRAME_OCTET, 0);
    const ids = [0, 1, 2].map(
      () =>
        parseVp9Descriptor(packetizer.packetize(frame, 100)[0] as Uint8Array).descriptor.pictureId,
    );
    expect(ids).toEqual([0x7ffe, 0x7fff, 0]);
    expect(packetizer.nextPictureId).toBe(1);
  });

  it('declares the previous picture as the reference in flexible mode', () => {
    const packetizer = new Vp9Packetizer({ flexibleMode: true, initialPictureId: 9 });
    const key = packetizer.packetize(frameOf(keyframeHeader(2, 2), fromHex('00')), 100);
    // I, F, B, E, V = 9e; pid 9; SS 10 0002 0002.
    expect(key[0]?.subarray(0, 8)).toEqual(fromHex('9e8009' + '1000020002'));
    const inter = packetizer.packetize(Uint8Array.of(INTER_FRAME_OCTET, 0), 100);
    // I, P, F, B, E = dc; pid 10; P_DIFF 1, N 0 = 02.
    expect(inter[0]).toEqual(fromHex('dc800a' + '02' + '8600'));
    expect(parseVp9Descriptor(inter[0] as Uint8Array).descriptor.referenceIndices).toEqual([1]);
  });

  it('omits the resolution from the SS when it does not fit 16 bits', () => {
    const frame = frameOf(keyframeHeader(65536, 16), fromHex('00'));
    const [payload] = new Vp9Packetizer().packetize(frame, 100);
    expect(parseVp9Descriptor(payload as Uint8Array).descriptor.scalabilityStructure).toEqual({
      spatialLayers: 1,
    });
  });

  it('rejects a payload size with no room after the descriptor, and non-VP9 frames', () => {
    const packetizer = new Vp9Packetizer();
    const key = frameOf(keyframeHeader(640, 480), fromHex('00'));
    expect(() => packetizer.packetize(key, 8)).toThrow(PayloadError);
    // One octet in the first packet, then 5 and 4 behind 3-octet descriptors.
    expect(packetizer.packetize(key, 9).map((payload) => payload.length)).toEqual([9, 8, 7]);
    expect(() => packetizer.packetize(key, 0)).toThrow(RangeError);
    expect(() => packetizer.packetize(key, 1.5)).toThrow(RangeError);
    expect(() => packetizer.packetize(new Uint8Array(0), 100)).toThrow(PayloadError);
    expect(() => packetizer.packetize(fromHex('00'), 100)).toThrow(PayloadError);
    expect(() => new Vp9Packetizer({ initialPictureId: 0x8000 })).toThrow(RangeError);
  });
});

describe('Vp9Depacketizer', () => {
  const depacketizer = new Vp9Depacketizer();

  it('strips the descriptor and reads B, E and the key frame bits', () => {
    const packet = fromHex('afffff00ab38014000b40280016802040238' + '0103' + 'c0ffee');
    expect(depacketizer.depacketize(packet)).toEqual(fromHex('c0ffee'));
    expect(depacketizer.isFrameStart(packet)).toBe(true);
    expect(depacketizer.isFrameEnd(packet, false)).toBe(true);
    expect(depacketizer.isKeyframe(packet)).toBe(true);
    const middle = fromHex('c0ffff00');
    expect(depacketizer.isFrameStart(middle)).toBe(false);
    expect(depacketizer.isFrameEnd(middle, false)).toBe(false);
    expect(depacketizer.isFrameEnd(middle, true)).toBe(true);
    expect(depacketizer.isKeyframe(middle)).toBe(false);
  });

  it('rejects a truncated descriptor or an empty payload', () => {
    expect(() => depacketizer.depacketize(new Uint8Array(0))).toThrow(PayloadError);
    expect(() => depacketizer.depacketize(fromHex('80'))).toThrow(PayloadError);
    expect(() => depacketizer.depacketize(fromHex('8805'))).toThrow(/no payload/);
  });
});

describe('VP9 round trips', () => {
  it('packetize → depacketize over random frames, modes and payload sizes', () => {
    const random = new SeededRandom(9628);
    for (let round = 0; round < 200; round++) {
      const flexibleMode = random.chance(0.5);
      const packetizer = new Vp9Packetizer({
        flexibleMode,
        initialPictureId: random.int(0, 0x7fff),
      });
      const depacketizer = new Vp9Depacketizer();
      for (let n = 0; n < 4; n++) {
        const keyframe = random.chance(0.3);
        const header = keyframe
          ? keyframeHeader(random.int(1, 4096), random.int(1, 4096), random.int(0, 3))
          : Uint8Array.of(INTER_FRAME_OCTET);
        const frame = frameOf(header, random.bytes(random.int(0, 5000)));
        const maxPayloadSize = random.int(40, 1500);
        const expectedId = packetizer.nextPictureId;
        const payloads = packetizer.packetize(frame, maxPayloadSize);
        expect(payloads.length).toBeGreaterThan(0);
        for (const [i, payload] of payloads.entries()) {
          expect(payload.length).toBeLessThanOrEqual(maxPayloadSize);
          expect(depacketizer.isFrameStart(payload)).toBe(i === 0);
          expect(depacketizer.isFrameEnd(payload, false)).toBe(i === payloads.length - 1);
          expect(depacketizer.isKeyframe(payload)).toBe(keyframe && i === 0);
          const { descriptor } = parseVp9Descriptor(payload);
          expect(descriptor.pictureId).toBe(expectedId);
          expect(descriptor.flexibleMode).toBe(flexibleMode);
          expect(descriptor.scalabilityStructure !== undefined).toBe(keyframe && i === 0);
        }
        const rebuilt = concatBytes(
          ...payloads.map((payload) => depacketizer.depacketize(payload)),
        );
        // bytesEqual rather than toEqual: vitest compares typed arrays element by element, slowly.
        expect(bytesEqual(rebuilt, frame)).toBe(true);
        // Even sizes: no payload after the first is more than one octet off another.
        const sizes = payloads.slice(1).map((payload) => payload.length);
        if (sizes.length > 0)
          expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }
    }
  });
});

describe('VP9 robustness', () => {
  const seeds = [
    fromHex('afffff00ab38014000b40280016802040238' + '0103' + 'c0ffee'),
    fromHex('f805530308aabb'),
    fromHex('9e8009' + '1000020002' + '8249834210'),
    fromHex('8a0548' + '00' + 'aa'),
  ];

  it('fuzz: mutated payloads raise only PayloadError, and the size walk agrees with the parse', () => {
    const depacketizer = new Vp9Depacketizer();
    const stats = fuzzParser({
      seeds,
      parse: (bytes) => {
        depacketizer.isFrameStart(bytes);
        depacketizer.isFrameEnd(bytes, false);
        depacketizer.isKeyframe(bytes);
        const payload = depacketizer.depacketize(bytes);
        const parsed = parseVp9Descriptor(bytes);
        if (parsed.descriptorSize !== vp9DescriptorSize(bytes)) {
          throw new Error('vp9DescriptorSize disagrees with parseVp9Descriptor');
        }
        if (parsed.payload.length !== payload.length) throw new Error('payloads differ');
      },
      expectedError: PayloadError,
      iterations: fuzzIterations(10_000, 200_000),
      seed: 9,
    });
    expect(stats.accepted).toBeGreaterThan(0);
    expect(stats.rejected).toBeGreaterThan(0);
  });

  it('fuzz: mutated frames raise only PayloadError in the packetizer', () => {
    const packetizer = new Vp9Packetizer();
    const stats = fuzzParser({
      seeds: [keyframeHeader(640, 480, 1), keyframeHeader(64, 64, 3, 7), fromHex('86aabbcc')],
      parse: (bytes) => packetizer.packetize(bytes, 20),
      expectedError: PayloadError,
      iterations: fuzzIterations(10_000, 200_000),
      seed: 10,
    });
    expect(stats.accepted).toBeGreaterThan(0);
    expect(stats.rejected).toBeGreaterThan(0);
  });
});
