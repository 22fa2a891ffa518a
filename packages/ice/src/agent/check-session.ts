/**
 * One generation of connectivity checks (RFC 8445 §6.1.2–§8): the checklist, the local
 * candidates it pairs, the valid list, the triggered-check queue and the pacing and nomination
 * bookkeeping. An ICE restart (§9) starts a new session from scratch; the agent keeps what
 * outlives a generation (role, credentials, consent, the transmit and event queues).
 */

import type { SocketAddress } from '@typertc/common';
import type { LocalCandidate } from '../candidate.js';
import { Checklist } from '../checklist.js';
import type { CandidatePair } from '../pair.js';
import { MAX_REMOTE_PRFLX } from './agent-types.js';
import { learnRemotePeerReflexive, pairOnPath } from './peer-reflexive.js';
import { ValidList } from './valid-list.js';

export class CheckSession {
  readonly checklist: Checklist;
  readonly locals: LocalCandidate[] = [];
  readonly valid = new ValidList();
  /** §6.1.4.1: pairs to check ahead of the ordinary ones, oldest first. */
  readonly triggered: CandidatePair[] = [];
  /** Pairs the controlled agent saw USE-CANDIDATE on before their own check succeeded. */
  readonly nominateOnSuccess = new Set<CandidatePair>();
  endOfRemoteCandidates = false;
  checksStarted = false;
  /** When Ta next allows a check. */
  nextCheckAt = Number.NEGATIVE_INFINITY;
  /** No check was found at the last Ta tick and nothing changed since. */
  checksIdle = false;
  firstValidAt: number | undefined;
  nominating = false;
  #remotePrflx = 0;
  /**
   * Remote prflx candidates learned at most: MAX_REMOTE_PRFLX, and never more than half the
   * pair budget, so that requests from unsignalled sources (a flood, even a correctly signed
   * one) cannot fill the checklist with pairs it will not evict while in progress and leave no
   * room for the candidates the peer signals.
   */
  readonly #maxRemotePrflx: number;

  constructor(controlling: boolean, maxPairs: number | undefined) {
    this.checklist = new Checklist({
      controlling,
      ...(maxPairs !== undefined && { maxPairs }),
    });
    this.#maxRemotePrflx = Math.min(
      MAX_REMOTE_PRFLX,
      Math.max(1, Math.floor(this.checklist.maxPairs / 2)),
    );
  }

  /** Whether the checklist still holds the pair: a full one discards waiting pairs. */
  listed(pair: CandidatePair): boolean {
    return this.checklist.pairs.includes(pair);
  }

  /** The checklist pair of a request, learning its source as a prflx candidate (§7.3.1.3). */
  pairFor(
    local: SocketAddress,
    remote: SocketAddress,
    priority: number,
  ): CandidatePair | undefined {
    const known = pairOnPath(this.checklist, local, remote);
    if (known !== undefined || this.#remotePrflx >= this.#maxRemotePrflx) return known;
    if (!learnRemotePeerReflexive(this.checklist, remote, priority)) return undefined;
    this.#remotePrflx++;
    this.checksIdle = false;
    return pairOnPath(this.checklist, local, remote);
  }

  /**
   * §6.1.4.2: the pair to check next, the triggered queue first; ordinary checks stop once a
   * pair is selected (§8.1.2). `nominating` tells the pairs whose check nominates them.
   */
  takeNextPair(nominating: (pair: CandidatePair) => boolean): CandidatePair | undefined {
    // A pair that succeeded while queued needs no second check, unless this one nominates it;
    // one the full checklist discarded meanwhile (RFC 8838 §10) is no longer checked.
    const stale = (pair: CandidatePair): boolean =>
      (pair.state === 'succeeded' && !nominating(pair)) || !this.listed(pair);
    let pair = this.triggered.shift();
    while (pair !== undefined && stale(pair)) pair = this.triggered.shift();
    if (pair === undefined && this.valid.selected === undefined) {
      pair = this.checklist.nextToCheck();
    }
    return pair;
  }

  /**
   * Regular nomination by the controlling agent (§8.1.1): once every better pair has failed, or
   * `delayMs` after the first valid pair, the best valid pair is queued first, to be checked with
   * USE-CANDIDATE.
   */
  maybeStartNomination(delayMs: number, now: number): void {
    if (this.nominating || this.valid.selected !== undefined) return;
    const best = this.valid.best;
    if (best === undefined || this.firstValidAt === undefined) return;
    const betterPending = this.checklist.pairs.some(
      (pair) =>
        pair.priority > best.priority && pair.state !== 'failed' && pair.state !== 'succeeded',
    );
    if (betterPending && now < this.firstValidAt + delayMs) return;
    this.nominating = true;
    this.valid.nominationTarget = best.pair;
    const queued = this.triggered.indexOf(best.pair);
    if (queued >= 0) this.triggered.splice(queued, 1);
    this.triggered.unshift(best.pair);
  }

  /** RFC 8838 §8: the peer has said it is done and every pair has failed. */
  exhausted(): boolean {
    // Without local candidates gathering is still under way: nothing has failed yet.
    const usable = this.checklist.pairs.some((pair) => pair.state !== 'failed');
    return (
      this.endOfRemoteCandidates && this.locals.length > 0 && !usable && this.triggered.length === 0
    );
  }
}
