/**
 * `RTCRtpTransceiver` (W3C WebRTC 1.0 §5.4): one m= section's sender and receiver, its
 * direction as wanted (`direction`) and as last negotiated (`currentDirection`), and its mid.
 * The negotiation (`negotiation.ts`, `jsep/media-sections.ts`) reads and sets the internal
 * state through `[internals]`.
 */

import { invalidStateError } from '../errors.js';
import type { MediaKind, RTCRtpCodec } from './codec-capabilities.js';
import { getCapabilities, type MediaCodecConfiguration } from './codec-capabilities.js';
import { validateCodecPreferences } from './codec-preferences.js';
import { internals } from './internals.js';
import type { MediaStream } from './media-stream-track.js';
import { endTrack } from './media-stream-track.js';
import type { NegotiatedSection } from './media-transport.js';
import type { RTCRtpEncodingParameters } from './rtp-parameters.js';
import type { RTCRtpReceiver } from './rtp-receiver.js';
import type { RTCRtpSender } from './rtp-sender.js';

export type RTCRtpTransceiverDirection =
  | 'sendrecv'
  | 'sendonly'
  | 'recvonly'
  | 'inactive'
  | 'stopped';

export interface RTCRtpTransceiverInit {
  direction?: RTCRtpTransceiverDirection;
  streams?: MediaStream[];
  sendEncodings?: RTCRtpEncodingParameters[];
}

export interface TransceiverHost {
  updateNegotiationNeeded(): void;
  codecConfiguration(): MediaCodecConfiguration | undefined;
}

export interface TransceiverInternals {
  readonly kind: MediaKind;
  mid: string | null;
  currentDirection: RTCRtpTransceiverDirection | null;
  /** W3C [[Stopping]]: stop() was called; the next offer or answer rejects the section. */
  stopping: boolean;
  /** W3C [[Stopped]]: the section is gone; its m= line may be recycled (RFC 8829 §5.2.2). */
  stopped: boolean;
  /** W3C: made by addTrack, so an offer's section of its kind may take it (§4.4.1.5). */
  addedByAddTrack: boolean;
  /** W3C [[Receptive]] / [[FiredDirection]] has recv: the peer's track was announced. */
  receiving: boolean;
  /** W3C [[AssociatedRemoteMediaStreams]]. */
  remoteStreams: MediaStream[];
  /** W3C [[PreferredCodecs]]. */
  preferences: RTCRtpCodec[];
  /** The section as last negotiated. */
  negotiated: NegotiatedSection | undefined;
  /** The negotiation applied `stopped`: everything ends. */
  finishStop(): void;
}

export class RTCRtpTransceiver {
  readonly sender: RTCRtpSender;
  readonly receiver: RTCRtpReceiver;
  readonly [internals]: TransceiverInternals;
  #direction: RTCRtpTransceiverDirection;
  readonly #host: TransceiverHost;

  constructor(
    kind: MediaKind,
    sender: RTCRtpSender,
    receiver: RTCRtpReceiver,
    direction: RTCRtpTransceiverDirection,
    host: TransceiverHost,
  ) {
    this.sender = sender;
    this.receiver = receiver;
    this.#direction = direction;
    this.#host = host;
    this[internals] = {
      kind,
      mid: null,
      currentDirection: null,
      stopping: false,
      stopped: false,
      addedByAddTrack: false,
      receiving: false,
      remoteStreams: [],
      preferences: [],
      negotiated: undefined,
      finishStop: () => {
        this.#stopNow();
        this[internals].stopped = true;
        this[internals].currentDirection = 'stopped';
      },
    };
  }

  get mid(): string | null {
    return this[internals].mid;
  }

  get direction(): RTCRtpTransceiverDirection {
    return this.#direction;
  }

  /** W3C §5.4: a new direction takes effect at the next negotiation. */
  set direction(direction: RTCRtpTransceiverDirection) {
    if (this[internals].stopping) throw invalidStateError('the transceiver is stopping');
    if (direction === 'stopped') throw new TypeError('direction cannot be set to stopped');
    if (!['sendrecv', 'sendonly', 'recvonly', 'inactive'].includes(direction)) {
      throw new TypeError(`${String(direction)} is not an RTCRtpTransceiverDirection`);
    }
    if (direction === this.#direction) return;
    this.#direction = direction;
    this.#host.updateNegotiationNeeded();
  }

  get currentDirection(): RTCRtpTransceiverDirection | null {
    return this[internals].currentDirection;
  }

  /**
   * W3C §5.4 stop(): sending and receiving stop now (the receiver's track ends); the next
   * negotiation rejects the section, after which `currentDirection` is `stopped`.
   */
  stop(): void {
    if (this[internals].stopping) return;
    this.#stopNow();
    this.#host.updateNegotiationNeeded();
  }

  /** W3C §5.4 setCodecPreferences: the codecs (and order) of later offers and answers. */
  setCodecPreferences(codecs: readonly RTCRtpCodec[]): void {
    const kind = this[internals].kind;
    this[internals].preferences = validateCodecPreferences(
      codecs,
      getCapabilities(kind, this.#host.codecConfiguration()).codecs,
    );
    this.#host.updateNegotiationNeeded();
  }

  /** W3C "stop sending and receiving": BYE goes with the session's next report. */
  #stopNow(): void {
    const state = this[internals];
    if (state.stopping) return;
    state.stopping = true;
    this.#direction = 'stopped';
    this.sender[internals].stop();
    endTrack(this.receiver.track);
  }
}
