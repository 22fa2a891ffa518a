/**
 * Real packets: the Chromium capture in fixtures/chromium-rtp.json (see
 * capture-chromium-packets.ts) through the VP8, H.264 and Opus depacketizers and the frame
 * assembler. These are frames libwebrtc packetized, so they check the parsers against an
 * independent implementation rather than against our own packetizers.
 */

import { readFileSync } from 'node:fs';
import { fromHex } from '@typertc/common';
import { describe, expect, it } from 'vitest';
import { type AssembledFrame, FrameAssembler } from '../src/codecs/frame-assembler.js';
import { H264Depacketizer, splitAnnexB } from '../src/codecs/h264.js';
import { OpusDepacketizer } from '../src/codecs/opus.js';
import type { Depacketizer } from '../src/codecs/types.js';
import { parseVp8Descriptor, Vp8Depacketizer } from '../src/codecs/vp8.js';
import { RtpPacket } from '../src/rtp/packet.js';

interface Fixture {
  readonly description: string;
  readonly hex: string;
}

const fixtures = (
  JSON.parse(readFileSync(new URL('./fixtures/chromium-rtp.json', import.meta.url), 'utf8')) as {
    packets: Fixture[];
  }
).packets;

/** The captured packets of one SSRC with sequence numbers in `first..last`, parsed. */
function capture(ssrc: number, first: number, last: number): RtpPacket[] {
  return fixtures
    .map((fixture) => RtpPacket.parse(fromHex(fixture.hex)))
    .filter((p) => p.ssrc === ssrc && p.sequenceNumber >= first && p.sequenceNumber <= last);
}

function assemble(depacketizer: Depacketizer, packets: RtpPacket[]): AssembledFrame[] {
  const assembler = new FrameAssembler(depacketizer);
  return packets.flatMap((packet) => assembler.push(packet));
}

describe('Chromium packets', () => {
  it('VP8: a 640x480 key frame in three packets, then an interframe in two', () => {
    const packets = capture(3809763971, 9738, 9742);
    expect(packets).toHaveLength(5);
    const first = parseVp8Descriptor(packets[0]?.payload as Uint8Array);
    expect(first.start).toBe(true);
    expect(first.partitionIndex).toBe(0);
    expect(first.pictureIdBits).toBe(15);
    const second = parseVp8Descriptor(packets[1]?.payload as Uint8Array);
    expect(second.start).toBe(false);
    expect(second.pictureId).toBe(first.pictureId);

    const frames = assemble(new Vp8Depacketizer(), packets);
    expect(
      frames.map((frame) => [frame.keyframe, frame.firstSequence, frame.lastSequence]),
    ).toEqual([
      [true, 9738, 9740],
      [false, 9741, 9742],
    ]);
    // RFC 6386 §9.1: a key frame has the start code 9d 01 2a, then 14-bit width and height.
    const key = frames[0]?.data as Uint8Array;
    expect(Array.from(key.subarray(3, 6))).toEqual([0x9d, 0x01, 0x2a]);
    expect(((key[6] as number) | ((key[7] as number) << 8)) & 0x3fff).toBe(640);
    expect(((key[8] as number) | ((key[9] as number) << 8)) & 0x3fff).toBe(480);
    // RFC 6386 §9.1: the first partition's size is in the frame tag and must fit the frame.
    const firstPartition =
      ((key[0] as number) | ((key[1] as number) << 8) | ((key[2] as number) << 16)) >> 5;
    expect(firstPartition).toBeLessThan(key.length - 10);
  });

  it('H.264: a key frame as a STAP-A of SPS and PPS and an IDR slice in three FU-As', () => {
    const packets = capture(9570642, 32421, 32426);
    expect(packets).toHaveLength(6);
    const frames = assemble(new H264Depacketizer(), packets);
    expect(
      frames.map((frame) => [frame.keyframe, frame.firstSequence, frame.lastSequence]),
    ).toEqual([
      [true, 32421, 32424],
      [false, 32425, 32425],
      [false, 32426, 32426],
    ]);
    const units = splitAnnexB(frames[0]?.data as Uint8Array);
    expect(units.map((unit) => (unit[0] as number) & 0x1f)).toEqual([7, 8, 5]);
    // The IDR's NAL header comes back from the FU indicator and header: NRI 3, type 5.
    expect(units[2]?.[0]).toBe(0x65);
    // The SPS names a profile Chromium offers (Constrained Baseline 0x42 or High 0x64).
    expect([0x42, 0x64, 0x4d]).toContain(units[0]?.[1]);
  });

  it('Opus: every packet is a frame, the payload unchanged', () => {
    const packets = capture(2802236267, 6288, 6290);
    expect(packets).toHaveLength(3);
    const frames = assemble(new OpusDepacketizer(), packets);
    expect(frames.map((frame) => frame.data)).toEqual(packets.map((packet) => packet.payload));
    expect(frames.every((frame) => frame.keyframe)).toBe(true);
    // TOC config 15 (SILK+CELT hybrid FB 20 ms) is what Chromium's Opus encoder uses.
    expect((frames[0]?.data[0] as number) >> 3).toBe(15);
  });
});
