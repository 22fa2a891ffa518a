/**
 * The errors the STUN package throws. Malformed bytes are `StunParseError` (a `ParseError`, with
 * the offset); everything else extends `StunError`.
 */

import { ParseError, TypeRtcError } from '@typertc/common';

/** Bytes that are not a well-formed STUN message or attribute (RFC 8489 §5, §14). */
export class StunParseError extends ParseError {
  constructor(message: string, offset: number, options?: ErrorOptions) {
    super(message, offset, 'STUN_PARSE', options);
  }
}

/** Base class of the other errors this package throws on purpose. */
export class StunError extends TypeRtcError {
  constructor(message: string, code = 'STUN_ERROR', options?: ErrorOptions) {
    super(message, code, options);
  }
}

/**
 * A request that got no response: over UDP after Rc transmissions and the final Rm * RTO wait,
 * over TCP/TLS after Ti (RFC 8489 §6.2.1, §6.2.2).
 */
export class StunTimeoutError extends StunError {
  constructor(
    readonly transmissions: number,
    readonly elapsedMs: number,
  ) {
    super(
      `STUN transaction timed out after ${transmissions} transmission(s) and ${elapsedMs} ms`,
      'STUN_TIMEOUT',
    );
  }
}

/**
 * A server answered with an error response (RFC 8489 §14.8) that the client could not recover
 * from: `errorCode` is the STUN/TURN code (e.g. 401, 437, 441, 486), `reason` its phrase.
 */
export class StunErrorResponse extends StunError {
  constructor(
    readonly errorCode: number,
    readonly reason: string,
    context: string,
  ) {
    super(`${context}: ${errorCode} ${reason}`, 'STUN_ERROR_RESPONSE');
  }
}
