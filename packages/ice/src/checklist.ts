/**
 * The checklist of one data stream (RFC 8445 §6.1.2): the candidate pairs in priority order with
 * their states, formed from the local and remote candidates, and kept up to date as candidates
 * trickle in (RFC 8838 §10–§12), checks complete (§7.2.5.3.3) and the role changes (§7.2.5.1).
 *
 * A pure data structure: no timers, no I/O. The agent asks `nextToCheck()` when its pacing timer
 * Ta fires and reports each check's progress and outcome with the `mark*` methods; the triggered
 * check queue (§6.1.4.2 step 1) is the agent's.
 *
 * One checklist, not a checklist set: with BUNDLE a WebRTC session has a single data stream. Where
 * RFC 8445 reaches across checklists (a foundation already waiting in another one, §6.1.2.6 and
 * §6.1.4.2; unfreezing in all of them, §7.2.5.3.3), the agent coordinates, for instance by calling
 * `unfreezeFoundation` on the others. For the same reason the pair limit (§6.1.2.5) is per list.
 */

import { sameSocketAddress } from '@typertc/common';
import { createLocalCandidate, type IceCandidate, type LocalCandidate } from './candidate.js';
import { IceError } from './errors.js';
import {
  type CandidatePair,
  type CandidatePairState,
  canPair,
  pairFoundation,
  pairPriority,
} from './pair.js';

/** RFC 8445 §6.1.2.5: the default limit on candidate pairs. */
export const DEFAULT_MAX_PAIRS = 100;

export interface ChecklistOptions {
  /** Whether this agent is controlling; it decides which candidate is G in §6.1.2.3. */
  readonly controlling: boolean;
  /** The most pairs kept (RFC 8445 §6.1.2.5); default 100. */
  readonly maxPairs?: number;
  /** Candidates known when the list is formed; later ones go through `add*Candidate`. */
  readonly localCandidates?: readonly LocalCandidate[];
  readonly remoteCandidates?: readonly IceCandidate[];
}

/** A pair as the checklist holds it: the public shape, writable here, plus bookkeeping. */
interface PairRecord {
  readonly local: LocalCandidate;
  readonly remote: IceCandidate;
  readonly foundation: string;
  state: CandidatePairState;
  nominated: boolean;
  priority: bigint;
  /**
   * The priority of the local candidate the pair was formed with. RFC 8445 computes pair
   * priorities (§6.1.2.3) before replacing reflexive candidates by their bases (§6.1.2.4), so a
   * replaced pair keeps the reflexive candidate's priority, as the peer sees it.
   */
  readonly formedLocalPriority: number;
  /** The path the checks take; pairs with the same path are redundant (§6.1.2.4). */
  readonly path: string;
}

function pathOf(local: LocalCandidate, remote: IceCandidate): string {
  const from = `${local.component} ${local.transport} ${local.tcpType} ${local.base.address}`;
  return `${from} ${local.base.port} ${remote.address} ${remote.port} ${remote.tcpType}`;
}

/**
 * The checklist order: priority descending (§6.1.2.3); on equal priorities the lower component
 * first (§6.1.4.2 step 3), then the path, so the order never depends on insertion order.
 */
