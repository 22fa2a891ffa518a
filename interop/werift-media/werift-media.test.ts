/**
 * TypeRTC's media (docs/media-api.md) against werift, the npm package, in this process over UDP
 * on loopback; TypeRTC offering and werift offering. werift writes Opus-like and VP8-like RTP
 * (tagged payload bytes, no codec) into its own `MediaStreamTrack`s; TypeRTC checks each packet's
 * payload type against the negotiated one, counts, and echoes it on its local tracks; werift
 * counts the echo. Then a keyframe request: TypeRTC's `receiver.requestKeyFrame()` must reach
 * werift's video sender as a PLI (`onPictureLossIndication`).
 */

import { afterEach, describe, expect, it } from 'vitest';
import { pollUntil, sleep } from '../media/poll.js';
import {
  KINDS,
  type Kind,
  negotiate,
  TypertcEchoPeer,
  WeriftMediaPeer,
} from './werift-media-session.js';

/** Packets each side must see per kind: enough to cross any start-up drop of werift's sender. */
const PACKETS = 50;
/** Each wait well inside vitest's 20 s test timeout (vitest.config.ts). */
const WAIT_MS = 8_000;
/** werift writes one packet of each kind this often (≈ an Opus frame every 20 ms, faster). */
const WRITE_EVERY_MS = 5;

/** The codec each kind carries: werift's defaults (Opus and PCMU; VP8 only). */
const CODEC: Readonly<Record<Kind, string>> = { audio: 'audio/opus', video: 'video/VP8' };

interface Session {
  readonly typertc: TypertcEchoPeer;
  readonly werift: WeriftMediaPeer;
  readonly errors: string[];
  /** Stops werift's writer. */
  stop(): void;
}

const sessions: Session[] = [];
afterEach(async () => {
  for (const session of sessions.splice(0)) {
    session.stop();
    session.typertc.close();
    await session.werift.close();
  }
});

/**
 * Both peers negotiated with `offerer` first and connected; werift then writes one packet of
 * each kind every `WRITE_EVERY_MS` until the test ends (its sender drops what comes before DTLS
 * is up and a codec is set, so writing starts once both are).
 */
async function connectedSession(offerer: 'typertc' | 'werift'): Promise<Session> {
  const typertc = new TypertcEchoPeer();
  const werift = new WeriftMediaPeer();
  const errors: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  const session: Session = {
    typertc,
    werift,
    errors,
    stop: () => clearInterval(timer),
  };
  sessions.push(session);
  await negotiate(typertc, werift, offerer, errors);
  await pollUntil(
    () => ({
      typertc: typertc.pc.connectionState,
      werift: werift.pc.connectionState,
      errors,
    }),
    (state) => state.typertc === 'connected' && state.werift === 'connected',
    'both connected',
    WAIT_MS,
  );
  timer = setInterval(() => werift.writeOneOfEach(), WRITE_EVERY_MS);
  return session;
}

const counts = (session: Session) => ({
  written: session.werift.written,
  atTypertc: session.typertc.received,
  echoAtWerift: session.werift.echo,
  errors: session.errors,
});

describe('media against werift', () => {
  for (const offerer of ['typertc', 'werift'] as const) {
    describe(`${offerer} offers`, () => {
      it('werift sends audio and video; TypeRTC receives them and echoes them back', async () => {
        const session = await connectedSession(offerer);
        const { typertc, werift } = session;
        await pollUntil(
          () => counts(session),
          (c) => KINDS.every((k) => c.atTypertc[k].packets >= PACKETS),
          `${PACKETS} packets of each kind at TypeRTC`,
          WAIT_MS,
        );
        await pollUntil(
          () => counts(session),
          (c) => KINDS.every((k) => c.echoAtWerift[k].packets >= PACKETS),
          `${PACKETS} echoed packets of each kind at werift`,
          WAIT_MS,
        );
        session.stop();
        for (const kind of KINDS) {
          // TypeRTC received werift's packets with the payload type both sides negotiated for
          // the codec, and the payloads werift wrote for this kind (not the other m= line's).
          const atTypertc = typertc.received[kind];
          const negotiated = typertc.payloadType(kind, CODEC[kind]);
          expect(negotiated, `${kind}: TypeRTC's negotiated ${CODEC[kind]}`).toBeDefined();
          expect(werift.payloadType(kind, CODEC[kind])).toBe(negotiated);
          expect([...atTypertc.payloadTypes], `${kind} payload types at TypeRTC`).toEqual([
            negotiated,
          ]);
          expect(atTypertc.foreign, `${kind}: foreign payloads at TypeRTC`).toBe(0);
          expect(typertc.receiver(kind).track.codec?.mimeType.toLowerCase()).toBe(
            CODEC[kind].toLowerCase(),
          );
          // The echo came back to werift on the same kind, numbered as negotiated.
          const echo = werift.echo[kind];
          expect([...echo.payloadTypes], `${kind} payload types of the echo`).toEqual([negotiated]);
          expect(echo.foreign, `${kind}: foreign payloads in the echo`).toBe(0);
        }
        expect(session.errors).toEqual([]);
      });

      it("TypeRTC's requestKeyFrame reaches werift's video sender as a PLI", async () => {
        const session = await connectedSession(offerer);
        const { typertc, werift } = session;
        werift.watchPictureLoss();
        // The request needs a packet from werift's SSRC first (it is sent per SSRC heard).
        await pollUntil(
          () => counts(session),
          (c) => c.atTypertc.video.packets > 0,
          'a video packet at TypeRTC',
          WAIT_MS,
        );
        typertc.receiver('video').requestKeyFrame();
        await pollUntil(
          () => ({ pictureLossIndications: werift.pictureLossIndications }),
          (c) => c.pictureLossIndications >= 1,
          "a PLI at werift's video sender",
          WAIT_MS,
        );
        // One request, one PLI (none invented by a timer, none lost to a second m= line).
        await sleep(300);
        expect(werift.pictureLossIndications).toBe(1);
      });
    });
  }
});
