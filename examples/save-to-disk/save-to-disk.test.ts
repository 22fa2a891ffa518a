/**
 * The save-to-disk example against headless Chromium's fake camera and microphone: about three
 * seconds recorded, then the stop button; ffprobe must find a VP8 stream with frames in the IVF
 * file and an Opus stream as long as the recording in the Ogg file, and the printed ffmpeg
 * command must make a WebM file with both. Closing the page ends a recording too.
 */

import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, waitFor } from '../shared/testing.js';
import { hasFfmpeg } from './recording.js';
import { type RecordingResult, type SaveToDiskServer, startSaveToDiskServer } from './server.js';

interface ProbedStream {
  readonly codec_type?: string;
  readonly codec_name?: string;
  readonly nb_read_frames?: string;
  readonly width?: number;
}

interface Probe {
  readonly streams: readonly ProbedStream[];
  readonly format: { readonly duration?: string };
}

/** ffprobe's view of a file, frames counted by decoding. */
function probe(path: string): Probe {
  const run = spawnSync(
    'ffprobe',
    ['-v', 'error', '-count_frames', '-show_streams', '-show_format', '-of', 'json', path],
    { encoding: 'utf8' },
  );
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as Probe;
}

function stream(result: Probe, type: string): ProbedStream | undefined {
  return result.streams.find((s) => s.codec_type === type);
}

/** The server's `index`th finished recording, once there is one. */
async function nthResult(index: number): Promise<RecordingResult> {
  const result = await waitFor(
    () => server.results[index],
    (done) => done !== undefined,
    'the recording to finish',
  );
  if (result === undefined) throw new Error('waitFor returned before the recording finished');
  return result;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let browser: Browser;
let server: SaveToDiskServer;
let dir: string;

beforeAll(async () => {
  browser = await launchBrowser();
  dir = await mkdtemp(join(tmpdir(), 'typertc-save-to-disk-'));
  server = await startSaveToDiskServer(0, dir);
});

afterAll(async () => {
  await server?.close();
  await browser?.close();
  if (dir !== undefined && process.env.KEEP === undefined)
    await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!hasFfmpeg())('examples/save-to-disk', () => {
  it('records VP8 to IVF and Opus to Ogg that ffprobe reads, and remuxes them to WebM', {
    timeout: 30_000,
  }, async () => {
    const page = await browser.newPage();
    await page.goto(server.url, { waitUntil: 'domcontentloaded' });
    await waitFor(
      () => page.textContent('#state'),
      (state) => (state ?? '').startsWith('recording'),
      'the first keyframe to be recorded',
    );
    await sleep(3000);
    await page.click('#stop');
    const result = await nthResult(0);
    await waitFor(
      () => page.textContent('#result'),
      (text) => (text ?? '').includes('to WebM:'),
      'the page to show the result',
    );
    await page.close();
    expect(result.seconds).toBeGreaterThan(2.8);

    // The video: VP8 at the camera's size, every frame written decodable.
    const video = result.video;
    expect(video).toBeDefined();
    const ivf = probe(video?.path ?? '');
    const vp8 = stream(ivf, 'video');
    expect(vp8?.codec_name).toBe('vp8');
    expect(vp8?.width).toBeGreaterThan(0);
    // Chromium's fake camera runs at 30 fps; a loaded machine may adapt it down.
    expect(video?.frames).toBeGreaterThan(3 * 5);
    expect(Number(vp8?.nb_read_frames)).toBe(video?.frames);

    // The audio: Opus, as long as the recording (the files start together, so ±0.5 s).
    const ogg = probe(result.audio?.path ?? '');
    expect(stream(ogg, 'audio')?.codec_name).toBe('opus');
    expect(Number(ogg.format.duration)).toBeGreaterThan(result.seconds - 0.5);
    expect(Number(ogg.format.duration)).toBeLessThan(result.seconds + 0.5);

    // The one-liner the server printed, run as a user would.
    expect(result.remux).toMatch(/^ffmpeg -i .*\.ivf -i .*\.ogg -c copy .*\.webm$/);
    const remux = spawnSync('sh', ['-c', result.remux ?? 'false'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(remux.status, remux.stderr).toBe(0);
    const webm = probe(join(dir, `${result.id}.webm`));
    expect(stream(webm, 'video')?.codec_name).toBe('vp8');
    expect(stream(webm, 'audio')?.codec_name).toBe('opus');
    expect(Number(stream(webm, 'video')?.nb_read_frames)).toBe(video?.frames);
    expect(Number(webm.format.duration)).toBeGreaterThan(result.seconds - 0.5);
  });

  it('finishes the recording when the page closes', { timeout: 20_000 }, async () => {
    const page = await browser.newPage();
    await page.goto(server.url, { waitUntil: 'domcontentloaded' });
    await waitFor(
      () => page.textContent('#state'),
      (state) => (state ?? '').startsWith('recording'),
      'the first keyframe to be recorded',
    );
    await sleep(1000);
    const before = server.results.length;
    await page.close();
    const result = await nthResult(before);
    expect(result.video?.frames).toBeGreaterThan(0);
    expect(stream(probe(result.video?.path ?? ''), 'video')?.codec_name).toBe('vp8');
    expect(stream(probe(result.audio?.path ?? ''), 'audio')?.codec_name).toBe('opus');
  });
});
