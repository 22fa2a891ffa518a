/**
 * The ICE agent (RFC 8445, with trickle per RFC 8838 and consent per RFC 7675) for one data
 * stream with one component (BUNDLE and rtcp-mux, as WebRTC uses it), as a sans-I/O core: it is
 * handed STUN datagrams and `now`, and says what to send (`pollTransmit`), when to wake it
 * (`pollTimeout`) and what happened (`pollEvent`). No clock, no timers, no sockets.
 *
 * Choices, with their reasons:
 * - Unauthenticated requests get a stateless 400/401 (RFC 8489 §9.1.3) without MESSAGE-INTEGRITY
 *   and change nothing: no candidate learned, no triggered check. The answer is no larger than
 *   the request, so it amplifies nothing, and it tells a misconfigured peer why it fails.
 *   Responses that fail integrity under the peer's password are dropped: a forged error must not
 *   fail a check.
 * - Regular nomination (§8.1.1): the controlling agent nominates the best valid pair once every
 *   better pair has failed, or `nominationDelayMs` after the first valid pair, whichever is first.
 * - Any valid pair nominated by the peer is accepted (aggressive nomination too); the selected
 *   pair is the highest-priority nominated one (§8.1.1).
 * - `connected` means a nominated pair is selected; `completed` adds that the peer said it has no
 *   more candidates and no check is left to run (W3C `RTCIceTransportState`). A controlling agent
 *   on a clean path is connected one Ta after its first check succeeds (the nomination waits its
 *   turn in the pacing). `failed`: every pair failed after end-of-candidates (RFC 8838 §8), or
 *   consent expired (RFC 7675 §5.1); `disconnected`: see `consent.ts`. Only an ICE restart
 *   leaves `failed`.
 * - ICE restart (§9, `restart`): new local credentials and a new `CheckSession`; the old selected
 *   pair keeps carrying data on the old credentials until the new checks select a pair and
 *   `selected-pair` fires (see `previous-generation.ts`). A failed agent restarts from `new`.
 * - ICE-lite (§2.5, `lite: true`): host candidates only (§5.2), no requests of its own (§6.2),
 *   always controlled (§6.1.1; conflicts get 487, so the full peer takes control). An
 *   authenticated check proves its pair (a lite agent has no checks of its own to wait for) and
 *   USE-CANDIDATE selects it (§7.3.2, §8.2); the lite agent is then `completed`, having nothing
 *   left to check. Consent: see `consent.ts`. Against a lite peer (`setRemoteLite`), a full agent
 *   is controlling (§6.1.1) and no role conflict can arise. Two lite agents are not supported:
 *   neither would send a check (§6.2), so no pair could ever be selected.
 */

import type { SocketAddress } from '@typertc/common';
import { StunMessage, StunMethod } from '@typertc/stun';
import type { IceCandidate, LocalCandidate } from '../candidate.js';
import { IceError } from '../errors.js';
import type { CandidatePair } from '../pair.js';
import type { AgentContext } from './agent-context.js';
import {
  type IceAgentEvent,
  type IceAgentOptions,
  type IceLiteAgentOptions,
  type IceRestartOptions,
  type IceTransmit,
  type IceTransportState,
  resolveAgentOptions,
} from './agent-types.js';
import { handleCheckRequest } from './check-requests.js';
import { checkFailed, handleCheckResponse } from './check-responses.js';
import { CheckSession } from './check-session.js';
import { type CheckPurpose, keepaliveIndication, prepareCheck } from './connectivity-checks.js';
import { CONSENT_TRANSMISSIONS, ConsentFreshness } from './consent.js';
import {
  type LocalCredentials,
  localCredentials,
  type RemoteCredentials,
  remoteCredentials,
} from './credentials.js';
import {
  type IceCandidatePairStats,
  type PairCounters,
  PairCounterTable,
  pairStats,
} from './pair-stats.js';
import { pairOnPath } from './peer-reflexive.js';
import { PendingChecks } from './pending-checks.js';
import { onPath, type PreviousGeneration } from './previous-generation.js';
import type { ValidPair } from './valid-list.js';

