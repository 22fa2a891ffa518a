/**
 * Captures the Chromium SDP fixtures in `fixtures/` (see `fixtures/SOURCES.md`).
 *
 * Not a test: vitest only runs `*.test.ts`. It drives Debian's `chromium` through
 * `playwright-core`, serves an empty page from 127.0.0.1 (localhost is a secure context, so
 * getUserMedia works with the fake devices), builds RTCPeerConnections in the page, and writes
 * each `sdp` string byte for byte to `chromium-*.sdp`.
 *
 * Node 20 cannot run TypeScript itself, so compile it to a scratch directory first. From the
 * repository root:
 *
 *   mkdir -p /tmp/sdp-capture && echo '{"type":"module"}' > /tmp/sdp-capture/package.json
 *   ln -sfn "$PWD/node_modules" /tmp/sdp-capture/node_modules
 *   npx tsc --outDir /tmp/sdp-capture --target ES2022 --module NodeNext \
 *     --moduleResolution NodeNext --types node --skipLibCheck packages/sdp/test/capture-chromium.ts
 *   node /tmp/sdp-capture/capture-chromium.js packages/sdp/test/fixtures
 *
 * Every run makes new SDPs (fresh ufrags, fingerprints and session ids), so re-running it
 * replaces the committed files with different, equally real ones.
 */

import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  CHROMIUM_FAKE_MEDIA_FLAGS,
  CHROMIUM_PATH,
  HEADLESS_CHROMIUM_FLAGS,
} from '@typertc/common/testing';
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? CHROMIUM_PATH;

/**
 * Runs in the page. Kept as a string: the project compiles without the DOM library, and this
 * code only ever runs in the browser. It returns a record of name -> exact SDP text.
 */
const PAGE_SCRIPT = `(async () => {
  const gathered = (pc) =>
    new Promise((resolve) => {
      if (pc.iceGatheringState === 'complete') return resolve();
      const timer = setTimeout(resolve, 10000);
      pc.addEventListener('icegatheringstatechange', () => {
        if (pc.iceGatheringState === 'complete') {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  const offer = async (pc) => {
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    return pc.localDescription.sdp;
  };
  const out = {};
  const media = () => navigator.mediaDevices.getUserMedia({ audio: true, video: true });

  // (a) audio+video offer with fake devices, after gathering; (b) the answer from a second pc.
  const caller = new RTCPeerConnection();
  const callee = new RTCPeerConnection();
  const callerStream = await media();
  for (const track of callerStream.getTracks()) caller.addTrack(track, callerStream);
  out['chromium-audio-video-offer'] = await offer(caller);
  await callee.setRemoteDescription(caller.localDescription);
  const calleeStream = await media();
  for (const track of calleeStream.getTracks()) callee.addTrack(track, calleeStream);
  await callee.setLocalDescription(await callee.createAnswer());
  await gathered(callee);
  out['chromium-audio-video-answer'] = callee.localDescription.sdp;
  await caller.setRemoteDescription(callee.localDescription);

  // (e) re-offer on the established pair: a data channel and a second video track.
  caller.createDataChannel('late');
  const second = await navigator.mediaDevices.getUserMedia({ video: true });
  for (const track of second.getTracks()) caller.addTrack(track, second);
  out['chromium-reoffer-datachannel-video'] = await offer(caller);

  // (c) data-channel-only offer.
  const data = new RTCPeerConnection();
  data.createDataChannel('chat');
  out['chromium-datachannel-offer'] = await offer(data);

  // (d) simulcast offer: three rids on one send-only video transceiver.
  const sim = new RTCPeerConnection();
  const simStream = await navigator.mediaDevices.getUserMedia({ video: true });
  sim.addTransceiver(simStream.getVideoTracks()[0], {
    direction: 'sendonly',
    streams: [simStream],
    sendEncodings: [
      { rid: 'q', scaleResolutionDownBy: 4 },
      { rid: 'h', scaleResolutionDownBy: 2 },
      { rid: 'f' },
    ],
  });
  out['chromium-simulcast-offer'] = await offer(sim);

  // (f) max-compat offer: audio, video and data, one transport per m-line.
  const compat = new RTCPeerConnection({ bundlePolicy: 'max-compat' });
  const compatStream = await media();
  for (const track of compatStream.getTracks()) compat.addTrack(track, compatStream);
  compat.createDataChannel('compat');
  out['chromium-max-compat-offer'] = await offer(compat);

  // (g) receive-only offer: recvonly audio and video transceivers, no tracks.
  const recv = new RTCPeerConnection();
  recv.addTransceiver('audio', { direction: 'recvonly' });
  recv.addTransceiver('video', { direction: 'recvonly' });
  out['chromium-recvonly-offer'] = await offer(recv);

  for (const pc of [caller, callee, data, sim, compat, recv]) pc.close();
  for (const s of [callerStream, calleeStream, second, simStream, compatStream]) {
    for (const track of s.getTracks()) track.stop();
  }
  out.userAgent = navigator.userAgent;
  return out;
})()`;

async function main(): Promise<void> {
  const outDir = process.argv[2] ?? 'packages/sdp/test/fixtures';
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end('<!doctype html><title>sdp capture</title>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [...HEADLESS_CHROMIUM_FLAGS, ...CHROMIUM_FAKE_MEDIA_FLAGS],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`http://localhost:${port}/`);
    const result = (await page.evaluate(PAGE_SCRIPT)) as Record<string, string>;
    console.log(`browser ${browser.version()}`);
    for (const [name, text] of Object.entries(result)) {
      if (name === 'userAgent') {
        console.log(`userAgent ${text}`);
        continue;
      }
      writeFileSync(join(outDir, `${name}.sdp`), text);
      console.log(`wrote ${name}.sdp (${text.split('\r\n').length - 1} lines)`);
    }
  } finally {
    await browser.close();
    server.close();
  }
}

await main();
