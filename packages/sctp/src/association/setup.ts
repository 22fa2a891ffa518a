/**
 * The set-up side of an association (RFC 9260 §5): our tag and initial TSN, the peer's tag once
 * known, the INIT or COOKIE-ECHO being retransmitted under T1 (§5.1), and the State Cookie
 * secret. It decides; the association sends what it returns and changes state.
 */

import {
  encodeCookieEchoChunk,
  findParameter,
  type InitChunk,
  ParameterType,
} from '../packet/index.js';
import {
  classifyCookie,
  encodeInit,
  encodeInitAck,
  type LocalInit,
  type PeerInit,
  peerFromCookie,
  peerFromInit,
  randomUint32,
} from './handshake.js';
import type { ResolvedSctpOptions } from './options.js';
import { StateCookies } from './state-cookie.js';
import { RetransmissionTimer } from './timer.js';

/** The tags of an existing or half-open association. */
export interface Tags {
  readonly localTag: number;
  readonly peerTag: number;
}

/** What a COOKIE-ECHO calls for (§5.2.4). */
export type CookieOutcome =
  | { readonly kind: 'discard' }
  /** A duplicate for the association we have: only a COOKIE-ACK. */
  | { readonly kind: 'acknowledge' }
  /** Build the association from the cookie; `restart` when the peer restarted (case A). */
  | { readonly kind: 'establish'; readonly peer: PeerInit; readonly restart: boolean };

export class Setup {
  readonly t1 = new RetransmissionTimer();
  readonly #options: ResolvedSctpOptions;
  readonly #cookies = new StateCookies();
  #local: LocalInit = { tag: randomUint32(true), initialTsn: randomUint32(false) };
  /** The peer's tag once known: from its INIT-ACK, or a cookie. */
  #peerTag = 0;
  /** The peer's INIT-ACK, kept until COOKIE-ACK builds the association from it. */
  #pendingPeer: InitChunk | undefined;
  /** The INIT or COOKIE-ECHO being retransmitted. */
  #chunk: Uint8Array | undefined;

  constructor(options: ResolvedSctpOptions) {
    this.#options = options;
  }

  get local(): LocalInit {
    return this.#local;
  }

  get peerTag(): number {
    return this.#peerTag;
  }

  /** The chunk T1 retransmits, if a handshake is under way. */
  get chunk(): Uint8Array | undefined {
    return this.#chunk;
  }

  /** §5.1 step A: our INIT, retransmitted under T1-init. */
  start(now: number): Uint8Array {
    this.#chunk = encodeInit(this.#options, this.#local);
    this.t1.start(now, this.#options.rtoInitialMs);
    return this.#chunk;
  }

  /**
   * The INIT-ACK for an INIT, keeping no state (§5.1). With an association (`existing`) the
   * peer restarted or is late: a fresh tag and TSN, and the tie-tags (§5.2.2); otherwise our
   * INIT's own, so a collision resolves to one association (§5.2.1).
   */
  initAckFor(init: InitChunk, existing: Tags | undefined, now: number): Uint8Array {
    const local =
      existing === undefined
        ? this.#local
        : { tag: randomUint32(true), initialTsn: randomUint32(false) };
    const tieTags =
      existing === undefined
        ? { local: 0, peer: 0 }
        : { local: existing.localTag, peer: existing.peerTag };
    return encodeInitAck(this.#options, this.#cookies, init, local, tieTags, now);
  }

  /** §5.1 step C: the COOKIE-ECHO, or undefined for an INIT-ACK without a State Cookie. */
  onInitAck(initAck: InitChunk, now: number): Uint8Array | undefined {
    const cookie = findParameter(initAck.parameters, ParameterType.stateCookie);
    if (cookie === undefined) return undefined;
    this.#peerTag = initAck.initiateTag;
    this.#pendingPeer = initAck;
    this.#chunk = encodeCookieEchoChunk(cookie.value);
    this.t1.start(now, this.#options.rtoInitialMs);
    return this.#chunk;
  }

  /**
   * A COOKIE-ECHO in a packet carrying `packetTag` (§5.1.5, §5.2.4). `current` is the
   * association, or the half-open one while we are setting up our own.
   */
  onCookieEcho(
    cookie: Uint8Array,
    packetTag: number,
    current: Tags | undefined,
    established: boolean,
    now: number,
  ): CookieOutcome {
    const verdict = this.#cookies.verify(cookie, now);
    if (!verdict.valid || packetTag !== verdict.contents.localTag) return { kind: 'discard' };
    const contents = verdict.contents;
    const kind = classifyCookie(contents, current);
    if (kind === 'discard') return { kind };
    if (kind === 'duplicate' && established) return { kind: 'acknowledge' };
    this.#local = { tag: contents.localTag, initialTsn: contents.localInitialTsn };
    this.#peerTag = contents.peerTag;
    this.finished();
    return { kind: 'establish', peer: peerFromCookie(contents), restart: kind === 'restart' };
  }

  /** §5.1 step E: COOKIE-ACK; the peer as its INIT-ACK described it. */
  onCookieAck(): PeerInit | undefined {
    const peer = this.#pendingPeer;
    if (peer === undefined) return undefined;
    this.finished();
    return peerFromInit(peer);
  }

  /** Nothing more to retransmit: established, or given up. */
  finished(): void {
    this.t1.stop();
    this.#chunk = undefined;
    this.#pendingPeer = undefined;
  }
}
