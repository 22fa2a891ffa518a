/**
 * Output arrays for `RtpPacket.serialize()`, carved from shared slabs as Node's `Buffer` pool
 * does. A `Uint8Array` of packet size gets its own off-heap backing store, whose allocation and
 * later collection cost several times the serialization itself; a view into a slab costs little.
 * Each slab region is handed out once and a new slab is zero-filled, so no bytes of one packet
 * can show through another's. Views of a slab share its `ArrayBuffer`.
 */

const SLAB_SIZE = 16 * 1024;
/** Larger arrays get their own buffer, so one small live view never pins a slab much bigger. */
const MAX_POOLED = 4 * 1024;

let slab = new ArrayBuffer(SLAB_SIZE);
let used = 0;

/** A zero-filled array of `length` bytes, possibly sharing its `ArrayBuffer`. */
export function allocateOutput(length: number): Uint8Array {
  if (length > MAX_POOLED) return new Uint8Array(length);
  if (length > SLAB_SIZE - used) {
    slab = new ArrayBuffer(SLAB_SIZE);
    used = 0;
  }
  const out = new Uint8Array(slab, used, length);
  // Keep every view 8-byte aligned, as fresh buffers are.
  used += (length + 7) & ~7;
  return out;
}
