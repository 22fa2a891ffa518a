/**
 * The errors the SCTP package throws. Malformed bytes are `SctpParseError` (a `ParseError`, with
 * the offset); the rest extend `SctpError`.
 */

import { ParseError, TypeRtcError } from '@typertc/common';

/** Bytes that are not a well-formed SCTP packet, chunk, parameter or DCEP message. */
export class SctpParseError extends ParseError {
  constructor(message: string, offset: number, options?: ErrorOptions) {
    super(message, offset, 'SCTP_PARSE', options);
  }
}

/** Base class of the other errors this package throws on purpose. */
export class SctpError extends TypeRtcError {
  constructor(message: string, code = 'SCTP_ERROR', options?: ErrorOptions) {
    super(message, code, options);
  }
}
