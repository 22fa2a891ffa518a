/**
 * The errors this package throws on purpose. Every one extends `IceError`, so the layer above can
 * tell with one `instanceof` that ICE rejected something.
 */

import { TypeRtcError } from '@typertc/common';

/** Base class of everything this package throws on purpose. */
export class IceError extends TypeRtcError {
  constructor(message: string, code = 'ICE_ERROR', options?: ErrorOptions) {
    super(message, code, options);
  }
}

/**
 * A remote candidate the agent cannot use: malformed (the `SdpParseError` is the `cause`), or
 * well-formed but outside what ICE pairs: an unknown transport or candidate type, a component the
 * data stream does not have, a TCP candidate without `tcptype`. The caller drops it and carries
 * on (RFC 8839 §5.1: an agent ignores candidate lines it does not understand).
 */
export class IceCandidateError extends IceError {
  /** The candidate string as given. */
  readonly candidate: string;

  constructor(message: string, candidate: string, options?: ErrorOptions) {
    super(`${message}: ${JSON.stringify(candidate.slice(0, 200))}`, 'ICE_CANDIDATE', options);
    this.candidate = candidate;
  }
}
