/**
 * The SFU example as three people would use it: three Chromium pages (fake cameras) join the
 * room, and each decodes the other two's video, which reaches it under another payload type
 * than its own camera's; then one leaves, and the other two keep decoding the one left while the
 * leaver's video goes from their pages. Also the payload type mapping alone.
 */

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, texts, waitFor } from '../shared/testing.js';
import { mapPayloadType } from './payload-types.js';
import { type SfuServer, startSfuServer } from './server.js';

/** What a page's connection receives and shows. */
interface PageView {
  /** Video the page's connection receives now (transceivers not stopped), one per sender. */
  readonly received: { readonly framesDecoded: number; readonly payloadType?: number }[];
  /** The payload type the page's camera is sent with. */
  readonly sentPayloadType?: number;
  /** The captions of the page's remote videos. */
  readonly captions: string[];
}

/** The browser objects the page code below reads (no DOM types in the tests). */
interface PageStats {
  readonly id: string;
  readonly type: string;
  readonly framesDecoded?: number;
  readonly codecId?: string;
  readonly payloadType?: number;
}
interface PageReport {
  forEach(callback: (stats: PageStats) => void): void;
}
interface PageTransceiver {
  readonly currentDirection: string | null;
  readonly receiver: { readonly track: { readonly kind: string }; getStats(): Promise<PageReport> };
  readonly sender: {
    readonly track: { readonly kind: string } | null;
    getStats(): Promise<PageReport>;
  };
}
interface PageGlobals {
  readonly pc: { getTransceivers(): PageTransceiver[] };
  readonly document: {
    querySelectorAll(selector: string): ArrayLike<{ readonly textContent: string | null }>;
  };
}

function view(page: Page): Promise<PageView> {
  return page.evaluate(async () => {
    const { pc, document } = globalThis as unknown as PageGlobals;
    const read = async (report: Promise<PageReport>, type: string) => {
      const all = new Map<string, PageStats>();
      (await report).forEach((stats) => {
        all.set(stats.id, stats);
      });
      const rtp = [...all.values()].find((stats) => stats.type === type);
      const codec = rtp?.codecId === undefined ? undefined : all.get(rtp.codecId);
      return { framesDecoded: rtp?.framesDecoded ?? 0, payloadType: codec?.payloadType };
    };
    const received: PageView['received'] = [];
    let sentPayloadType: number | undefined;
    for (const transceiver of pc.getTransceivers()) {
      const direction = transceiver.currentDirection;
      if (transceiver.receiver.track.kind !== 'video') continue;
      if (direction === 'recvonly' || direction === 'sendrecv') {
        received.push(await read(transceiver.receiver.getStats(), 'inbound-rtp'));
      } else if (direction === 'sendonly') {
        sentPayloadType = (await read(transceiver.sender.getStats(), 'outbound-rtp')).payloadType;
      }
    }
    const captions = Array.from(
      document.querySelectorAll('figure.remote figcaption'),
      (caption) => caption.textContent ?? '',
    );
    return { received, sentPayloadType, captions };
  });
}

let browser: Browser;
let server: SfuServer;

beforeAll(async () => {
  browser = await launchBrowser();
  server = await startSfuServer(0);
});

afterAll(async () => {
  await server?.close();
  await browser?.close();
});

describe('examples/sfu', () => {
  it('maps a payload type by codec, never RTX', () => {
    const chromium = [
      { payloadType: 96, mimeType: 'video/VP8', clockRate: 90000 },
      { payloadType: 97, mimeType: 'video/rtx', clockRate: 90000, sdpFmtpLine: 'apt=96' },
    ];
    const room = [
      { payloadType: 100, mimeType: 'video/vp8', clockRate: 90000 },
      { payloadType: 101, mimeType: 'video/rtx', clockRate: 90000, sdpFmtpLine: 'apt=100' },
    ];
    expect(mapPayloadType(96, chromium, room)).toBe(100);
    expect(mapPayloadType(97, chromium, room)).toBeUndefined();
    expect(mapPayloadType(98, chromium, room)).toBeUndefined();
    expect(mapPayloadType(100, room, [])).toBeUndefined();
  });

  it('forwards each camera to the two others, and takes a leaver away', {
    timeout: 45_000,
  }, async () => {
    const pages: Page[] = [];
    for (let i = 0; i < 3; i++) {
      const page = await browser.newPage();
      await page.goto(server.url, { waitUntil: 'domcontentloaded' });
      pages.push(page);
    }
    // Each page is told its number as it connects; the others label its video with it.
    const welcomes = await waitFor(
      () => Promise.all(pages.map(async (page) => (await texts(page, ['me']))[0])),
      (mine) => mine.every((caption) => /^you \(participant \d+\)$/.test(caption ?? '')),
      'the pages to be welcomed',
    );
    const names = welcomes.map((caption) => (caption ?? '').slice('you ('.length, -1));
    expect(new Set(names).size).toBe(3);
    const othersThan = (name: string | undefined, among: readonly (string | undefined)[]) =>
      among.filter((other) => other !== name).sort();

    for (const [i, page] of pages.entries()) {
      const seen = await waitFor(
        () => view(page),
        ({ received, captions }) =>
          received.length === 2 &&
          received.every(({ framesDecoded }) => framesDecoded > 0) &&
          captions.length === 2,
        `page ${i + 1} to decode two remote videos`,
        20_000,
      );
      expect(seen.captions.sort()).toEqual(othersThan(names[i], names));
      // The room numbers VP8 100 in the sections it offers, Chromium's camera is sent as 96:
      // each forwarded packet was renumbered for this page's connection.
      expect(seen.sentPayloadType).toBeDefined();
      for (const { payloadType } of seen.received) {
        expect(payloadType).toBeDefined();
        expect(payloadType).not.toBe(seen.sentPayloadType);
      }
    }
    expect(server.participants).toBe(3);

    await pages[2]?.close();
    const stayed = names.slice(0, 2);
    for (const [i, page] of pages.slice(0, 2).entries()) {
      const left = await waitFor(
        () => view(page),
        ({ received, captions }) => received.length === 1 && captions.length === 1,
        `page ${i + 1} to drop the leaver's video`,
      );
      expect(left.captions).toEqual(othersThan(stayed[i], stayed));
      const before = left.received[0]?.framesDecoded ?? 0;
      await waitFor(
        () => view(page),
        ({ received }) => (received[0]?.framesDecoded ?? 0) > before + 10,
        `page ${i + 1} to keep decoding the one left`,
      );
    }
    expect(server.participants).toBe(2);
  });
});
