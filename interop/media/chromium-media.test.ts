/**
 * TypeRTC's media (docs/media-api.md) against Chromium: Debian `chromium`, headless, sending
 * its fake camera and microphone from a page on localhost. TypeRTC takes the media apart with
 * rtp-rtcp's depacketizers and echoes every packet back; Chromium's getStats() shows it decoded
 * the echo. Each scenario runs with either side offering where both make sense.
 */

import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ChromiumMediaPeer,
  launchMediaChromium,
  type MediaStats,
  type PageServer,
  servePage,
} from './chromium-media-peer.js';
import { chromiumEnd, MediaSession, typertcEnd } from './media-session.js';
import { pollUntil, sleep } from './poll.js';
import { TypertcMediaPeer } from './typertc-media-peer.js';
import { dropEveryNthRtp, type RelaySide, UdpRelay } from './udp-relay.js';

/**
 * Per test: connecting, the encoder's first frames, then one or two waits of at most 15 s each
 * (poll.ts) for numbers in stats. The default 20 s would not cover a slow run of two waits.
 */
const TEST_TIMEOUT_MS = 60_000;

/** About 3% loss: one video packet in 30 of the echo is dropped on its way to Chromium. */
const DROP_EVERY = 30;

let browser: Browser;
let server: PageServer;
beforeAll(async () => {
  server = await servePage();
  browser = await launchMediaChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const sessions: MediaSession[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((session) => session.close()));
});

interface EchoOptions {
  /** A video codec Chromium puts first (setCodecPreferences), e.g. `video/H264`. */
  readonly codec?: string;
  /** Route everything through a relay that drops some of the video echo to Chromium. */
  readonly lossy?: boolean;
}

interface Echo {
  readonly typertc: TypertcMediaPeer;
  readonly chromium: ChromiumMediaPeer;
  readonly session: MediaSession;
  readonly relay: UdpRelay | undefined;
}

/**
 * Chromium sends camera and microphone on sendrecv transceivers; TypeRTC adds its echo tracks to
 * the same transceivers; one offer/answer with `offerer` first; both connected.
 */
async function echoSession(offerer: RelaySide, options: EchoOptions = {}): Promise<Echo> {
  const { codec } = options;
  // Chromium sends with the first codec of the description it received (the receiver's
  // preference, RFC 3264 §6.1), whatever its own preferences: so when TypeRTC offers, its offer
  // carries the codec alone. When Chromium offers, TypeRTC's answer keeps the offer's order.
  const configuration =
    offerer === 'typertc' && codec !== undefined
      ? { codecs: { video: [{ mimeType: codec }] } }
      : {};
  const typertc = new TypertcMediaPeer({ configuration });
  const chromium = await ChromiumMediaPeer.open(browser, server.url);
  const relay = options.lossy
    ? new UdpRelay({
        drop: dropEveryNthRtp('remote', () => typertc.echoVideoSsrcs(), DROP_EVERY),
      })
    : undefined;
  const session = new MediaSession(typertcEnd(typertc.pc), chromiumEnd(chromium), relay);
  sessions.push(session);
  await chromium.getUserMedia({ audio: true, video: true });
  const chromiumTracks = async (): Promise<void> => {
    await chromium.addTracks();
    if (codec !== undefined) await chromium.setCodecPreferences(codec);
  };
  if (offerer === 'typertc') {
    typertc.addEchoTracks();
    await session.negotiate('typertc', { beforeAnswer: chromiumTracks });
  } else {
    await chromiumTracks();
    await session.negotiate('remote', { beforeAnswer: () => typertc.addEchoTracks() });
  }
  await connected(typertc, chromium);
  return { typertc, chromium, session, relay };
}

async function connected(typertc: TypertcMediaPeer, chromium: ChromiumMediaPeer): Promise<void> {
  await Promise.all([
    pollUntil(
      () => typertc.pc.connectionState,
      (state) => state === 'connected',
      'TypeRTC connectionState connected',
    ),
    chromium.waitForEvent(
      (event) => event.type === 'connectionstatechange' && event.state === 'connected',
      'Chromium connectionState connected',
    ),
  ]);
}

/** Chromium's stats until `done` accepts them; the failure message shows both sides. */
function chromiumStatsUntil(
  echo: Echo,
  done: (stats: MediaStats) => boolean,
  what: string,
): Promise<MediaStats> {
  return pollUntil(
    async () => ({ chromium: await echo.chromium.stats(), typertc: echo.typertc.toJSON() }),
    ({ chromium }) => done(chromium),
    what,
  ).then(({ chromium }) => chromium);
}

/** Chromium's stats once it has decoded video and played audio from TypeRTC's echo. */
function echoDecoded(echo: Echo, minFrames = 1): Promise<MediaStats> {
  return chromiumStatsUntil(
    echo,
    (stats) =>
      (stats.inboundVideo[0]?.framesDecoded ?? 0) >= minFrames &&
      (stats.inboundAudio[0]?.totalSamplesReceived ?? 0) > 0,
    `Chromium to decode ${minFrames} frame(s) of the echo and play its audio`,
  );
}

