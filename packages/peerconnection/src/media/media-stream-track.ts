/**
 * `MediaStreamTrack` and `MediaStream` (W3C Media Capture and Streams §4.2, §4.3) as a server
 * needs them: there is no capture and no codec here, so a track is a stream of RTP packets.
 *
 * - A local track (`new MediaStreamTrack({ kind })`) is a source the application writes RTP
 *   into (`writeRtp`); every sender that has the track rewrites and sends each packet.
 * - A remote track belongs to an `RTCRtpReceiver` and hands on each RTP packet it receives
 *   (`on('rtp')`, or `readRtp()` as an async iterator) and the peer's RTCP about it.
 *
 * The W3C parts (`id`, `kind`, `enabled`, `muted`, `readyState`, `stop()`, the `mute`,
 * `unmute` and `ended` events) behave as in a browser.
 */

import { randomUUID } from 'node:crypto';
import { Emitter } from '@typertc/common';
import { type RtcpPacket, RtpPacket } from '@typertc/rtp-rtcp';
import { invalidStateError } from '../errors.js';
import type { MediaKind } from './codec-capabilities.js';

export type MediaStreamTrackState = 'live' | 'ended';

export interface MediaStreamTrackInit {
  readonly kind: MediaKind;
  readonly id?: string;
  readonly label?: string;
}

/** W3C §5.2.6 RTCRtpCodecParameters: a negotiated codec with its payload type. */
export interface RTCRtpCodecParameters {
  payloadType: number;
  mimeType: string;
  clockRate: number;
  channels?: number;
  sdpFmtpLine?: string;
}

/**
 * Each RTP packet of a remote track. `packet` is reused once the listener returns: copy what is
 * kept (`RtpPacket.parse(packet.serialize())`). `rid` names the simulcast stream (RFC 8852).
 */
export type RtpListener = (packet: RtpPacket, rid: string | undefined) => void;

export interface MediaStreamTrackEvents {
  rtp: RtpListener;
  /** RTCP from the remote sender about this track's streams: SR, SDES, BYE. */
  rtcp: (packet: RtcpPacket) => void;
}

/** Where a local track's packets go: each sender that has the track. */
export interface RtpSink {
  writeRtp(packet: RtpPacket): void;
}

export interface ReadRtpOptions {
  /** Packets queued for a slow reader before the oldest are dropped (default 1024). */
  readonly highWaterMark?: number;
}

/** Access for the sender and receiver modules only (set in the class's static block). */
let sinksOf: (track: MediaStreamTrack) => Set<RtpSink>;
let eventsOf: (track: MediaStreamTrack) => Emitter<MediaStreamTrackEvents>;
let mutedSetter: (track: MediaStreamTrack, muted: boolean) => void;
let ender: (track: MediaStreamTrack) => void;

export class MediaStreamTrack extends EventTarget {
  readonly kind: MediaKind;
  readonly id: string;
  readonly label: string;
  /** Whether the track belongs to an `RTCRtpReceiver`. */
  readonly remote: boolean;
  /**
   * W3C: a disabled track sends nothing. Here: a disabled local track's writes are dropped, a
   * disabled remote track's packets are not handed on.
   */
  enabled = true;
  /** Remote tracks: the negotiated codec of the latest packet (before one: the first codec). */
  codec: RTCRtpCodecParameters | undefined;
  /** Remote tracks: packets a slow `readRtp` reader lost to its queue's limit. */
  droppedPackets = 0;
  #readyState: MediaStreamTrackState = 'live';
  #muted: boolean;
  readonly #sinks = new Set<RtpSink>();
  readonly #events = new Emitter<MediaStreamTrackEvents>();
  /** `writeRtp(bytes)` parses into this one object. */
  readonly #scratch = new RtpPacket();

  static {
    sinksOf = (track) => track.#sinks;
    eventsOf = (track) => track.#events;
    mutedSetter = (track, muted) => track.#setMuted(muted);
    ender = (track) => track.#end();
  }

  constructor(init: MediaStreamTrackInit, remote = false) {
    super();
    if (init.kind !== 'audio' && init.kind !== 'video') {
      throw new TypeError(`a track's kind is audio or video, not ${String(init.kind)}`);
    }
    this.kind = init.kind;
    this.id = init.id ?? randomUUID();
    this.label = init.label ?? '';
    this.remote = remote;
    // W3C Media Capture §4.3.1: a remote track is muted until media arrives.
    this.#muted = remote;
  }

  get readyState(): MediaStreamTrackState {
    return this.#readyState;
  }

  get muted(): boolean {
    return this.#muted;
  }

