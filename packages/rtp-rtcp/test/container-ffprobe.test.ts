/**
 * Files from `IvfWriter` and `OggOpusWriter` as FFmpeg sees them: `ffprobe` (Debian package
 * `ffmpeg`, installed by `.ci/run`) must recognise the codec and its parameters and count every
 * frame and packet, and `ffmpeg` must decode them without a single error. These tests fail, never
 * skip, when the tools are missing: a skipped interop check looks like a passing one.
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { concatBytes } from '@typertc/common';
import { afterAll, describe, expect, it } from 'vitest';
import { IvfWriter } from '../src/containers/ivf-writer.js';
import { OggOpusWriter } from '../src/containers/ogg-opus-writer.js';

const dir = mkdtempSync(join(tmpdir(), 'typertc-containers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Runs an FFmpeg tool and returns its stdout, failing on a nonzero exit or anything on stderr
 * (`-v error` makes FFmpeg print only errors there), and turning "not installed" into an
 * explanation instead of a bare ENOENT.
 */
function run(tool: 'ffprobe' | 'ffmpeg', args: string[]): string {
  const result = spawnSync(tool, ['-v', 'error', ...args], { encoding: 'utf8' });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error(
      `${tool} is not installed: these tests need the Debian package ffmpeg ` +
        '(.ci/run installs it; or apt-get install --no-install-recommends ffmpeg)',
    );
  }
  if (result.error !== undefined) throw result.error;
  expect(result.stderr, `${tool} ${args.join(' ')} reported errors`).toBe('');
  expect(result.status, `${tool} exit status`).toBe(0);
  return result.stdout;
}

interface Probe {
  streams: Record<string, unknown>[];
  format: Record<string, unknown>;
}

function probe(file: string): Probe {
  const json = run('ffprobe', [
    '-count_packets',
    '-show_streams',
    '-show_format',
    '-of',
    'json',
    file,
  ]);
  return JSON.parse(json) as Probe;
}

/** Decodes the whole file and throws it away: FFmpeg must not report any error doing so. */
function decode(file: string): void {
  run('ffmpeg', ['-nostdin', '-i', file, '-f', 'null', '-']);
}

function save(name: string, bytes: Uint8Array): string {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

/**
 * A VP8 key frame FFmpeg decodes cleanly (RFC 6386 §9.1, §19.1): the 3-byte frame tag (key frame
 * bit 0, version 0, show_frame 1, first partition size), the start code 9d 01 2a, 14-bit width
 * and height, then all-zero partitions. A boolean decoder fed zeros reads every flag as 0, which
 * is a valid frame: no segmentation or loop filter, one token partition, every block ending at
 * its first token.
 */
function vp8KeyFrame(width: number, height: number): Uint8Array {
  const firstPartitionSize = 32;
  const frame = new Uint8Array(10 + firstPartitionSize + 64);
  const tag = (firstPartitionSize << 5) | (1 << 4); // key frame: bit 0 clear
  frame[0] = tag & 0xff;
  frame[1] = (tag >>> 8) & 0xff;
  frame[2] = (tag >>> 16) & 0xff;
  frame.set([0x9d, 0x01, 0x2a], 3);
  frame[6] = width & 0xff;
  frame[7] = width >>> 8;
  frame[8] = height & 0xff;
  frame[9] = height >>> 8;
  return frame;
}

describe('ffprobe accepts the files the writers produce', () => {
  it('IVF with VP8 key frames: codec, dimensions, frame count', () => {
    const writer = new IvfWriter({ codec: 'VP8', width: 64, height: 48, timebaseDenominator: 30 });
    const parts = [writer.header()];
    for (let i = 0; i < 12; i++) parts.push(writer.writeFrame(vp8KeyFrame(64, 48), i));
    const bytes = concatBytes(...parts);
    bytes.set(writer.header(), 0); // patch the frame count in, as a seekable output would
    const file = save('video.ivf', bytes);

    const result = probe(file);
    expect(result.format.format_name).toBe('ivf');
    expect(result.streams).toHaveLength(1);
    const [stream] = result.streams;
    expect(stream?.codec_name).toBe('vp8');
    expect(stream?.width).toBe(64);
    expect(stream?.height).toBe(48);
    expect(stream?.nb_read_packets).toBe('12');
    expect(stream?.time_base).toBe('1/30');
    expect(Number(stream?.duration)).toBeCloseTo(12 / 30, 6);
    decode(file);
  });
});

/**
 * Opus packets that decode to silence (RFC 6716): TOC config 31 (CELT, fullband, 20 ms frames),
 * and the CELT frame ff fe, whose first range-coded symbol is the silence flag. Code 0 carries
 * one frame; code 3 with a frame count byte of 3 (CBR, no padding) carries three.
 */
const silence20ms = (stereo: boolean) => Uint8Array.of(stereo ? 0xfc : 0xf8, 0xff, 0xfe);
const silence60ms = (stereo: boolean) =>
  Uint8Array.of(stereo ? 0xff : 0xfb, 0x03, 0xff, 0xfe, 0xff, 0xfe, 0xff, 0xfe);

describe('ffprobe accepts the Ogg Opus files OggOpusWriter produces', () => {
  it('mono, 20 ms packets: codec, sample rate, channels, duration, packet count', () => {
    const writer = new OggOpusWriter({ channelCount: 1, serialNumber: 0x5eed });
    const parts: Uint8Array[] = [];
    for (let i = 0; i < 100; i++) parts.push(writer.writePacket(silence20ms(false)));
    parts.push(writer.finish());
    const file = save('mono.opus', concatBytes(...parts));

    const result = probe(file);
    expect(result.format.format_name).toBe('ogg');
    const [stream] = result.streams;
    expect(stream?.codec_name).toBe('opus');
    expect(stream?.sample_rate).toBe('48000');
    expect(stream?.channels).toBe(1);
    expect(stream?.nb_read_packets).toBe('100');
    // FFmpeg reports the last granule position over 48 kHz, pre-skip included: 100 x 20 ms.
    expect(Number(result.format.duration)).toBeCloseTo(2, 6);
    decode(file);
  });

  it('stereo, mixed 20 and 60 ms packets over many short pages, with tags', () => {
    const writer = new OggOpusWriter({
      channelCount: 2,
      serialNumber: 0xffff_ffff,
      preSkip: 312,
      inputSampleRate: 44_100,
      comments: ['TITLE=silence', 'ARTIST=TypeRTC tests'],
      maxPageDuration: 9600,
    });
    const parts: Uint8Array[] = [];
    for (let i = 0; i < 30; i++) {
      parts.push(writer.writePacket(i % 3 === 0 ? silence60ms(true) : silence20ms(true)));
    }
    parts.push(writer.finish());
    const file = save('stereo.opus', concatBytes(...parts));

    const result = probe(file);
    const [stream] = result.streams;
    expect(stream?.codec_name).toBe('opus');
    expect(stream?.channels).toBe(2);
    expect(stream?.sample_rate).toBe('48000');
    expect(stream?.nb_read_packets).toBe('30');
    // 10 x 60 ms + 20 x 20 ms.
    expect(Number(result.format.duration)).toBeCloseTo(1, 6);
    expect(stream?.tags).toEqual({ TITLE: 'silence', ARTIST: 'TypeRTC tests' });
    decode(file);
  });
});
