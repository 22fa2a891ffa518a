/** Opus over RTP (RFC 7587): one Opus packet per RTP packet, every packet a whole frame. */

import { fuzzIterations, fuzzParser, SeededRandom } from '@typertc/common/testing';
import { describe, expect, it } from 'vitest';
import { FrameAssembler } from '../src/codecs/frame-assembler.js';
import { OpusDepacketizer, OpusPacketizer } from '../src/codecs/opus.js';
import { PayloadError } from '../src/errors.js';

describe('OpusPacketizer', () => {
  const packetizer = new OpusPacketizer();

  it('sends the Opus packet unchanged as the only payload (RFC 7587 §4.2)', () => {
    // TOC 0xfc: config 31 (CELT FB 20 ms), stereo, code 0 (one frame).
    const frame = Uint8Array.of(0xfc, 0xff, 0xfe, 0x01);
    const payloads = packetizer.packetize(frame, 1200);
    expect(payloads).toHaveLength(1);
    expect(payloads[0]).toEqual(frame);
  });

  it('accepts a frame of exactly maxPayloadSize and refuses one byte more', () => {
    expect(packetizer.packetize(new Uint8Array(100), 100)).toHaveLength(1);
    expect(() => packetizer.packetize(new Uint8Array(101), 100)).toThrow(PayloadError);
    expect(() => packetizer.packetize(new Uint8Array(101), 100)).toThrow(/101 bytes/);
  });

  it('gives no payload for an empty frame', () => {
    expect(packetizer.packetize(new Uint8Array(0), 100)).toEqual([]);
  });

  it('rejects a maxPayloadSize that is not a positive integer', () => {
    expect(() => packetizer.packetize(Uint8Array.of(1), 0)).toThrow(RangeError);
    expect(() => packetizer.packetize(Uint8Array.of(1), 1.5)).toThrow(RangeError);
  });
});

describe('OpusDepacketizer', () => {
  const depacketizer = new OpusDepacketizer();

  it('returns the payload and calls every packet a whole keyframe', () => {
    const payload = Uint8Array.of(0x78, 0x01, 0x02);
    expect(depacketizer.depacketize(payload)).toEqual(payload);
    expect(depacketizer.isFrameStart(payload)).toBe(true);
    // The marker bit means "first packet after silence" for Opus, not a frame end.
    expect(depacketizer.isFrameEnd(payload, false)).toBe(true);
    expect(depacketizer.isKeyframe(payload)).toBe(true);
  });

  it('rejects an empty payload, which has no TOC byte', () => {
    expect(() => depacketizer.depacketize(new Uint8Array(0))).toThrow(PayloadError);
  });

  it('round-trips random frames and MTUs through the frame assembler', () => {
    const random = new SeededRandom(7587);
    const packetizer = new OpusPacketizer();
    const assembler = new FrameAssembler(depacketizer);
    let sequence = 65_500;
    for (let i = 0; i < 300; i++) {
      const maxPayloadSize = random.int(50, 1500);
      const frame = random.bytes(random.int(1, maxPayloadSize));
      const payloads = packetizer.packetize(frame, maxPayloadSize);
      expect(payloads).toHaveLength(1);
      const frames = assembler.push({
        sequenceNumber: sequence++ & 0xffff,
        timestamp: i * 960,
        marker: i === 0,
        payload: payloads[0] as Uint8Array,
      });
      expect(frames).toHaveLength(1);
      expect(frames[0]?.data).toEqual(frame);
      expect(frames[0]?.keyframe).toBe(true);
      expect(frames[0]?.timestamp).toBe(i * 960);
    }
    expect(assembler.framesEmitted).toBe(300);
    expect(assembler.bufferedPackets).toBe(0);
  });

  it('fuzz: mutated Opus payloads raise only PayloadError', () => {
    const stats = fuzzParser({
      seeds: [Uint8Array.of(0xfc, 0xff, 0xfe), Uint8Array.of(0x78)],
      parse: (bytes) => {
        depacketizer.depacketize(bytes);
        depacketizer.isKeyframe(bytes);
      },
      expectedError: PayloadError,
      iterations: fuzzIterations(10_000, 200_000),
      seed: 7587,
    });
    expect(stats.accepted).toBeGreaterThan(0);
    expect(stats.rejected).toBeGreaterThan(0);
  });
});