/** The payload type `sdp` gives `encoding` (e.g. `opus/48000`) in its first `kind` section. */
function payloadTypeOf(sdp: string, kind: 'audio' | 'video', encoding: string): number | undefined {
  const match = new RegExp(`^a=rtpmap:(\\d+) ${encoding}`, 'im').exec(mediaSection(sdp, kind));
  return match === null ? undefined : Number(match[1]);
}

/** The encoding (`H264/90000`) `sdp` names payload type `pt` with in its first `kind` section. */
function encodingOf(sdp: string, kind: 'audio' | 'video', pt: number | undefined): string {
  const match = new RegExp(`^a=rtpmap:${pt} (\\S+)`, 'm').exec(mediaSection(sdp, kind));
  return match?.[1] ?? '';
}

function mediaSection(sdp: string, kind: 'audio' | 'video'): string {
  return sdp.split(/\r\nm=/).find((part) => part.startsWith(`${kind} `)) ?? '';
}

const WHO: Record<RelaySide, string> = { typertc: 'TypeRTC offers', remote: 'Chromium offers' };

describe('media with Chromium', { timeout: TEST_TIMEOUT_MS }, () => {
  for (const offerer of ['typertc', 'remote'] as const) {
    it(`VP8 and Opus from Chromium: a whole keyframe and Opus at TypeRTC, the echo decoded (${WHO[offerer]})`, async () => {
      const echo = await echoSession(offerer);
      const { typertc, chromium } = echo;

      const withKeyframe = await pollUntil(
        () => typertc.toJSON(),
        () => typertc.video.keyframes.some((frame) => frame.vp8 !== undefined),
        'a whole VP8 keyframe at TypeRTC',
      );
      const keyframe = typertc.video.keyframes.find((frame) => frame.vp8 !== undefined);
      expect(keyframe?.vp8, JSON.stringify(withKeyframe)).toMatchObject({ startCode: true });
      expect(keyframe?.vp8?.width).toBeGreaterThan(0);
      expect(keyframe?.vp8?.height).toBeGreaterThan(0);
      expect(typertc.videoCodec?.mimeType.toLowerCase()).toBe('video/vp8');
      const remoteSdp = typertc.pc.remoteDescription?.sdp ?? '';
      expect(encodingOf(remoteSdp, 'video', typertc.videoCodec?.payloadType)).toBe('VP8/90000');

      // Opus under the payload type Chromium's description gives it, each packet non-empty.
      const opus = payloadTypeOf(remoteSdp, 'audio', 'opus/48000');
      expect(opus).toBeDefined();
      await pollUntil(
        () => typertc.audio.toJSON(),
        () => typertc.audio.packets >= 50,
        '50 Opus packets',
      );
      expect([...typertc.audio.payloadTypes]).toEqual([opus]);
      expect(typertc.audio.emptyPayloads).toBe(0);
      expect(typertc.audioCodec).toMatchObject({ payloadType: opus });
      expect(typertc.audioCodec?.mimeType.toLowerCase()).toBe('audio/opus');

      const stats = await echoDecoded(echo);
      expect(stats.inboundVideo[0]?.mimeType).toBe('video/VP8');
      expect(stats.inboundAudio[0]?.mimeType).toBe('audio/opus');
      expect(stats.inboundVideo[0]?.frameWidth).toBeGreaterThan(0);
      for (const kind of ['audio', 'video']) {
        await chromium.waitForEvent(
          (event) => event.type === 'track' && event.kind === kind,
          `Chromium's ${kind} track event`,
        );
      }
      expect(echo.session.candidateErrors).toEqual([]);
      expect(chromium.errors).toEqual([]);
    });

    for (const codec of ['video/H264', 'video/VP9']) {
      it(`${codec} preferred by Chromium: negotiated, received whole, echo decoded (${WHO[offerer]})`, async () => {
        const echo = await echoSession(offerer, { codec });
        const { typertc } = echo;
        await pollUntil(
          () => typertc.toJSON(),
          () => typertc.video.keyframes.length > 0,
          `a whole ${codec} keyframe at TypeRTC`,
        );
        expect(typertc.videoCodec?.mimeType.toLowerCase()).toBe(codec.toLowerCase());
        expect(typertc.video.keyframes[0]?.mimeType.toLowerCase()).toBe(codec.toLowerCase());
        // track.codec's payload type is one Chromium's description gives this codec.
        const remoteSdp = typertc.pc.remoteDescription?.sdp ?? '';
        const encoding = `${codec.slice('video/'.length)}/90000`;
        expect(encodingOf(remoteSdp, 'video', typertc.videoCodec?.payloadType)).toBe(encoding);
        expect(typertc.video.mimeTypes.size).toBe(1);

        const stats = await echoDecoded(echo);
        expect(stats.outboundVideo[0]?.mimeType).toBe(codec);
        expect(stats.inboundVideo[0]?.mimeType).toBe(codec);
        expect(echo.session.candidateErrors).toEqual([]);
      });
    }

    it(`PLI: receiver.requestKeyFrame() makes Chromium send a keyframe (${WHO[offerer]})`, async () => {
      const echo = await echoSession(offerer);
      const { typertc } = echo;
      await echoDecoded(echo);
      // From here on, PLIs reaching Chromium's sender are ours alone: none forwarded from its
      // receiver. A moment for any forwarded one still in flight to be counted.
      typertc.forwardKeyframeRequests = false;
      await sleep(500);
      const before = (await echo.chromium.stats()).outboundVideo[0];
      const keyframesBefore = typertc.video.keyframes.length;
      expect(before).toBeDefined();

      typertc.videoReceiver.requestKeyFrame();
      const after = await chromiumStatsUntil(
        echo,
        (stats) => (stats.outboundVideo[0]?.pliCount ?? 0) > (before?.pliCount ?? 0),
        "Chromium's outbound pliCount to rise",
      );
      await pollUntil(
        () => typertc.toJSON(),
        () => typertc.video.keyframes.length > keyframesBefore,
        'a new keyframe at TypeRTC',
      );
      // Chromium may fold a request into a keyframe it was making anyway, never into none.
      expect(after.outboundVideo[0]?.keyFramesEncoded).toBeGreaterThanOrEqual(
        (before?.keyFramesEncoded ?? 0) + 1,
      );
      expect(typertc.video.keyframes.at(-1)?.vp8?.startCode).toBe(true);
    });

    it(`NACK: the echo loses ${Math.round(100 / DROP_EVERY)}% on the wire; Chromium NACKs, TypeRTC retransmits (${WHO[offerer]})`, async () => {
      const echo = await echoSession(offerer, { lossy: true });
      const { typertc, chromium, relay } = echo;
      await echoDecoded(echo);
      const withNacks = await chromiumStatsUntil(
        echo,
        (stats) => (stats.inboundVideo[0]?.nackCount ?? 0) > 0,
        "Chromium's inbound nackCount to rise",
      );
      expect(relay?.counters.remote.dropped).toBeGreaterThan(0);

      // TypeRTC heard the NACKs and answered them from its send history.
      const ours = await pollUntil(
        () => typertc.videoEchoStats(),
        (stats) => (stats?.retransmittedPacketsSent ?? 0) > 0,
        "TypeRTC's outbound retransmittedPacketsSent for the echo",
      );
      expect(typertc.nacksReceived).toBeGreaterThan(0);
      expect(ours?.nackCount).toBeGreaterThan(0);

      // Losses repaired, the echo keeps decoding: a second's worth of frames more.
      const framesBefore = withNacks.inboundVideo[0]?.framesDecoded ?? 0;
      await echoDecoded(echo, framesBefore + 20);
      expect(echo.session.candidateErrors).toEqual([]);
      expect(chromium.errors).toEqual([]);
    });
  }

  it('simulcast: Chromium offers rids h, m and l; TypeRTC receives all three on three SSRCs', async () => {
    const typertc = new TypertcMediaPeer({ echo: false });
    const chromium = await ChromiumMediaPeer.open(browser, server.url);
    const session = new MediaSession(typertcEnd(typertc.pc), chromiumEnd(chromium));
    sessions.push(session);
    // 1280x720: below 960x540 libwebrtc caps simulcast at two layers (its legacy layer limit),
    // and the top one would never be sent.
    await chromium.getUserMedia({ audio: false, video: { width: 1280, height: 720 } });
    await chromium.addSimulcastVideo();
    await session.negotiate('remote');
    const answer = typertc.pc.localDescription?.sdp ?? '';
    expect(answer).toMatch(/^a=simulcast:recv /m);
    for (const rid of ['h', 'm', 'l']) {
      expect(answer).toMatch(new RegExp(`^a=rid:${rid} recv`, 'm'));
    }
    await connected(typertc, chromium);

    // Layers start as Chromium's bandwidth estimate allows them: the top one last.
    await pollUntil(
      () => typertc.toJSON(),
      () => ['h', 'm', 'l'].every((rid) => (typertc.video.ssrcsByRid.get(rid)?.size ?? 0) > 0),
      'packets under rids h, m and l',
    );
    const ssrcs = ['h', 'm', 'l'].map((rid) => [...(typertc.video.ssrcsByRid.get(rid) ?? [])]);
    for (const perRid of ssrcs) expect(perRid).toHaveLength(1);
    expect(new Set(ssrcs.flat()).size).toBe(3);
    // Each rid under the SSRC Chromium sends that layer with.
    const sent = (await chromium.stats()).outboundVideo.map((layer) => [layer.rid, [layer.ssrc]]);
    expect(Object.fromEntries(sent)).toEqual({ h: ssrcs[0], m: ssrcs[1], l: ssrcs[2] });
    expect(session.candidateErrors).toEqual([]);
  });
});
