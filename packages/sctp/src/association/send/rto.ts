/**
 * The retransmission timeout (RFC 9260 §6.3.1): a smoothed round-trip time and its variation,
 * updated from one RTT measurement at a time, give RTO = SRTT + 4 * RTTVAR, clamped to
 * [RTO.Min, RTO.Max]. Which measurements may be taken (Karn's rule, one per round trip) is the
 * caller's business; this only does the arithmetic and the T3-rtx back-off (§6.3.3 E2).
 */

import { SctpError } from '../../errors.js';

/** RTO.Alpha and RTO.Beta (RFC 9260 §16). */
const RTO_ALPHA = 1 / 8;
const RTO_BETA = 1 / 4;

/**
 * Clock granularity G in ms (RFC 9260 §6.3.1 G1): RTTVAR never drops to 0, so a run of identical
 * samples cannot pin RTO to SRTT with no margin for jitter.
 */
const CLOCK_GRANULARITY_MS = 1;

export interface RtoOptions {
  readonly rtoInitialMs: number;
  readonly rtoMinMs: number;
  readonly rtoMaxMs: number;
}

export class RtoEstimator {
  readonly #minMs: number;
  readonly #maxMs: number;
  #srtt: number | undefined;
  #rttvar = 0;
  #rto: number;

  constructor(options: RtoOptions) {
    const { rtoInitialMs, rtoMinMs, rtoMaxMs } = options;
    if (!(rtoMinMs > 0 && rtoMinMs <= rtoMaxMs && rtoInitialMs > 0)) {
      throw new SctpError(
        `RTO needs 0 < min <= max and initial > 0, got min ${rtoMinMs}, max ${rtoMaxMs}, initial ${rtoInitialMs}`,
      );
    }
    this.#minMs = rtoMinMs;
    this.#maxMs = rtoMaxMs;
    // C1: RTO.Initial until the first measurement.
    this.#rto = rtoInitialMs;
  }

  /** The current RTO in ms, back-off included. */
  get rto(): number {
    return this.#rto;
  }

  /** SRTT in ms; undefined before the first measurement. */
  get srtt(): number | undefined {
    return this.#srtt;
  }

  get rttvar(): number {
    return this.#rttvar;
  }

  /** One RTT measurement `rttMs` (C2, C3), which also undoes any back-off. */
  addSample(rttMs: number): void {
    const r = Math.max(rttMs, 0);
    if (this.#srtt === undefined) {
      // C2
      this.#srtt = r;
      this.#rttvar = r / 2;
    } else {
      // C3: RTTVAR first, from the SRTT before this update.
      this.#rttvar = (1 - RTO_BETA) * this.#rttvar + RTO_BETA * Math.abs(this.#srtt - r);
      this.#srtt = (1 - RTO_ALPHA) * this.#srtt + RTO_ALPHA * r;
    }
    if (this.#rttvar === 0) this.#rttvar = CLOCK_GRANULARITY_MS;
    // C6 and C7: clamp to [RTO.Min, RTO.Max].
    const rto = this.#srtt + 4 * this.#rttvar;
    this.#rto = Math.min(Math.max(rto, this.#minMs), this.#maxMs);
  }

  /** T3-rtx expired (§6.3.3 E2): RTO doubles, up to RTO.Max (C7). */
  backOff(): void {
    this.#rto = Math.min(this.#rto * 2, this.#maxMs);
  }
}
