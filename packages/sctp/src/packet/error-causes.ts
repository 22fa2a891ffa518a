/**
 * Error causes (RFC 9260 §3.3.10): what ABORT and ERROR chunks carry, each a code, a length and
 * cause-specific information, laid out and padded like a parameter.
 */

import { ByteWriter } from '@typertc/common';
import { parseTlvList, tlvListLength, writeTlv } from './tlv.js';

export const ErrorCauseCode = {
  invalidStreamIdentifier: 1,
  missingMandatoryParameter: 2,
  staleCookie: 3,
  outOfResource: 4,
  unresolvableAddress: 5,
  unrecognizedChunkType: 6,
  invalidMandatoryParameter: 7,
  unrecognizedParameters: 8,
  noUserData: 9,
  cookieReceivedWhileShuttingDown: 10,
  restartWithNewAddresses: 11,
  userInitiatedAbort: 12,
  protocolViolation: 13,
} as const;

export interface ErrorCause {
  readonly code: number;
  /** The cause-specific information, a view into the packet when parsed. */
  readonly info: Uint8Array;
}

/**
 * Parses a list of causes. `bytes` start at `baseOffset` in the packet, for error offsets.
 * Throws `SctpParseError` for a length below 4, a cause past the end or stray bytes.
 */
export function parseErrorCauses(bytes: Uint8Array, baseOffset = 0): ErrorCause[] {
  return parseTlvList(bytes, baseOffset, 'error cause list', (code, info) => ({ code, info }));
}

/** The bytes of a cause list inside a chunk, the last cause's padding not counted. */
export function errorCausesLength(causes: readonly ErrorCause[]): number {
  return tlvListLength(causes.map((cause) => cause.info.length));
}

/** Writes a cause list, every cause padded. */
export function writeErrorCauses(writer: ByteWriter, causes: readonly ErrorCause[]): void {
  for (const { code, info } of causes) writeTlv(writer, code, info);
}

function fixedInfo(code: number, length: number, write: (writer: ByteWriter) => void): ErrorCause {
  const info = new Uint8Array(length);
  write(new ByteWriter(info));
  return { code, info };
}

/** §3.3.10.1: DATA sent to a stream that does not exist. */
export function invalidStreamIdentifierCause(streamId: number): ErrorCause {
  // The stream identifier, then 16 reserved bits.
  return fixedInfo(ErrorCauseCode.invalidStreamIdentifier, 4, (w) => w.u16(streamId));
}

/** §3.3.10.2: the mandatory parameters (such as the State Cookie) an INIT or INIT ACK lacked. */
export function missingMandatoryParameterCause(parameterTypes: readonly number[]): ErrorCause {
  return fixedInfo(ErrorCauseCode.missingMandatoryParameter, 4 + 2 * parameterTypes.length, (w) => {
    w.u32(parameterTypes.length);
    for (const type of parameterTypes) w.u16(type);
  });
}

/** §3.3.10.3: a COOKIE ECHO came this many microseconds after its cookie expired. */
export function staleCookieCause(stalenessUs: number): ErrorCause {
  return fixedInfo(ErrorCauseCode.staleCookie, 4, (w) => w.u32(stalenessUs));
}

/** §3.3.10.9: the TSN of a DATA chunk without user data. */
export function noUserDataCause(tsn: number): ErrorCause {
  return fixedInfo(ErrorCauseCode.noUserData, 4, (w) => w.u32(tsn));
}
