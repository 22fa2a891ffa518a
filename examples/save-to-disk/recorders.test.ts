/**
 * The recorders without a browser, on packets made here: reordered packets (one across a frame
 * boundary) still make whole frames, a lost VP8 packet stops the writing until a keyframe (and
 * asks for one), and lost Opus is filled with empty frames so the timeline holds.
 */

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readIvf, readOggOpus, Vp8Packetizer } from '@typertc/rtp-rtcp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AudioRecorder, type ReceivedPacket, VideoRecorder } from './recorders.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'typertc-recorders-'));
});

afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** A VP8 frame: a keyframe's tag and start code with a 320x240 size (RFC 6386 §9.1), or not. */
function vp8Frame(index: number, keyframe: boolean): Uint8Array {
  const frame = new Uint8Array(3000).fill(index);
  frame.set(keyframe ? [0x00, 0, 0, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00] : [0x01]);
  return frame;
}

/** Packets of `count` frames (keyframes at 0 and 5), three packets each, 30 fps. */
function vp8Packets(count: number): ReceivedPacket[] {
  const packetizer = new Vp8Packetizer();
  const packets: ReceivedPacket[] = [];
  for (let i = 0; i < count; i++) {
    const payloads = packetizer.packetize(vp8Frame(i, i % 5 === 0), 1200);
    payloads.forEach((payload, at) => {
      packets.push({
        sequenceNumber: (65530 + packets.length) & 0xffff, // wraps around on the way
        timestamp: 3000 * i,
        marker: at === payloads.length - 1,
        payload,
      });
    });
  }
  return packets;
}

/** Swaps the packets at `a` and `a + distance`. */
function reorder<T>(list: T[], a: number, distance: number): void {
  const first = list[a] as T;
  list[a] = list[a + distance] as T;
  list[a + distance] = first;
}

describe('examples/save-to-disk recorders', () => {
  it('writes whole VP8 frames despite reordering, and skips from a loss to a keyframe', async () => {
    const packets = vp8Packets(10);
    expect(packets.length).toBe(30);
    reorder(packets, 8, 3); // frame 2's last packet arrives after all of frame 3
    const lost = packets.splice(22, 1); // frame 7's second packet never arrives
    expect(lost.length).toBe(1);
    let keyframeRequests = 0;
    let startedAt: number | undefined;
    const path = join(dir, 'video.ivf');
    const recorder = new VideoRecorder(path, {
      onStart: (now) => {
        startedAt = now;
      },
      onKeyframeNeeded: () => keyframeRequests++,
    });
    for (const [i, packet] of packets.entries()) recorder.push(packet, i * 10);
    await recorder.finish(1000);

    const { header, frames } = readIvf(await readFile(path));
    expect(header).toMatchObject({ codec: 'VP8', width: 320, height: 240, frameCount: 7 });
    expect(header.timebaseDenominator).toBe(90000);
    expect(frames.map((frame) => frame.data[20])).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(frames.map((frame) => frame.timestamp)).toEqual(
      [0, 1, 2, 3, 4, 5, 6].map((i) => i * 3000),
    );
    expect(frames.every((frame) => frame.data.length === 3000)).toBe(true);
    expect(recorder.skippedFrames).toBe(2); // frames 8 and 9; 7 never completed
    expect(keyframeRequests).toBeGreaterThan(0);
    expect(startedAt).toBe(20); // when frame 0 completed, at its third packet
  });

  it('waits for a keyframe before writing anything', async () => {
    const path = join(dir, 'late.ivf');
    const recorder = new VideoRecorder(path, { onStart: () => {}, onKeyframeNeeded: () => {} });
    // From frame 1 on: frames 1 to 4 cannot be decoded without frame 0.
    for (const [i, packet] of vp8Packets(10).slice(3).entries()) recorder.push(packet, i * 10);
    await recorder.finish(1000);
    const { frames } = readIvf(await readFile(path));
    expect(frames.map((frame) => frame.data[20])).toEqual([5, 6, 7, 8, 9]);
    expect(frames[0]?.timestamp).toBe(0);
  });

  it('fills lost Opus frames and the pre-skip with empty frames', async () => {
    const path = join(dir, 'audio.ogg');
    const recorder = new AudioRecorder(path);
    // TOC 0x78: config 15, hybrid fullband 20 ms, mono, one frame (RFC 6716 §3.1).
    const packets: ReceivedPacket[] = Array.from({ length: 50 }, (_, i) => ({
      sequenceNumber: 1000 + i,
      timestamp: 960 * i,
      marker: false,
      payload: Uint8Array.of(0x78, i, 1, 2, 3),
    }));
    recorder.push({ ...(packets[0] as ReceivedPacket), sequenceNumber: 999 }, 0); // before start
    recorder.start(0);
    reorder(packets, 20, 1);
    packets.splice(10, 1);
    for (const [i, packet] of packets.entries()) recorder.push(packet, i * 20);
    await recorder.finish(1000);

    const ogg = readOggOpus(await readFile(path));
    expect(ogg.head).toMatchObject({ channelCount: 1, preSkip: 3840 });
    expect(ogg.endOfStream).toBe(true);
    // 4 empty frames of pre-skip, then 0..49 with an empty frame for the lost 10th.
    const sent = ogg.packets.map((packet) => (packet.data.length === 1 ? -1 : packet.data[1]));
    expect(sent).toEqual(
      [-1, -1, -1, -1, ...packets.slice(0, 10).map((_, i) => i), -1].concat(
        Array.from({ length: 39 }, (_, i) => i + 11),
      ),
    );
    expect(ogg.packets.at(-1)?.granulePosition).toBe(54 * 960);
    expect(recorder.filledFrames).toBe(5);
  });
});
