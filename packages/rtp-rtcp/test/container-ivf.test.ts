import { bytesEqual, ClosedError, concatBytes, fromHex, toHex } from '@typertc/common';
import { fuzzIterations, fuzzParser, SeededRandom } from '@typertc/common/testing';
import { describe, expect, it } from 'vitest';
import { type IvfFrame, IvfReader, readIvf } from '../src/containers/ivf-reader.js';
import { IvfWriter } from '../src/containers/ivf-writer.js';
import { ContainerError } from '../src/errors.js';
import { thrown } from './container-helpers.js';

/** The 32-byte header FFmpeg 5.1 (libvpx VP8, 64x48 at 30 fps, 3 frames) wrote. */
const FFMPEG_HEADER = fromHex(
  '444b4946 0000 2000 56503830 4000 3000 1e000000 01000000 03000000 00000000',
);

function file(frames: readonly { data: Uint8Array; timestamp: number }[]): Uint8Array {
  const writer = new IvfWriter({
    codec: 'VP9',
    width: 1280,
    height: 720,
    timebaseDenominator: 90_000,
  });
  const parts = [writer.header()];
  for (const frame of frames) parts.push(writer.writeFrame(frame.data, frame.timestamp));
  const bytes = concatBytes(...parts);
  bytes.set(writer.header(), 0);
  return bytes;
}

/** Compares with `bytesEqual`: deep equality over 100 KiB typed arrays is slow. */
function expectFrames(
  actual: readonly IvfFrame[],
  expected: readonly { data: Uint8Array; timestamp: number }[],
): void {
  expect(actual.map((frame) => frame.timestamp)).toEqual(expected.map((frame) => frame.timestamp));
  for (const [i, frame] of expected.entries()) {
    expect(bytesEqual(actual[i]?.data ?? new Uint8Array(1), frame.data), `frame ${i}`).toBe(true);
  }
}

describe('IvfWriter', () => {
  it('writes the 32-byte file header field by field, little-endian', () => {
    const writer = new IvfWriter({
      codec: 'VP8',
      width: 640,
      height: 480,
      timebaseDenominator: 90_000,
    });
    expect(toHex(writer.header())).toBe(
      '444b4946' + // 'DKIF'
        '0000' + // version 0
        '2000' + // header size 32
        '56503830' + // 'VP80'
        '8002' + // width 640
        'e001' + // height 480
        '905f0100' + // timebase denominator 90000
        '01000000' + // timebase numerator 1
        '00000000' + // frame count 0
        '00000000', // unused
    );
  });

  it('re-renders the header with the frame count, and names VP9 and AV1 by fourcc', () => {
    const vp9 = new IvfWriter({ codec: 'VP9', width: 1, height: 2, timebaseDenominator: 30 });
    vp9.writeFrame(new Uint8Array(1), 0);
    vp9.writeFrame(new Uint8Array(1), 1);
    expect(vp9.frameCount).toBe(2);
    expect(toHex(vp9.header().subarray(8, 12))).toBe('56503930');
    expect(toHex(vp9.header().subarray(24, 28))).toBe('02000000');
    const av1 = new IvfWriter({
      codec: 'AV1',
      width: 1,
      height: 1,
      timebaseDenominator: 1000,
      timebaseNumerator: 3,
    });
    expect(toHex(av1.header().subarray(8, 24))).toBe(
      '41563031' + '01000100' + 'e8030000' + '03000000',
    );
  });

  it('writes a 12-byte frame header: size, then a 64-bit timestamp', () => {
    const writer = new IvfWriter({
      codec: 'VP8',
      width: 2,
      height: 2,
      timebaseDenominator: 90_000,
    });
    const out = writer.writeFrame(Uint8Array.of(0xaa, 0xbb, 0xcc), 2 ** 40 + 0x01020304);
    expect(toHex(out)).toBe('03000000' + '0403020100010000' + 'aabbcc');
  });

  it('rejects fields that do not fit with RangeError', () => {
    const base = { codec: 'VP8', width: 1, height: 1, timebaseDenominator: 30 } as const;
    expect(() => new IvfWriter({ ...base, width: 65_536 })).toThrow(RangeError);
    expect(() => new IvfWriter({ ...base, height: -1 })).toThrow(RangeError);
    expect(() => new IvfWriter({ ...base, timebaseDenominator: 0 })).toThrow(RangeError);
    expect(() => new IvfWriter({ ...base, timebaseNumerator: 1.5 })).toThrow(RangeError);
    const writer = new IvfWriter(base);
    expect(() => writer.writeFrame(new Uint8Array(1), -1)).toThrow(RangeError);
    expect(() => writer.writeFrame(new Uint8Array(1), 2 ** 53)).toThrow(RangeError);
    expect(writer.frameCount).toBe(0);
  });
});

