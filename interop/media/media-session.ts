/**
 * Signaling for the media tests, through the test process: one offer/answer in either
 * direction, candidates trickled both ways, and optionally every path through a `UdpRelay`.
 *
 * Like `interop/peerconnection/session.ts`, a candidate is held while the description it
 * belongs to has not reached the other side, then delivered in order. Unlike it, the answerer
 * gets a turn between the offer and its answer (to add tracks, or to set codec preferences),
 * and candidates can be rewritten to point at the relay; the SDP then carries none itself.
 *
 * The two ends are interfaces so that the same session joins TypeRTC to Chromium in the tests
 * and two Chromium pages when the harness itself is checked.
 */

import type { RTCPeerConnection } from '../../packages/peerconnection/src/index.js';
import { CandidateRelay } from '../peerconnection/candidate-relay.js';
import type { IceCandidateInit, SessionDescriptionInit } from '../peerconnection/remote-peer.js';
import type { ChromiumMediaPeer } from './chromium-media-peer.js';
import type { RelaySide, UdpRelay } from './udp-relay.js';

/** One side of the session, as signaling sees it. */
export interface SessionEnd {
  /** The implicit setLocalDescription (an offer or an answer); returns the description set. */
  setLocalDescription(): Promise<SessionDescriptionInit>;
  setRemoteDescription(description: SessionDescriptionInit): Promise<void>;
  addIceCandidate(candidate: IceCandidateInit | null): Promise<void>;
  /** Calls `listener` for each local candidate (null: end of candidates). */
  onCandidate(listener: (candidate: IceCandidateInit | null) => void): void;
  close(): Promise<void>;
}

export function typertcEnd(pc: RTCPeerConnection): SessionEnd {
  return {
    async setLocalDescription() {
      await pc.setLocalDescription();
      const local = pc.localDescription;
      if (local === null) throw new Error('TypeRTC has no local description');
      return { type: local.type, sdp: local.sdp };
    },
    setRemoteDescription: (description) => pc.setRemoteDescription(description),
    addIceCandidate: (candidate) => pc.addIceCandidate(candidate),
    onCandidate(listener) {
      pc.addEventListener('icecandidate', (event) => {
        const { candidate } = event as unknown as {
          candidate: { toJSON(): IceCandidateInit } | null;
        };
        listener(candidate === null ? null : candidate.toJSON());
      });
    },
    close: async () => pc.close(),
  };
}

export function chromiumEnd(peer: ChromiumMediaPeer): SessionEnd {
  return {
    setLocalDescription: () => peer.setLocalDescription(),
    setRemoteDescription: (description) => peer.setRemoteDescription(description),
    addIceCandidate: (candidate) => peer.addIceCandidate(candidate),
    onCandidate(listener) {
      peer.onEvent((event) => {
        if (event.type === 'candidate') listener(event.candidate);
      });
    },
    close: () => peer.close(),
  };
}

/** The SDP without its candidates: through a relay, every candidate must be a rewritten one. */
function withoutCandidates(sdp: string): string {
  return sdp
    .split('\r\n')
    .filter((line) => !line.startsWith('a=candidate:') && line !== 'a=end-of-candidates')
    .join('\r\n');
}

export interface NegotiateOptions {
  /** Runs on the answerer once the offer is applied, before its answer. */
  readonly beforeAnswer?: () => Promise<void> | void;
}

export class MediaSession {
  readonly typertc: SessionEnd;
  readonly remote: SessionEnd;
  readonly relay: UdpRelay | undefined;
  /** addIceCandidate failures on either side, for the assertion that there were none. */
  readonly candidateErrors: string[] = [];
  readonly #toRemote: CandidateRelay;
  readonly #toTypertc: CandidateRelay;

  constructor(typertc: SessionEnd, remote: SessionEnd, relay?: UdpRelay) {
    this.typertc = typertc;
    this.remote = remote;
    this.relay = relay;
    const rewrite =
      (side: RelaySide) =>
      async (candidate: IceCandidateInit): Promise<IceCandidateInit | undefined> =>
        relay === undefined ? candidate : relay.rewriteCandidate(side, candidate);
    this.#toRemote = new CandidateRelay(
      (candidate) => remote.addIceCandidate(candidate),
      this.candidateErrors,
      rewrite('typertc'),
    );
    this.#toTypertc = new CandidateRelay(
      (candidate) => typertc.addIceCandidate(candidate),
      this.candidateErrors,
      rewrite('remote'),
    );
    typertc.onCandidate((candidate) => this.#toRemote.relay(candidate));
    remote.onCandidate((candidate) => this.#toTypertc.relay(candidate));
  }

  /** Candidates delivered to each side so far. */
  get trickled(): { readonly toRemote: number; readonly toTypertc: number } {
    return { toRemote: this.#toRemote.delivered, toTypertc: this.#toTypertc.delivered };
  }

  /** One offer/answer exchange, each side through the implicit setLocalDescription. */
  async negotiate(offerer: RelaySide, options: NegotiateOptions = {}): Promise<void> {
    const [offering, answering] =
      offerer === 'typertc' ? [this.typertc, this.remote] : [this.remote, this.typertc];
    const [toAnswerer, toOfferer] =
      offerer === 'typertc' ? [this.#toRemote, this.#toTypertc] : [this.#toTypertc, this.#toRemote];
    toAnswerer.hold();
    toOfferer.hold();
    const offer = await offering.setLocalDescription();
    await answering.setRemoteDescription(this.#outgoing(offer));
    toAnswerer.release();
    await options.beforeAnswer?.();
    const answer = await answering.setLocalDescription();
    await offering.setRemoteDescription(this.#outgoing(answer));
    toOfferer.release();
  }

  #outgoing(description: SessionDescriptionInit): SessionDescriptionInit {
    if (this.relay === undefined) return description;
    return { type: description.type, sdp: withoutCandidates(description.sdp ?? '') };
  }

  async close(): Promise<void> {
    await this.typertc.close();
    await this.remote.close();
    await this.relay?.close();
  }
}
