/**
 * The send-from-file example in headless Chromium, once per video file make-media.sh wrote: the
 * page decodes the video at about the file's frame rate, still after the file has looped, and
 * receives the audio through its <audio> element.
 */

import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InboundRtp, inboundStats, launchBrowser, waitFor } from '../shared/testing.js';
import { MEDIA_DIR, type SendFromFileServer, startSendFromFileServer } from './server.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

interface Sample {
  readonly at: number;
  readonly frames: number;
  readonly samples: number;
}

async function sample(page: Page): Promise<Sample> {
  const stats: InboundRtp[] = await inboundStats(page);
  return {
    at: performance.now(),
    frames: stats.find((s) => s.kind === 'video')?.framesDecoded ?? 0,
    samples: stats.find((s) => s.kind === 'audio')?.totalSamplesReceived ?? 0,
  };
}

describe('examples/send-from-file', () => {
  for (const codec of ['VP8', 'VP9', 'AV1'] as const) {
    const file = `${MEDIA_DIR}${codec.toLowerCase()}.ivf`;
    // make-media.sh skips AV1 when its ffmpeg has no AV1 encoder.
    it.skipIf(!existsSync(file))(
      `plays ${codec} and Opus at the files' pace, looped`,
      {
        timeout: 30_000,
      },
      async () => {
        let server: SendFromFileServer | undefined;
        let page: Page | undefined;
        try {
          server = await startSendFromFileServer({ port: 0, video: file });
          expect(server.video.codec).toBe(codec);
          const { frameRate } = server.video;
          const clipMs = (server.video.length / server.video.clockRate) * 1000;
          page = await browser.newPage();
          await page.goto(server.url, { waitUntil: 'domcontentloaded' });
          const open = page;
          await waitFor(
            () => sample(open),
            (now) => now.frames > 0 && now.samples > 0,
            'the first video frame and audio samples',
          );
          // The page's own getStats() names the codec it decodes.
          await waitFor(
            () => open.textContent('#codec'),
            (text) => text === `video/${codec}`,
            `the page to show video/${codec}`,
          );
          // Past the end of the file, so the rate below is measured on the loop.
          await sleep(clipMs + 500);
          const before = await sample(page);
          await sleep(2000);
          const after = await sample(page);
          const seconds = (after.at - before.at) / 1000;
          const fps = (after.frames - before.frames) / seconds;
          // Generous: the machine is shared, and decoders smooth their pace; too fast would mean
          // bursts, too slow a stall or a loop that never started.
          expect(fps).toBeGreaterThan(frameRate * 0.5);
          expect(fps).toBeLessThan(frameRate * 1.5);
          // totalSamplesReceived counts per channel at the decoder's 48 kHz.
          const rate = (after.samples - before.samples) / seconds;
          expect(rate).toBeGreaterThan(48000 * 0.5);
          expect(rate).toBeLessThan(48000 * 1.5);
          expect(server.peers).toBe(1);
        } finally {
          await page?.close();
          await server?.close();
        }
      },
    );
  }
});