describe('IvfReader', () => {
  it('reads the header FFmpeg wrote', () => {
    const { header, frames } = readIvf(FFMPEG_HEADER);
    expect(header).toEqual({
      fourcc: 'VP80',
      codec: 'VP8',
      width: 64,
      height: 48,
      timebaseDenominator: 30,
      timebaseNumerator: 1,
      frameCount: 3,
    });
    expect(frames).toEqual([]);
  });

  it('round-trips random frames, whole and pushed in random chunks', () => {
    const random = new SeededRandom(0x1f);
    const frames = Array.from({ length: 40 }, (_, i) => ({
      data: random.bytes(random.chance(0.1) ? random.int(70_000, 200_000) : random.int(0, 1500)),
      timestamp: i * 3000 + random.int(0, 2999),
    }));
    frames.push({ data: new Uint8Array(0), timestamp: Number.MAX_SAFE_INTEGER });
    const bytes = file(frames);

    const whole = readIvf(bytes);
    expect(whole.header.codec).toBe('VP9');
    expect(whole.header.frameCount).toBe(frames.length);
    expectFrames(whole.frames, frames);
    expect(whole.frames[1]?.offset).toBe(32 + 12 + (frames[0]?.data.length ?? 0));

    const reader = new IvfReader();
    const read: IvfFrame[] = [];
    for (let at = 0; at < bytes.length; ) {
      const size = random.int(1, 5000);
      reader.push(bytes.subarray(at, at + size));
      at += size;
      for (let frame = reader.pollFrame(); frame; frame = reader.pollFrame()) read.push(frame);
    }
    reader.end();
    expect(reader.pollFrame()).toBeUndefined();
    expectFrames(read, frames);
    expect(read.map((frame) => frame.offset)).toEqual(whole.frames.map((frame) => frame.offset));
  });

  it('keeps returned frames intact while more input is pushed (they alias no reused bytes)', () => {
    const frames = [1, 2, 3].map((n) => ({ data: new Uint8Array(100).fill(n), timestamp: n }));
    const bytes = file(frames);
    const reader = new IvfReader();
    reader.push(bytes.subarray(0, 32 + 112));
    const first = reader.pollFrame();
    reader.push(bytes.subarray(32 + 112));
    reader.end();
    const rest = [reader.pollFrame(), reader.pollFrame()];
    expect(first?.data).toEqual(new Uint8Array(100).fill(1));
    expect(rest.map((frame) => frame?.data[0])).toEqual([2, 3]);
  });

  it('rejects a wrong signature, version, header size or timebase, with the offset', () => {
    const patched = (at: number, ...values: number[]) => {
      const bytes = FFMPEG_HEADER.slice();
      bytes.set(values, at);
      return bytes;
    };
    expect(thrown(() => readIvf(patched(0, 0x52))).offset).toBe(0);
    expect(thrown(() => readIvf(patched(4, 1))).offset).toBe(4);
    expect(thrown(() => readIvf(patched(6, 0x40))).offset).toBe(6);
    expect(thrown(() => readIvf(patched(16, 0))).offset).toBe(16);
    expect(thrown(() => readIvf(patched(20, 0))).offset).toBe(16);
  });

  it('rejects truncated input, and a lying frame size at the frame header offset', () => {
    expect(thrown(() => readIvf(new Uint8Array(0))).message).toMatch(/no IVF file header/);
    expect(thrown(() => readIvf(FFMPEG_HEADER.subarray(0, 31))).offset).toBe(0);
    const bytes = file([
      { data: new Uint8Array(10), timestamp: 0 },
      { data: new Uint8Array(10), timestamp: 1 },
    ]);
    expect(thrown(() => readIvf(bytes.subarray(0, bytes.length - 1))).offset).toBe(54);
    expect(thrown(() => readIvf(bytes.subarray(0, 54 + 11))).offset).toBe(54);
    const lying = bytes.slice();
    lying[54] = 11; // the last frame claims one byte more than the file has
    const error = thrown(() => readIvf(lying));
    expect(error.offset).toBe(54);
    expect(error.message).toMatch(/IVF frame of 11 bytes needs 23 bytes, 22 left/);
  });

  it('rejects a frame above maxFrameSize as soon as its header arrives', () => {
    const reader = new IvfReader({ maxFrameSize: 1000 });
    reader.push(FFMPEG_HEADER);
    reader.push(fromHex('e9030000' + '0000000000000000')); // 1001 bytes announced, none present
    const error = thrown(() => reader.pollFrame());
    expect(error.offset).toBe(32);
    expect(error.message).toMatch(/1001 bytes exceeds the 1000-byte limit/);
    const fine = new IvfReader({ maxFrameSize: 1000 });
    fine.push(FFMPEG_HEADER);
    fine.push(fromHex('e8030000' + '0000000000000000'));
    expect(fine.pollFrame()).toBeUndefined(); // 1000 is allowed: waiting for the bytes
  });

  it('rejects a timestamp beyond 2^53', () => {
    const bytes = concatBytes(FFMPEG_HEADER, fromHex('00000000' + '0000000000002000'));
    expect(thrown(() => readIvf(bytes)).offset).toBe(36);
  });

  it('takes no input after end()', () => {
    const reader = new IvfReader();
    reader.end();
    expect(() => reader.push(FFMPEG_HEADER)).toThrow(ClosedError);
  });

  it('survives fuzzing with ContainerError only', () => {
    const random = new SeededRandom(7);
    const seeds = [
      FFMPEG_HEADER,
      file([
        { data: random.bytes(40), timestamp: 0 },
        { data: random.bytes(3), timestamp: 3000 },
        { data: new Uint8Array(0), timestamp: 6000 },
      ]),
    ];
    const stats = fuzzParser({
      seeds,
      parse: (bytes) => readIvf(bytes, { maxFrameSize: 4096 }),
      expectedError: ContainerError,
      iterations: fuzzIterations(10_000, 200_000),
    });
    expect(stats.accepted).toBeGreaterThan(0);
    expect(stats.rejected).toBeGreaterThan(0);
  });
});
