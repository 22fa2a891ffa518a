/**
 * Chromium as the remote media peer: Debian's `chromium`, headless, with the fake camera and
 * microphone, driven by `playwright-core`. Each peer is a page running `page/media-peer.js`,
 * loaded from a tiny HTTP server on localhost: getUserMedia exists only in a secure context,
 * and about:blank or a data: URL is not one.
 */

import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CHROMIUM_FAKE_MEDIA_FLAGS } from '@typertc/common/testing';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../peerconnection/chromium-peer.js';
import type { IceCandidateInit, SessionDescriptionInit } from '../peerconnection/remote-peer.js';

/**
 * The data-channel tests' Chromium (no network beyond loopback, no GPU, running as root, real
 * host addresses rather than mDNS names) with fake capture devices, a 640x480 test pattern and
 * a beeping tone, and the fake permission prompt that grants them without asking.
 */
export function launchMediaChromium(): Promise<Browser> {
  return launchChromium(CHROMIUM_FAKE_MEDIA_FLAGS);
}

/** The page's two files, read once: the server answers every other path with 404. */
const PAGE_FILES = new Map([
  ['/', { type: 'text/html', body: readPageFile('index.html') }],
  ['/media-peer.js', { type: 'text/javascript', body: readPageFile('media-peer.js') }],
]);

function readPageFile(name: string): string {
  return readFileSync(new URL(`./page/${name}`, import.meta.url), 'utf8');
}

export interface PageServer {
  /** `http://localhost:<port>/`: localhost is a secure context, so getUserMedia works there. */
  readonly url: string;
  close(): Promise<void>;
}

