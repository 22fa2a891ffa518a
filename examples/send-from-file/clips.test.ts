/**
 * The committed media, read as the server reads them: small, 4 s long, 15 fps video that starts
 * with a keyframe and has one every second (a file cannot answer a keyframe request), and Opus
 * timed by its packets and granule positions.
 */

import { existsSync, statSync } from 'node:fs';
import {
  Av1ObuType,
  opusPacketDuration,
  parseAv1Obus,
  parseVp9FrameHeader,
} from '@typertc/rtp-rtcp';
import { describe, expect, it } from 'vitest';
import { readIvfClip, readOggOpusClip } from './clips.js';
import { MEDIA_DIR } from './server.js';

const IS_KEYFRAME: Record<string, (frame: Uint8Array) => boolean> = {
  // RFC 6386 §9.1: bit 0 of the frame tag is 0 on a key frame.
  VP8: (frame) => ((frame[0] as number) & 0x01) === 0,
  VP9: (frame) => parseVp9FrameHeader(frame).keyframe,
  // An encoder repeats the sequence header on each key frame's temporal unit.
  AV1: (frame) => parseAv1Obus(frame).some((obu) => obu.type === Av1ObuType.sequenceHeader),
};

describe('examples/send-from-file media', () => {
  for (const codec of ['VP8', 'VP9', 'AV1'] as const) {
    const file = `${MEDIA_DIR}${codec.toLowerCase()}.ivf`;
    it.skipIf(!existsSync(file))(`${codec}: 4 s at 15 fps, a keyframe each second`, async () => {
      expect(statSync(file).size).toBeLessThan(150_000);
      const clip = await readIvfClip(file);
      expect(clip).toMatchObject({ codec, width: 320, height: 240, clockRate: 90000 });
      expect(clip.frameRate).toBeCloseTo(15, 5);
      expect(clip.length).toBe(4 * 90000);
      expect(clip.frames.length).toBe(60);
      expect(clip.frames[1]?.ticks).toBe(6000);
      const keyframes = clip.frames.flatMap((frame, i) =>
        (IS_KEYFRAME[codec] as (frame: Uint8Array) => boolean)(frame.data) ? [i] : [],
      );
      expect(keyframes).toEqual([0, 15, 30, 45]);
    });
  }

  it('Opus: 20 ms packets, timed by their durations up to the last granule position', async () => {
    const file = `${MEDIA_DIR}opus.ogg`;
    expect(statSync(file).size).toBeLessThan(150_000);
    const clip = await readOggOpusClip(file);
    expect(clip.clockRate).toBe(48000);
    const durations = clip.frames.map((frame) => opusPacketDuration(frame.data));
    expect(new Set(durations)).toEqual(new Set([960]));
    expect(clip.frames.map((frame) => frame.ticks)).toEqual(durations.map((_, i) => i * 960));
    // 4 s plus the encoder's pre-skip, in whole packets.
    expect(clip.length).toBe(clip.frames.length * 960);
    expect(clip.length / 48000).toBeGreaterThan(4);
    expect(clip.length / 48000).toBeLessThan(4.05);
  });
});
