/** The peer connection's own event types (W3C WebRTC 1.0 §4.8.2-§4.8.3). */

import type { GatheringError } from '@typertc/ice';
import { StunErrorResponse } from '@typertc/stun';
import type { RTCIceCandidate } from './description.js';
import type { MediaStream, MediaStreamTrack } from './media/media-stream-track.js';
import type { RTCRtpReceiver } from './media/rtp-receiver.js';
import type { RTCRtpTransceiver } from './media/rtp-transceiver.js';

/** The DOM `EventInit` dictionary (Node's typings keep the name to themselves). */
type EventInit = NonNullable<ConstructorParameters<typeof Event>[1]>;

/** W3C §4.8.2: `icecandidate`; `candidate` null once gathering is complete everywhere. */
export class RTCPeerConnectionIceEvent extends Event {
  readonly candidate: RTCIceCandidate | null;
  readonly url: string | null;

  constructor(
    type: string,
    init: EventInit & { readonly candidate?: RTCIceCandidate | null; readonly url?: string | null },
  ) {
    super(type, init);
    this.candidate = init.candidate ?? null;
    this.url = init.url ?? null;
  }
}

export type RTCPeerConnectionIceErrorEventInit = EventInit & {
  readonly address?: string | null;
  readonly port?: number | null;
  readonly url?: string;
  readonly errorCode: number;
  readonly errorText?: string;
};

/** W3C §4.8.3: `icecandidateerror`, a STUN or TURN server that gave no candidate. */
export class RTCPeerConnectionIceErrorEvent extends Event {
  readonly address: string | null;
  readonly port: number | null;
  readonly url: string;
  /** A STUN error code (RFC 8489 §14.8), or 701 when the server could not be reached. */
  readonly errorCode: number;
  readonly errorText: string;

  constructor(type: string, init: RTCPeerConnectionIceErrorEventInit) {
    super(type, init);
    this.address = init.address ?? null;
    this.port = init.port ?? null;
    this.url = init.url ?? '';
    this.errorCode = init.errorCode;
    this.errorText = init.errorText ?? '';
  }
}

/**
 * W3C §4.8.3: the event of a gathering failure: the STUN error code when the server answered
 * with one (RFC 8489 §14.8), else 701: the server could not be reached or gave no usable answer.
 */
export function iceCandidateErrorEvent(error: GatheringError): RTCPeerConnectionIceErrorEvent {
  const answered = error.error instanceof StunErrorResponse ? error.error : undefined;
  return new RTCPeerConnectionIceErrorEvent('icecandidateerror', {
    address: error.address ?? null,
    url: error.url ?? '',
    errorCode: answered?.errorCode ?? 701,
    errorText: answered?.reason ?? error.error.message,
  });
}

export type RTCTrackEventInit = EventInit & {
  readonly receiver: RTCRtpReceiver;
  readonly track: MediaStreamTrack;
  readonly streams?: readonly MediaStream[];
  readonly transceiver: RTCRtpTransceiver;
};

/** W3C §5.7: `track`, a remote description started the peer sending on a transceiver. */
export class RTCTrackEvent extends Event {
  readonly receiver: RTCRtpReceiver;
  readonly track: MediaStreamTrack;
  readonly streams: readonly MediaStream[];
  readonly transceiver: RTCRtpTransceiver;

  constructor(type: string, init: RTCTrackEventInit) {
    super(type, init);
    this.receiver = init.receiver;
    this.track = init.track;
    this.streams = Object.freeze([...(init.streams ?? [])]);
    this.transceiver = init.transceiver;
  }
}
