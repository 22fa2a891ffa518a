/**
 * Signaling between a TypeRTC peer connection and a remote peer, through the test process:
 * offer/answer in either direction, candidates trickled both ways, and the W3C perfect
 * negotiation pattern on both sides.
 *
 * A candidate is held back while the description it belongs to has not reached the other side
 * (it would name a ufrag the other side does not know yet), then delivered in order.
 */

import type { RTCDataChannel, RTCPeerConnection } from '../../packages/peerconnection/src/index.js';
import { CandidateRelay } from './candidate-relay.js';
import { PerfectNegotiation } from './perfect-negotiation.js';
import type { IceCandidateInit, RemotePeer, SessionDescriptionInit } from './remote-peer.js';

export interface NegotiateOptions {
  /** Rewrites the SDP the remote peer sends before TypeRTC sees it. */
  readonly toTypertc?: (sdp: string) => string;
  /** Rewrites the SDP TypeRTC sends before the remote peer sees it. */
  readonly toRemote?: (sdp: string) => string;
}

export class Session {
  readonly typertc: RTCPeerConnection;
  readonly remote: RemotePeer;
  /** addIceCandidate failures on either side, for the assertion that there were none. */
  readonly candidateErrors: string[] = [];
  /** Offers each side sent under perfect negotiation: both at once is glare. */
  readonly offersSent = { typertc: 0, remote: 0 };
  readonly #toRemote: CandidateRelay;
  readonly #toTypertc: CandidateRelay;
  #perfect: PerfectNegotiation | undefined;
  #heldSignals: (() => void)[] | undefined;

  constructor(typertc: RTCPeerConnection, remote: RemotePeer) {
    this.typertc = typertc;
    this.remote = remote;
    // Under perfect negotiation a candidate travels in order with the descriptions, through
    // the pattern's message handler, as the W3C example's signaling channel carries both.
    this.#toRemote = new CandidateRelay(
      (candidate) =>
        this.#perfect === undefined
          ? remote.addIceCandidate(candidate)
          : this.#post(() => remote.signal({ candidate })),
      this.candidateErrors,
    );
    this.#toTypertc = new CandidateRelay((candidate) => {
      const perfect = this.#perfect;
      return perfect === undefined
        ? typertc.addIceCandidate(candidate)
        : this.#post(() => perfect.receive({ candidate }));
    }, this.candidateErrors);
    typertc.addEventListener('icecandidate', (event) => {
      const { candidate } = event as unknown as {
        candidate: { toJSON(): IceCandidateInit } | null;
      };
      this.#toRemote.relay(candidate === null ? null : candidate.toJSON());
    });
    remote.onEvent((event) => {
      if (event.type === 'candidate') this.#toTypertc.relay(event.candidate);
    });
  }

  /** Candidates delivered to the remote peer and to TypeRTC so far. */
  get trickled(): { readonly toRemote: number; readonly toTypertc: number } {
    return { toRemote: this.#toRemote.delivered, toTypertc: this.#toTypertc.delivered };
  }

  /** One offer/answer exchange, each side through the implicit setLocalDescription. */
  async negotiate(offerer: 'typertc' | 'remote', options: NegotiateOptions = {}): Promise<void> {
    const toTypertc = options.toTypertc ?? ((sdp: string) => sdp);
    const toRemote = options.toRemote ?? ((sdp: string) => sdp);
    this.#toRemote.hold();
    this.#toTypertc.hold();
    if (offerer === 'typertc') {
      await this.typertc.setLocalDescription();
      await this.remote.setRemoteDescription(rewrite(this.#typertcLocal(), toRemote));
      this.#toRemote.release();
      const answer = await this.remote.setLocalDescription();
      await this.typertc.setRemoteDescription(rewrite(answer, toTypertc));
      this.#toTypertc.release();
    } else {
      const offer = await this.remote.setLocalDescription();
      await this.typertc.setRemoteDescription(rewrite(offer, toTypertc));
      this.#toTypertc.release();
      await this.typertc.setLocalDescription();
      await this.remote.setRemoteDescription(rewrite(this.#typertcLocal(), toRemote));
      this.#toRemote.release();
    }
  }

  /**
   * Both sides run the W3C perfect negotiation pattern from now on, TypeRTC `polite` or not
   * and the remote the other way.
   */
  async perfectNegotiation(typertcPolite: boolean, errors: string[]): Promise<void> {
    const typertc = this.typertc;
    const remote = this.remote;
    const ours = new PerfectNegotiation(
      typertc as never,
      typertcPolite,
      (message) => {
        if (message.description?.type === 'offer') this.offersSent.typertc++;
        void this.#post(() => remote.signal(message));
      },
      (error) => errors.push(`typertc: ${String(error)}`),
    );
    this.#perfect = ours;
    typertc.onnegotiationneeded = () => void ours.negotiationNeeded();
    this.#toRemote.release();
    this.#toTypertc.release();
    await remote.perfectNegotiation(!typertcPolite);
    remote.onEvent((event) => {
      if (event.type === 'description') {
        if (event.description.type === 'offer') this.offersSent.remote++;
        void this.#post(() => ours.receive({ description: event.description }));
      } else if (event.type === 'error') errors.push(`${remote.name}: ${event.message}`);
    });
  }

  /**
   * Holds every perfect-negotiation message, both ways, until `releaseSignals`: two offers made
   * while held cross each other, which is glare for certain rather than by timing.
   */
  holdSignals(): void {
    this.#heldSignals ??= [];
  }

  releaseSignals(): void {
    const held = this.#heldSignals ?? [];
    this.#heldSignals = undefined;
    for (const send of held) send();
  }

  #post(send: () => Promise<unknown>): Promise<unknown> {
    const held = this.#heldSignals;
    if (held === undefined) return send();
    return new Promise((resolve, reject) => held.push(() => send().then(resolve, reject)));
  }

  #typertcLocal(): SessionDescriptionInit {
    const local = this.typertc.localDescription;
    if (local === null) throw new Error('TypeRTC has no local description');
    return { type: local.type, sdp: local.sdp };
  }

  async close(): Promise<void> {
    this.typertc.close();
    await this.remote.close();
  }
}

function rewrite(
  description: SessionDescriptionInit,
  edit: (sdp: string) => string,
): SessionDescriptionInit {
  return { type: description.type, sdp: edit(description.sdp ?? '') };
}

/** The first `a=fingerprint` of an SDP with its first hex byte changed. */
export function corruptFingerprint(sdp: string): string {
  return sdp.replace(
    /a=fingerprint:(\S+) ([0-9A-Fa-f]{2})/,
    (_, algorithm: string, byte: string) => {
      const changed = ((Number.parseInt(byte, 16) + 1) & 0xff).toString(16).padStart(2, '0');
      return `a=fingerprint:${algorithm} ${changed.toUpperCase()}`;
    },
  );
}

/** The next `count` messages' data on a TypeRTC channel. */
export function collect(channel: RTCDataChannel, count: number, timeoutMs = 15_000) {
  return new Promise<unknown[]>((resolve, reject) => {
    const received: unknown[] = [];
    const timer = setTimeout(() => {
      channel.removeEventListener('message', listener);
      reject(new Error(`${channel.label}: ${received.length} of ${count} messages arrived`));
    }, timeoutMs);
    const listener = (event: Event): void => {
      received.push((event as MessageEvent).data);
      if (received.length < count) return;
      clearTimeout(timer);
      channel.removeEventListener('message', listener);
      resolve(received);
    };
    channel.addEventListener('message', listener);
  });
}
