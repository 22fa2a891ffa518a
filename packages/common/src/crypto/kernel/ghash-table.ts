/**
 * The kernel's GHASH multiplication table for a hash subkey H (NIST SP 800-38D §6.4).
 *
 * GCM reads a block's bits as the coefficients of x^0..x^127, most significant bit of byte 0
 * first. Split the block into 32 nibbles: nibble q holds the coefficients of x^(4q)..x^(4q+3)
 * (its value's 8 bit is x^(4q)), so X * H is the XOR over q of (nibble q) * x^(4q) * H. The
 * table holds that product for each position q and value n, at q * 256 + n * 16: 8 KiB.
 */

const BLOCK = 16;
export const GHASH_TABLE_LENGTH = 32 * 16 * BLOCK;

/**
 * Writes the table for `h` into `memory` at `at`. Blocks are handled as four big-endian 32-bit
 * words (a DTLS handshake builds four of these tables, so the few microseconds matter).
 */
export function writeGhashTable(memory: Uint8Array, at: number, h: Uint8Array): void {
  const table = new DataView(memory.buffer, memory.byteOffset + at, GHASH_TABLE_LENGTH);
  const subkey = new DataView(h.buffer, h.byteOffset, BLOCK);
  // H * x^k, from k = 0.
  let v0 = subkey.getUint32(0);
  let v1 = subkey.getUint32(4);
  let v2 = subkey.getUint32(8);
  let v3 = subkey.getUint32(12);
  /** The row being built: value n's entry at words 4n..4n+3; value 0's stays zero. */
  const row = new Int32Array(16 * 4);
  for (let q = 0; q < 32; q++) {
    // The single-bit values 8, 4, 2, 1 are H * x^(4q), ..., H * x^(4q + 3).
    for (let bit = 8; bit >= 1; bit >>= 1) {
      row[bit * 4] = v0;
      row[bit * 4 + 1] = v1;
      row[bit * 4 + 2] = v2;
      row[bit * 4 + 3] = v3;
      // v * x in GCM's bit order (SP 800-38D §6.3, "rightshift" with reduction by
      // R = 0xe1 || 0^120).
      const carry = v3 & 1;
      v3 = (v3 >>> 1) | (v2 << 31);
      v2 = (v2 >>> 1) | (v1 << 31);
      v1 = (v1 >>> 1) | (v0 << 31);
      v0 = (v0 >>> 1) ^ (carry === 1 ? 0xe1000000 : 0);
    }
    // Every other value is the XOR of its lowest set bit's entry and the rest's.
    for (let n = 3; n < 16; n++) {
      const lowest = n & -n;
      if (lowest === n) continue;
      for (let w = 0; w < 4; w++) {
        row[n * 4 + w] = (row[lowest * 4 + w] as number) ^ (row[(n ^ lowest) * 4 + w] as number);
      }
    }
    for (let word = 0; word < 64; word++) {
      table.setUint32(q * 256 + word * 4, row[word] as number);
    }
  }
}