  /** W3C §4.3.1 stop(): the track ends for good; no `ended` event fires for it (§4.3.1.1). */
  stop(): void {
    if (this.#readyState === 'ended') return;
    this.#readyState = 'ended';
    this.#sinks.clear();
    this.#events.removeAllListeners();
  }

  /**
   * Local tracks: sends `packet` (an `RtpPacket` or its bytes) on every sender that has this
   * track. The packet is not changed: each sender rewrites its own copy of the header. Throws
   * `InvalidStateError` on a remote or ended track, `RtpParseError` for bytes that are not RTP.
   */
  writeRtp(packet: RtpPacket | Uint8Array): void {
    if (this.remote) throw invalidStateError('writeRtp on a remote track');
    if (this.#readyState === 'ended') throw invalidStateError('writeRtp on an ended track');
    if (!this.enabled || this.#sinks.size === 0) return;
    const parsed =
      packet instanceof Uint8Array ? RtpPacket.parseInto(this.#scratch, packet) : packet;
    for (const sink of this.#sinks) sink.writeRtp(parsed);
  }

  /** Server extension: `rtp` and `rtcp` events of a remote track (no Event objects). */
  on<K extends keyof MediaStreamTrackEvents>(
    event: K,
    listener: MediaStreamTrackEvents[K],
  ): () => void {
    if (this.#readyState === 'ended') return () => {};
    return this.#events.on(event, listener);
  }

  off<K extends keyof MediaStreamTrackEvents>(event: K, listener: MediaStreamTrackEvents[K]): void {
    this.#events.off(event, listener);
  }

  /**
   * Remote tracks: the packets received from now on, each a copy, until the track ends or the
   * loop breaks. At most `highWaterMark` wait for the reader; past it the oldest are dropped and
   * counted in `droppedPackets`, so a stalled reader costs bounded memory.
   */
  async *readRtp(options: ReadRtpOptions = {}): AsyncGenerator<RtpPacket, void, undefined> {
    const highWaterMark = options.highWaterMark ?? 1024;
    const queue: RtpPacket[] = [];
    let wake: (() => void) | undefined;
    const notify = () => {
      const resolve = wake;
      wake = undefined;
      resolve?.();
    };
    const unsubscribe = this.on('rtp', (packet) => {
      if (queue.length >= highWaterMark) {
        queue.shift();
        this.droppedPackets++;
      }
      queue.push(RtpPacket.parse(packet.serialize()));
      notify();
    });
    this.addEventListener('ended', notify);
    try {
      while (true) {
        const next = queue.shift();
        if (next !== undefined) {
          yield next;
          continue;
        }
        if (this.#readyState === 'ended') return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    } finally {
      unsubscribe();
      this.removeEventListener('ended', notify);
    }
  }

  [Symbol.asyncIterator](): AsyncGenerator<RtpPacket, void, undefined> {
    return this.readRtp();
  }

  #setMuted(muted: boolean): void {
    if (this.#muted === muted || this.#readyState === 'ended') return;
    this.#muted = muted;
    this.dispatchEvent(new Event(muted ? 'mute' : 'unmute'));
  }

  /** W3C §4.3.1.1 "track ended by the user agent": the `ended` event fires. */
  #end(): void {
    if (this.#readyState === 'ended') return;
    this.#readyState = 'ended';
    this.#sinks.clear();
    this.dispatchEvent(new Event('ended'));
    this.#events.removeAllListeners();
  }
}

/** The senders a local track feeds (for `RTCRtpSender`). */
export function trackSinks(track: MediaStreamTrack): Set<RtpSink> {
  return sinksOf(track);
}

/** The event emitter of a remote track (for `RTCRtpReceiver`). */
export function trackEvents(track: MediaStreamTrack): Emitter<MediaStreamTrackEvents> {
  return eventsOf(track);
}

/** W3C "set a track's muted state" (for `RTCRtpReceiver`). */
export function setTrackMuted(track: MediaStreamTrack, muted: boolean): void {
  mutedSetter(track, muted);
}

/** W3C "track ended by the user agent" (a stopped transceiver's receiver track). */
export function endTrack(track: MediaStreamTrack): void {
  ender(track);
}

/** W3C Media Capture §4.2 MediaStream: a set of tracks under one id (`a=msid`, RFC 8830). */
export class MediaStream extends EventTarget {
  readonly id: string;
  readonly #tracks = new Map<string, MediaStreamTrack>();

  constructor(init?: string | readonly MediaStreamTrack[] | MediaStream) {
    super();
    if (typeof init === 'string') {
      this.id = init;
      return;
    }
    this.id = randomUUID();
    const tracks = init instanceof MediaStream ? init.getTracks() : (init ?? []);
    for (const track of tracks) this.#tracks.set(track.id, track);
  }

  get active(): boolean {
    return this.getTracks().some((track) => track.readyState === 'live');
  }

  getTracks(): MediaStreamTrack[] {
    return [...this.#tracks.values()];
  }

  getAudioTracks(): MediaStreamTrack[] {
    return this.getTracks().filter((track) => track.kind === 'audio');
  }

  getVideoTracks(): MediaStreamTrack[] {
    return this.getTracks().filter((track) => track.kind === 'video');
  }

  getTrackById(id: string): MediaStreamTrack | null {
    return this.#tracks.get(id) ?? null;
  }

  addTrack(track: MediaStreamTrack): void {
    this.#tracks.set(track.id, track);
  }

  removeTrack(track: MediaStreamTrack): void {
    this.#tracks.delete(track.id);
  }
}

/**
 * W3C WebRTC §4.4.1.5 "add a track to a stream" / "remove" as a remote description does it:
 * the `addtrack`/`removetrack` events fire (the application's own calls fire none).
 */
export function addRemoteTrack(stream: MediaStream, track: MediaStreamTrack): void {
  if (stream.getTrackById(track.id) !== null) return;
  stream.addTrack(track);
  stream.dispatchEvent(Object.assign(new Event('addtrack'), { track }));
}

export function removeRemoteTrack(stream: MediaStream, track: MediaStreamTrack): void {
  if (stream.getTrackById(track.id) === null) return;
  stream.removeTrack(track);
  stream.dispatchEvent(Object.assign(new Event('removetrack'), { track }));
}
