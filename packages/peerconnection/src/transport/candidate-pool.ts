/**
 * The ICE candidate pool (W3C WebRTC 1.0 §4.4.1.1, §4.4.1.6 `iceCandidatePoolSize`): with a
 * pool size above 0, candidates are gathered as soon as the configuration says so, before any
 * description, and the first transport adopts them: the offer then goes out with its candidates
 * already known.
 *
 * One BUNDLE transport needs one set of candidates, so a pool of any size holds one gatherer.
 * A change of `iceServers` or `iceTransportPolicy` gathers again (§4.4.1.6 step 11: the pool is
 * refilled under the new configuration); a size of 0 empties it.
 */

import { CandidateGatherer } from '@typertc/ice';
import type { NormalizedConfiguration } from '../configuration.js';

/** What the pooled candidates depend on: the same key, the same candidates. */
function gatheringKey(config: NormalizedConfiguration): string {
  return JSON.stringify([config.iceServers, config.iceTransportPolicy]);
}

export class CandidatePool {
  #gatherer: CandidateGatherer | undefined;
  #gatheredFor: string | undefined;

  /** Fills, refills or empties the pool for `config`. Not with a udpMux (no sockets to pool). */
  update(config: NormalizedConfiguration): void {
    const wanted = config.iceCandidatePoolSize > 0 && config.udpMux === undefined;
    const key = gatheringKey(config);
    if (wanted && this.#gatherer !== undefined && this.#gatheredFor === key) return;
    this.close();
    if (!wanted) return;
    this.#gatherer = CandidateGatherer.start({ iceServers: config.iceServers });
    this.#gatheredFor = key;
  }

  /**
   * The pooled gatherer, for a transport made under `config`, which then owns it; undefined
   * when the pool is empty or was filled under other ICE servers or policy.
   */
  take(config: NormalizedConfiguration): CandidateGatherer | undefined {
    const gatherer = this.#gatherer;
    const gatheredFor = this.#gatheredFor;
    this.#gatherer = undefined;
    this.#gatheredFor = undefined;
    if (gatherer === undefined || gatheredFor !== gatheringKey(config)) {
      gatherer?.close();
      return undefined;
    }
    return gatherer;
  }

  close(): void {
    this.#gatherer?.close();
    this.#gatherer = undefined;
    this.#gatheredFor = undefined;
  }
}