function compareRank(a: PairRecord, b: PairRecord): number {
  if (a.priority !== b.priority) return a.priority > b.priority ? -1 : 1;
  if (a.local.component !== b.local.component) return a.local.component - b.local.component;
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

/** The order within a foundation (§6.1.2.6, RFC 8838 §12): lowest component, then the rank. */
function compareInFoundation(a: PairRecord, b: PairRecord): number {
  return a.local.component - b.local.component || compareRank(a, b);
}

/** The first pair of each foundation by `compareInFoundation`. */
function foundationHeads(pairs: readonly PairRecord[]): PairRecord[] {
  const heads = new Map<string, PairRecord>();
  for (const pair of pairs) {
    const head = heads.get(pair.foundation);
    if (head === undefined || compareInFoundation(pair, head) < 0) heads.set(pair.foundation, pair);
  }
  return [...heads.values()];
}

/** Frozen and waiting pairs have no check in flight or done, so pruning may remove them. */
function isPending(pair: PairRecord): boolean {
  return pair.state === 'frozen' || pair.state === 'waiting';
}

/**
 * The host candidate a reflexive candidate's base stands for, when the checklist was not given
 * it: same address, component, transport, and the local preference carried in bits 8–23 of the
 * reflexive candidate's priority (§5.1.2.1), so it is the candidate the agent would have gathered.
 */
function hostCandidateAt(reflexive: LocalCandidate): LocalCandidate {
  return createLocalCandidate({
    type: 'host',
    address: reflexive.base.address,
    port: reflexive.base.port,
    component: reflexive.component,
    transport: reflexive.transport,
    ...(reflexive.tcpType !== undefined && { tcpType: reflexive.tcpType }),
    localPreference: (reflexive.priority >>> 8) & 0xffff,
    ...(reflexive.ufrag !== undefined && { ufrag: reflexive.ufrag }),
  });
}

function sameRemote(a: IceCandidate, b: IceCandidate): boolean {
  return (
    a.component === b.component &&
    a.transport === b.transport &&
    a.address === b.address &&
    a.port === b.port &&
    a.type === b.type &&
    a.priority === b.priority &&
    a.foundation === b.foundation &&
    a.tcpType === b.tcpType
  );
}

export class Checklist {
  /** The most pairs the list keeps (RFC 8445 §6.1.2.5). */
  readonly maxPairs: number;
  private controllingRole: boolean;
  private readonly locals: LocalCandidate[] = [];
  private readonly remotes: IceCandidate[] = [];
  /** The pairs, in `compareRank` order. */
  private readonly ordered: PairRecord[] = [];
  private readonly byPath = new Map<string, PairRecord>();

  /**
   * Forms the list from the candidates known now (RFC 8445 §6.1.2): pairs every compatible local
   * and remote candidate, orders them, replaces reflexive local candidates by their bases and
   * prunes redundant pairs, keeps the `maxPairs` best, and sets one pair per foundation to waiting.
   * Throws `IceError` unless `maxPairs` is a positive integer.
   */
  constructor(options: ChecklistOptions) {
    const maxPairs = options.maxPairs ?? DEFAULT_MAX_PAIRS;
    if (!Number.isInteger(maxPairs) || maxPairs < 1) {
      throw new IceError(`maxPairs must be a positive integer, got ${maxPairs}`);
    }
    this.maxPairs = maxPairs;
    this.controllingRole = options.controlling;
    this.locals.push(...(options.localCandidates ?? []));
    this.remotes.push(...(options.remoteCandidates ?? []));
    const formed: PairRecord[] = [];
    for (const local of this.locals) {
      for (const remote of this.remotes) {
        const pair = this.formPair(local, remote);
        if (pair !== undefined) formed.push(pair);
      }
    }
    formed.sort(compareRank);
    for (const pair of formed) {
      // §6.1.2.4: a pair is redundant with a higher-priority one on the same path.
      if (this.byPath.has(pair.path)) continue;
      // §6.1.2.5: the lower-priority pairs beyond the limit are discarded.
      if (this.ordered.length === this.maxPairs) break;
      this.ordered.push(pair);
      this.byPath.set(pair.path, pair);
    }
    // §6.1.2.6: every pair starts frozen; the first of each foundation is unfrozen.
    for (const head of foundationHeads(this.ordered)) head.state = 'waiting';
  }

  get controlling(): boolean {
    return this.controllingRole;
  }

  /**
   * A snapshot of the pairs, highest priority first. The pair objects themselves are live: their
   * state, nomination and priority change as the checklist updates them.
   */
  get pairs(): readonly CandidatePair[] {
    return this.ordered.slice();
  }

  get localCandidates(): readonly LocalCandidate[] {
    return this.locals.slice();
  }

  get remoteCandidates(): readonly IceCandidate[] {
    return this.remotes.slice();
  }

  /**
   * Adds a local candidate gathered after the list was formed, once it has been trickled to the
   * peer (RFC 8838 §10), and pairs it with the known remote candidates. A candidate with the
   * transport address and base of one already known is redundant and ignored, whatever its
   * priority (RFC 8838 §9). Returns the pairs added.
   */
  addLocalCandidate(candidate: LocalCandidate): CandidatePair[] {
    const redundant = this.locals.some(
      (known) =>
        known.component === candidate.component &&
        known.transport === candidate.transport &&
        known.tcpType === candidate.tcpType &&
        known.address === candidate.address &&
        known.port === candidate.port &&
        sameSocketAddress(known.base, candidate.base),
    );
    if (redundant) return [];
    this.locals.push(candidate);
    return this.insertAll(this.remotes.map((remote) => this.formPair(candidate, remote)));
  }

  /**
   * Adds a remote candidate received after the list was formed (RFC 8838 §11) and pairs it with
   * the known local candidates. A repeat of a known remote candidate is ignored. Returns the pairs
   * added.
   */
  addRemoteCandidate(candidate: IceCandidate): CandidatePair[] {
    if (this.remotes.some((known) => sameRemote(known, candidate))) return [];
    this.remotes.push(candidate);
    return this.insertAll(this.locals.map((local) => this.formPair(local, candidate)));
  }

  /**
   * The pair to check when Ta fires (RFC 8445 §6.1.4.2 steps 2 and 3): the highest-priority
   * waiting pair. If none is waiting, first unfreezes, for each foundation with no pair waiting or
   * in progress, its first frozen pair (lowest component, then highest priority). Undefined when
   * nothing is left to check. The pair stays waiting until `markInProgress`.
   */
  nextToCheck(): CandidatePair | undefined {
    const waiting = this.ordered.find((pair) => pair.state === 'waiting');
    if (waiting !== undefined) return waiting;
    const busy = new Set<string>();
    for (const pair of this.ordered) if (pair.state === 'in-progress') busy.add(pair.foundation);
    const unfreezable = this.ordered.filter(
      (pair) => pair.state === 'frozen' && !busy.has(pair.foundation),
    );
    for (const head of foundationHeads(unfreezable)) head.state = 'waiting';
    return this.ordered.find((pair) => pair.state === 'waiting');
  }

  /** A check was sent for the pair (§6.1.4.2 step 3). */
  markInProgress(pair: CandidatePair): void {
    this.record(pair).state = 'in-progress';
  }

  /**
   * The pair's check succeeded: the pair is succeeded and every frozen pair of its foundation
   * becomes waiting (RFC 8445 §7.2.5.3.3).
   */
  markSucceeded(pair: CandidatePair): void {
    const record = this.record(pair);
    record.state = 'succeeded';
    this.unfreezeFoundation(record.foundation);
  }

  /** The pair's check failed (RFC 8445 §7.2.5.2, §7.2.5.4). */
  markFailed(pair: CandidatePair): void {
    this.record(pair).state = 'failed';
  }

  /** The pair goes back to waiting, as a triggered check puts it (RFC 8445 §7.3.1.4). */
  markWaiting(pair: CandidatePair): void {
    this.record(pair).state = 'waiting';
  }

  /** The pair is nominated (RFC 8445 §8.1.1, §7.3.1.5). */
  markNominated(pair: CandidatePair): void {
    this.record(pair).nominated = true;
  }

  /**
   * Sets every frozen pair of `foundation` to waiting: what a success in this or another
   * checklist of the set does (RFC 8445 §7.2.5.3.3).
   */
  unfreezeFoundation(foundation: string): void {
    for (const pair of this.ordered) {
      if (pair.foundation === foundation && pair.state === 'frozen') pair.state = 'waiting';
    }
  }

  /**
   * Takes the new role after a role conflict (RFC 8445 §7.2.5.1, §7.3.1.1): recomputes every
   * pair priority and re-sorts the list. States do not change.
   */
  recomputePriorities(controlling: boolean): void {
    this.controllingRole = controlling;
    for (const pair of this.ordered) {
      pair.priority = pairPriority(
        controlling,
        { priority: pair.formedLocalPriority },
        pair.remote,
      );
    }
    this.ordered.sort(compareRank);
  }

  private record(pair: CandidatePair): PairRecord {
    const record = this.byPath.get(pathOf(pair.local, pair.remote));
    if (record === undefined || record !== pair) {
      throw new IceError('the pair is not in this checklist', 'ICE_UNKNOWN_PAIR');
    }
    return record;
  }

  /** A frozen pair of the two candidates, the local one replaced by its base (§6.1.2.4). */
  private formPair(local: LocalCandidate, remote: IceCandidate): PairRecord | undefined {
    if (!canPair(local, remote)) return undefined;
    const sender = this.sendingCandidate(local);
    return {
      local: sender,
      remote,
      foundation: pairFoundation(sender, remote),
      state: 'frozen',
      nominated: false,
      priority: pairPriority(this.controllingRole, local, remote),
      formedLocalPriority: local.priority,
      path: pathOf(sender, remote),
    };
  }

  /**
   * An agent cannot send from a reflexive candidate, only from its base (RFC 8445 §6.1.2.4): the
   * host candidate at the base, as known to the list or else derived from the candidate.
   */
  private sendingCandidate(local: LocalCandidate): LocalCandidate {
    if (local.type !== 'srflx' && local.type !== 'prflx') return local;
    const host = this.locals.find(
      (known) =>
        known.type === 'host' &&
        known.component === local.component &&
        known.transport === local.transport &&
        known.tcpType === local.tcpType &&
        sameSocketAddress(known.base, local.base),
    );
    return host ?? hostCandidateAt(local);
  }

  /**
   * Inserts pairs formed from one trickled candidate, in the order RFC 8838 §17 pairs them
   * (lowest component first), so that the waiting rule sees the best pair of a foundation first.
   */
  private insertAll(formed: readonly (PairRecord | undefined)[]): CandidatePair[] {
    const pairs = formed.filter((pair): pair is PairRecord => pair !== undefined);
    return pairs.sort(compareInFoundation).filter((pair) => this.insert(pair));
  }

  /** Inserts one trickled pair (RFC 8838 §10–§12); false if it was discarded. */
  private insert(pair: PairRecord): boolean {
    const existing = this.byPath.get(pair.path);
    if (existing !== undefined) {
      // RFC 8838 §10 item 5, §11 item 4: pruning only removes frozen or waiting pairs. A new pair
      // on the path of a pair whose check is in flight or done would only repeat that check, so it
      // is the one dropped then, as it is when it ranks no higher than the existing pair.
      if (!isPending(existing) || compareRank(pair, existing) >= 0) return false;
      this.remove(existing);
    }
    if (this.ordered.length >= this.maxPairs && !this.makeRoomFor(pair)) return false;
    pair.state = this.trickledPairState(pair);
    let low = 0;
    let high = this.ordered.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareRank(this.ordered[middle] as PairRecord, pair) < 0) low = middle + 1;
      else high = middle;
    }
    this.ordered.splice(low, 0, pair);
    this.byPath.set(pair.path, pair);
    return true;
  }

  /**
   * A full list makes room (RFC 8838 §10 item 6, §11 item 5): it discards its lowest failed pair,
   * else its lowest frozen or waiting pair if that ranks below the new one. A pair in progress or
   * succeeded is never discarded. False if there is no room to make.
   */
  private makeRoomFor(pair: PairRecord): boolean {
    const victim =
      this.lowest((other) => other.state === 'failed') ??
      this.lowest((other) => isPending(other) && compareRank(other, pair) > 0);
    if (victim !== undefined) this.remove(victim);
    return victim !== undefined;
  }

  private lowest(predicate: (pair: PairRecord) => boolean): PairRecord | undefined {
    for (let i = this.ordered.length - 1; i >= 0; i--) {
      const pair = this.ordered[i] as PairRecord;
      if (predicate(pair)) return pair;
    }
    return undefined;
  }

  /**
   * The state of a trickled pair (RFC 8838 §12): waiting if it comes first in its foundation
   * (lowest component, then highest priority; rule 1) or if a pair of its foundation has
   * succeeded (rule 2); frozen otherwise (rule 3).
   */
  private trickledPairState(pair: PairRecord): CandidatePairState {
    let first = true;
    for (const other of this.ordered) {
      if (other.foundation !== pair.foundation) continue;
      if (other.state === 'succeeded') return 'waiting';
      if (compareInFoundation(other, pair) < 0) first = false;
    }
    return first ? 'waiting' : 'frozen';
  }

  private remove(pair: PairRecord): void {
    this.ordered.splice(this.ordered.indexOf(pair), 1);
    this.byPath.delete(pair.path);
  }
}
