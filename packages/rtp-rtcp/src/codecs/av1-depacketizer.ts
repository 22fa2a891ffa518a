/**
 * The AV1 depacketizer (AV1 RTP payload format, aomediacodec.github.io/av1-rtp-spec, §4.4, §4.5,
 * §5): RTP payloads in, OBUs out in the low overhead bitstream format (AV1 §5.2), so a frame's
 * outputs concatenated are the temporal unit a decoder or an IVF file takes.
 */

import { PayloadError } from '../errors.js';
import { decodeLeb128, leb128Length, writeLeb128 } from './av1-leb128.js';
import {
  Av1ObuType,
  OBU_EXTENSION_FLAG,
  OBU_FORBIDDEN_BIT,
  OBU_HAS_SIZE_FIELD,
  obuType,
} from './av1-obu.js';
import { AV1_N_BIT, AV1_Y_BIT, AV1_Z_BIT } from './av1-packetizer.js';
import type { Depacketizer } from './types.js';

/** A LEB128 `obu_size` of a value below 2^32 takes at most 5 octets. */
const MAX_SIZE_FIELD = 5;
const DEFAULT_MAX_OBU_SIZE = 16 * 1024 * 1024;

export interface Av1DepacketizerOptions {
  /**
   * The largest OBU reassembled from fragments, in octets; a longer one raises `PayloadError`, so
   * a sender cannot make the reassembly buffer grow without bound. Default 16 MiB.
   */
  readonly maxObuSize?: number;
}

/**
 * Reads AV1 RTP payloads. Each complete OBU is output with `obu_has_size_field` = 1 and an
 * `obu_size` (added if the sender left it out, as §4.5 recommends; kept, after checking it, if
 * not). Temporal delimiters and tile lists are dropped (§5: receivers MUST ignore them).
 *
 * Stateful: an OBU fragmented across packets (Y, then Z) is held back and output whole with the
 * packet that ends it, since its `obu_size` is known only then; the packets before give fewer
 * octets (possibly none). Payloads must be given in sequence-number order. A continuation (Z = 1)
 * with no fragment before it (its start was lost) is dropped, and so is a held fragment when the
 * next packet does not continue it.
 *
 * A frame starts at Z = 0 (the payload format has no start bit; a later packet of the frame can
 * have Z = 0 too) and ends at the marker bit (§4.2). A key frame is one whose first packet has
 * N = 1 or carries a sequence header.
 */
export class Av1Depacketizer implements Depacketizer {
  readonly #maxObuSize: number;
  #fragment = new Uint8Array(0);
  #fragmentLength = 0;
  #pending = false;

  constructor(options: Av1DepacketizerOptions = {}) {
    const max = options.maxObuSize ?? DEFAULT_MAX_OBU_SIZE;
    if (!Number.isInteger(max) || max < 1) {
      throw new RangeError(`maxObuSize must be a positive integer, not ${max}`);
    }
    this.#maxObuSize = max;
  }

  depacketize(payload: Uint8Array): Uint8Array {
    try {
      return this.#depacketize(payload);
    } catch (error) {
      // Whatever was held belongs to a stream that just went wrong.
      this.#pending = false;
      throw error;
    }
  }

  isFrameStart(payload: Uint8Array): boolean {
    return payload.length > 0 && ((payload[0] as number) & AV1_Z_BIT) === 0;
  }

  isFrameEnd(_payload: Uint8Array, marker: boolean): boolean {
    return marker;
  }

  isKeyframe(payload: Uint8Array): boolean {
    if (payload.length === 0) return false;
    if (((payload[0] as number) & AV1_N_BIT) !== 0) return true;
    try {
      return carriesSequenceHeader(payload);
    } catch (error) {
      if (error instanceof PayloadError) return false;
      throw error;
    }
  }

  #depacketize(payload: Uint8Array): Uint8Array {
    const count = countElements(payload);
    const flags = payload[0] as number;
    const continues = (flags & AV1_Z_BIT) !== 0;
    const unfinished = (flags & AV1_Y_BIT) !== 0;
    if (!continues) this.#pending = false;
    const held = this.#pending ? this.#fragmentLength : 0;
    const out = new Uint8Array(payload.length + held + MAX_SIZE_FIELD * count);
    let written = 0;
    let at = 1;
    for (let i = 0; i < count; i++) {
      const last = i === count - 1;
      const length = elementLength(payload, at, last && wField(flags) !== 0);
      at += length.fieldSize;
      const element = payload.subarray(at, at + length.value);
      at += length.value;
      if (i === 0 && continues) {
        if (!this.#pending) continue;
        this.#append(element);
        if (last && unfinished) continue;
        this.#pending = false;
        const whole = this.#fragment.subarray(0, this.#fragmentLength);
        written = emitObu(whole, out, written, at - length.value);
      } else if (last && unfinished) {
        this.#fragmentLength = 0;
        this.#append(element);
        this.#pending = true;
      } else {
        written = emitObu(element, out, written, at - length.value);
      }
    }
    return out.subarray(0, written);
  }

