/**
 * Plays a clip into a track at the pace of its timestamps, over and over: each frame is
 * packetized and written when the wall clock reaches its time, with RTP timestamps that keep
 * increasing across loops, as a camera's would.
 *
 * Why pace at all: a receiver plays frames out by their RTP timestamps, but its jitter buffer
 * only holds a fraction of a second; a file sent as fast as it can be read would overflow it
 * (and the network) and play as a burst followed by nothing.
 */

import type { MediaStreamTrack } from '@typertc/peerconnection';
import { type Packetizer, PayloadError, RtpPacket } from '@typertc/rtp-rtcp';
import type { Clip } from './clips.js';

/**
 * Bytes of payload per RTP packet: 1200 keeps a packet, with its RTP header, header extensions
 * (MID, transport-cc) and SRTP tag, within the 1280-byte IPv6 minimum MTU (RFC 8200 §5).
 */
const MAX_PAYLOAD_SIZE = 1200;

/** Further behind than this (the process was stopped, say), the schedule starts over from now. */
const MAX_LATENESS_MS = 1000;

export interface ClipPlayerOptions {
  readonly clip: Clip;
  readonly track: MediaStreamTrack;
  /** The payload type this connection's `codecs` configuration gives the codec. */
  readonly payloadType: number;
  /** Splits a frame into payloads (video); absent, each frame is one payload (Opus). */
  readonly packetizer?: Packetizer;
}

/** A random 32-bit number: where RTP sequence numbers and timestamps start (RFC 3550 §5.1). */
function random32(): number {
  return (Math.random() * 2 ** 32) >>> 0;
}

export class ClipPlayer {
  readonly #options: ClipPlayerOptions;
  /** One packet object, rewritten for each write: the track's senders copy what they send. */
  readonly #packet: RtpPacket;
  readonly #timestampBase = random32();
  #startedAt = 0;
  #index = 0;
  #pass = 0;
  #timer: NodeJS.Timeout | undefined;
  /** Frames written, and frames the packetizer rejected (skipped). */
  framesSent = 0;
  badFrames = 0;

  constructor(options: ClipPlayerOptions) {
    this.#options = options;
    this.#packet = new RtpPacket({
      payloadType: options.payloadType,
      sequenceNumber: random32() & 0xffff,
      ssrc: random32(),
    });
  }

  get playing(): boolean {
    return this.#timer !== undefined;
  }

  /** Starts from the clip's first frame (a keyframe, in a well-made video file). */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#startedAt = performance.now();
    this.#index = 0;
    this.#pass = 0;
    this.#tick();
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Writes every frame that is due, then sleeps until the next one is. */
  readonly #tick = (): void => {
    const { clip } = this.#options;
    const now = performance.now();
    for (;;) {
      const frame = clip.frames[this.#index];
      if (frame === undefined) return; // clips are never empty; this satisfies the types
      const ticks = this.#pass * clip.length + frame.ticks;
      const due = this.#startedAt + (ticks * 1000) / clip.clockRate;
      if (due > now) {
        this.#timer = setTimeout(this.#tick, due - now);
        return;
      }
      if (now - due > MAX_LATENESS_MS) this.#startedAt += now - due;
      this.#write(frame.data, (this.#timestampBase + ticks) % 2 ** 32);
      if (++this.#index === clip.frames.length) {
        this.#index = 0;
        this.#pass++;
      }
    }
  };

  #write(frame: Uint8Array, timestamp: number): void {
    const { packetizer, track } = this.#options;
    let payloads: Uint8Array[];
    try {
      payloads = packetizer?.packetize(frame, MAX_PAYLOAD_SIZE) ?? [frame];
    } catch (error) {
      if (!(error instanceof PayloadError)) throw error;
      this.badFrames++;
      return;
    }
    const packet = this.#packet;
    packet.timestamp = timestamp;
    for (const [i, payload] of payloads.entries()) {
      packet.payload = payload;
      // Video: the marker bit ends a frame (RFC 3550 §5.1; RFC 7741 §4.1, RFC 9628 §4.1, AV1
      // RTP §7.1). Opus: it would mark the first packet after silence (RFC 7587 §4.1); a file
      // played without gaps has none after the first.
      packet.marker = packetizer === undefined ? this.framesSent === 0 : i === payloads.length - 1;
      track.writeRtp(packet);
      packet.sequenceNumber = (packet.sequenceNumber + 1) & 0xffff;
    }
    this.framesSent++;
  }
}
