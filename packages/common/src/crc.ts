/**
 * CRC-32 and CRC-32c, table-driven with slicing-by-8.
 *
 * - CRC-32 (IEEE 802.3; RevEng "CRC-32/ISO-HDLC"): reflected polynomial 0xEDB88320. STUN's
 *   FINGERPRINT is this CRC XOR 0x5354554E (RFC 8489 §14.7).
 * - CRC-32c (Castagnoli; RevEng "CRC-32/ISCSI"): reflected polynomial 0x82F63B78. SCTP's
 *   checksum (RFC 9260 §6.8 and Appendix B, from RFC 3309) and iSCSI's digests (RFC 3720 §12.1).
 *   SCTP checksums every packet, hence slicing-by-8 rather than a byte at a time.
 *
 * Both are reflected CRCs with initial value and final XOR 0xFFFFFFFF, so they share the table
 * generation and the update loop, and differ only in the polynomial.
 *
 * Results are unsigned 32-bit numbers (the "register" value, as the RevEng catalogue prints its
 * check values). Byte order on the wire is the protocol's business: STUN writes FINGERPRINT
 * big-endian; SCTP and iSCSI transmit the CRC-32c least significant byte first (RFC 3720 B.4
 * prints its examples that way; RFC 9260 Appendix B swaps the bytes before `htonl` to the same
 * effect).
 *
 * Incremental use: pass the previous result to continue over the next piece,
 * `crc32c(b, crc32c(a)) === crc32c(concat(a, b))`, and start with the default 0 (zlib's
 * convention). This works because the final XOR is undone on entry.
 */

const SLICES = 8;

/**
 * The slicing-by-8 tables of one polynomial, back to back: entry 256k + i is the CRC register
 * after byte i followed by k zero bytes (k = 0 is the classic byte-at-a-time table).
 */
function makeTables(reflectedPolynomial: number): Int32Array {
  const tables = new Int32Array(256 * SLICES);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let bit = 0; bit < 8; bit++) c = c & 1 ? (c >>> 1) ^ reflectedPolynomial : c >>> 1;
    tables[i] = c;
  }
  for (let i = 0; i < 256; i++) {
    let c = tables[i] as number;
    for (let k = 1; k < SLICES; k++) {
      // One more zero byte after byte i: shift out the low byte and fold it back in.
      c = (c >>> 8) ^ (tables[c & 0xff] as number);
      tables[k * 256 + i] = c;
    }
  }
  return tables;
}

const CRC32_TABLES = makeTables(0xedb88320);
const CRC32C_TABLES = makeTables(0x82f63b78);

/** Runs the raw (un-complemented) CRC register `crc` over `data`. */
function update(t: Int32Array, crc: number, data: Uint8Array): number {
  let c = crc;
  let i = 0;
  const length = data.length;
  const blocksEnd = length - (length & 7);
  // Eight bytes per step: the register is XORed into the first four (little-endian, because the
  // CRC is reflected), and each of the eight bytes is looked up in the table for its distance
  // from the end of the block. Bytes are read one by one, so alignment does not matter.
  for (; i < blocksEnd; i += 8) {
    const low =
      c ^
      ((data[i] as number) |
        ((data[i + 1] as number) << 8) |
        ((data[i + 2] as number) << 16) |
        ((data[i + 3] as number) << 24));
    c =
      (t[0x700 + (low & 0xff)] as number) ^
      (t[0x600 + ((low >>> 8) & 0xff)] as number) ^
      (t[0x500 + ((low >>> 16) & 0xff)] as number) ^
      (t[0x400 + (low >>> 24)] as number) ^
      (t[0x300 + (data[i + 4] as number)] as number) ^
      (t[0x200 + (data[i + 5] as number)] as number) ^
      (t[0x100 + (data[i + 6] as number)] as number) ^
      (t[data[i + 7] as number] as number);
  }
  for (; i < length; i++) c = (c >>> 8) ^ (t[(c ^ (data[i] as number)) & 0xff] as number);
  return c;
}

/** CRC-32 (IEEE 802.3) of `data`; pass a previous result as `previous` to continue it. */
export function crc32(data: Uint8Array, previous = 0): number {
  return ~update(CRC32_TABLES, ~previous, data) >>> 0;
}

/** CRC-32c (Castagnoli) of `data`; pass a previous result as `previous` to continue it. */
export function crc32c(data: Uint8Array, previous = 0): number {
  return ~update(CRC32C_TABLES, ~previous, data) >>> 0;
}
