/**
 * VP8 over RTP (RFC 7741): the payload descriptor (§4.2) in front of each fragment of a frame,
 * and keyframe detection from the VP8 payload header (§4.3).
 *
 * Partitions: the packetizer treats a frame as one unit. It splits it into fragments of nearly
 * equal size regardless of partition boundaries (which RFC 7741 §4.4 allows: a packet may hold
 * parts of several partitions) and credits every packet to partition 0 (PID = 0), with S = 1 only
 * on the first packet. So a packet with S = 1 and PID = 0 starts a frame and no other does, which
 * is all a receiver relies on (§4.5.1), and finding partition boundaries would need the VP8
 * bool decoder (RFC 6386 §9) for the partition count. The depacketizer accepts any partitioning.
 */

import { PayloadError } from '../errors.js';
import type { Depacketizer, Packetizer } from './types.js';

/** A parsed VP8 payload descriptor (RFC 7741 §4.2). */
export interface Vp8Descriptor {
  /** N: the frame can be discarded without affecting others. */
  readonly nonReference: boolean;
  /** S: the packet starts a partition. */
  readonly start: boolean;
  /** PID: the partition (0..7) of the packet's first byte. */
  readonly partitionIndex: number;
  /** I: the 7- or 15-bit picture id (M bit 0 or 1), when present. */
  readonly pictureId?: number;
  /** Bits of `pictureId`: 7 or 15 (0 when absent). */
  readonly pictureIdBits: 0 | 7 | 15;
  /** L: the temporal-level-zero picture index, when present. */
  readonly tl0PicIdx?: number;
  /** T: the temporal layer index (0..3), when present. */
  readonly temporalLayer?: number;
  /** Y (with T): the frame depends only on the base layer's last frame (layer sync). */
  readonly layerSync?: boolean;
  /** K: the temporal key frame index (0..31), when present. */
  readonly keyIndex?: number;
  /** Bytes the descriptor takes; the VP8 payload starts here. */
  readonly size: number;
}

// First octet: |X|R|N|S|R| PID |
const X_BIT = 0x80;
const N_BIT = 0x20;
const S_BIT = 0x10;
const PID_MASK = 0x07;
// Extension octet: |I|L|T|K| RSV |
const I_BIT = 0x80;
const L_BIT = 0x40;
const T_BIT = 0x20;
const K_BIT = 0x10;
/** In the first picture id octet: the M bit, set for a 15-bit picture id. */
const M_BIT = 0x80;

/**
 * The descriptor's size, or throws `PayloadError` if the payload ends inside it or holds no VP8
 * data after it. Allocation-free, for the per-packet paths.
 */
function descriptorSize(payload: Uint8Array): number {
  if (payload.length === 0) throw new PayloadError('empty VP8 payload', 0);
  const first = payload[0] as number;
  let size = 1;
  if (first & X_BIT) {
    if (payload.length < 2) throw new PayloadError('VP8 descriptor truncated in X octet', 1);
    const extension = payload[1] as number;
    size = 2;
    if (extension & I_BIT) {
      if (payload.length <= size) {
        throw new PayloadError('VP8 descriptor truncated in picture id', size);
      }
      size += (payload[size] as number) & M_BIT ? 2 : 1;
    }
    if (extension & L_BIT) size += 1;
    // T and K share one octet (TID|Y|KEYIDX), present if either is set.
    if (extension & (T_BIT | K_BIT)) size += 1;
  }
  // RFC 7741 §4.2: the descriptor is followed by VP8 payload; a packet of descriptor only
  // carries nothing and is malformed.
  if (payload.length <= size) throw new PayloadError('VP8 packet has no payload', payload.length);
  return size;
}

/** Parses the payload descriptor (RFC 7741 §4.2) of a VP8 RTP payload; throws `PayloadError`. */
export function parseVp8Descriptor(payload: Uint8Array): Vp8Descriptor {
  const size = descriptorSize(payload);
  const first = payload[0] as number;
  let pictureId: number | undefined;
  let pictureIdBits: 0 | 7 | 15 = 0;
  let tl0PicIdx: number | undefined;
  let temporalLayer: number | undefined;
  let layerSync: boolean | undefined;
  let keyIndex: number | undefined;
  if (first & X_BIT) {
    const extension = payload[1] as number;
    let at = 2;
    if (extension & I_BIT) {
      const high = payload[at] as number;
      if (high & M_BIT) {
        pictureId = ((high & 0x7f) << 8) | (payload[at + 1] as number);
        pictureIdBits = 15;
        at += 2;
      } else {
        pictureId = high;
        pictureIdBits = 7;
        at += 1;
      }
    }
    if (extension & L_BIT) tl0PicIdx = payload[at++] as number;
    if (extension & (T_BIT | K_BIT)) {
      const octet = payload[at] as number;
      if (extension & T_BIT) {
        temporalLayer = octet >> 6;
        layerSync = (octet & 0x20) !== 0;
      }
      if (extension & K_BIT) keyIndex = octet & 0x1f;
    }
  }
  return {
    nonReference: (first & N_BIT) !== 0,
    start: (first & S_BIT) !== 0,
    partitionIndex: first & PID_MASK,
    pictureId,
    pictureIdBits,
    tl0PicIdx,
    temporalLayer,
    layerSync,
    keyIndex,
    size,
  };
}

