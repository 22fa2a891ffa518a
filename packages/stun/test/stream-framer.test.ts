import { bytesEqual, concatBytes, fromHex, toHex } from '@typertc/common';
import { fuzzIterations, fuzzParser, SeededRandom } from '@typertc/common/testing';
import { describe, expect, it } from 'vitest';
import { frameChannelData, paddingAfter } from '../src/channel-data.js';
import { StunError, StunParseError } from '../src/errors.js';
import { MAX_STREAM_FRAME_LENGTH, StreamFramer } from '../src/stream-framer.js';
import { parseError } from './helpers.js';

/** A STUN message's bytes: header (type, Length, magic cookie, transaction id) and a body. */
function stunMessage(type: number, body: Uint8Array, idByte = 7): Uint8Array {
  const header = new Uint8Array(20);
  header[0] = type >>> 8;
  header[1] = type;
  header[2] = body.length >>> 8;
  header[3] = body.length;
  header.set(fromHex('2112a442'), 4);
  header.fill(idByte, 8);
  return concatBytes(header, body);
}

const bindingRequest = stunMessage(0x0001, new Uint8Array(0), 1);
// A SOFTWARE attribute (0x8022) of 5 bytes and its padding.
const bindingResponse = stunMessage(0x0101, fromHex('80220005 7479706572000000'), 2);
const channelData5 = frameChannelData(0x4001, fromHex('0102030405'), true);
const channelData0 = frameChannelData(0x4fff, new Uint8Array(0), true);
const channelData4 = frameChannelData(0x4002, fromHex('0a0b0c0d'), true);
const channelData2 = frameChannelData(0x4003, fromHex('eeff'), true);

/** What the framer must return for a padded ChannelData frame: header and data, no padding. */
function unpadded(frame: Uint8Array): Uint8Array {
  return frame[0] === undefined || frame[0] >>> 6 !== 1
    ? frame
    : frame.subarray(0, 4 + (((frame[2] as number) << 8) | (frame[3] as number)));
}

const wire = [
  bindingRequest,
  channelData5,
  bindingResponse,
  channelData0,
  channelData2,
  channelData4,
];
const stream = concatBytes(...wire);
const expected = wire.map((frame) => toHex(unpadded(frame)));

function drain(framer: StreamFramer): string[] {
  const frames: string[] = [];
  for (let frame = framer.next(); frame; frame = framer.next()) frames.push(toHex(frame));
  return frames;
}

