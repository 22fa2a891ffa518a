/** What every RTCP feedback message shares (RFC 4585 §6.1). */

import { RtcpParseError } from '../errors.js';

/** FMT values of transport-layer feedback, PT=205 (RFC 4585 §6.2, IANA). */
export const TransportFeedbackFormat = {
  GenericNack: 1,
  /** draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1. */
  TransportWideCc: 15,
} as const;

/** FMT values of payload-specific feedback, PT=206 (RFC 4585 §6.3, RFC 5104 §4.3). */
export const PayloadFeedbackFormat = {
  PictureLossIndication: 1,
  FullIntraRequest: 4,
  /** Application layer feedback (RFC 4585 §6.4), which carries REMB. */
  ApplicationLayer: 15,
} as const;

/** Header, packet sender SSRC and media source SSRC; the FCI starts here. */
export const FEEDBACK_HEADER_SIZE = 12;

/** Throws unless the feedback packet at `start` has its two SSRCs. */
export function checkFeedbackHeader(what: string, start: number, end: number): void {
  if (end - start < FEEDBACK_HEADER_SIZE) {
    throw new RtcpParseError(
      `${what} needs ${FEEDBACK_HEADER_SIZE} bytes, has ${end - start}`,
      start,
    );
  }
}
