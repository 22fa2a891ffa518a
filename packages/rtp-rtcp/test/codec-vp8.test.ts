/** VP8 over RTP (RFC 7741): payload descriptor, packetizer, depacketizer, keyframes. */

import { fuzzIterations, fuzzParser, SeededRandom } from '@typertc/common/testing';
import { describe, expect, it } from 'vitest';
import { FrameAssembler } from '../src/codecs/frame-assembler.js';
import { parseVp8Descriptor, Vp8Depacketizer, Vp8Packetizer } from '../src/codecs/vp8.js';
import { PayloadError } from '../src/errors.js';

/** A VP8 frame whose payload header's P bit (bit 0 of byte 0) says key frame or not. */
function vp8Frame(random: SeededRandom, length: number, keyframe: boolean): Uint8Array {
  const frame = random.bytes(length);
  frame[0] = ((frame[0] as number) & 0xfe) | (keyframe ? 0 : 1);
  return frame;
}

describe('parseVp8Descriptor (RFC 7741 §4.2)', () => {
  it('parses the minimal one-octet descriptor', () => {
    const descriptor = parseVp8Descriptor(Uint8Array.of(0x10, 0x9d));
    expect(descriptor).toEqual({
      nonReference: false,
      start: true,
      partitionIndex: 0,
      pictureIdBits: 0,
      size: 1,
    });
    expect(descriptor.pictureId).toBeUndefined();
  });

  it('parses every optional field with a 7-bit picture id', () => {
    // X N S PID=3 | I L T K | M=0 picture id 0x25 | TL0PICIDX 0x11 | TID=2 Y=1 KEYIDX=5
    const payload = Uint8Array.of(0xb3, 0xf0, 0x25, 0x11, 0xa5, 0x9d);
    expect(parseVp8Descriptor(payload)).toEqual({
      nonReference: true,
      start: true,
      partitionIndex: 3,
      pictureId: 0x25,
      pictureIdBits: 7,
      tl0PicIdx: 0x11,
      temporalLayer: 2,
      layerSync: true,
      keyIndex: 5,
      size: 5,
    });
  });

  it('parses a 15-bit picture id (M bit)', () => {
    const descriptor = parseVp8Descriptor(Uint8Array.of(0x80, 0x80, 0x92, 0x34, 0x00));
    expect(descriptor.pictureId).toBe(0x1234);
    expect(descriptor.pictureIdBits).toBe(15);
    expect(descriptor.start).toBe(false);
    expect(descriptor.size).toBe(4);
  });

  it('reads the T/K octet for K alone, with no temporal layer', () => {
    const descriptor = parseVp8Descriptor(Uint8Array.of(0x90, 0x10, 0xff, 0x00));
    expect(descriptor.keyIndex).toBe(31);
    expect(descriptor.temporalLayer).toBeUndefined();
    expect(descriptor.layerSync).toBeUndefined();
    expect(descriptor.size).toBe(3);
  });

  it('rejects descriptors cut short and packets without VP8 data', () => {
    for (const bytes of [
      [],
      [0x10], // descriptor only
      [0x80], // X without its octet
      [0x80, 0x80], // I without picture id
      [0x80, 0x80, 0x80, 0x01], // 15-bit picture id, no payload
      [0x80, 0x80, 0x80], // 15-bit picture id cut short
      [0x80, 0x40, 0x01], // L, no payload
      [0x80, 0x30], // T/K octet missing
    ]) {
      expect(() => parseVp8Descriptor(Uint8Array.from(bytes)), `${bytes}`).toThrow(PayloadError);
    }
  });
});

describe('Vp8Packetizer', () => {
  it('writes X, I, M and a 15-bit picture id, with S only on the first packet', () => {
    const packetizer = new Vp8Packetizer({ initialPictureId: 0x1234 });
    const frame = new Uint8Array(10).fill(0xaa);
    const payloads = packetizer.packetize(frame, 8); // 4 descriptor bytes + 4 data bytes
    expect(payloads.map((payload) => Array.from(payload.subarray(0, 4)))).toEqual([
      [0x90, 0x80, 0x92, 0x34],
      [0x80, 0x80, 0x92, 0x34],
      [0x80, 0x80, 0x92, 0x34],
    ]);
    // 10 bytes over 3 packets: 4, 3, 3 rather than 4, 4, 2.
    expect(payloads.map((payload) => payload.length - 4)).toEqual([4, 3, 3]);
    expect(packetizer.nextPictureId).toBe(0x1235);
  });

  it('increments the picture id per frame and wraps at 15 bits', () => {
    const packetizer = new Vp8Packetizer({ initialPictureId: 0x7ffe });
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) {
      const [first] = packetizer.packetize(Uint8Array.of(0, 1, 2), 100);
      ids.push(parseVp8Descriptor(first as Uint8Array).pictureId as number);
    }
    expect(ids).toEqual([0x7ffe, 0x7fff, 0]);
    // An empty frame sends nothing and spends no picture id.
    expect(packetizer.packetize(new Uint8Array(0), 100)).toEqual([]);
    expect(packetizer.nextPictureId).toBe(1);
  });

  it('writes the one-octet descriptor when picture ids are off', () => {
    const packetizer = new Vp8Packetizer({ pictureId: false });
    const payloads = packetizer.packetize(Uint8Array.of(1, 2, 3, 4), 3);
    expect(payloads.map((payload) => Array.from(payload))).toEqual([
      [0x10, 1, 2],
      [0x00, 3, 4],
    ]);
  });

  it('refuses a maxPayloadSize with no room for data and a bad initial picture id', () => {
    expect(() => new Vp8Packetizer().packetize(Uint8Array.of(1), 4)).toThrow(PayloadError);
    expect(() => new Vp8Packetizer({ pictureId: false }).packetize(Uint8Array.of(1), 1)).toThrow(
      PayloadError,
    );
    expect(() => new Vp8Packetizer({ initialPictureId: 0x8000 })).toThrow(RangeError);
    expect(() => new Vp8Packetizer({ initialPictureId: -1 })).toThrow(RangeError);
  });
});

