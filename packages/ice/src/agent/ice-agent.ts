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
 *   consent expired (RFC 7675 §5.1); `disconnected`: see `consent.ts`. Failure is final here.
 */

import type { SocketAddress } from '@typertc/common';
import { sameSocketAddress } from '@typertc/common';
import {
  ERROR_CODE,
  StunMessage,
  StunMethod,
  shortTermKey,
  XOR_MAPPED_ADDRESS,
} from '@typertc/stun';
import { candidatePriority, type IceCandidate, type LocalCandidate } from '../candidate.js';
import { Checklist } from '../checklist.js';
import { type CandidatePair, pairPriority } from '../pair.js';
import {
  type IceAgentEvent,
  type IceAgentOptions,
  type IceTransmit,
  type IceTransportState,
  MAX_REMOTE_PRFLX,
  resolveAgentOptions,
} from './agent-types.js';
import {
  answerCheck,
  buildCheckRequest,
  type CheckPurpose,
  type PendingCheck,
} from './connectivity-checks.js';
import { CONSENT_TRANSMISSIONS, ConsentFreshness } from './consent.js';
import { learnRemotePeerReflexive, localCandidateAt, pairOnPath } from './peer-reflexive.js';
import { PendingChecks } from './pending-checks.js';
import { ValidList } from './valid-list.js';

export class IceAgent {
  readonly localUfrag: string;
  readonly localPassword: string;
  readonly tieBreaker: bigint;
  #controlling: boolean;
  readonly #localKey: Uint8Array;
  #remoteUfrag: string | undefined;
  #remoteKey: Uint8Array | undefined;
  readonly #taMs: number;
  readonly #rtoMs: number;
  readonly #nominationDelayMs: number;
  readonly #random: () => number;
  readonly #checklist: Checklist;
  readonly #locals: LocalCandidate[] = [];
  readonly #valid = new ValidList();
  readonly #pending = new PendingChecks((transmit) => this.#transmits.push(transmit));
  /** §6.1.4.1: pairs to check ahead of the ordinary ones, oldest first. */
  readonly #triggered: CandidatePair[] = [];
  /** Pairs the controlled agent saw USE-CANDIDATE on before their own check succeeded. */
  readonly #nominateOnSuccess = new Set<CandidatePair>();
  readonly #transmits: IceTransmit[] = [];
  readonly #events: IceAgentEvent[] = [];
  #remotePrflx = 0;
  #state: IceTransportState = 'new';
  #endOfRemoteCandidates = false;
  #checksStarted = false;
  /** When Ta next allows a check. */
  #nextCheckAt = Number.NEGATIVE_INFINITY;
  /** No check was found at the last Ta tick and nothing changed since. */
  #checksIdle = false;
  #firstValidAt: number | undefined;
  #nominating = false;
  #consent: ConsentFreshness | undefined;
  /** The latest `now` an input brought, for deadlines computed in `pollTimeout`. */
  #lastNow: number | undefined;

