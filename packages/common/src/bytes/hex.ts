/** Hex text to bytes and back, as used by test vectors and logs. */

import { ParseError } from '../errors.js';

const HEX_DIGITS = '0123456789abcdef';

/** Lower-case hex, two digits a byte, no separators. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] as number;
    out += HEX_DIGITS.charAt(byte >> 4) + HEX_DIGITS.charAt(byte & 0x0f);
  }
  return out;
}

function nibble(text: string, index: number): number {
  const code = text.charCodeAt(index);
  if (code >= 0x30 && code <= 0x39) return code - 0x30; // 0-9
  const lower = code | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10; // a-f
  throw new ParseError(`invalid hex digit ${JSON.stringify(text[index])}`, index, 'INVALID_HEX');
}

function isSeparator(code: number): boolean {
  return code === 0x3a /* : */ || code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

/**
 * Parses hex in either case. Spaces, tabs, line breaks and `:` separators (as in fingerprints and
 * RFC dumps) are skipped; an odd digit count or any other character raises `ParseError` with
 * the offset in the text as given.
 */
export function fromHex(hex: string): Uint8Array {
  let digits = 0;
  for (let i = 0; i < hex.length; i++) if (!isSeparator(hex.charCodeAt(i))) digits++;
  if (digits % 2 !== 0) {
    throw new ParseError('hex text has an odd number of digits', hex.length, 'INVALID_HEX');
  }
  const out = new Uint8Array(digits / 2);
  let high = -1;
  let written = 0;
  for (let i = 0; i < hex.length; i++) {
    if (isSeparator(hex.charCodeAt(i))) continue;
    const value = nibble(hex, i);
    if (high < 0) {
      high = value;
    } else {
      out[written++] = (high << 4) | value;
      high = -1;
    }
  }
  return out;
}
