/**
 * Serial number arithmetic (RFC 1982) for 32-bit TSNs and 16-bit SSNs, as RFC 9260 §1.6 has SCTP
 * compare them: `a` is less than `b` when `b` is ahead of `a` by less than half the number space,
 * so 0 comes after 0xffffffff. Two numbers exactly half the space apart are not ordered either
 * way (RFC 1982 §3.2 leaves that case undefined), which a sender never lets happen.
 */

const HALF_TSN_SPACE = 0x8000_0000;
const HALF_SSN_SPACE = 0x8000;

/** Whether TSN `a` comes before TSN `b`. */
export function tsnLessThan(a: number, b: number): boolean {
  const ahead = (b - a) >>> 0;
  return ahead !== 0 && ahead < HALF_TSN_SPACE;
}

export function tsnLessOrEqual(a: number, b: number): boolean {
  return a === b || tsnLessThan(a, b);
}

/** How far TSN `b` is ahead of TSN `a`: `b - a` modulo 2^32, as a signed 32-bit number. */
export function tsnDiff(a: number, b: number): number {
  return (b - a) | 0;
}

/** TSN `a` plus `n` (which may be negative), modulo 2^32. */
export function tsnAdd(a: number, n: number): number {
  return (a + n) >>> 0;
}

/** Whether SSN `a` comes before SSN `b`. */
export function ssnLessThan(a: number, b: number): boolean {
  const ahead = (b - a) & 0xffff;
  return ahead !== 0 && ahead < HALF_SSN_SPACE;
}

/** SSN `a` plus `n` (which may be negative), modulo 2^16. */
export function ssnAdd(a: number, n: number): number {
  return (a + n) & 0xffff;
}
