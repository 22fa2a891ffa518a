/**
 * Chromium as the remote peer: Debian's `chromium`, headless, driven by `playwright-core`.
 * One browser serves a test file; each peer is a page running `page/peer.js`.
 */

import { existsSync, readFileSync } from 'node:fs';
import {
  CHROMIUM_PATH,
  CHROMIUM_REAL_HOST_ADDRESSES,
  HEADLESS_CHROMIUM_FLAGS,
} from '@typertc/common/testing';
import { type Browser, chromium, type Page } from 'playwright-core';
import {
  type DataChannelInit,
  type IceCandidateInit,
  type RemoteEvent,
  RemoteEventLog,
  type RemotePeer,
  type RemoteState,
  type SessionDescriptionInit,
} from './remote-peer.js';

const PEER_SCRIPT = readFileSync(new URL('./page/peer.js', import.meta.url), 'utf8');

/**
 * The flags this machine needs (`@typertc/common/testing`), and one for the test: Chromium hides
 * host addresses behind mDNS names by default, which a server stack cannot resolve; a server
 * talking to browsers sees real addresses from them in the field only when the page has camera
 * permission, and this flag gives the same without a camera.
 */
export const CHROMIUM_FLAGS: readonly string[] = [
  ...HEADLESS_CHROMIUM_FLAGS,
  CHROMIUM_REAL_HOST_ADDRESSES,
];

export class ChromiumMissingError extends Error {
  override readonly name = 'ChromiumMissingError';
}

/** Chromium with the flags above and `extraFlags` (the media tests' fake devices). */
export async function launchChromium(extraFlags: readonly string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new ChromiumMissingError(
      `${CHROMIUM_PATH} not found: .ci/run installs Debian's chromium for the interop tests`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_FLAGS, ...extraFlags],
  });
}

export class ChromiumPeer implements RemotePeer {
  readonly name = 'chromium';
  readonly #log = new RemoteEventLog();
  readonly #page: Page;
  #signals: Promise<unknown> = Promise.resolve();

  private constructor(page: Page) {
    this.#page = page;
  }

  /** A page with one RTCPeerConnection made with `configuration`. */
  static async open(browser: Browser, configuration: object = {}): Promise<ChromiumPeer> {
    const page = await browser.newPage();
    const peer = new ChromiumPeer(page);
    await page.exposeFunction('toNode', (event: RemoteEvent) => peer.#log.record(event));
    await page.goto('about:blank');
    await page.addScriptTag({ content: PEER_SCRIPT });
    await page.evaluate(
      (config) => (globalThis as unknown as PageGlobal).peer.create(config),
      configuration,
    );
    return peer;
  }

  get events(): readonly RemoteEvent[] {
    return this.#log.events;
  }

  onEvent(listener: (event: RemoteEvent) => void): () => void {
    return this.#log.onEvent(listener);
  }

  setLocalDescription(description?: SessionDescriptionInit): Promise<SessionDescriptionInit> {
    return this.#page.evaluate(
      (d) => (globalThis as unknown as PageGlobal).peer.setLocalDescription(d ?? undefined),
      description,
    );
  }

  setRemoteDescription(description: SessionDescriptionInit): Promise<void> {
    return this.#page.evaluate(
      (d) => (globalThis as unknown as PageGlobal).peer.setRemoteDescription(d),
      description,
    );
  }

  addIceCandidate(candidate: IceCandidateInit | null): Promise<void> {
    return this.#page.evaluate(
      (c) => (globalThis as unknown as PageGlobal).peer.addIceCandidate(c),
      candidate,
    );
  }

  restartIce(): Promise<void> {
    return this.#page.evaluate(() => (globalThis as unknown as PageGlobal).peer.pc.restartIce());
  }

  state(): Promise<RemoteState> {
    return this.#page.evaluate(() => (globalThis as unknown as PageGlobal).peer.state());
  }

  createDataChannel(label: string, init: DataChannelInit = {}): Promise<void> {
    return this.#page.evaluate(
      ([l, i]) => (globalThis as unknown as PageGlobal).peer.createDataChannel(l, i),
      [label, init] as const,
    );
  }

  sendSequence(label: string, prefix: string, count: number): Promise<void> {
    return this.#page.evaluate(
      ([l, p, n]) => (globalThis as unknown as PageGlobal).peer.sendSequence(l, p, n),
      [label, prefix, count] as const,
    );
  }

  sendPattern(label: string, length: number, seed: number): Promise<void> {
    return this.#page.evaluate(
      ([l, n, s]) => (globalThis as unknown as PageGlobal).peer.sendPattern(l, n, s),
      [label, length, seed] as const,
    );
  }

  sendText(label: string, text: string): Promise<void> {
    return this.#page.evaluate(
      ([l, t]) => (globalThis as unknown as PageGlobal).peer.sendText(l, t),
      [label, text] as const,
    );
  }

  closeChannel(label: string): Promise<void> {
    return this.#page.evaluate(
      (l) => (globalThis as unknown as PageGlobal).peer.closeChannel(l),
      label,
    );
  }

  /** Chromium's getStats() report, as a list. */
  stats(): Promise<Record<string, unknown>[]> {
    return this.#page.evaluate(() => (globalThis as unknown as PageGlobal).peer.stats());
  }

  receivedCount(label: string): Promise<number> {
    return this.#page.evaluate(
      (l) => (globalThis as unknown as PageGlobal).peer.receivedCount(l),
      label,
    );
  }

  perfectNegotiation(polite: boolean): Promise<void> {
    return this.#page.evaluate(
      (p) => (globalThis as unknown as PageGlobal).peer.perfectNegotiation(p),
      polite,
    );
  }

  /**
   * Each message is handled in the page once the one before it has been, in the order sent:
   * concurrent page.evaluate calls are not promised to run in order.
   */
  signal(message: {
    readonly description?: SessionDescriptionInit;
    readonly candidate?: IceCandidateInit | null;
  }): Promise<void> {
    const handled = this.#signals.then(() =>
      this.#page.evaluate((m) => (globalThis as unknown as PageGlobal).peer.onSignal(m), message),
    );
    this.#signals = handled.catch(() => undefined);
    return handled;
  }

  async close(): Promise<void> {
    await this.#page
      .evaluate(() => (globalThis as unknown as PageGlobal).peer.close())
      .catch(() => undefined);
    await this.#page.close();
  }
}

/** `(globalThis as unknown as PageGlobal).peer` as `page/peer.js` defines it, for the functions passed to page.evaluate. */
interface PagePeer {
  pc: { restartIce(): void };
  create(configuration: object): void;
  setLocalDescription(description?: SessionDescriptionInit): Promise<SessionDescriptionInit>;
  setRemoteDescription(description: SessionDescriptionInit): Promise<void>;
  addIceCandidate(candidate: IceCandidateInit | null): Promise<void>;
  state(): RemoteState;
  createDataChannel(label: string, init: DataChannelInit): void;
  sendSequence(label: string, prefix: string, count: number): void;
  sendPattern(label: string, length: number, seed: number): void;
  sendText(label: string, text: string): void;
  closeChannel(label: string): void;
  receivedCount(label: string): number;
  stats(): Promise<Record<string, unknown>[]>;
  perfectNegotiation(polite: boolean): void;
  onSignal(message: {
    readonly description?: SessionDescriptionInit;
    readonly candidate?: IceCandidateInit | null;
  }): Promise<void>;
  close(): void;
}

/** The page's global object as the functions passed to page.evaluate see it there. */
interface PageGlobal {
  readonly peer: PagePeer;
}
