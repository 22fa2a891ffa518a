/**
 * What the mux reads of a datagram from an address it does not know: whether it is a STUN
 * Binding request, and which of our agents it names. Only such a request can introduce a new
 * remote address, because only it carries a local ufrag (RFC 8445 §7.2.2: USERNAME is
 * "RFRAG:LFRAG" from the sender's side, so the part before the colon is the receiver's — ours).
 */

import { readU16BE } from '@typertc/common';
import { isStunMessage, StunMessage, StunMethod, StunParseError, USERNAME } from '@typertc/stun';

/** The message type of a Binding request: the class bits of a request are 0 (RFC 8489 §5). */
const BINDING_REQUEST_TYPE = StunMethod.Binding;

/**
 * Whether `data` looks like a STUN Binding request, from its first 8 bytes alone: the type, the
 * zero top bits and the magic cookie. Nothing is decoded.
 */
export function isBindingRequest(data: Uint8Array): boolean {
  return isStunMessage(data) && readU16BE(data, 0) === BINDING_REQUEST_TYPE;
}

/**
 * The local ufrag a Binding request names: the part of its USERNAME before the first colon.
 * Undefined when the message does not decode, its FINGERPRINT is wrong (RFC 8445 §7.2.2 has
 * every check carry one, so a bad one means this is not a check), it has no USERNAME, or the
 * USERNAME has no colon or nothing before it. Never throws on any input.
 */
export function requestedLocalUfrag(data: Uint8Array): string | undefined {
  let username: string | undefined;
  try {
    const message = StunMessage.decode(data);
    if (message.fingerprint === 'invalid') return undefined;
    username = message.get(USERNAME);
  } catch (error) {
    if (error instanceof StunParseError) return undefined;
    throw error;
  }
  if (username === undefined) return undefined;
  const colon = username.indexOf(':');
  return colon > 0 ? username.slice(0, colon) : undefined;
}
