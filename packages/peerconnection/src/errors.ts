/**
 * The exceptions the W3C API throws. WebRTC 1.0 names every failure by a DOMException name
 * (WebIDL §2.8.1, "error names"), and applications test `error.name`, not the class, so these
 * build Node's global `DOMException` (Node ≥ 17) with the names the spec's algorithms use.
 * Argument-conversion failures are `TypeError`s, as WebIDL throws them; those are thrown directly.
 */

/** W3C WebRTC 1.0: a method called in a state that does not allow it (e.g. after `close()`). */
export function invalidStateError(message: string): DOMException {
  return new DOMException(message, 'InvalidStateError');
}

/**
 * W3C WebRTC 1.0 §4.4.1.6 and §4.4.1.4: a parameter that is well-formed but unusable, such as a
 * TURN server without credentials or an expired certificate.
 */
export function invalidAccessError(message: string): DOMException {
  return new DOMException(message, 'InvalidAccessError');
}

/**
 * W3C WebRTC 1.0 §4.4.1.6: `setConfiguration` trying to change what cannot change after
 * construction (certificates, bundle policy, rtcp-mux policy).
 */
export function invalidModificationError(message: string): DOMException {
  return new DOMException(message, 'InvalidModificationError');
}

/** W3C WebRTC 1.0: an operation that failed for an operation-specific reason. */
export function operationError(message: string): DOMException {
  return new DOMException(message, 'OperationError');
}

/**
 * W3C WebRTC 1.0 §4.9 (`generateCertificate`), and WebCrypto's "normalize an algorithm": a
 * request this implementation does not support.
 */
export function notSupportedError(message: string): DOMException {
  return new DOMException(message, 'NotSupportedError');
}

/** W3C WebRTC 1.0 §4.4.1.6 (validate an ICE server): a malformed STUN or TURN URL. */
export function syntaxError(message: string): DOMException {
  return new DOMException(message, 'SyntaxError');
}
