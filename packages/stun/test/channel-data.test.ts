import { bytesEqual, fromHex, toHex } from '@typertc/common';
import { fuzzIterations, fuzzParser } from '@typertc/common/testing';
import { describe, expect, it } from 'vitest';
import { frameChannelData, paddingAfter, parseChannelData } from '../src/channel-data.js';
import { StunError, StunParseError } from '../src/errors.js';
import { parseError } from './helpers.js';

describe('frameChannelData (RFC 8656 §12.4, §12.5)', () => {
  it('writes channel, length and data, unpadded for UDP', () => {
    expect(toHex(frameChannelData(0x4001, fromHex('aabbcc'), false))).toBe('40010003aabbcc');
    expect(toHex(frameChannelData(0x4fff, new Uint8Array(0), false))).toBe('4fff0000');
  });

  it('pads with zeros to a multiple of 4 for streams, leaving Length alone', () => {
    expect(toHex(frameChannelData(0x4001, fromHex('aabbcc'), true))).toBe('40010003aabbcc00');
    expect(toHex(frameChannelData(0x4000, fromHex('aa'), true))).toBe('40000001aa000000');
    expect(toHex(frameChannelData(0x4000, fromHex('aabbccdd'), true))).toBe('40000004aabbccdd');
    expect(toHex(frameChannelData(0x4000, new Uint8Array(0), true))).toBe('40000000');
  });

  it('frames the largest payload', () => {
    const frame = frameChannelData(0x4123, new Uint8Array(65535).fill(9), true);
    expect(frame.length).toBe(65540);
    expect(toHex(frame.subarray(0, 4))).toBe('4123ffff');
  });

  it('refuses channel numbers outside 0x4000-0x4fff and oversized data', () => {
    for (const channel of [0, 0x3fff, 0x5000, 0x7fff, 0x8000, 0x10000, 16384.5, -1]) {
      expect(() => frameChannelData(channel, new Uint8Array(1), false)).toThrow(StunError);
    }
    expect(() => frameChannelData(0x4000, new Uint8Array(65536), true)).toThrow(StunError);
  });
});

describe('parseChannelData', () => {
  it('round-trips every length near the padding boundaries, padded or not', () => {
    for (let length = 0; length <= 9; length++) {
      const data = Uint8Array.from({ length }, (_, i) => i + 1);
      for (const padded of [false, true]) {
        const parsed = parseChannelData(frameChannelData(0x4abc, data, padded));
        expect(parsed.channel).toBe(0x4abc);
        expect(toHex(parsed.data)).toBe(toHex(data));
      }
    }
  });

  it('returns the data as a view of the frame, ignoring what the padding holds', () => {
    const frame = fromHex('40020002 beef ffff');
    const { data } = parseChannelData(frame);
    expect(data.buffer).toBe(frame.buffer);
    expect(data.byteOffset).toBe(4);
    expect(toHex(data)).toBe('beef');
  });

  it('rejects a frame shorter than its header', () => {
    expect(parseError(() => parseChannelData(fromHex('400000'))).offset).toBe(0);
  });

  it('rejects channel numbers outside 0x4000-0x4fff at offset 0', () => {
    for (const header of ['3fff0000', '50000000', '7fff0000', '80000000', '00010000']) {
      const error = parseError(() => parseChannelData(fromHex(header)));
      expect(error.offset).toBe(0);
      expect(error.code).toBe('STUN_PARSE');
    }
  });

  it('rejects a Length longer than the bytes present, at the Length field', () => {
    const error = parseError(() => parseChannelData(fromHex('40000005 01020304')));
    expect(error.offset).toBe(2);
    expect(error.message).toMatch(/length 5/);
  });

  it('rejects bytes beyond the padding', () => {
    // Length 1 pads to 8 bytes in all; a ninth byte is not padding.
    expect(() => parseChannelData(fromHex('40000001 aa000000'))).not.toThrow();
    expect(parseError(() => parseChannelData(fromHex('40000001 aa000000 00'))).offset).toBe(8);
    expect(parseError(() => parseChannelData(fromHex('40000004 aabbccdd 00'))).offset).toBe(8);
  });

  it('fuzz: parseChannelData raises only StunParseError, and what parses frames back', () => {
    const seeds = [
      frameChannelData(0x4000, new Uint8Array(0), false),
      frameChannelData(0x4001, fromHex('0102030405'), true),
      frameChannelData(0x4fff, fromHex('0102030405'), false),
      frameChannelData(0x4321, new Uint8Array(300).fill(0x5a), true),
    ];
    const stats = fuzzParser({
      seeds,
      parse: (bytes) => {
        const { channel, data } = parseChannelData(bytes);
        const end = 4 + data.length;
        if (end + paddingAfter(end) < bytes.length) throw new Error('accepted trailing bytes');
        const again = frameChannelData(channel, data, false);
        if (!bytesEqual(again, bytes.subarray(0, end))) throw new Error('re-framing differs');
        return data;
      },
      expectedError: StunParseError,
      iterations: fuzzIterations(5000, 200_000),
    });
    expect(stats.accepted).toBeGreaterThan(seeds.length);
    expect(stats.rejected).toBeGreaterThan(0);
  });
});
