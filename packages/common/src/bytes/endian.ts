/**
 * Unchecked fixed-width integer access at an offset, for parsers that have already checked the
 * bytes are there (one length check per structure, not per field) and for `ByteReader` and
 * `ByteWriter` themselves. Network protocols are big-endian (RFC 1700); IVF, Ogg and some
 * cipher internals are little-endian. Writes keep the low bits of `value`: a typed-array store
 * truncates to 8 bits, so no masking is needed.
 */

export function readU16BE(b: Uint8Array, at: number): number {
  return ((b[at] as number) << 8) | (b[at + 1] as number);
}

export function readU24BE(b: Uint8Array, at: number): number {
  return ((b[at] as number) << 16) | ((b[at + 1] as number) << 8) | (b[at + 2] as number);
}

export function readU32BE(b: Uint8Array, at: number): number {
  // `>>> 0` keeps the top bit from turning the result negative.
  return (
    (((b[at] as number) << 24) |
      ((b[at + 1] as number) << 16) |
      ((b[at + 2] as number) << 8) |
      (b[at + 3] as number)) >>>
    0
  );
}

export function writeU16BE(b: Uint8Array, at: number, value: number): void {
  b[at] = value >>> 8;
  b[at + 1] = value;
}

export function writeU24BE(b: Uint8Array, at: number, value: number): void {
  b[at] = value >>> 16;
  b[at + 1] = value >>> 8;
  b[at + 2] = value;
}

export function writeU32BE(b: Uint8Array, at: number, value: number): void {
  b[at] = value >>> 24;
  b[at + 1] = value >>> 16;
  b[at + 2] = value >>> 8;
  b[at + 3] = value;
}

export function readU16LE(b: Uint8Array, at: number): number {
  return (b[at] as number) | ((b[at + 1] as number) << 8);
}

export function readU32LE(b: Uint8Array, at: number): number {
  return (
    ((b[at] as number) |
      ((b[at + 1] as number) << 8) |
      ((b[at + 2] as number) << 16) |
      ((b[at + 3] as number) << 24)) >>>
    0
  );
}

export function writeU16LE(b: Uint8Array, at: number, value: number): void {
  b[at] = value;
  b[at + 1] = value >>> 8;
}

export function writeU32LE(b: Uint8Array, at: number, value: number): void {
  b[at] = value;
  b[at + 1] = value >>> 8;
  b[at + 2] = value >>> 16;
  b[at + 3] = value >>> 24;
}