  constructor(options: IceAgentOptions) {
    const resolved = resolveAgentOptions(options);
    this.#controlling = options.controlling;
    this.tieBreaker = resolved.tieBreaker;
    this.localUfrag = resolved.localUfrag;
    this.localPassword = resolved.localPassword;
    this.#localKey = shortTermKey(this.localPassword);
    this.#taMs = resolved.taMs;
    this.#rtoMs = resolved.rtoMs;
    this.#nominationDelayMs = resolved.nominationDelayMs;
    this.#random = resolved.random;
    this.#checklist = new Checklist({
      controlling: options.controlling,
      ...(options.maxPairs !== undefined && { maxPairs: options.maxPairs }),
    });
  }

  get controlling(): boolean {
    return this.#controlling;
  }

  get state(): IceTransportState {
    return this.#state;
  }

  /** The checklist's pairs, best first (a snapshot of live objects). */
  get pairs(): readonly CandidatePair[] {
    return this.#checklist.pairs;
  }

  get remoteCandidates(): readonly IceCandidate[] {
    return this.#checklist.remoteCandidates;
  }

  get selectedPair(): { local: LocalCandidate; remote: IceCandidate } | undefined {
    const selected = this.#valid.selected;
    return selected === undefined ? undefined : { local: selected.local, remote: selected.remote };
  }

  setRemoteCredentials(ufrag: string, password: string): void {
    this.#remoteUfrag = ufrag;
    this.#remoteKey = shortTermKey(password);
    this.#checksIdle = false;
  }

  addLocalCandidate(candidate: LocalCandidate): void {
    if (this.#state === 'closed') return;
    this.#locals.push(candidate);
    if (this.#checklist.addLocalCandidate(candidate).length > 0) this.#checksIdle = false;
  }

  addRemoteCandidate(candidate: IceCandidate): void {
    if (this.#state === 'closed') return;
    if (this.#checklist.addRemoteCandidate(candidate).length > 0) this.#checksIdle = false;
  }

  /** RFC 8838 §13: the peer will send no more candidates (failure becomes final). */
  endOfRemoteCandidates(): void {
    this.#endOfRemoteCandidates = true;
    this.#updateState(undefined);
  }

  close(): void {
    if (this.#state === 'closed') return;
    this.#pending.cancelWhere(() => true);
    this.#triggered.length = 0;
    this.#transmits.length = 0;
    this.#consent = undefined;
    this.#setState('closed');
  }

  /** A STUN datagram that arrived on the base `local` from `remote`. */
  handleDatagram(data: Uint8Array, local: SocketAddress, remote: SocketAddress, now: number): void {
    // Failed is final (no ICE restart here) and, after consent expiry, RFC 7675 §5.1 forbids
    // sending; so a failed agent answers nothing.
    if (this.#state === 'closed' || this.#state === 'failed') return;
    let message: StunMessage;
    try {
      message = StunMessage.decode(data);
    } catch {
      return; // RFC 8489 §6.3: malformed messages are discarded silently.
    }
    if (message.method !== StunMethod.Binding || message.fingerprint === 'invalid') return;
    if (message.messageClass === 'request') this.#handleRequest(message, local, remote, now);
    else if (message.messageClass !== 'indication')
      this.#handleResponse(message, local, remote, now);
    this.#tick(now);
  }

  handleTimeout(now: number): void {
    if (this.#state === 'closed' || this.#state === 'failed') return;
    for (const check of this.#pending.handleTimeout(now)) this.#checkFailed(check);
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
    if (this.#hasChecksToRun()) deadlines.push(this.#nextCheckAt);
    const retransmitAt = this.#pending.deadline();
    if (retransmitAt !== undefined) deadlines.push(retransmitAt);
    if (
      this.#firstValidAt !== undefined &&
      this.#controlling &&
      !this.#nominating &&
      this.#valid.selected === undefined &&
      this.#valid.best !== undefined
    ) {
      deadlines.push(this.#firstValidAt + this.#nominationDelayMs);
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
    this.#maybeNominate(now);
    this.#runConsent(now);
    if (now >= this.#nextCheckAt && this.#hasChecksToRun()) this.#sendNextCheck(now);
    this.#updateState(now);
  }

  #hasChecksToRun(): boolean {
    if (this.#remoteKey === undefined || this.#state === 'failed') return false;
    // §8.1.2: once a pair is nominated, ordinary checks stop; triggered ones still answer the peer.
    return this.#triggered.length > 0 || (!this.#checksIdle && this.#valid.selected === undefined);
  }

  /** §6.1.4.2: one check per Ta, the triggered queue first. */
  #sendNextCheck(now: number): void {
    const nominating = (pair: CandidatePair): boolean =>
      this.#controlling && this.#valid.nominationTarget === pair;
    let pair = this.#triggered.shift();
    // A pair that succeeded while queued needs no second check, unless this one nominates it;
    // one the full checklist discarded meanwhile (RFC 8838 §10) is no longer checked.
    const stale = (candidate: CandidatePair): boolean =>
      (candidate.state === 'succeeded' && !nominating(candidate)) || !this.#listed(candidate);
    while (pair !== undefined && stale(pair)) {
      pair = this.#triggered.shift();
    }
    if (pair === undefined && this.#valid.selected === undefined) {
      pair = this.#checklist.nextToCheck();
    }
    if (pair === undefined) {
      this.#checksIdle = true;
      return;
    }
    // A nomination re-checks a succeeded pair; the pair stays succeeded meanwhile.
    if (pair.state !== 'succeeded') this.#checklist.markInProgress(pair);
    this.#sendRequest(pair, nominating(pair) ? 'nomination' : 'check', now);
    this.#nextCheckAt = now + this.#taMs;
  }

  #sendRequest(pair: CandidatePair, purpose: CheckPurpose, now: number): void {
    const remoteUfrag = this.#remoteUfrag;
    const remoteKey = this.#remoteKey;
    if (remoteUfrag === undefined || remoteKey === undefined) return;
    // §7.1.1: the priority the local candidate would have as a peer-reflexive one.
    const priority = candidatePriority(
      'prflx',
      (pair.local.priority >>> 8) & 0xffff,
      pair.local.component,
    );
    const { message, bytes } = buildCheckRequest({
      localUfrag: this.localUfrag,
      remoteUfrag,
      remoteKey,
      priority,
      controlling: this.#controlling,
      tieBreaker: this.tieBreaker,
      useCandidate: purpose === 'nomination',
    });
    const to = { address: pair.remote.address, port: pair.remote.port, family: pair.remote.family };
    const check: PendingCheck = {
      purpose,
      pair,
      from: pair.local.base,
      to,
      priority,
      controlling: this.#controlling,
    };
    this.#pending.start(
      check,
      { transactionId: message.transactionId, bytes },
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
    this.#checksStarted = true;
  }

  #handleRequest(
    request: StunMessage,
    local: SocketAddress,
    remote: SocketAddress,
    now: number,
  ): void {
    const answer = answerCheck(request, remote, {
      localUfrag: this.localUfrag,
      localKey: this.#localKey,
      controlling: this.#controlling,
      tieBreaker: this.tieBreaker,
    });
    this.#transmits.push({ data: answer.reply, from: local, to: remote });
    if (!answer.accepted) return;
    if (answer.switchRole) this.#switchRole(!this.#controlling);
    const pair = this.#pairFor(local, remote, answer.priority);
    if (pair === undefined) return;
    // §7.3.1.4: a triggered check, unless the pair has succeeded or is queued already. A check
    // in progress stops retransmitting; the triggered one replaces it.
    if (pair.state !== 'succeeded' && !this.#triggered.includes(pair)) {
      this.#pending.supersede(pair);
      this.#checklist.markWaiting(pair);
      this.#triggered.push(pair);
    }
    // §7.3.1.5: as the controlled agent, USE-CANDIDATE nominates the pair.
    if (answer.useCandidate && !this.#controlling) {
      if (pair.state === 'succeeded') this.#nominate(pair, now);
      else this.#nominateOnSuccess.add(pair);
    }
  }

  /** The checklist pair of a request, learning the source as a prflx candidate (§7.3.1.3). */
  /** The checklist pair of a request, learning its source as a prflx candidate (§7.3.1.3). */
  #pairFor(
    local: SocketAddress,
    remote: SocketAddress,
    priority: number,
  ): CandidatePair | undefined {
    const known = pairOnPath(this.#checklist, local, remote);
    if (known !== undefined || this.#remotePrflx >= MAX_REMOTE_PRFLX) return known;
    if (!learnRemotePeerReflexive(this.#checklist, remote, priority)) return undefined;
    this.#remotePrflx++;
    this.#checksIdle = false;
    return pairOnPath(this.#checklist, local, remote);
  }

  #handleResponse(
    response: StunMessage,
    local: SocketAddress,
    remote: SocketAddress,
    now: number,
  ): void {
    const check = this.#pending.find(response.transactionId);
    if (check === undefined || this.#remoteKey === undefined) return;
    if (!response.verifyIntegrity(this.#remoteKey)) return;
    if (!this.#pending.complete(response.transactionId, now)) return;
    // §7.2.5.2.1: the response must come from where the request went, to where it came from.
    if (!sameSocketAddress(remote, check.to) || !sameSocketAddress(local, check.from)) {
      this.#checkFailed(check);
      return;
    }
    if (response.messageClass === 'error') {
      const code = response.get(ERROR_CODE)?.code;
      // §7.2.5.1: on 487 take the other role, unless it was already switched, and retry.
      if (code === 487 && check.purpose !== 'consent') {
        if (check.controlling === this.#controlling) this.#switchRole(!this.#controlling);
        this.#checklist.markWaiting(check.pair);
        this.#triggered.push(check.pair);
        return;
      }
      this.#checkFailed(check);
      return;
    }
    const mapped = response.get(XOR_MAPPED_ADDRESS);
    if (mapped === undefined) {
      this.#checkFailed(check);
      return;
    }
    if (check.purpose === 'consent') {
      this.#consent?.handleResponse(now);
      return;
    }
    this.#checkSucceeded(check, mapped, now);
  }

  /** §7.2.5.3: the pair and the one the mapped address makes are valid. */
  #checkSucceeded(check: PendingCheck, mapped: SocketAddress, now: number): void {
    const { pair } = check;
    if (!this.#listed(pair)) return;
    const local = localCandidateAt(this.#locals, mapped, {
      from: check.from,
      priority: check.priority,
      component: pair.local.component,
    });
    this.#checklist.markSucceeded(pair);
    this.#pending.cancelWhere((other, superseded) => superseded && other.pair === pair);
    this.#valid.add(pair, local, pairPriority(this.#controlling, local, pair.remote));
    this.#firstValidAt ??= now;
    if (check.purpose === 'nomination' || this.#nominateOnSuccess.has(pair))
      this.#nominate(pair, now);
    if (this.#consent !== undefined && this.#valid.selected?.pair === pair) {
      this.#consent.handleResponse(now);
    }
  }

  /** Whether the checklist still holds the pair: a full one discards waiting pairs. */
  #listed(pair: CandidatePair): boolean {
    return this.#checklist.pairs.includes(pair);
  }

  #checkFailed(check: PendingCheck): void {
    // Consent expiry decides, not one consent transaction.
    if (check.purpose === 'consent' || !this.#listed(check.pair)) return;
    this.#checklist.markFailed(check.pair);
    this.#valid.remove(check.pair);
    if (check.purpose === 'nomination') this.#nominating = false;
  }

  /** Regular nomination by the controlling agent (§8.1.1). */
  #maybeNominate(now: number): void {
    if (!this.#controlling || this.#nominating || this.#valid.selected !== undefined) return;
    const best = this.#valid.best;
    if (best === undefined || this.#firstValidAt === undefined) return;
    const betterPending = this.#checklist.pairs.some(
      (pair) =>
        pair.priority > best.priority && pair.state !== 'failed' && pair.state !== 'succeeded',
    );
    if (betterPending && now < this.#firstValidAt + this.#nominationDelayMs) return;
    this.#nominating = true;
    this.#valid.nominationTarget = best.pair;
    const queued = this.#triggered.indexOf(best.pair);
    if (queued >= 0) this.#triggered.splice(queued, 1);
    this.#triggered.unshift(best.pair);
  }

  #nominate(pair: CandidatePair, now: number): void {
    this.#checklist.markNominated(pair);
    this.#nominateOnSuccess.delete(pair);
    const before = this.#valid.selected;
    const selected = this.#valid.nominate(pair);
    if (selected === undefined || selected === before) return;
    // §8.1.2: checks of lower-priority pairs stop once a pair is nominated.
    const lower = this.#pending.cancelWhere(
      (check) => check.purpose === 'check' && check.pair.priority < selected.priority,
    );
    for (const check of lower) this.#checklist.markFailed(check.pair);
    this.#consent = new ConsentFreshness(now, this.#random);
    this.#events.push({ type: 'selected-pair', local: selected.local, remote: selected.remote });
  }

  #runConsent(now: number): void {
    const consent = this.#consent;
    const selected = this.#valid.selected;
    if (consent === undefined || selected === undefined) return;
    if (consent.takeDueRequest(now)) this.#sendRequest(selected.pair, 'consent', now);
  }

  #switchRole(controlling: boolean): void {
    this.#controlling = controlling;
    this.#checklist.recomputePriorities(controlling);
    this.#valid.recomputePriorities(controlling);
    this.#nominating = false;
    this.#events.push({ type: 'role-changed', controlling });
  }

  #updateState(now: number | undefined): void {
    if (this.#state === 'closed' || this.#state === 'failed') return;
    const selected = this.#valid.selected;
    if (selected !== undefined && this.#consent !== undefined && now !== undefined) {
      const status = this.#consent.status(now);
      if (status === 'expired') {
        // RFC 7675 §5.1: without consent the agent stops sending on the pair.
        this.#pending.cancelWhere(() => true);
        this.#consent = undefined;
        this.#setState('failed');
      } else if (status === 'unanswered') this.#setState('disconnected');
      else this.#setState(this.#isComplete() ? 'completed' : 'connected');
      return;
    }
    if (selected !== undefined) return;
    // Without local candidates gathering is still under way: nothing has failed yet.
    const usable = this.#checklist.pairs.some((pair) => pair.state !== 'failed');
    const exhausted = this.#endOfRemoteCandidates && this.#locals.length > 0 && !usable;
    if (exhausted && this.#triggered.length === 0) {
      this.#setState('failed');
    } else if (this.#checksStarted) this.#setState('checking');
  }

  #isComplete(): boolean {
    if (!this.#endOfRemoteCandidates || this.#triggered.length > 0) return false;
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
