/**
 * UTF-8 text in RTCP items (SDES items and the BYE reason are UTF-8, RFC 3550 §6.5), with a fast
 * path for the ASCII that CNAMEs almost always are.
 */

const decoder = new TextDecoder('utf-8', { fatal: false });
const encoder = new TextEncoder();

/** Text from `b[from..to)`. Invalid UTF-8 becomes U+FFFD rather than an error. */
export function decodeText(b: Uint8Array, from: number, to: number): string {
  // Short ASCII strings: building the string directly beats a TextDecoder call.
  if (to - from <= 64) {
    let out = '';
    for (let i = from; i < to; i++) {
      const byte = b[i] as number;
      if (byte >= 0x80) return decoder.decode(b.subarray(from, to));
      out += String.fromCharCode(byte);
    }
    return out;
  }
  return decoder.decode(b.subarray(from, to));
}

export function encodeText(text: string): Uint8Array {
  return encoder.encode(text);
}

/** The UTF-8 length of `text`, without encoding it. */
export function utf8Length(text: string): number {
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) length += 1;
    else if (code < 0x800) length += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        // A surrogate pair is one code point above U+FFFF: four bytes.
        length += 4;
        i++;
      } else length += 3;
    } else length += 3; // lone surrogates encode as U+FFFD, also three bytes
  }
  return length;
}
