/**
 * The AV1 packetizer (AV1 RTP payload format, aomediacodec.github.io/av1-rtp-spec, §4.4, §4.5,
 * §5): one temporal unit in, RTP payloads out, each an aggregation header and OBU elements.
 *
 *      0 1 2 3 4 5 6 7
 *     +-+-+-+-+-+-+-+-+
 *     |Z|Y| W |N|-|-|-|   Z: first element continues an OBU; Y: last element continues next;
 *     +-+-+-+-+-+-+-+-+   W: element count (1-3, the last without a length) or 0 (all with one);
 *                         N: first packet of a coded video sequence
 */

import { PayloadError } from '../errors.js';
import { leb128Size, writeLeb128 } from './av1-leb128.js';
import {
  type Av1Obu,
  Av1ObuType,
  OBU_EXTENSION_FLAG,
  OBU_HAS_SIZE_FIELD,
  parseAv1Obus,
} from './av1-obu.js';
import type { Packetizer } from './types.js';

export const AV1_Z_BIT = 0x80;
export const AV1_Y_BIT = 0x40;
export const AV1_N_BIT = 0x08;
/** W takes bits 4-5; at most 3 elements can go without a length field. */
const W_SHIFT = 4;
const MAX_W = 3;

/** A run of one OBU element's octets placed in one packet. */
interface Piece {
  element: Av1Obu;
  offset: number;
  length: number;
}

/** The octets of an element: its header (as sent: no `obu_has_size_field`) then its payload. */
function elementLength(element: Av1Obu): number {
  return element.header.length + element.payload.length;
}

/** Copies `length` octets of `element` from `offset` into `out` at `at`. */
function copyElement(piece: Piece, out: Uint8Array, at: number): void {
  const { element, offset, length } = piece;
  const header = element.header;
  let written = 0;
  for (let i = offset; i < header.length && written < length; i++, written++) {
    out[at + written] =
      i === 0 ? (header[0] as number) & ~OBU_HAS_SIZE_FIELD : (header[i] as number);
  }
  const from = Math.max(0, offset - header.length);
  out.set(element.payload.subarray(from, from + length - written), at + written);
}

/**
 * The temporal/spatial layer an OBU belongs to: its extension octet's top five bits, or -1 for an
 * OBU without one (§5: such OBUs belong to every layer).
 */
function layerOf(element: Av1Obu): number {
  const first = element.header[0] as number;
  return (first & OBU_EXTENSION_FLAG) !== 0 ? (element.header[1] as number) & 0xf8 : -1;
}

/** Packs pieces into packets, greedily filling each up to `maxPayloadSize`. */
class PacketPlan {
  readonly packets: Piece[][] = [];
  #pieces: Piece[] = [];
  /** Octets of the pieces in the current packet, and of all their length fields. */
  #dataOctets = 0;
  #lengthOctets = 0;
  #layer = -1;

  constructor(readonly maxPayloadSize: number) {}

  /** Whether an element of `layer` may join the packet (§5: one layer per packet). */
  admits(layer: number): boolean {
    return layer === -1 || this.#layer === -1 || this.#layer === layer;
  }

