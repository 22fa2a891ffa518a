/**
 * `RTCRtpSender` (W3C WebRTC 1.0 §5.2): the W3C surface of one transceiver's sending half,
 * over an `RtpSendStream` that does the RTP work. Server extensions: the keyframe-request,
 * REMB and RTCP events, and the SSRCs it sends with.
 */

import { randomUUID } from 'node:crypto';
import { invalidModificationError, invalidStateError } from '../errors.js';
import type { RTCStatsReport } from '../stats/index.js';
import type { RTCDtlsTransport } from '../transport/w3c-transports.js';
import {
  getCapabilities,
  type MediaCodecConfiguration,
  type MediaKind,
  type RTCRtpCapabilities,
} from './codec-capabilities.js';
import { internals } from './internals.js';
import { type MediaStreamTrack, trackSinks } from './media-stream-track.js';
import {
  type RTCRtpEncodingParameters,
  type RTCRtpSendParameters,
  sectionParameters,
} from './rtp-parameters.js';
import type { RtpSenderEvents, RtpSendStream } from './rtp-send-stream.js';

/** What a sender needs of its peer connection. */
export interface SenderHost {
  readonly cname: string;
  transport(): RTCDtlsTransport | null;
  updateNegotiationNeeded(): void;
  getStats(sender: RTCRtpSender): Promise<RTCStatsReport>;
}

export interface SenderInternals {
  readonly kind: MediaKind;
  readonly stream: RtpSendStream;
  /** The stream ids `a=msid` announces (W3C [[AssociatedMediaStreamIds]]). */
  streamIds: string[];
  /** The id `a=msid` gives the track: the track's, or one of our own while there is none. */
  readonly placeholderTrackId: string;
  /** Whether negotiation lets the sender send (currentDirection has send, not stopped). */
  setNegotiatedSending(sending: boolean): void;
  stop(): void;
}

export class RTCRtpSender {
  readonly [internals]: SenderInternals;
  #track: MediaStreamTrack | null;
  readonly #host: SenderHost;
  readonly #stream: RtpSendStream;
  #encodings: RTCRtpEncodingParameters[];
  #transactionId: string | undefined;
  #negotiatedSending = false;
  #stopped = false;

  constructor(
    kind: MediaKind,
    track: MediaStreamTrack | null,
    stream: RtpSendStream,
    host: SenderHost,
    encodings: RTCRtpEncodingParameters[] = [{ active: true }],
  ) {
    this.#track = track;
    this.#host = host;
    this.#stream = stream;
    this.#encodings = encodings;
    const self = this;
    this[internals] = {
      kind,
      stream,
      streamIds: [],
      placeholderTrackId: randomUUID(),
      setNegotiatedSending(sending) {
        self.#negotiatedSending = sending;
        self.#updateSending();
      },
      stop() {
        if (self.#stopped) return;
        self.#stopped = true;
        self.#updateSending();
        stream.stop();
      },
    };
    if (track !== null) trackSinks(track).add(stream);
    this.#updateSending();
  }

  /** W3C §5.2.1 getCapabilities(kind); null for a kind that is neither audio nor video. */
  static getCapabilities(
    kind: string,
    configuration?: MediaCodecConfiguration,
  ): RTCRtpCapabilities | null {
    if (kind !== 'audio' && kind !== 'video') return null;
    return getCapabilities(kind, configuration);
  }

  get track(): MediaStreamTrack | null {
    return this.#track;
  }

  get transport(): RTCDtlsTransport | null {
    return this.#host.transport();
  }

  /** W3C §7: DTMF is not supported (telephone-event RTP can be written as any other). */
  get dtmf(): null {
    return null;
  }

  /** Server extension: the SSRC of the sent stream, and of its RTX (video). */
  get ssrc(): number {
    return this.#stream.ssrc;
  }

  get rtxSsrc(): number | undefined {
    return this.#stream.rtxSsrc;
  }

  /** Server extension: keyframe requests, REMB and all feedback about our SSRCs. */
  on<K extends keyof RtpSenderEvents>(event: K, listener: RtpSenderEvents[K]): () => void {
    return this.#stream.events.on(event, listener);
  }

  off<K extends keyof RtpSenderEvents>(event: K, listener: RtpSenderEvents[K]): void {
    this.#stream.events.off(event, listener);
  }

  /**
   * W3C §5.2 replaceTrack: another track (or none) without renegotiating. Its packets continue
   * the sequence numbers and timestamps of the last ones sent.
   */
  async replaceTrack(track: MediaStreamTrack | null): Promise<void> {
    if (track !== null && track.kind !== this[internals].kind) {
      throw new TypeError(
        `replaceTrack: a ${track.kind} track on a ${this[internals].kind} sender`,
      );
    }
    if (this.#stopped) throw invalidStateError('replaceTrack on a stopped sender');
    this.setTrack(track);
  }

  /** W3C §5.2 getParameters: the negotiated codecs and extensions, and the encodings. */
  getParameters(): RTCRtpSendParameters {
    this.#transactionId = randomUUID();
    return {
      transactionId: this.#transactionId,
      encodings: this.#encodings.map((encoding) => ({ ...encoding })),
      ...sectionParameters(this.#stream.section, this.#host.cname),
    };
  }

  /**
   * W3C §5.2 setParameters: only the encodings' `active`, `maxBitrate`, `maxFramerate` and
   * `scaleResolutionDownBy` may change (there is no encoder: they are kept and reported, and an
   * inactive encoding sends nothing).
   */
  async setParameters(parameters: RTCRtpSendParameters): Promise<void> {
    if (this.#stopped) throw invalidStateError('setParameters on a stopped sender');
    if (this.#transactionId === undefined || parameters.transactionId !== this.#transactionId) {
      throw invalidStateError('setParameters needs the parameters of the last getParameters');
    }
    const encodings = parameters.encodings;
    if (
      encodings.length !== this.#encodings.length ||
      encodings.some((encoding, i) => encoding.rid !== this.#encodings[i]?.rid)
    ) {
      throw invalidModificationError('setParameters cannot add, remove or rename encodings');
    }
    for (const encoding of encodings) {
      if (encoding.scaleResolutionDownBy !== undefined && encoding.scaleResolutionDownBy < 1) {
        throw new RangeError('scaleResolutionDownBy must be at least 1');
      }
    }
    this.#transactionId = undefined;
    this.#encodings = encodings.map((encoding) => ({
      ...encoding,
      active: encoding.active ?? true,
    }));
    this.#updateSending();
  }

  /** W3C §5.2 setStreams: the stream ids the next offer or answer announces. */
  setStreams(...streams: { readonly id: string }[]): void {
    if (this.#stopped) throw invalidStateError('setStreams on a stopped sender');
    this[internals].streamIds = [...new Set(streams.map((stream) => stream.id))];
    this.#host.updateNegotiationNeeded();
  }

  getStats(): Promise<RTCStatsReport> {
    return this.#host.getStats(this);
  }

  /** Attaches `track` (the one addTrack/replaceTrack/removeTrack chose). */
  setTrack(track: MediaStreamTrack | null): void {
    if (track === this.#track) return;
    if (this.#track !== null) trackSinks(this.#track).delete(this.#stream);
    this.#track = track;
    if (track !== null) trackSinks(track).add(this.#stream);
    // RFC 3550 §5.1: the new source's packets continue our numbering.
    this.#stream.sourceChanged();
    this.#updateSending();
  }

  #updateSending(): void {
    this.#stream.sending =
      this.#negotiatedSending &&
      !this.#stopped &&
      this.#track !== null &&
      this.#encodings.some((encoding) => encoding.active !== false);
  }
}
