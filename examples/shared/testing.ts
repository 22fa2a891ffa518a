/**
 * What the examples' tests share: Chromium with the fake camera and microphone (the interop
 * tests' launcher and flags), polling a page until a condition holds, and reading a page's
 * numbers without DOM types in the test code.
 */

import { CHROMIUM_FAKE_MEDIA_FLAGS } from '@typertc/common/testing';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../interop/peerconnection/chromium-peer.js';

export function launchBrowser(): Promise<Browser> {
  return launchChromium([
    ...CHROMIUM_FAKE_MEDIA_FLAGS,
    '--autoplay-policy=no-user-gesture-required',
  ]);
}

/** Polls `read` every 100 ms until `done` holds of its result; fails after `timeoutMs`. */
export async function waitFor<T>(
  read: () => Promise<T> | T,
  done: (value: T) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (done(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
}

export interface InboundRtp {
  readonly kind: string;
  readonly packetsReceived: number;
  readonly framesDecoded?: number;
  readonly totalSamplesReceived?: number;
}

/** What the page code below sees of a browser's RTCPeerConnection. */
interface PageConnection {
  getStats(): Promise<{ forEach(callback: (stats: InboundRtp & { type: string }) => void): void }>;
}

/** The page's inbound-rtp numbers, from its global peer connection `name` (`window.pc`). */
export function inboundStats(page: Page, name = 'pc'): Promise<InboundRtp[]> {
  return page.evaluate(async (global) => {
    const pc = (globalThis as unknown as Record<string, PageConnection | undefined>)[global];
    const out: InboundRtp[] = [];
    (await pc?.getStats())?.forEach((s) => {
      if (s.type !== 'inbound-rtp') return;
      out.push({
        kind: s.kind,
        packetsReceived: s.packetsReceived,
        framesDecoded: s.framesDecoded,
        totalSamplesReceived: s.totalSamplesReceived,
      });
    });
    return out;
  }, name);
}

interface PageDocument {
  getElementById(id: string): { textContent: string | null } | null;
}

/** The text of the elements with these ids (undefined for a missing one). */
export function texts(page: Page, ids: readonly string[]): Promise<(string | null | undefined)[]> {
  return page.evaluate((list) => {
    const doc = (globalThis as unknown as { document: PageDocument }).document;
    return list.map((id) => doc.getElementById(id)?.textContent);
  }, ids);
}