describe('Vp8Depacketizer', () => {
  const depacketizer = new Vp8Depacketizer();

  it('returns the VP8 bytes after the descriptor', () => {
    const payload = Uint8Array.of(0x90, 0xe0, 0x81, 0x02, 0x07, 0x40, 0x9d, 0x01);
    expect(Array.from(depacketizer.depacketize(payload))).toEqual([0x9d, 0x01]);
  });

  it('starts a frame at S = 1, PID = 0 only', () => {
    expect(depacketizer.isFrameStart(Uint8Array.of(0x10, 0x00))).toBe(true);
    expect(depacketizer.isFrameStart(Uint8Array.of(0x11, 0x00))).toBe(false); // PID 1
    expect(depacketizer.isFrameStart(Uint8Array.of(0x00, 0x00))).toBe(false);
    expect(depacketizer.isFrameStart(new Uint8Array(0))).toBe(false);
    expect(depacketizer.isFrameEnd(Uint8Array.of(0x00, 0x00), true)).toBe(true);
    expect(depacketizer.isFrameEnd(Uint8Array.of(0x00, 0x00), false)).toBe(false);
  });

  it('detects key frames from the P bit of the VP8 payload header (RFC 7741 §4.3)', () => {
    expect(depacketizer.isKeyframe(Uint8Array.of(0x10, 0x50))).toBe(true); // P = 0
    expect(depacketizer.isKeyframe(Uint8Array.of(0x10, 0x51))).toBe(false); // P = 1
    expect(depacketizer.isKeyframe(Uint8Array.of(0x00, 0x50))).toBe(false); // not a start
    expect(depacketizer.isKeyframe(Uint8Array.of(0x12, 0x50))).toBe(false); // PID 2
    // With a full descriptor, the payload header is after it.
    expect(depacketizer.isKeyframe(Uint8Array.of(0x90, 0x80, 0x80, 0x05, 0x50))).toBe(true);
    expect(depacketizer.isKeyframe(Uint8Array.of(0x90, 0x80, 0x80, 0x05, 0x51))).toBe(false);
    expect(depacketizer.isKeyframe(Uint8Array.of(0x90, 0x80, 0x80))).toBe(false); // truncated
  });

  it('round-trips random frames and MTUs through the frame assembler', () => {
    const random = new SeededRandom(7741);
    for (const pictureId of [true, false]) {
      const packetizer = new Vp8Packetizer({ pictureId, initialPictureId: 32_700 });
      const assembler = new FrameAssembler(depacketizer);
      let sequence = 65_400;
      for (let i = 0; i < 200; i++) {
        const maxPayloadSize = random.int(50, 1500);
        const keyframe = i % 30 === 0;
        const frame = vp8Frame(random, random.int(1, keyframe ? 20_000 : 5000), keyframe);
        const payloads = packetizer.packetize(frame, maxPayloadSize);
        expect(Math.max(...payloads.map((payload) => payload.length))).toBeLessThanOrEqual(
          maxPayloadSize,
        );
        const emitted = payloads.flatMap((payload, index) =>
          assembler.push({
            sequenceNumber: sequence++ & 0xffff,
            timestamp: i * 3000,
            marker: index === payloads.length - 1,
            payload,
          }),
        );
        expect(emitted).toHaveLength(1);
        expect(Buffer.from(emitted[0]?.data ?? []).equals(frame)).toBe(true);
        expect(emitted[0]?.keyframe).toBe(keyframe);
        expect(emitted[0]?.lastSequence).toBe((sequence - 1) & 0xffff);
      }
      expect(assembler.incompleteFrames).toBe(0);
    }
  });

  it('fuzz: mutated VP8 payloads raise only PayloadError', () => {
    const random = new SeededRandom(1);
    const seeds = [
      ...new Vp8Packetizer().packetize(vp8Frame(random, 200, true), 80),
      ...new Vp8Packetizer({ pictureId: false }).packetize(vp8Frame(random, 50, false), 40),
      Uint8Array.of(0xb3, 0xf0, 0x25, 0x11, 0xa5, 0x9d),
    ];
    const stats = fuzzParser({
      seeds,
      parse: (bytes) => {
        const descriptor = parseVp8Descriptor(bytes);
        const data = depacketizer.depacketize(bytes);
        if (data.length !== bytes.length - descriptor.size) throw new Error('size mismatch');
        depacketizer.isFrameStart(bytes);
        depacketizer.isKeyframe(bytes);
      },
      expectedError: PayloadError,
      iterations: fuzzIterations(10_000, 200_000),
      seed: 7741,
    });
    expect(stats.accepted).toBeGreaterThan(0);
    expect(stats.rejected).toBeGreaterThan(0);
  });
});
