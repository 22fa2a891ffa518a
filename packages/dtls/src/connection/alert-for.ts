/** Which fatal alert a failure sends (RFC 5246 §7.2.2). */

import { AlertDescription } from '../alert.js';
import { InvalidKeyShareError } from '../crypto/key-exchange.js';
import { DtlsAlert, DtlsParseError, DtlsVerificationError } from '../errors.js';

/** The alert each failure sends (RFC 5246 §7.2.2); none for an alert received. */
export function alertFor(error: unknown): number | undefined {
  if (error instanceof DtlsAlert) return error.sent ? error.description : undefined;
  if (error instanceof DtlsVerificationError) return error.alert;
  if (error instanceof DtlsParseError) return AlertDescription.decodeError;
  if (error instanceof InvalidKeyShareError) return AlertDescription.illegalParameter;
  return AlertDescription.internalError;
}
