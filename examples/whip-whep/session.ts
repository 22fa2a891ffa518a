/**
 * A WHIP session (RFC 9725) or a WHEP session (draft-ietf-wish-whep): the HTTP resource a
 * POSTed offer creates, and the peer connection behind it.
 *
 * - Setup (RFC 9725 §4.2): the offer is applied, and the answer returned once ICE gathering is
 *   complete, so it carries all of our candidates: WHIP has no way for the server to trickle.
 * - PATCH (§4.3.1): an SDP fragment (RFC 8840) with the client's trickled candidates (§4.3.2,
 *   204 No Content), or with new ICE credentials and `If-Match: *` for an ICE restart (§4.3.3,
 *   200 with our new credentials and candidates). The ETag names the ICE session: a PATCH whose
 *   If-Match names an older one fails with 412 Precondition Failed.
 * - DELETE ends the session (§4.2); so does a connection that stays down for 30 s (consent
 *   freshness, RFC 7675, is what notices a client that left without a DELETE).
 */

import { randomUUID } from 'node:crypto';
import {
  type MediaKind,
  MediaStreamTrack,
  type RTCConfiguration,
  RTCPeerConnection,
} from '@typertc/peerconnection';
import {
  firstSection,
  parseSdpFragment,
  restartedOffer,
  SDP_FRAGMENT_TYPE,
  serializeSdpFragment,
} from './sdp-fragment.js';
import { Player, type Stream } from './stream.js';

export type SessionKind = 'whip' | 'whep';

/** How long gathering may take before the answer goes without the rest of the candidates. */
const GATHERING_TIMEOUT_MS = 3000;
/** How long a session may be without a connection (never connected, or lost) before it ends. */
const UNCONNECTED_TIMEOUT_MS = 30_000;

export interface SessionOptions {
  readonly kind: SessionKind;
  readonly stream: Stream;
  readonly configuration: RTCConfiguration;
  /** Once, when the session ends (DELETE, timeout, a newer publisher, server shutdown). */
  readonly onClose: (session: Session) => void;
}

export interface PatchResult {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/**
 * Resolves at the end of the gathering that applying an offer now starts (the first one, or
 * the one an ICE restart starts), or after `timeoutMs`. Called before the offer is applied:
 * the state is 'complete' until the restart's gathering begins, so it cannot be polled after.
 */
function nextGatheringComplete(pc: RTCPeerConnection, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      pc.removeEventListener('icegatheringstatechange', check);
      resolve();
    };
    const check = () => {
      if (pc.iceGatheringState === 'complete') done();
    };
    const timer = setTimeout(done, timeoutMs).unref();
    pc.addEventListener('icegatheringstatechange', check);
  });
}

const newEtag = () => `"${randomUUID()}"`;

export class Session {
  readonly id = randomUUID();
  readonly kind: SessionKind;
  readonly stream: Stream;
  readonly pc: RTCPeerConnection;
  /** The entity-tag of the current ICE session (RFC 9725 §4.3.1); a restart makes a new one. */
  etag = newEtag();
  #player: Player | undefined;
  #closed = false;
  #timer: NodeJS.Timeout | undefined;
  /** PATCH requests run one at a time, in order: candidates must not overtake a restart. */
  #patches: Promise<unknown> = Promise.resolve();
  readonly #onClose: (session: Session) => void;

  private constructor(options: SessionOptions) {
    this.kind = options.kind;
    this.stream = options.stream;
    this.#onClose = options.onClose;
    this.pc = new RTCPeerConnection(options.configuration);
    this.pc.onconnectionstatechange = () => this.#connectionStateChanged();
    this.#arm();
  }