export interface Vp8PacketizerOptions {
  /** Write a 15-bit picture id in every packet (RFC 7741 §4.2, I and M bits). Default true. */
  readonly pictureId?: boolean;
  /** The first frame's picture id, 0..32767; it then increases by one per frame. Default 0. */
  readonly initialPictureId?: number;
}

export class Vp8Packetizer implements Packetizer {
  readonly #withPictureId: boolean;
  #pictureId: number;

  constructor(options: Vp8PacketizerOptions = {}) {
    this.#withPictureId = options.pictureId ?? true;
    const initial = options.initialPictureId ?? 0;
    if (!Number.isInteger(initial) || initial < 0 || initial > 0x7fff) {
      throw new RangeError(`initialPictureId must be an integer in 0..32767, not ${initial}`);
    }
    this.#pictureId = initial;
  }

  /** The picture id the next frame will carry. */
  get nextPictureId(): number {
    return this.#pictureId;
  }

  /**
   * Fragments of nearly equal size, each behind a descriptor (see the file comment for
   * partitions). An empty frame gives no payload and uses no picture id. Throws `PayloadError`
   * if `maxPayloadSize` leaves no room after the descriptor.
   */
  packetize(frame: Uint8Array, maxPayloadSize: number): Uint8Array[] {
    if (!Number.isInteger(maxPayloadSize) || maxPayloadSize < 1) {
      throw new RangeError(`maxPayloadSize must be a positive integer, not ${maxPayloadSize}`);
    }
    if (frame.length === 0) return [];
    const headerSize = this.#withPictureId ? 4 : 1;
    const capacity = maxPayloadSize - headerSize;
    if (capacity < 1) {
      throw new PayloadError(
        `maxPayloadSize ${maxPayloadSize} leaves no room after the ${headerSize}-byte descriptor`,
        0,
      );
    }
    // Even sizes rather than full packets and a runt: the same packet count, and no tiny last
    // packet that is as likely to be lost as a full one (libwebrtc does the same).
    const count = Math.ceil(frame.length / capacity);
    const base = Math.floor(frame.length / count);
    const larger = frame.length % count;
    const pictureId = this.#pictureId;
    const payloads: Uint8Array[] = new Array(count);
    let at = 0;
    for (let i = 0; i < count; i++) {
      const size = base + (i < larger ? 1 : 0);
      const payload = new Uint8Array(headerSize + size);
      const start = i === 0 ? S_BIT : 0;
      if (this.#withPictureId) {
        payload[0] = X_BIT | start;
        payload[1] = I_BIT;
        payload[2] = M_BIT | (pictureId >> 8);
        payload[3] = pictureId & 0xff;
      } else {
        payload[0] = start;
      }
      payload.set(frame.subarray(at, at + size), headerSize);
      payloads[i] = payload;
      at += size;
    }
    this.#pictureId = (pictureId + 1) & 0x7fff;
    return payloads;
  }
}

export class Vp8Depacketizer implements Depacketizer {
  /** The VP8 bytes after the descriptor (a view); throws `PayloadError` on a bad descriptor. */
  depacketize(payload: Uint8Array): Uint8Array {
    return payload.subarray(descriptorSize(payload));
  }

  /** S = 1 and PID = 0: the first packet of a frame (RFC 7741 §4.2). */
  isFrameStart(payload: Uint8Array): boolean {
    if (payload.length === 0) return false;
    return ((payload[0] as number) & (S_BIT | PID_MASK)) === S_BIT;
  }

  /** The marker bit ends a frame (RFC 7741 §4.1). */
  isFrameEnd(_payload: Uint8Array, marker: boolean): boolean {
    return marker;
  }

  /**
   * A frame start whose VP8 payload header has P = 0 (RFC 7741 §4.3: the inverse key frame flag,
   * bit 0 of the first octet). False on a malformed payload.
   */
  isKeyframe(payload: Uint8Array): boolean {
    if (!this.isFrameStart(payload)) return false;
    let size: number;
    try {
      size = descriptorSize(payload);
    } catch (error) {
      if (error instanceof PayloadError) return false;
      throw error;
    }
    return ((payload[size] as number) & 0x01) === 0;
  }
}