describe('StreamFramer (RFC 8489 §6.2.2, RFC 8656 §12.5)', () => {
  it('returns a frame that lies within one chunk as a view of it', () => {
    const framer = new StreamFramer();
    const chunk = concatBytes(bindingResponse, bindingRequest);
    framer.push(chunk);
    const first = framer.next();
    expect(first?.buffer).toBe(chunk.buffer);
    expect(toHex(first ?? new Uint8Array(0))).toBe(toHex(bindingResponse));
    expect(framer.next()?.byteOffset).toBe(bindingResponse.length);
    expect(framer.next()).toBeUndefined();
    expect(framer.buffered).toBe(0);
  });

  it('returns every frame of one chunk, in order, without the ChannelData padding', () => {
    const framer = new StreamFramer();
    framer.push(stream);
    expect(drain(framer)).toEqual(expected);
    expect(framer.buffered).toBe(0);
  });

  it('reassembles the stream split at every byte boundary', () => {
    for (let split = 0; split <= stream.length; split++) {
      const framer = new StreamFramer();
      framer.push(stream.subarray(0, split));
      const frames = drain(framer);
      framer.push(stream.subarray(split));
      frames.push(...drain(framer));
      expect(frames, `split at ${split}`).toEqual(expected);
      expect(framer.buffered).toBe(0);
    }
  });

  it('reassembles the stream split at every pair of boundaries', () => {
    for (let a = 0; a <= stream.length; a++) {
      for (let b = a; b <= stream.length; b++) {
        const framer = new StreamFramer();
        const frames: string[] = [];
        for (const part of [stream.subarray(0, a), stream.subarray(a, b), stream.subarray(b)]) {
          framer.push(part);
          frames.push(...drain(framer));
        }
        expect(frames, `split at ${a} and ${b}`).toEqual(expected);
      }
    }
  });

  it('reassembles the stream pushed one byte at a time, holding only the current frame', () => {
    const framer = new StreamFramer();
    const frames: string[] = [];
    for (let i = 0; i < stream.length; i++) {
      framer.push(stream.subarray(i, i + 1));
      frames.push(...drain(framer));
      expect(framer.buffered).toBeLessThan(bindingResponse.length);
    }
    expect(frames).toEqual(expected);
  });

  it('returns a thousand frames from one chunk', () => {
    const many = Array.from({ length: 1000 }, (_, i) =>
      i % 2 === 0
        ? stunMessage(0x0101, new Uint8Array((i % 16) * 4).fill(i), i)
        : frameChannelData(0x4000 + i, new Uint8Array(i % 7).fill(i), true),
    );
    const framer = new StreamFramer();
    framer.push(concatBytes(...many));
    expect(drain(framer)).toEqual(many.map((frame) => toHex(unpadded(frame))));
  });

  it('discards padding that arrives after its ChannelData, and keeps later frames aligned', () => {
    const framer = new StreamFramer();
    // 4 + 5 bytes of ChannelData, then its 3 padding bytes split over two chunks.
    framer.push(channelData5.subarray(0, 9));
    expect(framer.next()).toEqual(channelData5.subarray(0, 9));
    expect(framer.next()).toBeUndefined();
    framer.push(channelData5.subarray(9, 10));
    expect(framer.next()).toBeUndefined();
    framer.push(concatBytes(channelData5.subarray(10), bindingRequest));
    expect(drain(framer)).toEqual([toHex(bindingRequest)]);
    expect(framer.buffered).toBe(0);
    // Padding already received goes with its frame: `buffered` counts only what is still to come.
    framer.push(channelData5);
    expect(framer.next()?.length).toBe(9);
    expect(framer.buffered).toBe(0);
  });

  it('does not read padding bytes as the start of the next frame', () => {
    // Padding holding 0xff would be garbage if it were taken for a frame's first byte.
    const frame = frameChannelData(0x4000, fromHex('01'), true);
    frame.fill(0xff, 5);
    const framer = new StreamFramer();
    framer.push(concatBytes(frame, frame, bindingRequest));
    expect(drain(framer)).toEqual([
      toHex(frame.subarray(0, 5)),
      toHex(frame.subarray(0, 5)),
      toHex(bindingRequest),
    ]);
  });

  it('copies each byte once for a large frame pushed in tiny chunks', () => {
    const big = stunMessage(0x0101, new Uint8Array(MAX_STREAM_FRAME_LENGTH - 20).fill(3));
    const framer = new StreamFramer();
    let frame: Uint8Array | undefined;
    for (let i = 0; i < big.length; i++) {
      framer.push(big.subarray(i, i + 1));
      frame = framer.next() ?? frame;
    }
    expect(frame?.length).toBe(MAX_STREAM_FRAME_LENGTH);
    expect(bytesEqual(frame ?? new Uint8Array(0), big)).toBe(true);

    // Two megabytes of ChannelData in 7-byte chunks: quadratic work would not finish in time.
    const random = new SeededRandom(5);
    const frames = Array.from({ length: 64 }, (_, i) =>
      frameChannelData(0x4000 + i, random.bytes(32_000 + i), true),
    );
    const all = concatBytes(...frames);
    const received: Uint8Array[] = [];
    let mostBuffered = 0;
    for (let at = 0; at < all.length; at += 7) {
      framer.push(all.subarray(at, at + 7));
      for (let next = framer.next(); next; next = framer.next()) received.push(next);
      mostBuffered = Math.max(mostBuffered, framer.buffered);
    }
    // Never more than the incomplete frame: the largest is 4 + 32063 bytes.
    expect(mostBuffered).toBeLessThan(4 + 32_063);
    expect(received.length).toBe(frames.length);
    for (const [i, frame] of frames.entries()) {
      expect(bytesEqual(received[i] as Uint8Array, unpadded(frame)), `frame ${i}`).toBe(true);
    }
  });

  it('accepts the largest frames of both kinds by default', () => {
    const largestStun = stunMessage(0x0101, new Uint8Array(0xfffc));
    const largestChannelData = frameChannelData(0x4000, new Uint8Array(0xffff), true);
    const framer = new StreamFramer();
    framer.push(concatBytes(largestStun, largestChannelData));
    expect(framer.next()?.length).toBe(20 + 0xfffc);
    expect(framer.next()?.length).toBe(4 + 0xffff);
    expect(framer.next()).toBeUndefined();
  });

  it('enforces a configured maximum, padding included, as soon as the header arrives', () => {
    const atLimit = new StreamFramer({ maxFrameLength: 100 });
    atLimit.push(stunMessage(0x0101, new Uint8Array(80)));
    // 4 + 93 bytes of ChannelData plus 3 of padding: 100 on the wire.
    atLimit.push(frameChannelData(0x4000, new Uint8Array(93), true));
    expect(drain(atLimit).map((frame) => frame.length / 2)).toEqual([100, 97]);

    const stunTooLong = new StreamFramer({ maxFrameLength: 100 });
    stunTooLong.push(bindingRequest);
    stunTooLong.push(stunMessage(0x0101, new Uint8Array(84)).subarray(0, 4));
    expect(toHex(stunTooLong.next() ?? new Uint8Array(0))).toBe(toHex(bindingRequest));
    const error = parseError(() => stunTooLong.next());
    expect(error.offset).toBe(20 + 2);
    expect(error.message).toMatch(/104 bytes exceeds the maximum of 100/);

    const channelTooLong = new StreamFramer({ maxFrameLength: 100 });
    // Length 94: 98 bytes, 100 with the padding, fits. Length 97: 104 with the padding, does not.
    channelTooLong.push(fromHex('4000005e'));
    expect(channelTooLong.next()).toBeUndefined();
    channelTooLong.push(new Uint8Array(96));
    expect(channelTooLong.next()?.length).toBe(98);
    channelTooLong.push(fromHex('40000061'));
    expect(parseError(() => channelTooLong.next()).offset).toBe(100 + 2);
  });

  it('rejects first bytes that are neither STUN (00) nor ChannelData (01), at their offset', () => {
    for (const first of [0x80, 0xbf, 0xc0, 0xff]) {
      const framer = new StreamFramer();
      framer.push(concatBytes(channelData5, Uint8Array.of(first)));
      expect(framer.next()?.length).toBe(9);
      // One byte is enough to know: no waiting for a header that will never make sense.
      const error = parseError(() => framer.next());
      expect(error.offset).toBe(channelData5.length);
      expect(error.code).toBe('STUN_PARSE');
    }
  });

  it('rejects a STUN Length that is not a multiple of 4, at the Length field', () => {
    const framer = new StreamFramer();
    framer.push(concatBytes(bindingRequest, fromHex('00010006')));
    framer.next();
    const error = parseError(() => framer.next());
    expect(error.offset).toBe(22);
    expect(error.message).toMatch(/length 6 is not a multiple of 4/);
  });

  it('stays failed: every later call throws the same error and nothing is kept', () => {
    const framer = new StreamFramer();
    framer.push(fromHex('c0000000 00000000'));
    const error = parseError(() => framer.next());
    expect(framer.buffered).toBe(0);
    expect(() => framer.next()).toThrow(error);
    expect(() => framer.push(bindingRequest)).toThrow(error);
    expect(framer.buffered).toBe(0);
  });

  it('ignores empty chunks and waits for a header', () => {
    const framer = new StreamFramer();
    framer.push(new Uint8Array(0));
    expect(framer.next()).toBeUndefined();
    framer.push(fromHex('000100'));
    expect(framer.next()).toBeUndefined();
    expect(framer.buffered).toBe(3);
  });

  it('rejects a maximum shorter than a STUN header', () => {
    expect(() => new StreamFramer({ maxFrameLength: 19 })).toThrow(StunError);
    expect(() => new StreamFramer({ maxFrameLength: 64.5 })).toThrow(StunError);
  });

  it('fuzz: StreamFramer raises only StunParseError, and chunking never changes its output', () => {
    /** Frames as hex, then "error@offset" or "partial:<bytes held>". */
    const run = (bytes: Uint8Array, chunkSizes: (at: number) => number): string[] => {
      const framer = new StreamFramer({ maxFrameLength: 1024 });
      const out: string[] = [];
      try {
        for (let at = 0; at < bytes.length; ) {
          const end = Math.min(bytes.length, at + chunkSizes(at));
          framer.push(bytes.subarray(at, end));
          for (let frame = framer.next(); frame; frame = framer.next()) out.push(toHex(frame));
          at = end;
        }
        out.push(`partial:${framer.buffered}`);
      } catch (error) {
        if (!(error instanceof StunParseError)) throw error;
        out.push(`error@${error.offset}`);
      }
      return out;
    };
    const seeds = [stream, bindingRequest, concatBytes(channelData2, channelData5, channelData0)];
    const stats = fuzzParser({
      seeds,
      parse: (bytes) => {
        const whole = run(bytes, () => bytes.length);
        const byByte = run(bytes, () => 1);
        const uneven = run(bytes, (at) => 1 + ((bytes[at] as number) % 13));
        if (JSON.stringify(whole) !== JSON.stringify(byByte)) {
          throw new Error(`one chunk gave ${whole}, single bytes gave ${byByte}`);
        }
        if (JSON.stringify(whole) !== JSON.stringify(uneven)) {
          throw new Error(`one chunk gave ${whole}, uneven chunks gave ${uneven}`);
        }
        // Each frame is the stream's next bytes, less ChannelData padding.
        let offset = 0;
        for (const entry of whole.slice(0, -1)) {
          const frame = fromHex(entry);
          if (!bytesEqual(frame, bytes.subarray(offset, offset + frame.length))) {
            throw new Error(`frame at ${offset} is not the stream's bytes`);
          }
          offset +=
            frame.length + ((frame[0] as number) >>> 6 === 1 ? paddingAfter(frame.length) : 0);
        }
        const last = whole.at(-1) ?? '';
        if (last.startsWith('error@')) {
          // The error points at the first byte or the Length field of the frame after the last.
          const errorOffset = Number(last.slice(6));
          if (errorOffset !== offset && errorOffset !== offset + 2) {
            throw new Error(`error at ${errorOffset}, but the next frame starts at ${offset}`);
          }
          throw new StunParseError('rejected', errorOffset);
        }
        return whole;
      },
      expectedError: StunParseError,
      iterations: fuzzIterations(3000, 100_000),
    });
    expect(stats.accepted).toBeGreaterThan(seeds.length);
    expect(stats.rejected).toBeGreaterThan(0);
  });
});
