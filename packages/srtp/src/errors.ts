/**
 * The errors an SRTP context throws. Every one extends `SrtpError`, so a receive loop can drop
 * and count whatever SRTP rejected with one `instanceof`; each rejection also leaves the context
 * usable (RFC 3711 §3.3: a packet that fails a check is discarded, nothing else changes).
 */

import { TypeRtcError } from '@typertc/common';

/** Base class of everything this package throws on purpose. */
export class SrtpError extends TypeRtcError {
  constructor(message: string, code = 'SRTP_ERROR', options?: ErrorOptions) {
    super(message, code, options);
  }
}

/** A packet too short for its header and tag, or with a length field that lies. */
export class SrtpParseError extends SrtpError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'SRTP_PARSE', options);
  }
}

/**
 * The authentication tag did not verify (RFC 3711 §3.3 step 5, RFC 7714 §8.2): a forged,
 * corrupted or truncated packet, or one protected under other keys. Carries no detail.
 */
export class SrtpAuthError extends SrtpError {
  constructor() {
    super('SRTP authentication failed', 'SRTP_AUTH');
  }
}

/** A packet index already received, or older than the replay window (RFC 3711 §3.3.2). */
export class SrtpReplayError extends SrtpError {
  constructor(
    /** The estimated packet index (SRTP) or the SRTCP index of the rejected packet. */
    readonly index: number,
    readonly reason: 'replayed' | 'too-old',
  ) {
    super(
      `SRTP packet index ${index} ${reason === 'replayed' ? 'replayed' : 'is too old'}`,
      'SRTP_REPLAY',
    );
  }
}

/** A packet of a new SSRC when the context already tracks `maxSsrcs` of them. */
export class SrtpSsrcLimitError extends SrtpError {
  constructor(
    readonly ssrc: number,
    limit: number,
  ) {
    super(`SSRC ${ssrc} rejected: already tracking ${limit} SSRCs`, 'SRTP_SSRC_LIMIT');
  }
}

/**
 * A stream has used every packet index its keys allow (2^48 SRTP, 2^31 SRTCP; RFC 3711 §9.2):
 * reusing one would reuse keystream, so the application must rekey.
 */
export class SrtpKeyExhaustedError extends SrtpError {
  constructor(what: string) {
    super(`${what} index space exhausted; rekey`, 'SRTP_KEY_EXHAUSTED');
  }
}

/** Bad construction parameters: wrong key or salt length, unknown profile, bad window. */
export class SrtpConfigError extends SrtpError {
  constructor(message: string) {
    super(message, 'SRTP_CONFIG');
  }
}