  /**
   * The most octets (≤ `wanted`) a new piece can take in the current packet, 0 if none: with at
   * most 3 elements the new last one goes without a length field (W = count), past that every
   * element has one (W = 0).
   */
  room(wanted: number): number {
    const free = this.maxPayloadSize - 1 - this.#dataOctets - this.#lengthOctets;
    if (this.#pieces.length + 1 <= MAX_W) return Math.max(0, Math.min(wanted, free));
    let take = Math.min(wanted, free - 1);
    while (take > 0 && take + leb128Size(take) > free) take--;
    return Math.max(0, take);
  }

  add(piece: Piece, layer: number): void {
    this.#pieces.push(piece);
    this.#dataOctets += piece.length;
    this.#lengthOctets += leb128Size(piece.length);
    if (layer !== -1) this.#layer = layer;
  }

  flush(): void {
    if (this.#pieces.length === 0) return;
    this.packets.push(this.#pieces);
    this.#pieces = [];
    this.#dataOctets = 0;
    this.#lengthOctets = 0;
    this.#layer = -1;
  }
}

/** Writes one planned packet: aggregation header, then each piece behind its length if it has one. */
function writePacket(pieces: readonly Piece[], newSequence: boolean): Uint8Array {
  const count = pieces.length;
  const w = count <= MAX_W ? count : 0;
  let size = 1;
  for (const [i, piece] of pieces.entries()) {
    size += piece.length + (w === 0 || i < count - 1 ? leb128Size(piece.length) : 0);
  }
  const first = pieces[0] as Piece;
  const last = pieces[count - 1] as Piece;
  const out = new Uint8Array(size);
  out[0] =
    (first.offset > 0 ? AV1_Z_BIT : 0) |
    (last.offset + last.length < elementLength(last.element) ? AV1_Y_BIT : 0) |
    (w << W_SHIFT) |
    (newSequence ? AV1_N_BIT : 0);
  let at = 1;
  for (const [i, piece] of pieces.entries()) {
    if (w === 0 || i < count - 1) at += writeLeb128(piece.length, out, at);
    copyElement(piece, out, at);
    at += piece.length;
  }
  return out;
}

/**
 * Splits AV1 temporal units into RTP payloads. Input: one temporal unit in the low overhead
 * bitstream format (AV1 §5.2), as encoders and IVF files give it. Temporal delimiters and tile
 * lists are dropped (§5: SHOULD be removed). Every other OBU becomes one element with its
 * `obu_size` field removed and `obu_has_size_field` cleared (§4.5), its length carried by the
 * element's LEB128 length field or, for the last of at most three elements, by W. Elements are
 * packed greedily: aggregated while they fit, fragmented across packets (Z, Y) when they do not,
 * and never aggregated with an element of another temporal/spatial layer (§5). The first packet
 * of a temporal unit holding a sequence header has N = 1, taken as the start of a coded video
 * sequence (an encoder repeats the sequence header on key frames).
 *
 * A unit with nothing left to send (empty, or only a temporal delimiter) gives no payload. Throws
 * `PayloadError` on a malformed unit or when `maxPayloadSize` leaves no room after the
 * aggregation header; stateless.
 */
export class Av1Packetizer implements Packetizer {
  packetize(frame: Uint8Array, maxPayloadSize: number): Uint8Array[] {
    if (!Number.isInteger(maxPayloadSize) || maxPayloadSize < 1) {
      throw new RangeError(`maxPayloadSize must be a positive integer, not ${maxPayloadSize}`);
    }
    const elements = parseAv1Obus(frame).filter(
      (obu) => obu.type !== Av1ObuType.temporalDelimiter && obu.type !== Av1ObuType.tileList,
    );
    if (elements.length === 0) return [];
    if (maxPayloadSize < 2) {
      throw new PayloadError(
        `maxPayloadSize ${maxPayloadSize} leaves no room after the aggregation header`,
        0,
      );
    }
    const plan = new PacketPlan(maxPayloadSize);
    for (const element of elements) {
      const layer = layerOf(element);
      if (!plan.admits(layer)) plan.flush();
      const length = elementLength(element);
      let offset = 0;
      while (offset < length) {
        const take = plan.room(length - offset);
        if (take === 0) {
          // Full: a fresh packet always has room, since maxPayloadSize >= 2.
          plan.flush();
          continue;
        }
        plan.add({ element, offset, length: take }, layer);
        offset += take;
        // A fragment must be the packet's last element (§4.4, Y).
        if (offset < length) plan.flush();
      }
    }
    plan.flush();
    const newSequence = elements.some((obu) => obu.type === Av1ObuType.sequenceHeader);
    return plan.packets.map((pieces, i) => writePacket(pieces, newSequence && i === 0));
  }
}
