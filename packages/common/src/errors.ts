/**
 * The error hierarchy every TypeRTC package extends.
 *
 * Each layer defines its own subclasses (`StunParseError`, `DtlsAlert`, `SrtpAuthError`, ...) so
 * callers can tell which layer rejected what with `instanceof`, and every error carries a stable
 * machine-readable `code` besides its message.
 */

/** Base class of every error TypeRTC throws on purpose. */
export class TypeRtcError extends Error {
  /** A stable identifier such as `PARSE_ERROR`; messages may change, codes do not. */
  readonly code: string;

  constructor(message: string, code = 'TYPERTC_ERROR', options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * Malformed input: a length field pointing past the bytes present, a value out of range, a
 * grammar violation. `offset` is where in the input the problem was found.
 */
export class ParseError extends TypeRtcError {
  readonly offset: number;

  constructor(message: string, offset: number, code = 'PARSE_ERROR', options?: ErrorOptions) {
    super(`${message} (at offset ${offset})`, code, options);
    this.offset = offset;
  }
}

/** A write that does not fit the caller-supplied buffer. */
export class BufferOverflowError extends TypeRtcError {
  constructor(needed: number, available: number) {
    super(`buffer too small: need ${needed} bytes, have ${available}`, 'BUFFER_OVERFLOW');
  }
}

/** An AEAD tag or MAC that does not verify. Carries no detail on purpose (RFC 5246 §7.4.3 spirit). */
export class AuthenticationError extends TypeRtcError {
  constructor(message = 'authentication failed') {
    super(message, 'AUTHENTICATION_FAILED');
  }
}

/** An operation on an object that has been closed. */
export class ClosedError extends TypeRtcError {
  constructor(what: string) {
    super(`${what} is closed`, 'CLOSED');
  }
}
