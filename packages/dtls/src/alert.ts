/**
 * TLS alerts (RFC 5246 §7.2), as DTLS carries them (RFC 6347 §4.1.2.7): a level and a
 * description, two bytes in a record of content type 21.
 */

export const AlertLevel = {
  warning: 1,
  fatal: 2,
} as const;

/** The descriptions this stack sends or names (RFC 5246 §7.2.2, RFC 7627 §5.3, RFC 6347). */
export const AlertDescription = {
  closeNotify: 0,
  unexpectedMessage: 10,
  badRecordMac: 20,
  recordOverflow: 22,
  handshakeFailure: 40,
  badCertificate: 42,
  unsupportedCertificate: 43,
  certificateExpired: 45,
  certificateUnknown: 46,
  illegalParameter: 47,
  accessDenied: 49,
  decodeError: 50,
  decryptError: 51,
  protocolVersion: 70,
  insufficientSecurity: 71,
  internalError: 80,
  userCanceled: 90,
  noRenegotiation: 100,
  unsupportedExtension: 110,
} as const;

export type AlertDescription = (typeof AlertDescription)[keyof typeof AlertDescription];

const NAMES = new Map<number, string>(
  Object.entries(AlertDescription).map(([name, value]) => [value, name]),
);

/** `handshakeFailure` for 40; `alert 123` for a description this table does not name. */
export function alertName(description: number): string {
  return NAMES.get(description) ?? `alert ${description}`;
}
