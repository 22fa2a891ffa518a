/**
 * FrameAssembler: frames out of packets in sequence order, across reordering, loss, duplicates
 * and 16-bit wraparound, in bounded memory.
 */

import { fuzzIterations, SeededRandom } from '@typertc/common/testing';
import { describe, expect, it } from 'vitest';
import {
  type AssembledFrame,
  type AssemblerPacket,
  FrameAssembler,
} from '../src/codecs/frame-assembler.js';
import { H264Depacketizer } from '../src/codecs/h264.js';
import type { Depacketizer } from '../src/codecs/types.js';
import { Vp8Depacketizer, Vp8Packetizer } from '../src/codecs/vp8.js';
import { PayloadError } from '../src/errors.js';

interface SentFrame {
  readonly data: Uint8Array;
  readonly timestamp: number;
  readonly packets: AssemblerPacket[];
}

/**
 * VP8 frames of the given packet counts (one-octet descriptors, 10 data bytes per packet),
 * numbered from `firstSequence` with 16-bit wraparound; frame i is a key frame iff i % 4 === 0.
 */
function vp8Stream(
  random: SeededRandom,
  packetCounts: number[],
  firstSequence: number,
): SentFrame[] {
  const packetizer = new Vp8Packetizer({ pictureId: false });
  let sequence = firstSequence;
  return packetCounts.map((count, index) => {
    const data = random.bytes(count * 10);
    data[0] = ((data[0] as number) & 0xfe) | (index % 4 === 0 ? 0 : 1);
    const timestamp = (index * 3000) >>> 0;
    const payloads = packetizer.packetize(data, 11);
    expect(payloads).toHaveLength(count);
    const packets = payloads.map((payload, i) => ({
      sequenceNumber: sequence++ & 0xffff,
      timestamp,
      marker: i === payloads.length - 1,
      payload,
    }));
    return { data, timestamp, packets };
  });
}

function pushAll(assembler: FrameAssembler, packets: AssemblerPacket[]): AssembledFrame[] {
  return packets.flatMap((packet) => assembler.push(packet));
}

