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

/** Candidates of one direction: held while a description is on its way, then sent in order. */
class CandidateQueue {
  readonly #deliver: (candidate: IceCandidateInit | null) => Promise<void>;
  readonly #rewrite: (candidate: IceCandidateInit) => Promise<IceCandidateInit | undefined>;
  readonly #errors: string[];
  #held: (IceCandidateInit | null)[] | undefined = [];
  #sending: Promise<void> = Promise.resolve();
  delivered = 0;

  constructor(
    deliver: (candidate: IceCandidateInit | null) => Promise<void>,
    rewrite: (candidate: IceCandidateInit) => Promise<IceCandidateInit | undefined>,
    errors: string[],
  ) {
    this.#deliver = deliver;
    this.#rewrite = rewrite;
    this.#errors = errors;
  }

  hold(): void {
    this.#held ??= [];
  }

  push(candidate: IceCandidateInit | null): void {
    if (this.#held !== undefined) this.#held.push(candidate);
    else this.#send(candidate);
  }

  release(): void {
    const held = this.#held ?? [];
    this.#held = undefined;
    for (const candidate of held) this.#send(candidate);
  }

  /** One at a time: rewriting may bind a socket, and candidates should arrive in order. */
  #send(candidate: IceCandidateInit | null): void {
    this.#sending = this.#sending.then(async () => {
      try {
        const sent = candidate === null ? null : await this.#rewrite(candidate);
        if (sent === undefined) return;
        await this.#deliver(sent);
        this.delivered++;
      } catch (error) {
        this.#errors.push(`addIceCandidate(${JSON.stringify(candidate)}): ${String(error)}`);
      }
    });
  }
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
  readonly #toRemote: CandidateQueue;
  readonly #toTypertc: CandidateQueue;

  constructor(typertc: SessionEnd, remote: SessionEnd, relay?: UdpRelay) {
    this.typertc = typertc;
    this.remote = remote;
    this.relay = relay;
    const rewrite =
      (side: RelaySide) =>
      async (candidate: IceCandidateInit): Promise<IceCandidateInit | undefined> =>
        relay === undefined ? candidate : relay.rewriteCandidate(side, candidate);
    this.#toRemote = new CandidateQueue(
      (candidate) => remote.addIceCandidate(candidate),
      rewrite('typertc'),
      this.candidateErrors,
    );
    this.#toTypertc = new CandidateQueue(
      (candidate) => typertc.addIceCandidate(candidate),
      rewrite('remote'),
      this.candidateErrors,
    );
    typertc.onCandidate((candidate) => this.#toRemote.push(candidate));
    remote.onCandidate((candidate) => this.#toTypertc.push(candidate));
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
