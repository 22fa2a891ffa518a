/**
 * The valid list (RFC 8445 §7.2.5.3.2): the pairs a check has proved, each as the peer sees it
 * (the local candidate is the mapped address, a prflx candidate behind a NAT), keyed by the
 * checklist pair the check ran on; and which of them are nominated and selected (§8.1.1).
 */

import type { IceCandidate, LocalCandidate } from '../candidate.js';
import { type CandidatePair, pairPriority } from '../pair.js';

export interface ValidPair {
  /** The checklist pair whose checks proved this one; checks and consent run on it. */
  readonly pair: CandidatePair;
  readonly local: LocalCandidate;
  readonly remote: IceCandidate;
  priority: bigint;
  nominated: boolean;
}

export class ValidList {
  readonly #pairs = new Map<CandidatePair, ValidPair>();
  #selected: ValidPair | undefined;
  /** The pair the controlling agent is nominating (its checks carry USE-CANDIDATE). */
  nominationTarget: CandidatePair | undefined;

  get selected(): ValidPair | undefined {
    return this.#selected;
  }

  /** The highest-priority valid pair. */
  get best(): ValidPair | undefined {
    let best: ValidPair | undefined;
    for (const valid of this.#pairs.values()) {
      if (best === undefined || valid.priority > best.priority) best = valid;
    }
    return best;
  }

  /** The valid pair a check of `pair` proved, if any. */
  get(pair: CandidatePair): ValidPair | undefined {
    return this.#pairs.get(pair);
  }

  add(pair: CandidatePair, local: LocalCandidate, priority: bigint): void {
    if (this.#pairs.has(pair)) return;
    this.#pairs.set(pair, { pair, local, remote: pair.remote, priority, nominated: false });
  }

  /** A later check of the pair failed: it is valid no more (it may not be selected). */
  remove(pair: CandidatePair): void {
    if (this.#selected?.pair === pair) return;
    this.#pairs.delete(pair);
    if (this.nominationTarget === pair) this.nominationTarget = undefined;
  }

  /**
   * Nominates the valid pair of `pair` and returns the selected pair: the highest-priority
   * nominated one (§8.1.1), undefined if `pair` is not valid.
   */
  nominate(pair: CandidatePair): ValidPair | undefined {
    const valid = this.#pairs.get(pair);
    if (valid === undefined) return this.#selected;
    valid.nominated = true;
    if (this.#selected === undefined || valid.priority > this.#selected.priority) {
      this.#selected = valid;
    }
    return this.#selected;
  }

  /** After a role change (§7.2.5.1): priorities follow the new controlling side. */
  recomputePriorities(controlling: boolean): void {
    for (const valid of this.#pairs.values()) {
      valid.priority = pairPriority(controlling, valid.local, valid.remote);
    }
  }
}
