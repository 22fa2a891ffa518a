import type { ReportBlock } from '../rtcp/report-block.js';

/**
 * Round-trip time in milliseconds from a report block about our own stream (RFC 3550 §6.4.1):
 * RTT = A - LSR - DLSR, all in 1/65536 s, where A is the middle 32 bits of the NTP time at which
 * the block arrived. Undefined when LSR is 0, meaning the reporter has not received an SR yet.
 */
export function roundTripTimeMs(
  block: ReportBlock,
  arrivalNtpMiddle32: number,
): number | undefined {
  if (block.lastSenderReport === 0) return undefined;
  // The fields wrap modulo 2^32 (every 18 hours), so the difference is taken as a signed 32-bit
  // number. A negative result comes from clock steps or the rounding of DLSR; it is reported as
  // zero rather than as an 18-hour round trip.
  const rtt = (arrivalNtpMiddle32 - block.lastSenderReport - block.delaySinceLastSenderReport) | 0;
  return rtt <= 0 ? 0 : (rtt * 1000) / 65536;
}