function shuffle<T>(random: SeededRandom, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

describe('FrameAssembler', () => {
  it('emits frames in order once all their packets are in', () => {
    const random = new SeededRandom(1);
    const sent = vp8Stream(random, [3, 1, 2], 100);
    const assembler = new FrameAssembler(new Vp8Depacketizer());
    const [a0, a1, a2] = (sent[0] as SentFrame).packets;
    expect(assembler.push(a0 as AssemblerPacket)).toEqual([]);
    expect(assembler.push(a1 as AssemblerPacket)).toEqual([]);
    const [frame] = assembler.push(a2 as AssemblerPacket);
    expect(frame).toEqual({
      data: sent[0]?.data,
      timestamp: 0,
      keyframe: true,
      firstSequence: 100,
      lastSequence: 102,
    });
    const rest = pushAll(assembler, [...(sent[1]?.packets ?? []), ...(sent[2]?.packets ?? [])]);
    expect(rest.map((f) => [f.firstSequence, f.lastSequence, f.timestamp, f.keyframe])).toEqual([
      [103, 103, 3000, false],
      [104, 105, 6000, false],
    ]);
    expect(assembler.framesEmitted).toBe(3);
    expect(assembler.bufferedPackets).toBe(0);
  });

  it('reassembles frames whose packets arrive in any order, across the 16-bit wrap', () => {
    const random = new SeededRandom(2);
    const sent = vp8Stream(random, [4, 5, 3, 6], 65_530);
    const assembler = new FrameAssembler(new Vp8Depacketizer());
    const frames = sent.flatMap(({ packets }) =>
      pushAll(assembler, shuffle(random, packets.slice())),
    );
    expect(frames.map((frame) => frame.data)).toEqual(sent.map(({ data }) => data));
    expect(frames.map((frame) => [frame.firstSequence, frame.lastSequence])).toEqual([
      [65_530, 65_533],
      [65_534, 2],
      [3, 5],
      [6, 11],
    ]);
  });

  it('drops a frame with a missing packet once a later frame completes', () => {
    const random = new SeededRandom(3);
    const sent = vp8Stream(random, [2, 3, 2], 0);
    const assembler = new FrameAssembler(new Vp8Depacketizer());
    const packets = sent.flatMap(({ packets }) => packets).filter((p) => p.sequenceNumber !== 3);
    const frames = pushAll(assembler, packets);
    expect(frames.map((frame) => frame.timestamp)).toEqual([0, 6000]);
    expect(assembler.incompleteFrames).toBe(1);
    expect(assembler.droppedPackets).toBe(2);
    expect(assembler.bufferedPackets).toBe(0);
    // The lost packet, retransmitted too late, is ignored.
    expect(assembler.push(sent[1]?.packets[1] as AssemblerPacket)).toEqual([]);
    expect(assembler.latePackets).toBe(1);
  });

  it('gives up an earlier frame when a later one completes first', () => {
    const random = new SeededRandom(4);
    const [first, second] = vp8Stream(random, [2, 2], 10);
    const assembler = new FrameAssembler(new Vp8Depacketizer());
    const order = [first?.packets[0], ...(second?.packets ?? []), first?.packets[1]];
    const frames = pushAll(assembler, order as AssemblerPacket[]);
    expect(frames.map((frame) => frame.timestamp)).toEqual([3000]);
    expect(assembler.incompleteFrames).toBe(1);
    expect(assembler.latePackets).toBe(1);
  });

  it('ignores duplicates, buffered or already emitted', () => {
    const random = new SeededRandom(5);
    const [frame] = vp8Stream(random, [3], 7);
    const [p0, p1, p2] = (frame as SentFrame).packets;
    const assembler = new FrameAssembler(new Vp8Depacketizer());
    const frames = pushAll(assembler, [p0, p1, p0, p1, p2, p2] as AssemblerPacket[]);
    expect(frames).toHaveLength(1);
    expect(frames[0]?.data).toEqual(frame?.data);
    expect(assembler.duplicatePackets).toBe(2);
    expect(assembler.latePackets).toBe(1);
  });

  it('ends a frame at a timestamp change when its last packet lacks the marker', () => {
    const random = new SeededRandom(6);
    const [a, b] = vp8Stream(random, [2, 1], 0);
    const unmarked = { ...(a?.packets[1] as AssemblerPacket), marker: false };
    const assembler = new FrameAssembler(new Vp8Depacketizer());
    expect(pushAll(assembler, [a?.packets[0], unmarked] as AssemblerPacket[])).toEqual([]);
    const frames = assembler.push(b?.packets[0] as AssemblerPacket);
    expect(frames.map((frame) => frame.data)).toEqual([a?.data, b?.data]);
  });

  it('keeps an H.264 access unit of several single NAL unit packets whole', () => {
    const assembler = new FrameAssembler(new H264Depacketizer());
    const sei = Uint8Array.of(0x06, 0x05, 0x01, 0x80);
    const slice1 = Uint8Array.of(0x65, 0x88, 0x01);
    const slice2 = Uint8Array.of(0x65, 0x88, 0x02);
    const packets = [sei, slice1, slice2].map((payload, i) => ({
      sequenceNumber: 500 + i,
      timestamp: 90_000,
      marker: i === 2,
      payload,
    }));
    expect(pushAll(assembler, [packets[0], packets[2]] as AssemblerPacket[])).toEqual([]);
    const [frame] = assembler.push(packets[1] as AssemblerPacket);
    expect(Array.from(frame?.data ?? [])).toEqual([
      ...[0, 0, 0, 1, ...sei],
      ...[0, 0, 0, 1, ...slice1],
      ...[0, 0, 0, 1, ...slice2],
    ]);
    // The IDR slice makes it a key frame although the first packet (SEI) is not.
    expect(frame?.keyframe).toBe(true);
    expect([frame?.firstSequence, frame?.lastSequence]).toEqual([500, 502]);
  });

  it('drops a frame the depacketizer rejects and goes on', () => {
    const random = new SeededRandom(7);
    const [, good] = vp8Stream(random, [1, 1], 20);
    const assembler = new FrameAssembler(new Vp8Depacketizer());
    // S = 1, PID = 0 but no VP8 data: a start and (with the marker) an end, yet malformed.
    const bad = { sequenceNumber: 20, timestamp: 0, marker: true, payload: Uint8Array.of(0x10) };
    expect(assembler.push(bad)).toEqual([]);
    expect(assembler.corruptFrames).toBe(1);
    expect(assembler.push(good?.packets[0] as AssemblerPacket)).toHaveLength(1);
  });

  it('counts packets the depacketizer cannot classify', () => {
    class Picky implements Depacketizer {
      depacketize(payload: Uint8Array): Uint8Array {
        return payload;
      }
      isFrameStart(payload: Uint8Array): boolean {
        if (payload.length === 0) throw new PayloadError('empty', 0);
        return true;
      }
      isFrameEnd(): boolean {
        return true;
      }
      isKeyframe(): boolean {
        return false;
      }
    }
    const assembler = new FrameAssembler(new Picky());
    const packet = { sequenceNumber: 1, timestamp: 0, marker: true, payload: new Uint8Array(0) };
    expect(assembler.push(packet)).toEqual([]);
    expect(assembler.malformedPackets).toBe(1);
    expect(assembler.bufferedPackets).toBe(0);
  });

  it('holds at most maxPackets packets, dropping the oldest', () => {
    const assembler = new FrameAssembler(new Vp8Depacketizer(), { maxPackets: 16 });
    // A frame that never ends: 1000 packets, no marker.
    for (let i = 0; i < 1000; i++) {
      const payload = Uint8Array.of(i === 0 ? 0x10 : 0x00, 0xaa);
      assembler.push({ sequenceNumber: i, timestamp: 0, marker: false, payload });
      expect(assembler.bufferedPackets).toBeLessThanOrEqual(16);
    }
    expect(assembler.bufferedPackets).toBe(16);
    expect(assembler.droppedPackets).toBe(984);
    const next = {
      sequenceNumber: 1000,
      timestamp: 3000,
      marker: true,
      payload: Uint8Array.of(0x10, 0),
    };
    expect(assembler.push(next)).toHaveLength(1);
    expect(assembler.droppedPackets).toBe(1000);
    expect(assembler.incompleteFrames).toBe(1); // one frame, counted once
    expect(assembler.bufferedPackets).toBe(0);
  });

  it('starts over after reset()', () => {
    const random = new SeededRandom(8);
    const [a] = vp8Stream(random, [1], 40_000);
    const [b] = vp8Stream(random, [1], 5);
    const assembler = new FrameAssembler(new Vp8Depacketizer());
    expect(assembler.push(a?.packets[0] as AssemblerPacket)).toHaveLength(1);
    assembler.reset();
    // 5 is "older" than 40000 by the unwrapping rule; after a reset it is simply the first.
    expect(assembler.push(b?.packets[0] as AssemblerPacket)).toHaveLength(1);
  });

  it('refuses a maxPackets outside 1..32768', () => {
    expect(() => new FrameAssembler(new Vp8Depacketizer(), { maxPackets: 0 })).toThrow(RangeError);
    expect(() => new FrameAssembler(new Vp8Depacketizer(), { maxPackets: 40_000 })).toThrow(
      RangeError,
    );
  });
});

describe('FrameAssembler under random impairments', () => {
  for (const seed of [11, 12, 13]) {
    it(`loss and duplication, in order (seed ${seed}): exactly the whole frames come out`, () => {
      const random = new SeededRandom(seed);
      const counts = Array.from({ length: 400 }, () => random.int(1, 12));
      const sent = vp8Stream(random, [...counts, 1], 65_000);
      const assembler = new FrameAssembler(new Vp8Depacketizer());
      const whole: number[] = [];
      let partial = 0;
      const frames: AssembledFrame[] = [];
      for (const [index, frame] of sent.entries()) {
        // The last frame is a sentinel that always arrives, so nothing stays pending.
        const lossy = index < sent.length - 1;
        const received = frame.packets.filter(() => !lossy || !random.chance(0.03));
        if (received.length === frame.packets.length) whole.push(frame.timestamp);
        else if (received.length > 0) partial++;
        for (const packet of received) {
          frames.push(...assembler.push(packet));
          if (random.chance(0.05)) frames.push(...assembler.push(packet));
        }
      }
      expect(frames.map((frame) => frame.timestamp)).toEqual(whole);
      const byTimestamp = new Map(sent.map((frame) => [frame.timestamp, frame.data]));
      for (const frame of frames) expect(frame.data).toEqual(byTimestamp.get(frame.timestamp));
      expect(assembler.incompleteFrames).toBe(partial);
      expect(assembler.bufferedPackets).toBe(0);
    });

    it(`reordering within frames, no loss (seed ${seed}): every frame comes out`, () => {
      const random = new SeededRandom(seed);
      const counts = Array.from({ length: 300 }, () => random.int(1, 20));
      const sent = vp8Stream(random, counts, random.int(0, 0xffff));
      const assembler = new FrameAssembler(new Vp8Depacketizer());
      const frames = sent.flatMap(({ packets }) =>
        pushAll(assembler, shuffle(random, packets.slice())),
      );
      expect(frames.map((frame) => frame.data)).toEqual(sent.map(({ data }) => data));
      expect(frames.map((frame) => frame.keyframe)).toEqual(sent.map((_, i) => i % 4 === 0));
    });

    it(`reordering across frames with loss (seed ${seed}): what comes out is right`, () => {
      const random = new SeededRandom(seed);
      const counts = Array.from({ length: 300 }, () => random.int(1, 10));
      const sent = vp8Stream(random, counts, 65_200);
      const packets = sent.flatMap(({ packets }) => packets).filter(() => !random.chance(0.02));
      // Local reordering: each packet moves up to 8 places.
      for (let i = 0; i + 1 < packets.length; i++) {
        const j = Math.min(packets.length - 1, i + random.int(0, 8));
        [packets[i], packets[j]] = [packets[j] as AssemblerPacket, packets[i] as AssemblerPacket];
      }
      const assembler = new FrameAssembler(new Vp8Depacketizer(), { maxPackets: 64 });
      const byTimestamp = new Map(sent.map((frame) => [frame.timestamp, frame.data]));
      let previous = -1;
      for (const packet of packets) {
        for (const frame of assembler.push(packet)) {
          expect(frame.timestamp).toBeGreaterThan(previous);
          previous = frame.timestamp;
          expect(frame.data).toEqual(byTimestamp.get(frame.timestamp));
        }
        expect(assembler.bufferedPackets).toBeLessThanOrEqual(64);
      }
      expect(assembler.framesEmitted).toBeGreaterThan(100);
      expect(assembler.framesEmitted + assembler.incompleteFrames).toBeLessThanOrEqual(sent.length);
    });
  }

  it('fuzz: random packets never throw and never overflow the buffer', () => {
    const random = new SeededRandom(99);
    const assembler = new FrameAssembler(new H264Depacketizer(), { maxPackets: 32 });
    let sequence = 0;
    const iterations = fuzzIterations(10_000, 200_000);
    for (let i = 0; i < iterations; i++) {
      sequence = (sequence + random.int(-40, 40)) & 0xffff;
      const payload = random.bytes(random.int(0, 12));
      // Mostly plausible NAL/STAP-A/FU-A types so frames do complete now and then.
      if (payload.length > 0 && random.chance(0.8)) {
        payload[0] = random.int(0, 3) * 0x20 + ([1, 5, 24, 28][random.int(0, 3)] as number);
      }
      const packet = {
        sequenceNumber: sequence,
        timestamp: random.int(0, 3) * 3000,
        marker: random.chance(0.3),
        payload,
      };
      assembler.push(packet);
      expect(assembler.bufferedPackets).toBeLessThanOrEqual(32);
    }
    expect(assembler.framesEmitted).toBeGreaterThan(0);
    expect(assembler.corruptFrames).toBeGreaterThan(0);
  });
});
