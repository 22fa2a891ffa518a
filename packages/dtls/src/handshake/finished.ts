/**
 * Finished (RFC 5246 §7.4.9): verify_data, the PRF over the master secret and the handshake
 * hash. It is 12 bytes for every cipher suite this stack offers, but the length is the suite's
 * to say, so the codec takes the whole body and the connection checks it.
 */

export interface Finished {
  readonly verifyData: Uint8Array;
}

export function encodeFinished(message: Finished): Uint8Array {
  return message.verifyData.slice();
}

/** The whole body is verify_data (a view); any length parses. */
export function parseFinished(body: Uint8Array): Finished {
  return { verifyData: body };
}
