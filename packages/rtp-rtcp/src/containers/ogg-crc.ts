/**
 * The Ogg page checksum (RFC 3533 §6, field "CRC checksum"): CRC-32 with generator polynomial
 * 0x04C11DB7, computed MSB-first (not reflected), initial value 0 and no final XOR, over the whole
 * page with the checksum field set to zero. It is not common's `crc32` (the reflected IEEE 802.3
 * CRC with 0xFFFFFFFF pre- and post-conditioning): same polynomial, different bit order and
 * conditioning, so the values differ. RevEng's catalogue has no entry for it; its check value
 * (over "123456789") is 0x89A1897F, the complement of CRC-32/CKSUM's 0x765E7680.
 *
 * Table-driven, a byte at a time: Ogg pages are at most 65,307 bytes and the containers are not a
 * per-packet network path, so slicing-by-8 would not pay for its tables.
 */

const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let bit = 0; bit < 8; bit++) c = c & 0x8000_0000 ? (c << 1) ^ 0x04c1_1db7 : c << 1;
    table[i] = c >>> 0;
  }
  return table;
})();

/**
 * The Ogg CRC of `data`. Continue over a following piece by passing the previous result:
 * `oggCrc32(b, oggCrc32(a)) === oggCrc32(concat(a, b))` (the initial value is 0, so there is no
 * conditioning to undo).
 */
export function oggCrc32(data: Uint8Array, crc = 0): number {
  let c = crc;
  for (let i = 0; i < data.length; i++) {
    c = (c << 8) ^ (TABLE[((c >>> 24) ^ (data[i] as number)) & 0xff] as number);
  }
  return c >>> 0;
}
