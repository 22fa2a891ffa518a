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

/** v * x in GCM's bit order (SP 800-38D §6.3, "rightshift" with reduction by R = 0xe1 || 0^120). */
function timesX(v: Uint8Array): void {
  const carry = (v[15] as number) & 1;
  for (let i = 15; i > 0; i--) v[i] = ((v[i] as number) >>> 1) | (((v[i - 1] as number) & 1) << 7);
  v[0] = ((v[0] as number) >>> 1) ^ (carry === 1 ? 0xe1 : 0);
}

/** Writes the table for `h` into `memory` at `at`. */
export function writeGhashTable(memory: Uint8Array, at: number, h: Uint8Array): void {
  const power = Uint8Array.from(h);
  for (let q = 0; q < 32; q++) {
    const row = at + q * 256;
    memory.fill(0, row, row + BLOCK);
    // The single-bit values 8, 4, 2, 1 are H * x^(4q), ..., H * x^(4q + 3).
    for (let bit = 8; bit >= 1; bit >>= 1) {
      memory.set(power, row + bit * BLOCK);
      timesX(power);
    }
    // Every other value is the XOR of its lowest set bit's entry and the rest's.
    for (let n = 3; n < 16; n++) {
      const lowest = n & -n;
      if (lowest === n) continue;
      const entry = row + n * BLOCK;
      const a = row + lowest * BLOCK;
      const b = row + (n ^ lowest) * BLOCK;
      for (let i = 0; i < BLOCK; i++) {
        memory[entry + i] = (memory[a + i] as number) ^ (memory[b + i] as number);
      }
    }
  }
}
