/**
 * The RFC 8866 §9 lexical rules the parser checks on every line, written as character loops:
 * they run once per field of every line, where a regular expression per call costs more than
 * the rest of the parse.
 */

/** RFC 8866 §9 token-char: %x21 / %x23-27 / %x2A-2B / %x2D-2E / %x30-39 / %x41-5A / %x5E-7E. */
const TOKEN_CHAR = new Uint8Array(128);
for (let code = 0x21; code <= 0x7e; code++) TOKEN_CHAR[code] = 1;
for (const excluded of '"(),/:;<=>?@[\\]') TOKEN_CHAR[excluded.charCodeAt(0)] = 0;

export function isToken(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 128 || TOKEN_CHAR[code] === 0) return false;
  }
  return true;
}

/** The value of 1 to 10 decimal digits (`1*10DIGIT`), or -1 if `text` is anything else. */
export function parseDigits(text: string): number {
  const length = text.length;
  if (length === 0 || length > 10) return -1;
  let value = 0;
  for (let i = 0; i < length; i++) {
    const digit = text.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * Splits on single spaces (the grammar's SP). Returns undefined when a field is empty: two
 * spaces in a row, or a leading or trailing one.
 */
export function splitSpaces(text: string): string[] | undefined {
  const parts = text.split(' ');
  for (let i = 0; i < parts.length; i++) if ((parts[i] as string).length === 0) return undefined;
  return parts;
}