/** Serves the page on 127.0.0.1, on a port the system picks. */
export async function servePage(): Promise<PageServer> {
  const server = createServer((request, response) => {
    const file = PAGE_FILES.get(new URL(request.url ?? '/', 'http://localhost').pathname);
    if (file === undefined) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' });
    response.end(file.body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}/`,
    close: () =>
      new Promise((resolve) => {
        // Pages keep connections alive; close them rather than wait for them.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** What the page reports, in the order it happened. */
export type MediaPeerEvent =
  | { readonly type: 'candidate'; readonly candidate: IceCandidateInit | null }
  | { readonly type: 'connectionstatechange'; readonly state: string }
  | {
      readonly type: 'track';
      readonly kind: 'audio' | 'video';
      readonly trackId: string;
      readonly mid: string | null;
      readonly streamIds: readonly string[];
    }
  | { readonly type: 'error'; readonly message: string };

/** A track getUserMedia gave, with the size the fake camera settled on. */
export interface CapturedTrack {
  readonly kind: 'audio' | 'video';
  readonly label: string;
  readonly width: number | null;
  readonly height: number | null;
}

/** An RTCRtpEncodingParameters for `addSimulcastVideo`. */
export interface SimulcastEncoding {
  readonly rid: string;
  readonly scaleResolutionDownBy?: number;
  readonly maxBitrate?: number;
}

/** The three layers the tests offer: full, half and quarter resolution. */
export const SIMULCAST_LAYERS: readonly SimulcastEncoding[] = [
  { rid: 'h', scaleResolutionDownBy: 1 },
  { rid: 'm', scaleResolutionDownBy: 2 },
  { rid: 'l', scaleResolutionDownBy: 4 },
];

/** Chromium's inbound-rtp for video: what it received and decoded. */
export interface InboundVideoStats {
  readonly ssrc: number;
  readonly mimeType: string | null;
  readonly packetsReceived: number;
  readonly packetsLost: number;
  readonly framesDecoded: number;
  readonly keyFramesDecoded: number;
  readonly frameWidth: number;
  readonly frameHeight: number;
  /** NACK packets Chromium sent about this stream. */
  readonly nackCount: number;
  readonly pliCount: number;
  readonly firCount: number;
  readonly retransmittedPacketsReceived: number;
}

export interface InboundAudioStats {
  readonly ssrc: number;
  readonly mimeType: string | null;
  readonly packetsReceived: number;
  readonly packetsLost: number;
  /** Samples played out of the jitter buffer: audio that decoded. */
  readonly totalSamplesReceived: number;
}

/** Chromium's outbound-rtp for video: one per simulcast layer. */
export interface OutboundVideoStats {
  readonly ssrc: number;
  readonly rid: string | null;
  readonly mimeType: string | null;
  readonly active: boolean;
  readonly packetsSent: number;
  readonly framesEncoded: number;
  readonly keyFramesEncoded: number;
  readonly frameWidth: number;
  /** PLIs and FIRs Chromium received for this stream. */
  readonly pliCount: number;
  readonly firCount: number;
  /** NACKs Chromium received for this stream. */
  readonly nackCount: number;
  readonly retransmittedPacketsSent: number;
  readonly qualityLimitationReason: string | null;
}

export interface OutboundAudioStats {
  readonly ssrc: number;
  readonly mimeType: string | null;
  readonly packetsSent: number;
}

/** The interesting numbers of Chromium's getStats(), each list possibly empty. */
export interface MediaStats {
  readonly inboundVideo: readonly InboundVideoStats[];
  readonly inboundAudio: readonly InboundAudioStats[];
  readonly outboundVideo: readonly OutboundVideoStats[];
  readonly outboundAudio: readonly OutboundAudioStats[];
}

export interface PeerState {
  readonly signalingState: string;
  readonly connectionState: string;
  readonly iceConnectionState: string;
}

export class ChromiumMediaPeer {
  readonly name = 'chromium';
  readonly events: MediaPeerEvent[] = [];
  readonly #listeners = new Set<(event: MediaPeerEvent) => void>();
  readonly #page: Page;

  private constructor(page: Page) {
    this.#page = page;
  }

  /** A page from `pageUrl` (see `servePage`) with one RTCPeerConnection made with `configuration`. */
  static async open(
    browser: Browser,
    pageUrl: string,
    configuration: object = {},
  ): Promise<ChromiumMediaPeer> {
    const page = await browser.newPage();
    const peer = new ChromiumMediaPeer(page);
    await page.exposeFunction('toNode', (event: MediaPeerEvent) => peer.#record(event));
    await page.goto(pageUrl);
    await page.waitForFunction(() => (globalThis as unknown as PageGlobal).mediaPeer !== undefined);
    await page.evaluate(
      (config) => (globalThis as unknown as PageGlobal).mediaPeer.create(config),
      configuration,
    );
    return peer;
  }

  #record(event: MediaPeerEvent): void {
    this.events.push(event);
    for (const listener of this.#listeners) listener(event);
  }

  /** Calls `listener` for each event from now on; returns a function that stops it. */
  onEvent(listener: (event: MediaPeerEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The first event, past or future, that `predicate` accepts. */
  waitForEvent(
    predicate: (event: MediaPeerEvent) => boolean,
    what: string,
    timeoutMs = 15_000,
  ): Promise<MediaPeerEvent> {
    const seen = this.events.find(predicate);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`chromium: timed out waiting for ${what}`));
      }, timeoutMs);
      const stop = this.onEvent((event) => {
        if (!predicate(event)) return;
        clearTimeout(timer);
        stop();
        resolve(event);
      });
    });
  }

  /** Errors the page reported (a sink that would not play, say). */
  get errors(): string[] {
    return this.events.flatMap((event) => (event.type === 'error' ? [event.message] : []));
  }

  getUserMedia(constraints: {
    readonly audio: boolean;
    readonly video: boolean | { readonly width: number; readonly height: number };
  }): Promise<CapturedTrack[]> {
    return this.#page.evaluate(
      (c) => (globalThis as unknown as PageGlobal).mediaPeer.getUserMedia(c),
      constraints,
    );
  }

  /** addTrack for each getUserMedia track (reusing transceivers a remote offer made). */
  addTracks(): Promise<void> {
    return this.#page.evaluate(() => (globalThis as unknown as PageGlobal).mediaPeer.addTracks());
  }

  /** The camera on a sendonly transceiver with `sendEncodings` (RFC 8853 simulcast). */
  addSimulcastVideo(encodings: readonly SimulcastEncoding[] = SIMULCAST_LAYERS): Promise<void> {
    return this.#page.evaluate(
      (e) => (globalThis as unknown as PageGlobal).mediaPeer.addSimulcastVideo(e),
      encodings,
    );
  }

  /**
   * Puts `mimeType` (`video/VP8`, `video/H264`, `video/VP9`) first on every video transceiver;
   * call once the transceivers exist and before the offer or answer. Returns the order set.
   */
  setCodecPreferences(mimeType: string): Promise<string[]> {
    return this.#page.evaluate(
      (m) => (globalThis as unknown as PageGlobal).mediaPeer.setCodecPreferences(m),
      mimeType,
    );
  }

  createOffer(): Promise<SessionDescriptionInit> {
    return this.#page.evaluate(() => (globalThis as unknown as PageGlobal).mediaPeer.createOffer());
  }

  createAnswer(): Promise<SessionDescriptionInit> {
    return this.#page.evaluate(() =>
      (globalThis as unknown as PageGlobal).mediaPeer.createAnswer(),
    );
  }

  /** Applies `description` (or an implicit one) and returns the local description as set. */
  setLocalDescription(description?: SessionDescriptionInit): Promise<SessionDescriptionInit> {
    return this.#page.evaluate(
      (d) => (globalThis as unknown as PageGlobal).mediaPeer.setLocalDescription(d ?? undefined),
      description,
    );
  }

  setRemoteDescription(description: SessionDescriptionInit): Promise<void> {
    return this.#page.evaluate(
      (d) => (globalThis as unknown as PageGlobal).mediaPeer.setRemoteDescription(d),
      description,
    );
  }

  addIceCandidate(candidate: IceCandidateInit | null): Promise<void> {
    return this.#page.evaluate(
      (c) => (globalThis as unknown as PageGlobal).mediaPeer.addIceCandidate(c),
      candidate,
    );
  }

  state(): Promise<PeerState> {
    return this.#page.evaluate(() => (globalThis as unknown as PageGlobal).mediaPeer.state());
  }

  stats(): Promise<MediaStats> {
    return this.#page.evaluate(() => (globalThis as unknown as PageGlobal).mediaPeer.stats());
  }

  /** The whole getStats() report, to attach to a failing assertion. */
  rawStats(): Promise<Record<string, unknown>[]> {
    return this.#page.evaluate(() => (globalThis as unknown as PageGlobal).mediaPeer.rawStats());
  }

  async close(): Promise<void> {
    await this.#page
      .evaluate(() => (globalThis as unknown as PageGlobal).mediaPeer.close())
      .catch(() => undefined);
    await this.#page.close();
  }
}

/** `window.mediaPeer` as `page/media-peer.js` defines it, for the functions passed to page.evaluate. */
interface PageMediaPeer {
  create(configuration: object): void;
  getUserMedia(constraints: object): Promise<CapturedTrack[]>;
  addTracks(): void;
  addSimulcastVideo(encodings: readonly SimulcastEncoding[]): void;
  setCodecPreferences(mimeType: string): string[];
  createOffer(): Promise<SessionDescriptionInit>;
  createAnswer(): Promise<SessionDescriptionInit>;
  setLocalDescription(description?: SessionDescriptionInit): Promise<SessionDescriptionInit>;
  setRemoteDescription(description: SessionDescriptionInit): Promise<void>;
  addIceCandidate(candidate: IceCandidateInit | null): Promise<void>;
  state(): PeerState;
  stats(): Promise<MediaStats>;
  rawStats(): Promise<Record<string, unknown>[]>;
  close(): void;
}

/** The page's global object as the functions passed to page.evaluate see it there. */
interface PageGlobal {
  readonly mediaPeer: PageMediaPeer;
}
