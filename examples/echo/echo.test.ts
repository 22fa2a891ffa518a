/**
 * The echo example, as a user would try it: the page in Chromium (fake camera and microphone)
 * sees its video and audio come back decoded, its chat message echoed, and both rows of the
 * stats panel filled; closing the page closes the server's peer connection.
 */

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inboundStats, launchBrowser, texts, waitFor } from '../shared/testing.js';
import { type EchoServer, startEchoServer } from './server.js';

let browser: Browser;
let server: EchoServer;

beforeAll(async () => {
  browser = await launchBrowser();
  server = await startEchoServer(0);
});

afterAll(async () => {
  await server?.close();
  await browser?.close();
});

describe('examples/echo', () => {
  it('echoes the camera, the microphone and chat back to the page', {
    timeout: 40_000,
  }, async () => {
    const page = await browser.newPage();
    await page.goto(server.url, { waitUntil: 'domcontentloaded' });
    const decoded = await waitFor(
      () => inboundStats(page),
      (stats) =>
        (stats.find((s) => s.kind === 'video')?.framesDecoded ?? 0) > 10 &&
        (stats.find((s) => s.kind === 'audio')?.packetsReceived ?? 0) > 20,
      'the echo decoded in the page',
    );
    expect(decoded.length).toBe(2);
    expect(await page.textContent('#status')).toBe('connection: connected');

    await page.fill('#message', 'hello, echo');
    await page.click('#chat button');
    await waitFor(
      () => page.textContent('#chat-log'),
      (log) => (log ?? '').includes('echo: hello, echo'),
      'the chat echo',
    );
    // Both ends' statistics: the browser's own and the server's, sent over the signaling.
    const panel = await waitFor(
      () => texts(page, ['b-rx', 's-rx', 's-rtt']),
      (cells) =>
        cells.every((cell) => cell !== '–' && cell !== undefined) &&
        Number(cells[0]) > 0 &&
        Number(cells[1]) > 0,
      'the stats panel',
    );
    expect(Number(panel[0])).toBeGreaterThan(0);
    expect(server.peers).toBe(1);
    await page.close();
    await waitFor(
      () => server.peers,
      (peers) => peers === 0,
      'the server to close the peer',
    );
  });
});