  /** A session for the client's offer, and our answer to it; throws for an unusable offer. */
  static async create(
    options: SessionOptions,
    offer: string,
  ): Promise<{ session: Session; answer: string }> {
    const session = new Session(options);
    try {
      return { session, answer: await session.#answer(offer) };
    } catch (error) {
      session.close();
      throw error;
    }
  }

  async #answer(offer: string): Promise<string> {
    const { pc, stream } = this;
    if (this.kind === 'whep') {
      // Taken by the player's recvonly offer: our answer sends on them (sendonly).
      for (const kind of ['audio', 'video'] as const) {
        pc.addTrack(new MediaStreamTrack({ kind, label: `whep ${stream.name} ${kind}` }));
      }
    }
    const gathered = nextGatheringComplete(pc, GATHERING_TIMEOUT_MS);
    await pc.setRemoteDescription({ type: 'offer', sdp: offer });
    await pc.setLocalDescription();
    await gathered;
    const answer = pc.localDescription?.sdp;
    if (answer === undefined || this.#closed) throw new Error('the session closed');
    if (this.kind === 'whip') {
      // RFC 9725 §4.4.2: one MediaStream, at most one audio and one video track.
      const seen = new Set<MediaKind>();
      stream.publish(this);
      for (const { receiver, currentDirection } of pc.getTransceivers()) {
        const track = receiver.track;
        if (currentDirection !== 'recvonly' || seen.has(track.kind)) continue;
        seen.add(track.kind);
        stream.addPublisherTrack(this, track, receiver);
      }
    } else {
      const senders = pc.getSenders().filter((sender) => sender.track !== null);
      this.#player = new Player(senders);
      stream.players.add(this.#player);
      for (const sender of senders) {
        // The player's decoder asks for a keyframe: only the publisher can make one.
        if (sender.track?.kind === 'video') {
          sender.on('keyframerequest', () => stream.requestKeyFrame());
        }
      }
    }
    return answer;
  }

  /** The session ends unless it is connected within the timeout. */
  #arm(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.close(), UNCONNECTED_TIMEOUT_MS);
  }

  #connectionStateChanged(): void {
    const state = this.pc.connectionState;
    if (state === 'connected') {
      clearTimeout(this.#timer);
      // A player that just connected starts with the publisher's next keyframe.
      if (this.kind === 'whep') this.stream.requestKeyFrame();
    } else if (state === 'disconnected' || state === 'failed') {
      this.#arm(); // the client may still come back with an ICE restart (RFC 9725 §4.3.3)
    } else if (state === 'closed') {
      this.close();
    }
  }

  /** PATCH: trickled candidates or an ICE restart (RFC 9725 §4.3.1). */
  patch(ifMatch: string | undefined, body: string): Promise<PatchResult> {
    const result = this.#patches.then(() => this.#patch(ifMatch, body));
    this.#patches = result.catch(() => undefined);
    return result;
  }

  async #patch(ifMatch: string | undefined, body: string): Promise<PatchResult> {
    if (this.#closed) return { status: 404 };
    const fragment = parseSdpFragment(body);
    if (ifMatch === '*') return this.#restartIce(fragment);
    // §4.3.1: the entity-tag must be the current ICE session's; a missing If-Match is let
    // through, as clients written against earlier drafts send none.
    if (ifMatch !== undefined && ifMatch !== this.etag) return { status: 412 };
    try {
      for (const candidate of fragment.candidates) await this.pc.addIceCandidate(candidate);
      if (fragment.endOfCandidates) await this.pc.addIceCandidate(null);
    } catch (error) {
      // Candidates of an ICE generation that is not the current one, or malformed.
      return { status: 422, body: `${error}` };
    }
    return { status: 204 }; // §4.3.2: the candidates were taken
  }

  /**
   * §4.3.3: the client restarts ICE with new credentials, the rest of its offer unchanged: the
   * offer is applied again with them, and our new credentials and candidates sent back.
   */
  async #restartIce(fragment: ReturnType<typeof parseSdpFragment>): Promise<PatchResult> {
    const previous = this.pc.remoteDescription?.sdp;
    if (fragment.ufrag === undefined || fragment.pwd === undefined || previous === undefined) {
      return { status: 400, body: 'an ICE restart needs a=ice-ufrag and a=ice-pwd' };
    }
    try {
      const gathered = nextGatheringComplete(this.pc, GATHERING_TIMEOUT_MS);
      await this.pc.setRemoteDescription({
        type: 'offer',
        sdp: restartedOffer(previous, fragment.ufrag, fragment.pwd),
      });
      await this.pc.setLocalDescription();
      await gathered;
      for (const candidate of fragment.candidates) await this.pc.addIceCandidate(candidate);
      if (fragment.endOfCandidates) await this.pc.addIceCandidate(null);
    } catch (error) {
      return { status: 422, body: `${error}` };
    }
    this.etag = newEtag();
    const local = firstSection(this.pc.localDescription?.sdp ?? '');
    if (local.mLine === undefined || local.mid === undefined) return { status: 500 };
    return {
      status: 200,
      headers: { 'content-type': SDP_FRAGMENT_TYPE, etag: this.etag },
      body: serializeSdpFragment(local.mLine, local.mid, {
        ...local.fragment,
        endOfCandidates: this.pc.iceGatheringState === 'complete',
      }),
    };
  }

  /** DELETE, or the end of the session for another reason. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    if (this.#player !== undefined) this.stream.players.delete(this.#player);
    this.stream.unpublish(this);
    for (const sender of this.pc.getSenders()) sender.track?.stop();
    this.pc.close();
    this.#onClose(this);
  }
}
