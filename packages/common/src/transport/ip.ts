/**
 * IP addresses between text and bytes, for protocols that carry them in binary (STUN's
 * address attributes, RFC 8489 §14.1).
 */

import { TypeRtcError } from '../errors.js';
import type { AddressFamily } from './datagram.js';

export class InvalidAddressError extends TypeRtcError {
  constructor(address: string) {
    super(`not an IP address: ${JSON.stringify(address)}`, 'INVALID_ADDRESS');
  }
}

function parseIPv4(text: string, out: Uint8Array, at: number): boolean {
  const parts = text.split('.');
  if (parts.length !== 4) return false;
  for (let i = 0; i < 4; i++) {
    const part = parts[i] as string;
    // Dotted-quad decimal only (RFC 3986 §3.2.2 dec-octet): no octal, hex or empty parts.
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return false;
    const value = Number(part);
    if (value > 255) return false;
    out[at + i] = value;
  }
  return true;
}

/** RFC 4291 §2.2 text forms: eight groups, `::` for a run of zeros, a trailing dotted quad. */
function parseIPv6(text: string, out: Uint8Array): boolean {
  const zone = text.indexOf('%');
  const address = zone >= 0 ? text.slice(0, zone) : text;
  const halves = address.split('::');
  if (halves.length > 2) return false;
  const groups: number[][] = [];
  for (const half of halves) {
    const words: number[] = [];
    if (half !== '') {
      const parts = half.split(':');
      for (let i = 0; i < parts.length; i++) {
        const part = parts[i] as string;
        if (i === parts.length - 1 && part.includes('.')) {
          const quad = new Uint8Array(4);
          if (!parseIPv4(part, quad, 0)) return false;
          words.push(((quad[0] as number) << 8) | (quad[1] as number));
          words.push(((quad[2] as number) << 8) | (quad[3] as number));
        } else if (/^[0-9a-fA-F]{1,4}$/.test(part)) {
          words.push(Number.parseInt(part, 16));
        } else {
          return false;
        }
      }
    }
    groups.push(words);
  }
  const head = groups[0] as number[];
  const tail = groups[1] ?? [];
  const count = head.length + tail.length;
  if (halves.length === 1 ? count !== 8 : count > 7) return false;
  const words = [...head, ...new Array<number>(8 - count).fill(0), ...tail];
  words.forEach((word, i) => {
    out[i * 2] = word >>> 8;
    out[i * 2 + 1] = word & 0xff;
  });
  return true;
}

/**
 * The family and the 4 or 16 bytes of a textual IP address (an IPv6 zone identifier is
 * dropped). Throws `InvalidAddressError` for anything else.
 */
export function parseIpAddress(address: string): { family: AddressFamily; bytes: Uint8Array } {
  if (address.includes(':')) {
    const bytes = new Uint8Array(16);
    if (parseIPv6(address, bytes)) return { family: 'IPv6', bytes };
  } else {
    const bytes = new Uint8Array(4);
    if (parseIPv4(address, bytes, 0)) return { family: 'IPv4', bytes };
  }
  throw new InvalidAddressError(address);
}

/**
 * The text of a 4- or 16-byte address: dotted quad, or IPv6 in the RFC 5952 §4 form (lower
 * case, no leading zeros, the longest run of two or more zero groups as `::`, the first of
 * equal runs).
 */
export function formatIpAddress(bytes: Uint8Array): string {
  if (bytes.length === 4) return bytes.join('.');
  if (bytes.length !== 16) throw new InvalidAddressError(`${bytes.length} bytes`);
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2)
    words.push(((bytes[i] as number) << 8) | (bytes[i + 1] as number));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number): string =>
    words
      .slice(from, to)
      .map((word) => word.toString(16))
      .join(':');
  if (bestStart < 0) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLength, 8)}`;
}
