/**
 * A STUN Binding request and the check of its success response, hand-built so the coturn
 * harness (and its own test) do not depend on the STUN codec they exist to test.
 */

import { CoturnHarnessError } from './errors.js';

/** RFC 8489 §5: the fixed value in bytes 4–7 of every STUN message. */
const MAGIC_COOKIE = [0x21, 0x12, 0xa4, 0x42] as const;
const HEADER_LENGTH = 20;
const TRANSACTION_ID_LENGTH = 12;

/**
 * The 20-byte Binding request with no attributes (RFC 8489 §5 header: type 0x0001, length 0,
 * magic cookie, transaction id).
 */
export function stunBindingRequest(transactionId: Uint8Array): Uint8Array {
  if (transactionId.length !== TRANSACTION_ID_LENGTH) {
    throw new CoturnHarnessError('a STUN transaction id is 12 bytes', 'INVALID_ARGUMENT');
  }
  const request = new Uint8Array(HEADER_LENGTH);
  request.set([0x00, 0x01, 0x00, 0x00, ...MAGIC_COOKIE]);
  request.set(transactionId, 8);
  return request;
}

/** Whether `datagram` is a Binding success response (type 0x0101) to `transactionId`. */
export function isBindingSuccessResponse(datagram: Uint8Array, transactionId: Uint8Array): boolean {
  if (datagram.length < HEADER_LENGTH || datagram[0] !== 0x01 || datagram[1] !== 0x01) {
    return false;
  }
  for (let i = 0; i < MAGIC_COOKIE.length; i++) {
    if (datagram[4 + i] !== MAGIC_COOKIE[i]) return false;
  }
  for (let i = 0; i < TRANSACTION_ID_LENGTH; i++) {
    if (datagram[8 + i] !== transactionId[i]) return false;
  }
  return true;
}