export class IceAgent {
  readonly tieBreaker: bigint;
  /** RFC 8445 §2.5. */
  readonly lite: boolean;
  #controlling: boolean;
  #remoteLite = false;
  #local: LocalCredentials;
  #remote: RemoteCredentials | undefined;
  /** During an ICE restart: the old selected pair and its credentials. */
  #previous: PreviousGeneration | undefined;
  readonly #taMs: number;
  readonly #rtoMs: number;
  readonly #maxPairs: number | undefined;
  readonly #nominationDelayMs: number;
  readonly #random: () => number;
  #session: CheckSession;
  readonly #pending = new PendingChecks((transmit) => this.#transmits.push(transmit));
  readonly #transmits: IceTransmit[] = [];
  readonly #events: IceAgentEvent[] = [];
  #state: IceTransportState = 'new';
  /** Consent on the pair carrying data: the selected one, or the old one during a restart. */
  #consent: ConsentFreshness | undefined;
  readonly #counters = new PairCounterTable();
  /** The latest `now` an input brought, for deadlines computed in `pollTimeout`. */
  #lastNow: number | undefined;
  /** What the handlers of received requests and responses see of this agent. */
  readonly #context: AgentContext;

  /**
   * Throws `IceError` for credentials shorter than RFC 8445 §5.3 allows, a Ta under 5 ms, or a
   * lite agent asked to be controlling.
   */
  constructor(options: IceAgentOptions | IceLiteAgentOptions) {
    const resolved = resolveAgentOptions(options);
    this.lite = options.lite === true;
    if (this.lite && options.controlling === true) {
      throw new IceError('RFC 8445 §6.1.1: a lite agent is always controlled');
    }
    this.#controlling = options.controlling === true;
    this.tieBreaker = resolved.tieBreaker;
    this.#local = localCredentials(options);
    this.#taMs = resolved.taMs;
    this.#rtoMs = resolved.rtoMs;
    this.#maxPairs = options.maxPairs;
    this.#nominationDelayMs = resolved.nominationDelayMs;
    this.#random = resolved.random;
    this.#session = new CheckSession(this.#controlling, this.#maxPairs);
    this.#context = {
      lite: this.lite,
      tieBreaker: this.tieBreaker,
      pending: this.#pending,
      controlling: () => this.#controlling,
      remoteLite: () => this.#remoteLite,
      localCredentials: () => this.#local,
      previous: () => this.#previous,
      session: () => this.#session,
      send: (transmit) => this.#transmits.push(transmit),
      switchRole: (controlling) => this.#switchRole(controlling),
      nominate: (pair, now) => this.#nominate(pair, now),
      consentAnswered: (now) => this.#consent?.handleResponse(now),
      counters: (pair) => this.#counters.of(pair),
    };
  }

  get localUfrag(): string {
    return this.#local.ufrag;
  }

  get localPassword(): string {
    return this.#local.password;
  }

  get controlling(): boolean {
    return this.#controlling;
  }

  /** Whether the peer is a lite agent (`setRemoteLite`). */
  get remoteLite(): boolean {
    return this.#remoteLite;
  }

  get state(): IceTransportState {
    return this.#state;
  }

  /** The checklist's pairs, best first (a snapshot of live objects). */
  get pairs(): readonly CandidatePair[] {
    return this.#session.checklist.pairs;
  }

  get remoteCandidates(): readonly IceCandidate[] {
    return this.#session.checklist.remoteCandidates;
  }

  /** This generation's local candidates, the peer-reflexive ones checks discovered included. */
  get localCandidates(): readonly LocalCandidate[] {
    return this.#session.locals.slice();
  }

  /** The peer's ufrag, once given (`setRemoteCredentials`). */
  get remoteUfrag(): string | undefined {
    return this.#remote?.ufrag;
  }

  /** webrtc-stats RTCIceCandidatePairStats of every pair (see `pairStats` in pair-stats.ts). */
  pairStats(): IceCandidatePairStats[] {
    return pairStats(this.#session, this.#dataPair(), this.#counters);
  }

  /**
   * The counters of `pair` (the `pair` of a `selected-pair` event), for the adapter that carries
   * the pair's data to count it: the agent sees no data.
   */
  pairCounters(pair: CandidatePair): PairCounters {
    return this.#counters.of(pair);
  }

  /** The pair carrying data: the selected one, or during a restart the old one until then. */
  get selectedPair(): { local: LocalCandidate; remote: IceCandidate } | undefined {
    const selected = this.#dataPair();
    return selected === undefined ? undefined : { local: selected.local, remote: selected.remote };
  }

  /**
   * The valid pair whose path data from `remote` on the base `local` took, if any other than the
   * selected one. RFC 8445 §12.2: an agent must take data on any valid pair, not the selected one
   * only; the peer may move first, as it does to the pair it nominates after a restart.
   */
  validPairOnPath(local: SocketAddress, remote: SocketAddress): CandidatePair | undefined {
    const pair = pairOnPath(this.#session.checklist, local, remote);
    if (pair !== undefined && this.#session.valid.get(pair) !== undefined) return pair;
    const previous = this.#previous?.selected;
    return previous !== undefined && onPath(previous, local, remote) ? previous.pair : undefined;
  }

  /** Whether an ICE restart is under way: the old pair carries data until a new one is selected. */
  get restarting(): boolean {
    return this.#previous !== undefined;
  }

  setRemoteCredentials(ufrag: string, password: string): void {
    this.#remote = remoteCredentials(ufrag, password);
    this.#session.checksIdle = false;
  }

  /**
   * The peer is a lite agent (SDP `a=ice-lite`, RFC 8839 §5.3): this full agent takes the
   * controlling role (RFC 8445 §6.1.1) and keeps it. Throws `IceError` on a lite agent: two lite
   * agents are not supported.
   */
  setRemoteLite(remoteLite: boolean): void {
    if (remoteLite && this.lite) {
      throw new IceError('two lite agents cannot run ICE with each other (RFC 8445 §6.1.1)');
    }
    this.#remoteLite = remoteLite;
    if (remoteLite && !this.#controlling) this.#switchRole(true);
  }

  /**
   * Sets the role, as the offer/answer exchange decides it (RFC 8445 §6.1.1: the offerer
   * controls). A peer connection that rolled its own offer back and answers the peer's
   * instead (JSEP glare, RFC 8829 §4.1.8.2) becomes controlled before any check is sent.
   * A lite agent stays controlled, and against a lite peer this agent stays controlling.
   */
  setRole(controlling: boolean): void {
    if (this.lite || this.#remoteLite || controlling === this.#controlling) return;
    this.#switchRole(controlling);
  }

  /**
   * ICE restart (RFC 8445 §9): new local credentials (random unless given), and a new checklist
   * from scratch. The caller then gives the peer's new credentials (`setRemoteCredentials`),
   * re-adds the local candidates to check and adds the peer's new ones. Meanwhile the selected
   * pair keeps carrying data on the old credentials until the new checks select a pair. Throws
   * `IceError` for credentials shorter than §5.3 allows.
   */
  restart(options: IceRestartOptions = {}): void {
    if (this.#state === 'closed') return;
    const local = localCredentials(options);
    if (local.ufrag === this.#local.ufrag || local.password === this.#local.password) {
      throw new IceError('RFC 8445 §9: an ICE restart changes both ufrag and password');
    }
    const selected = this.#dataPair();
    // A restart during a restart keeps the generation whose pair still carries data; a pair
    // without consent (a failed agent's) carries none.
    const carriesData = selected !== undefined && this.#consent !== undefined;
    if (this.#previous === undefined && carriesData) {
      this.#previous = {
        local: this.#local,
        remote: this.#remote,
        selected,
        session: this.#session,
      };
    }
    this.#local = local;
    // Checks of the old checklist stop; consent on the old pair goes on.
    this.#pending.cancelWhere((check) => check.purpose !== 'consent');
    this.#session = new CheckSession(this.#controlling, this.#maxPairs);
    if (this.#state === 'failed') this.#setState('new');
  }

  /**
   * Undoes the restart under way, as when the offer that started it is rolled back (RFC 8829
   * §4.1.8.2): the old credentials and checks come back, with the old pair still selected, and
   * the new generation's checks stop. False, changing nothing, when no restart is under way or
   * the one under way replaced a generation that carried no data.
   */
  cancelRestart(): boolean {
    const previous = this.#previous;
    if (this.#state === 'closed' || previous === undefined) return false;
    this.#pending.cancelWhere((check) => check.purpose !== 'consent');
    this.#local = previous.local;
    this.#remote = previous.remote;
    this.#session = previous.session;
    this.#previous = undefined;
    this.#updateState(undefined);
    return true;
  }

  /** Throws `IceError` for a non-host candidate on a lite agent (RFC 8445 §5.2). */
  addLocalCandidate(candidate: LocalCandidate): void {
    if (this.#state === 'closed') return;
    if (this.lite && candidate.type !== 'host') {
      throw new IceError('RFC 8445 §5.2: a lite agent has host candidates only');
    }
    this.#session.locals.push(candidate);
    if (this.#session.checklist.addLocalCandidate(candidate).length > 0)
      this.#session.checksIdle = false;
  }

  addRemoteCandidate(candidate: IceCandidate): void {
    if (this.#state === 'closed') return;
    if (this.#session.checklist.addRemoteCandidate(candidate).length > 0)
      this.#session.checksIdle = false;
  }

  /** RFC 8838 §13: the peer will send no more candidates (failure becomes final). */
  endOfRemoteCandidates(): void {
    this.#session.endOfRemoteCandidates = true;
    this.#updateState(undefined);
  }

  close(): void {
    if (this.#state === 'closed') return;
    this.#pending.cancelWhere(() => true);
    this.#session.triggered.length = 0;
    this.#transmits.length = 0;
    this.#consent = undefined;
    this.#previous = undefined;
    this.#setState('closed');
  }

  /** A STUN datagram that arrived on the base `local` from `remote`. */
  handleDatagram(data: Uint8Array, local: SocketAddress, remote: SocketAddress, now: number): void {
    // After consent expiry RFC 7675 §5.1 forbids sending; so a failed agent answers nothing
    // until an ICE restart.
    if (this.#state === 'closed' || this.#state === 'failed') return;
    let message: StunMessage;
    try {
      message = StunMessage.decode(data);
    } catch {
      return; // RFC 8489 §6.3: malformed messages are discarded silently.
    }
    if (message.method !== StunMethod.Binding || message.fingerprint === 'invalid') return;
    if (message.messageClass === 'request') {
      handleCheckRequest(this.#context, message, local, remote, now);
    } else if (message.messageClass !== 'indication') {
      handleCheckResponse(this.#context, message, local, remote, now);
    }
    this.#tick(now);
  }

  handleTimeout(now: number): void {
    if (this.#state === 'closed' || this.#state === 'failed') return;
    for (const check of this.#pending.handleTimeout(now)) checkFailed(this.#context, check);
    this.#tick(now);
  }

  pollTransmit(): IceTransmit | undefined {
    return this.#transmits.shift();
  }

  pollEvent(): IceAgentEvent | undefined {
    return this.#events.shift();
  }

  /** When to call `handleTimeout` next (a time already passed means now); undefined: never. */
  pollTimeout(): number | undefined {
    if (this.#state === 'closed' || this.#state === 'failed') return undefined;
    const deadlines: number[] = [];
    if (this.#hasChecksToRun()) deadlines.push(this.#session.nextCheckAt);
    const retransmitAt = this.#pending.deadline();
    if (retransmitAt !== undefined) deadlines.push(retransmitAt);
    if (
      this.#session.firstValidAt !== undefined &&
      this.#controlling &&
      !this.#session.nominating &&
      this.#session.valid.selected === undefined &&
      this.#session.valid.best !== undefined
    ) {
      deadlines.push(this.#session.firstValidAt + this.#nominationDelayMs);
    }
    if (this.#consent !== undefined && this.#lastNow !== undefined) {
      const at = this.#consent.deadline(this.#lastNow);
      if (at !== undefined) deadlines.push(at);
    }
    return deadlines.length === 0 ? undefined : Math.min(...deadlines);
  }

  /** Everything that may happen at `now` after an input: a paced check, nomination, consent. */
  #tick(now: number): void {
    this.#lastNow = now;
    if (this.#controlling) this.#session.maybeStartNomination(this.#nominationDelayMs, now);
    this.#runConsent(now);
    if (now >= this.#session.nextCheckAt && this.#hasChecksToRun()) this.#sendNextCheck(now);
    this.#updateState(now);
  }

  #hasChecksToRun(): boolean {
    // §6.2: a lite agent never sends checks.
    if (this.lite || this.#remote === undefined || this.#state === 'failed') return false;
    // §9: a restart's checks wait for the peer's new credentials; the old ones are the old pair's.
    if (this.#previous !== undefined && this.#previous.remote === this.#remote) return false;
    // §8.1.2: once a pair is nominated, ordinary checks stop; triggered ones still answer the peer.
    return (
      this.#session.triggered.length > 0 ||
      (!this.#session.checksIdle && this.#session.valid.selected === undefined)
    );
  }

  /** §6.1.4.2: one check per Ta, the triggered queue first. */
  #sendNextCheck(now: number): void {
    const nominating = (pair: CandidatePair): boolean =>
      this.#controlling && this.#session.valid.nominationTarget === pair;
    const pair = this.#session.takeNextPair(nominating);
    if (pair === undefined) {
      this.#session.checksIdle = true;
      return;
    }
    // A nomination re-checks a succeeded pair; the pair stays succeeded meanwhile.
    if (pair.state !== 'succeeded') this.#session.checklist.markInProgress(pair);
    this.#sendRequest(pair, nominating(pair) ? 'nomination' : 'check', now);
    this.#session.nextCheckAt = now + this.#taMs;
  }

  #sendRequest(
    pair: CandidatePair,
    purpose: CheckPurpose,
    now: number,
    credentials: { local: LocalCredentials; remote: RemoteCredentials | undefined } = {
      local: this.#local,
      remote: this.#remote,
    },
  ): void {
    const remote = credentials.remote;
    if (remote === undefined) return;
    const role = { controlling: this.#controlling, tieBreaker: this.tieBreaker };
    const { check, transactionId, bytes } = prepareCheck(
      pair,
      purpose,
      { local: credentials.local, remote },
      role,
    );
    this.#pending.start(
      check,
      { transactionId, bytes },
      {
        reliable: false,
        rto: this.#rtoMs,
        ...(purpose === 'consent' && {
          maxTransmissions: CONSENT_TRANSMISSIONS,
          lastWaitFactor: 4,
        }),
      },
      now,
    );
    this.#counters.of(pair).requestSent(purpose);
    this.#session.checksStarted = true;
  }

  #nominate(pair: CandidatePair, now: number): void {
    this.#session.checklist.markNominated(pair);
    this.#session.nominateOnSuccess.delete(pair);
    const before = this.#session.valid.selected;
    const selected = this.#session.valid.nominate(pair);
    if (selected === undefined || selected === before) return;
    // §8.1.2: checks of lower-priority pairs stop once a pair is nominated.
    const lower = this.#pending.cancelWhere(
      (check) => check.purpose === 'check' && check.pair.priority < selected.priority,
    );
    for (const check of lower) this.#session.checklist.markFailed(check.pair);
    // §9: the restart is complete; the old pair, its consent and its credentials go.
    if (this.#previous !== undefined) {
      const old = this.#previous.selected.pair;
      this.#pending.cancelWhere((check) => check.pair === old);
      this.#previous = undefined;
    }
    this.#consent = new ConsentFreshness(now, this.#random, !this.lite);
    this.#events.push({
      type: 'selected-pair',
      local: selected.local,
      remote: selected.remote,
      pair: selected.pair,
    });
  }

  #runConsent(now: number): void {
    const consent = this.#consent;
    const selected = this.#dataPair();
    if (consent === undefined || selected === undefined) return;
    if (consent.takeDueKeepalive(now)) {
      const { local, remote } = selected.pair;
      this.#transmits.push({ data: keepaliveIndication(), from: local.base, to: remote });
    }
    if (!consent.takeDueRequest(now)) return;
    const previous = this.#previous;
    if (previous === undefined) this.#sendRequest(selected.pair, 'consent', now);
    else this.#sendRequest(selected.pair, 'consent', now, previous);
  }

  /** The selected pair, or during a restart the old one until a new one is selected. */
  #dataPair(): ValidPair | undefined {
    return this.#session.valid.selected ?? this.#previous?.selected;
  }

  #switchRole(controlling: boolean): void {
    this.#controlling = controlling;
    this.#session.checklist.recomputePriorities(controlling);
    this.#session.valid.recomputePriorities(controlling);
    this.#session.nominating = false;
    this.#events.push({ type: 'role-changed', controlling });
  }

  #updateState(now: number | undefined): void {
    if (this.#state === 'closed' || this.#state === 'failed') return;
    const selected = this.#dataPair();
    if (selected !== undefined && this.#consent !== undefined && now !== undefined) {
      const status = this.#consent.status(now);
      if (status === 'expired') {
        // RFC 7675 §5.1: without consent the agent stops sending on the pair.
        this.#pending.cancelWhere(() => true);
        this.#consent = undefined;
        this.#previous = undefined;
        this.#setState('failed');
      } else if (status === 'unanswered') this.#setState('disconnected');
      else this.#setState(this.#isComplete() ? 'completed' : 'connected');
      return;
    }
    if (selected !== undefined) return;
    // A lite agent checks nothing, so nothing of its can be exhausted.
    if (!this.lite && this.#session.exhausted()) {
      this.#setState('failed');
    } else if (this.#session.checksStarted) this.#setState('checking');
  }

  #isComplete(): boolean {
    // A restart's checks are still to select a pair; a lite agent has nothing to check.
    if (this.#previous !== undefined) return false;
    if (this.lite) return true;
    if (!this.#session.endOfRemoteCandidates || this.#session.triggered.length > 0) return false;
    return !this.#pending.hasActiveChecks();
  }

  #setState(state: IceTransportState): void {
    if (state === this.#state) return;
    // Browsers always pass through connected on the way to completed; observers rely on it.
    if (state === 'completed' && this.#state === 'checking') this.#setState('connected');
    this.#state = state;
    this.#events.push({ type: 'state', state });
  }
}
