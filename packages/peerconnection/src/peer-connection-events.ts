/**
 * The event handler attributes of `RTCPeerConnection` (W3C WebRTC 1.0 §4.4.1, the `on...`
 * members of its IDL): each an `onfoo` property over EventTarget, as in a browser, so that
 * handlers and `addEventListener` listeners both work and run in registration order.
 */

import type { RTCDataChannelEvent } from '@typertc/sctp';
import { type EventHandler, EventHandlers } from './event-handlers.js';
import type {
  RTCPeerConnectionIceErrorEvent,
  RTCPeerConnectionIceEvent,
  RTCTrackEvent,
} from './events.js';

/** The events an RTCPeerConnection fires (W3C §4.4.1), each with its `on...` attribute. */
export type PeerConnectionEventType =
  | 'negotiationneeded'
  | 'icecandidate'
  | 'icecandidateerror'
  | 'signalingstatechange'
  | 'iceconnectionstatechange'
  | 'icegatheringstatechange'
  | 'connectionstatechange'
  | 'datachannel'
  | 'track';

export class PeerConnectionEventTarget extends EventTarget {
  readonly #handlers = new EventHandlers(this);

  get onnegotiationneeded(): EventHandler {
    return this.#handlers.get('negotiationneeded');
  }
  set onnegotiationneeded(handler: EventHandler) {
    this.#handlers.set('negotiationneeded', handler);
  }
  get onicecandidate(): EventHandler<RTCPeerConnectionIceEvent> {
    return this.#handlers.get('icecandidate');
  }
  set onicecandidate(handler: EventHandler<RTCPeerConnectionIceEvent>) {
    this.#handlers.set('icecandidate', handler);
  }
  get onicecandidateerror(): EventHandler<RTCPeerConnectionIceErrorEvent> {
    return this.#handlers.get('icecandidateerror');
  }
  set onicecandidateerror(handler: EventHandler<RTCPeerConnectionIceErrorEvent>) {
    this.#handlers.set('icecandidateerror', handler);
  }
  get onsignalingstatechange(): EventHandler {
    return this.#handlers.get('signalingstatechange');
  }
  set onsignalingstatechange(handler: EventHandler) {
    this.#handlers.set('signalingstatechange', handler);
  }
  get oniceconnectionstatechange(): EventHandler {
    return this.#handlers.get('iceconnectionstatechange');
  }
  set oniceconnectionstatechange(handler: EventHandler) {
    this.#handlers.set('iceconnectionstatechange', handler);
  }
  get onicegatheringstatechange(): EventHandler {
    return this.#handlers.get('icegatheringstatechange');
  }
  set onicegatheringstatechange(handler: EventHandler) {
    this.#handlers.set('icegatheringstatechange', handler);
  }
  get onconnectionstatechange(): EventHandler {
    return this.#handlers.get('connectionstatechange');
  }
  set onconnectionstatechange(handler: EventHandler) {
    this.#handlers.set('connectionstatechange', handler);
  }
  get ondatachannel(): EventHandler<RTCDataChannelEvent> {
    return this.#handlers.get('datachannel');
  }
  set ondatachannel(handler: EventHandler<RTCDataChannelEvent>) {
    this.#handlers.set('datachannel', handler);
  }
  get ontrack(): EventHandler<RTCTrackEvent> {
    return this.#handlers.get('track');
  }
  set ontrack(handler: EventHandler<RTCTrackEvent>) {
    this.#handlers.set('track', handler);
  }
}
