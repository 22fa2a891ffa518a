/**
 * Candidates of one direction of a test's signaling: held while the description they belong to
 * is on its way (they would name a ufrag the other side does not know yet), then delivered one
 * at a time, in order. A `rewrite` (the media tests' UDP relay) may replace each candidate on
 * the way, or drop it (undefined).
 */

import type { IceCandidateInit } from './remote-peer.js';

export type CandidateRewrite = (
  candidate: IceCandidateInit,
) => Promise<IceCandidateInit | undefined>;

export class CandidateRelay {
  readonly #deliver: (candidate: IceCandidateInit | null) => Promise<unknown>;
  readonly #rewrite: CandidateRewrite | undefined;
  readonly #errors: string[];
  #held: (IceCandidateInit | null)[] | undefined = [];
  #sending: Promise<void> = Promise.resolve();
  /** How many candidates (end-of-candidates included) were handed to the other side. */
  delivered = 0;

  /** `errors` collects every failed delivery, for the tests' assertion that there were none. */
  constructor(
    deliver: (candidate: IceCandidateInit | null) => Promise<unknown>,
    errors: string[],
    rewrite?: CandidateRewrite,
  ) {
    this.#deliver = deliver;
    this.#errors = errors;
    this.#rewrite = rewrite;
  }

  hold(): void {
    this.#held ??= [];
  }

  relay(candidate: IceCandidateInit | null): void {
    if (this.#held !== undefined) this.#held.push(candidate);
    else this.#send(candidate);
  }

  release(): void {
    const held = this.#held ?? [];
    this.#held = undefined;
    for (const candidate of held) this.#send(candidate);
  }

  /** One at a time: a rewrite may bind a socket, and candidates must arrive in order. */
  #send(candidate: IceCandidateInit | null): void {
    this.#sending = this.#sending.then(async () => {
      try {
        const rewrite = this.#rewrite;
        const sent =
          candidate === null || rewrite === undefined ? candidate : await rewrite(candidate);
        if (sent === undefined) return;
        this.delivered++;
        await this.#deliver(sent);
      } catch (error) {
        this.#errors.push(`addIceCandidate(${JSON.stringify(candidate)}): ${String(error)}`);
      }
    });
  }
}
