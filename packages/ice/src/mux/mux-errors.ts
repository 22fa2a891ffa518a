/** The errors of the single-port mode; like every error of this package, `IceError`s. */

import { IceError } from '../errors.js';

/** A misuse of the mux: an invalid option or local ufrag. */
export class UdpMuxError extends IceError {
  constructor(message: string, code = 'UDP_MUX_ERROR') {
    super(message, code);
  }
}

/**
 * The local ufrag is already routed to another agent. Two agents on one port cannot share a
 * ufrag: a request naming it could not be told apart (RFC 8445 §5.3 asks for at least 24 bits
 * of randomness in a ufrag, so a collision means a bug or a caller-chosen value).
 */
export class UfragInUseError extends UdpMuxError {
  constructor(readonly ufrag: string) {
    super(`local ufrag ${JSON.stringify(ufrag)} is already registered on this mux`, 'UFRAG_IN_USE');
  }
}