  #append(bytes: Uint8Array): void {
    const length = this.#fragmentLength + bytes.length;
    if (length > this.#maxObuSize) {
      throw new PayloadError(`fragmented OBU longer than ${this.#maxObuSize} octets`, 0);
    }
    if (length > this.#fragment.length) {
      const grown = new Uint8Array(
        Math.min(this.#maxObuSize, Math.max(length, 2 * this.#fragment.length)),
      );
      grown.set(this.#fragment.subarray(0, this.#fragmentLength));
      this.#fragment = grown;
    }
    this.#fragment.set(bytes, this.#fragmentLength);
    this.#fragmentLength = length;
  }
}

function wField(flags: number): number {
  return (flags >>> 4) & 0x03;
}

/** An element's length and the octets its length field takes (0 when W implies it). */
interface ElementLength {
  value: number;
  fieldSize: number;
}

/** Reused by `elementLength`, which runs per element: no allocation on the packet path. */
const scratch: ElementLength = { value: 0, fieldSize: 0 };

/**
 * The length of the element at `at`: the rest of the payload for the last of W elements (§4.4),
 * else its LEB128 length field, checked against the octets present. Empty elements are refused:
 * even a fragment carries at least one octet.
 */
function elementLength(payload: Uint8Array, at: number, implied: boolean): ElementLength {
  if (implied) {
    scratch.value = payload.length - at;
    scratch.fieldSize = 0;
  } else {
    scratch.value = decodeLeb128(payload, at);
    scratch.fieldSize = leb128Length(payload, at);
    if (scratch.value > payload.length - at - scratch.fieldSize) {
      throw new PayloadError('OBU element length past the end of the payload', at);
    }
  }
  if (scratch.value === 0) throw new PayloadError('empty OBU element', at);
  return scratch;
}

/**
 * Checks the aggregation header and element lengths of `payload` and returns the element count.
 * Throws `PayloadError` on an empty payload, N = 1 with Z = 1 (§4.4 note), no elements, fewer
 * elements than W says, or a length field that is malformed or runs past the end.
 */
function countElements(payload: Uint8Array): number {
  if (payload.length === 0) throw new PayloadError('empty AV1 payload', 0);
  const flags = payload[0] as number;
  if ((flags & AV1_N_BIT) !== 0 && (flags & AV1_Z_BIT) !== 0) {
    throw new PayloadError('AV1 aggregation header has N = 1 with Z = 1', 0);
  }
  const w = wField(flags);
  let at = 1;
  let count = 0;
  while (at < payload.length && (w === 0 || count < w)) {
    const length = elementLength(payload, at, count === w - 1);
    at += length.fieldSize + length.value;
    count++;
  }
  if (count === 0) throw new PayloadError('AV1 payload has no OBU element', 1);
  if (w !== 0 && count < w) {
    throw new PayloadError(`AV1 aggregation header says ${w} elements, found ${count}`, 0);
  }
  return count;
}

/**
 * Writes a whole OBU as sent (header, optional extension, optional `obu_size`, payload) into
 * `out` at `at` with `obu_has_size_field` = 1 and its `obu_size`; returns where it ends. Temporal
 * delimiters and tile lists write nothing. Throws `PayloadError` on a set forbidden bit, a missing
 * extension octet, or an `obu_size` that disagrees with the element's length, at `offset` (where
 * the element starts in the payload).
 */
function emitObu(obu: Uint8Array, out: Uint8Array, at: number, offset: number): number {
  const first = obu[0] as number;
  if ((first & OBU_FORBIDDEN_BIT) !== 0) throw new PayloadError('OBU forbidden bit set', offset);
  const type = obuType(first);
  if (type === Av1ObuType.temporalDelimiter || type === Av1ObuType.tileList) return at;
  const headerSize = (first & OBU_EXTENSION_FLAG) !== 0 ? 2 : 1;
  if (obu.length < headerSize) throw new PayloadError('OBU extension header missing', offset);
  if ((first & OBU_HAS_SIZE_FIELD) !== 0) {
    const size = decodeLeb128(obu, headerSize);
    if (headerSize + leb128Length(obu, headerSize) + size !== obu.length) {
      throw new PayloadError('obu_size disagrees with the OBU element length', offset);
    }
    out.set(obu, at);
    return at + obu.length;
  }
  out[at] = first | OBU_HAS_SIZE_FIELD;
  if (headerSize === 2) out[at + 1] = obu[1] as number;
  let end = at + headerSize;
  end += writeLeb128(obu.length - headerSize, out, end);
  out.set(obu.subarray(headerSize), end);
  return end + obu.length - headerSize;
}

/** Whether an OBU that starts in `payload` (not a continuation) is a sequence header. */
function carriesSequenceHeader(payload: Uint8Array): boolean {
  const count = countElements(payload);
  const flags = payload[0] as number;
  let at = 1;
  for (let i = 0; i < count; i++) {
    const length = elementLength(payload, at, i === count - 1 && wField(flags) !== 0);
    at += length.fieldSize;
    const continuation = i === 0 && (flags & AV1_Z_BIT) !== 0;
    if (!continuation && obuType(payload[at] as number) === Av1ObuType.sequenceHeader) return true;
    at += length.value;
  }
  return false;
}
