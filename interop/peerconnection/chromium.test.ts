/**
 * TypeRTC's RTCPeerConnection against Chromium (Debian `chromium`, headless, driven by
 * playwright-core): the suite in `suite.ts`.
 */

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { ChromiumPeer, launchChromium } from './chromium-peer.js';
import { peerConnectionInterop } from './suite.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

peerConnectionInterop('Chromium', () => ChromiumPeer.open(browser), {
  remoteReadsMaxMessageSize: true,
  remoteSendsEmptyMessages: true,
  remoteSurvivesPoliteRollback: true,
});
