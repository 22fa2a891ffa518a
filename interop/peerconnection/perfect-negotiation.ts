/**
 * The W3C perfect negotiation pattern (WebRTC 1.0 §10.7) for a peer connection in this process
 * (TypeRTC's, or werift's): the same steps `page/peer.js` runs inside Chromium.
 */

import type { IceCandidateInit, SessionDescriptionInit } from './remote-peer.js';

/** The part of a W3C RTCPeerConnection the pattern uses. */
export interface NegotiatingConnection {
  readonly signalingState: string;
  readonly localDescription: { readonly type: string; readonly sdp: string } | null;
  setLocalDescription(): Promise<unknown>;
  setRemoteDescription(description: SessionDescriptionInit): Promise<unknown>;
  addIceCandidate(candidate: IceCandidateInit | null): Promise<unknown>;
}

export interface SignalMessage {
  readonly description?: SessionDescriptionInit;
  readonly candidate?: IceCandidateInit | null;
}

export class PerfectNegotiation {
  readonly #connection: NegotiatingConnection;
  readonly #polite: boolean;
  readonly #send: (message: SignalMessage) => void;
  readonly #onError: (error: unknown) => void;
  #makingOffer = false;
  #ignoreOffer = false;

  constructor(
    connection: NegotiatingConnection,
    polite: boolean,
    send: (message: SignalMessage) => void,
    onError: (error: unknown) => void,
  ) {
    this.#connection = connection;
    this.#polite = polite;
    this.#send = send;
    this.#onError = onError;
  }

  /** The `negotiationneeded` handler. */
  async negotiationNeeded(): Promise<void> {
    try {
      this.#makingOffer = true;
      await this.#connection.setLocalDescription();
      this.#send({ description: this.#localDescription() });
    } catch (error) {
      this.#onError(error);
    } finally {
      this.#makingOffer = false;
    }
  }

  /** A message from the other side. */
  async receive({ description, candidate }: SignalMessage): Promise<void> {
    const connection = this.#connection;
    try {
      if (description !== undefined) {
        const offerCollision =
          description.type === 'offer' &&
          (this.#makingOffer || connection.signalingState !== 'stable');
        this.#ignoreOffer = !this.#polite && offerCollision;
        if (this.#ignoreOffer) return;
        await connection.setRemoteDescription(description);
        if (description.type === 'offer') {
          await connection.setLocalDescription();
          this.#send({ description: this.#localDescription() });
        }
      } else if (candidate !== undefined) {
        try {
          await connection.addIceCandidate(candidate);
        } catch (error) {
          if (!this.#ignoreOffer) throw error;
        }
      }
    } catch (error) {
      this.#onError(error);
    }
  }

  #localDescription(): SessionDescriptionInit {
    const local = this.#connection.localDescription;
    if (local === null) throw new Error('no local description after setLocalDescription');
    return { type: local.type as SessionDescriptionInit['type'], sdp: local.sdp };
  }
}
