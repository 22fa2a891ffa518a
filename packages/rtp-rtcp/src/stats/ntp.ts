/**
 * NTP timestamps as RTCP carries them (RFC 3550 §4): 64-bit unsigned fixed point, seconds since
 * 0h UTC on 1 January 1900 in the high 32 bits, the fraction of a second in the low 32 bits.
 */

/** Seconds from the NTP epoch (1900-01-01) to the Unix epoch (1970-01-01): RFC 868's figure. */
export const NTP_UNIX_OFFSET_SECONDS = 2_208_988_800;

const TWO_POW_32 = 4_294_967_296;
const MASK_32 = 0xffff_ffffn;
/** NTP seconds at which era 0 ends (2036-02-07 06:28:16 UTC) seen from the Unix epoch, in ms. */
const ERA_LENGTH_MS = TWO_POW_32 * 1000;

/**
 * The 64-bit NTP timestamp of a Unix time in milliseconds (fractions of a millisecond kept).
 * Seconds wrap modulo 2^32, so times after 2036-02-07 land in NTP era 1 as RFC 5905 §6 defines.
 */
export function ntpFromUnixMs(unixMs: number): bigint {
  let seconds = Math.floor(unixMs / 1000);
  // Round rather than truncate so an exact millisecond survives the round trip through
  // unixMsFromNtp to within one fraction unit; a remainder of 999.9999999 ms can round up to a
  // whole second, which carries into the seconds.
  let fraction = Math.round(((unixMs - seconds * 1000) * TWO_POW_32) / 1000);
  if (fraction >= TWO_POW_32) {
    fraction -= TWO_POW_32;
    seconds += 1;
  }
  const ntpSeconds = (seconds + NTP_UNIX_OFFSET_SECONDS) % TWO_POW_32;
  return (BigInt(ntpSeconds) << 32n) | BigInt(fraction);
}

/**
 * The Unix time in milliseconds of a 64-bit NTP timestamp. The era is inferred as RFC 4330 §3
 * suggests: with the top bit set the time is in 1968-2036 (era 0), otherwise in 2036-2104 (era 1).
 */
export function unixMsFromNtp(ntp: bigint): number {
  const seconds = Number((ntp >> 32n) & MASK_32);
  const fraction = Number(ntp & MASK_32);
  const eraOffsetMs = seconds >= 0x8000_0000 ? 0 : ERA_LENGTH_MS;
  return (seconds - NTP_UNIX_OFFSET_SECONDS) * 1000 + eraOffsetMs + (fraction * 1000) / TWO_POW_32;
}

/**
 * The middle 32 bits of a 64-bit NTP timestamp (16.16 fixed point seconds): the compact form used
 * by the LSR field of report blocks and by round-trip time arithmetic (RFC 3550 §6.4.1).
 */
export function ntpMiddle32(ntp: bigint): number {
  return Number((ntp >> 16n) & MASK_32);
}
