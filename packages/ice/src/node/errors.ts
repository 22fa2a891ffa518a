/** The errors `IceTransport` throws on purpose; both extend `IceError`. */

import { IceError } from '../errors.js';

/**
 * `send` without a usable pair: none is selected yet, consent expired (RFC 7675 §5.1 forbids
 * sending then) or the agent failed.
 */
export class IceNotConnectedError extends IceError {
  constructor() {
    super('no selected candidate pair to send on', 'ICE_NOT_CONNECTED');
  }
}

/**
 * A remote candidate named by a host name (an mDNS `.local` name or an FQDN, RFC 8839 §5.1):
 * this transport pairs IP addresses only, so the caller resolves the name first
 * (`resolveCandidate`) or drops the candidate.
 */
export class IceUnresolvedCandidateError extends IceError {
  constructor(readonly hostname: string) {
    super(`candidate address ${JSON.stringify(hostname)} is a host name`, 'ICE_CANDIDATE_HOSTNAME');
  }
}
