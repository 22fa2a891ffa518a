/**
 * The W3C event and error types data channels use: `RTCError` and `RTCErrorEvent` (WebRTC §11.1,
 * §11.2), fired at a channel that fails, and `RTCDataChannelEvent` (§6.1.1), which announces a
 * channel the peer opened.
 */

import type { RTCDataChannel } from './data-channel.js';

/** The DOM `EventInit` dictionary (Node's typings keep the name to themselves). */
type EventInit = NonNullable<ConstructorParameters<typeof Event>[1]>;

export type RTCErrorDetailType =
  | 'data-channel-failure'
  | 'dtls-failure'
  | 'fingerprint-failure'
  | 'sctp-failure'
  | 'sdp-syntax-error'
  | 'hardware-encoder-not-available'
  | 'hardware-encoder-error';

export interface RTCErrorInit {
  readonly errorDetail: RTCErrorDetailType;
  readonly sdpLineNumber?: number;
  readonly sctpCauseCode?: number;
  readonly receivedAlert?: number;
  readonly sentAlert?: number;
}

/** W3C WebRTC §11.1: a `DOMException` named "OperationError" that says which part failed. */
export class RTCError extends DOMException {
  readonly errorDetail: RTCErrorDetailType;
  readonly sdpLineNumber: number | null;
  readonly sctpCauseCode: number | null;
  readonly receivedAlert: number | null;
  readonly sentAlert: number | null;

  constructor(init: RTCErrorInit, message = '') {
    super(message, 'OperationError');
    this.errorDetail = init.errorDetail;
    this.sdpLineNumber = init.sdpLineNumber ?? null;
    this.sctpCauseCode = init.sctpCauseCode ?? null;
    this.receivedAlert = init.receivedAlert ?? null;
    this.sentAlert = init.sentAlert ?? null;
  }
}

/** W3C WebRTC §11.2. */
export class RTCErrorEvent extends Event {
  readonly error: RTCError;

  constructor(type: string, init: EventInit & { readonly error: RTCError }) {
    super(type, init);
    this.error = init.error;
  }
}

/** W3C WebRTC §6.1.1: the `datachannel` event of a peer connection. */
export class RTCDataChannelEvent extends Event {
  readonly channel: RTCDataChannel;

  constructor(type: string, init: EventInit & { readonly channel: RTCDataChannel }) {
    super(type, init);
    this.channel = init.channel;
  }
}
