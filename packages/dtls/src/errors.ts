/**
 * The errors the DTLS package throws. Malformed bytes are `DtlsParseError` (a `ParseError`, with
 * the offset); a fatal alert sent or received is `DtlsAlert`; a failed authentication check is
 * `DtlsVerificationError`, naming the check; the rest extend `DtlsError`.
 */

import { ParseError, TypeRtcError } from '@typertc/common';
import { AlertDescription, alertName } from './alert.js';

/** Bytes that are not a well-formed record, handshake message or extension (RFC 5246, 6347). */
export class DtlsParseError extends ParseError {
  constructor(message: string, offset: number, options?: ErrorOptions) {
    super(message, offset, 'DTLS_PARSE', options);
  }
}

/** Base class of the other errors this package throws on purpose. */
export class DtlsError extends TypeRtcError {
  constructor(message: string, code = 'DTLS_ERROR', options?: ErrorOptions) {
    super(message, code, options);
  }
}

/**
 * A fatal alert (RFC 5246 §7.2) ended the connection: `sent` by this side because of `cause`,
 * or received from the peer. `description` is the alert's code (`AlertDescription`).
 */
export class DtlsAlert extends DtlsError {
  constructor(
    readonly description: number,
    readonly sent: boolean,
    message?: string,
    options?: ErrorOptions,
  ) {
    const side = sent ? 'sent' : 'received';
    const detail = message === undefined ? '' : `: ${message}`;
    super(`fatal alert ${alertName(description)} ${side}${detail}`, 'DTLS_ALERT', options);
  }
}

/** The authentication checks a handshake makes; each failure names one. */
export type DtlsCheck =
  | 'certificate'
  | 'fingerprint'
  | 'server-key-exchange-signature'
  | 'certificate-verify'
  | 'finished'
  | 'cookie'
  | 'record-mac';

/** The check that failed, and the alert it maps to (RFC 5246 §7.2.2). */
const CHECK_ALERTS: Readonly<Record<DtlsCheck, AlertDescription>> = {
  certificate: AlertDescription.badCertificate,
  fingerprint: AlertDescription.badCertificate,
  'server-key-exchange-signature': AlertDescription.decryptError,
  'certificate-verify': AlertDescription.decryptError,
  finished: AlertDescription.decryptError,
  cookie: AlertDescription.handshakeFailure,
  'record-mac': AlertDescription.badRecordMac,
};

/**
 * An authentication check failed: the peer's certificate is unusable or matches no expected
 * fingerprint, a signature or Finished MAC does not verify, a record does not authenticate.
 */
export class DtlsVerificationError extends DtlsError {
  /** The alert a connection sends for it. */
  readonly alert: AlertDescription;

  constructor(
    readonly check: DtlsCheck,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${check} check failed: ${message}`, 'DTLS_VERIFICATION', options);
    this.alert = CHECK_ALERTS[check];
  }
}

/** The handshake did not complete: flights went unanswered up to the retransmission limit. */
export class DtlsTimeoutError extends DtlsError {
  constructor(elapsedMs: number) {
    super(`DTLS handshake timed out after ${elapsedMs} ms`, 'DTLS_TIMEOUT');
  }
}
