/** Errors particular to the TURN client, beside the package's `StunError` family. */

import { StunError, StunTimeoutError } from '../errors.js';

/**
 * A transaction ended without an authentic response although responses came: every one failed
 * its MESSAGE-INTEGRITY check and was discarded. RFC 8489 §9.2.5 asks that this be reported as
 * a violation of integrity protection rather than as a plain timeout; it still is a timeout
 * (`instanceof StunTimeoutError`) for callers that only care about that.
 */
export class StunIntegrityError extends StunTimeoutError {
  override readonly code: string = 'STUN_INTEGRITY';

  constructor(
    transmissions: number,
    elapsedMs: number,
    /** How many responses were discarded. */
    readonly discarded: number,
  ) {
    super(transmissions, elapsedMs);
    this.message =
      `STUN transaction failed after ${transmissions} transmission(s) and ${elapsedMs} ms: ` +
      `all ${discarded} response(s) failed the integrity check`;
  }
}

/** A TURN client method called in a state that does not allow it (e.g. `sendTo` before allocation). */
export class TurnStateError extends StunError {
  constructor(operation: string, state: string) {
    super(`TURN ${operation} is not possible while the client is ${state}`, 'TURN_STATE');
  }
}
