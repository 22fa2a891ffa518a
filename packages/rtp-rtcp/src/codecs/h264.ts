/**
 * H.264 over RTP (RFC 6184), packetization modes 0 and 1 (§6.2, §6.3): single NAL unit packets
 * (§5.6), STAP-A aggregation (§5.7.1) and FU-A fragmentation (§5.8). Frames go in and come out as
 * Annex B byte streams (ITU-T H.264 Annex B: NAL units behind 00 00 01 / 00 00 00 01 start
 * codes). The interleaved mode's STAP-B, MTAP and FU-B are refused.
 */

import { bytesEqual } from '@typertc/common';
import { PayloadError } from '../errors.js';
import type { Depacketizer, Packetizer } from './types.js';

/** NAL unit types (H.264 Table 7-1) and RTP packet types (RFC 6184 Table 1) used here. */
const NAL_IDR = 5;
const NAL_SPS = 7;
const NAL_PPS = 8;
const STAP_A = 24;
const FU_A = 28;

const TYPE_MASK = 0x1f;
/** F and NRI, the bits of a NAL header an FU indicator or STAP-A header carries over. */
const F_NRI_MASK = 0xe0;
const NRI_MASK = 0x60;
const F_BIT = 0x80;
// FU header: |S|E|R| Type |
const FU_START = 0x80;
const FU_END = 0x40;
/** STAP-A NAL unit sizes are 16 bits (RFC 6184 §5.7.1). */
const MAX_AGGREGATED_NAL = 0xffff;

const START_CODE = Uint8Array.of(0, 0, 0, 1);

/** The index of the next 00 00 01 at or after `from`, or -1. */
function findStartCode(data: Uint8Array, from: number): number {
  for (let i = from; i + 2 < data.length; i++) {
    // Skip ahead fast: a start code needs data[i + 2] === 1 and two zeros before it.
    const third = data[i + 2] as number;
    if (third > 1) {
      i += 2;
      continue;
    }
    if (third === 1 && data[i] === 0 && data[i + 1] === 0) return i;
  }
  return -1;
}

/**
 * The NAL units of an Annex B byte stream, as views. Zero bytes before a start code are
 * `leading_zero_8bits`, the extra zero of a 4-byte start code or `trailing_zero_8bits` (H.264
 * B.1.1), never NAL unit data (a NAL unit ends in a non-zero byte: rbsp_trailing_bits, §7.3.2.11),
 * so they are dropped; so are empty NAL units. Throws `PayloadError` if there is no start code,
 * or non-zero bytes before the first one.
 */
export function splitAnnexB(stream: Uint8Array): Uint8Array[] {
  const first = findStartCode(stream, 0);
  if (first < 0) throw new PayloadError('no Annex B start code in H.264 frame', 0);
  for (let i = 0; i < first; i++) {
    if (stream[i] !== 0) throw new PayloadError('data before the first Annex B start code', i);
  }
  const units: Uint8Array[] = [];
  let from = first + 3;
  for (;;) {
    const next = findStartCode(stream, from);
    let end = next < 0 ? stream.length : next;
    while (end > from && stream[end - 1] === 0) end--;
    if (end > from) units.push(stream.subarray(from, end));
    if (next < 0) return units;
    from = next + 3;
  }
}

/** NAL unit types an Annex B stream may hold but RTP cannot carry as such (RFC 6184 §5.2). */
function isRtpOnlyType(type: number): boolean {
  return type === 0 || type >= STAP_A;
}

export interface H264PacketizerOptions {
  /**
   * RFC 6184 §6: 0 sends only single NAL unit packets; 1 (the default, what browsers offer)
   * also aggregates with STAP-A and fragments with FU-A.
   */
  readonly packetizationMode?: 0 | 1;
}

export class H264Packetizer implements Packetizer {
  readonly #mode: 0 | 1;
  /** The last SPS and PPS seen (copies: the caller may reuse its frame buffers). */
  #sps: Uint8Array | undefined;
  #pps: Uint8Array | undefined;

  constructor(options: H264PacketizerOptions = {}) {
    this.#mode = options.packetizationMode ?? 1;
  }

  /**
   * The payloads of one access unit given as an Annex B byte stream. An IDR access unit that
   * lacks an SPS or PPS gets the last ones seen inserted before its first IDR slice, so a
   * receiver joining at any keyframe can decode it. Throws `PayloadError` on a stream without
   * start codes, on a NAL unit type RTP reserves (0, 24..31), on a NAL unit larger than
   * `maxPayloadSize` in mode 0, or when `maxPayloadSize` is too small for an FU-A (3 bytes).
   */
  packetize(frame: Uint8Array, maxPayloadSize: number): Uint8Array[] {
    if (!Number.isInteger(maxPayloadSize) || maxPayloadSize < 1) {
      throw new RangeError(`maxPayloadSize must be a positive integer, not ${maxPayloadSize}`);
    }
    if (frame.length === 0) return [];
    const units = this.#withParameterSets(splitAnnexB(frame), frame);
    const payloads: Uint8Array[] = [];
    if (this.#mode === 0) {
      for (const unit of units) {
        if (unit.length > maxPayloadSize) {
          throw new PayloadError(
            `NAL unit of ${unit.length} bytes exceeds the ${maxPayloadSize}-byte payload limit ` +
              'in packetization-mode 0',
            unit.byteOffset - frame.byteOffset,
          );
        }
        payloads.push(unit);
      }
      return payloads;
    }
    let i = 0;
    while (i < units.length) {
      const unit = units[i] as Uint8Array;
      if (unit.length > maxPayloadSize) {
        fragment(unit, maxPayloadSize, payloads);
        i++;
        continue;
      }
      // Aggregate the following NAL units while they fit (1-byte STAP-A header, 2-byte sizes).
      let size = 1 + 2 + unit.length;
      let end = i + 1;
      if (unit.length <= MAX_AGGREGATED_NAL) {
        for (; end < units.length; end++) {
          const next = (units[end] as Uint8Array).length;
          if (next > MAX_AGGREGATED_NAL || size + 2 + next > maxPayloadSize) break;
          size += 2 + next;
        }
      }
      payloads.push(end - i === 1 ? unit : aggregate(units, i, end, size));
      i = end;
    }
    return payloads;
  }

  /** Remembers parameter sets and inserts missing ones before an IDR slice. */
  #withParameterSets(units: Uint8Array[], frame: Uint8Array): Uint8Array[] {
    let hasSps = false;
    let hasPps = false;
    let firstIdr = -1;
    for (let i = 0; i < units.length; i++) {
      const unit = units[i] as Uint8Array;
      const type = (unit[0] as number) & TYPE_MASK;
      if (isRtpOnlyType(type)) {
        throw new PayloadError(
          `NAL unit type ${type} cannot be sent over RTP`,
          unit.byteOffset - frame.byteOffset,
        );
      }
      if (type === NAL_SPS) {
        hasSps = true;
        if (this.#sps === undefined || !bytesEqual(this.#sps, unit)) this.#sps = unit.slice();
      } else if (type === NAL_PPS) {
        hasPps = true;
        if (this.#pps === undefined || !bytesEqual(this.#pps, unit)) this.#pps = unit.slice();
      } else if (type === NAL_IDR && firstIdr < 0) {
        firstIdr = i;
      }
    }
    if (firstIdr < 0) return units;
    const missing: Uint8Array[] = [];
    if (!hasSps && this.#sps !== undefined) missing.push(this.#sps);
    if (!hasPps && this.#pps !== undefined) missing.push(this.#pps);
    if (missing.length > 0) units.splice(firstIdr, 0, ...missing);
    return units;
  }
}

/** A STAP-A (RFC 6184 §5.7.1) of `units[from..to)`, `size` bytes in all. */
function aggregate(
  units: readonly Uint8Array[],
  from: number,
  to: number,
  size: number,
): Uint8Array {
  const out = new Uint8Array(size);
  // F is the OR of the units' F bits and NRI their maximum (§5.7.1 / §5.3).
  let forbidden = 0;
  let nri = 0;
  let at = 1;
  for (let i = from; i < to; i++) {
    const unit = units[i] as Uint8Array;
    const header = unit[0] as number;
    forbidden |= header & F_BIT;
    nri = Math.max(nri, header & NRI_MASK);
    out[at] = unit.length >> 8;
    out[at + 1] = unit.length & 0xff;
    out.set(unit, at + 2);
    at += 2 + unit.length;
  }
  out[0] = forbidden | nri | STAP_A;
  return out;
}

/** FU-As (RFC 6184 §5.8) of `unit`, of nearly equal size, appended to `payloads`. */
function fragment(unit: Uint8Array, maxPayloadSize: number, payloads: Uint8Array[]): void {
  const capacity = maxPayloadSize - 2;
  if (capacity < 1) {
    throw new PayloadError(`maxPayloadSize ${maxPayloadSize} is too small for an FU-A`, 0);
  }
  const header = unit[0] as number;
  const indicator = (header & F_NRI_MASK) | FU_A;
  const type = header & TYPE_MASK;
  // The NAL header is not sent: the FU indicator and header carry its fields. Since the unit
  // exceeds maxPayloadSize, there are at least two fragments, so S and E never meet (§5.8).
  const data = unit.subarray(1);
  const count = Math.ceil(data.length / capacity);
  const base = Math.floor(data.length / count);
  const larger = data.length % count;
  let at = 0;
  for (let i = 0; i < count; i++) {
    const size = base + (i < larger ? 1 : 0);
    const payload = new Uint8Array(2 + size);
    payload[0] = indicator;
    payload[1] = type | (i === 0 ? FU_START : 0) | (i === count - 1 ? FU_END : 0);
    payload.set(data.subarray(at, at + size), 2);
    payloads.push(payload);
    at += size;
  }
}

export class H264Depacketizer implements Depacketizer {
  /**
   * Annex B bytes: each NAL unit of a single NAL unit packet or STAP-A behind a 4-byte start
   * code; for an FU-A, the start code and the rebuilt NAL header on the first fragment, then
   * the fragment's data as is, so that a frame's packets concatenate to its byte stream.
   */
  depacketize(payload: Uint8Array): Uint8Array {
    if (payload.length === 0) throw new PayloadError('empty H.264 payload', 0);
    const header = payload[0] as number;
    const type = header & TYPE_MASK;
    if (type >= 1 && type < STAP_A) {
      const out = new Uint8Array(START_CODE.length + payload.length);
      out.set(START_CODE);
      out.set(payload, START_CODE.length);
      return out;
    }
    if (type === STAP_A) return depacketizeStapA(payload);
    if (type === FU_A) return depacketizeFuA(payload);
    if (type === 0 || type >= 30) {
      throw new PayloadError(`reserved H.264 payload type ${type}`, 0);
    }
    // STAP-B (25), MTAP16 (26), MTAP24 (27), FU-B (29): interleaved mode only (§6.4).
    throw new PayloadError(`H.264 payload type ${type} needs packetization-mode 2`, 0);
  }

  /** A single NAL unit packet, a STAP-A, or the first fragment of an FU-A. */
  isFrameStart(payload: Uint8Array): boolean {
    if (payload.length === 0) return false;
    const type = (payload[0] as number) & TYPE_MASK;
    if (type >= 1 && type <= STAP_A) return true;
    return type === FU_A && payload.length >= 2 && ((payload[1] as number) & FU_START) !== 0;
  }

  /** The marker bit is set on the last packet of an access unit (RFC 6184 §5.1). */
  isFrameEnd(_payload: Uint8Array, marker: boolean): boolean {
    return marker;
  }

  /**
   * Whether the payload carries an IDR slice or an SPS (in a STAP-A, any of its units; for an
   * FU-A, only the first fragment counts). False on a malformed payload.
   */
  isKeyframe(payload: Uint8Array): boolean {
    if (payload.length === 0) return false;
    const type = (payload[0] as number) & TYPE_MASK;
    if (type === STAP_A) {
      for (let at = 1; at + 2 < payload.length; ) {
        const size = ((payload[at] as number) << 8) | (payload[at + 1] as number);
        if (size === 0 || at + 2 + size > payload.length) return false;
        if (isKeyframeType((payload[at + 2] as number) & TYPE_MASK)) return true;
        at += 2 + size;
      }
      return false;
    }
    if (type === FU_A) {
      if (payload.length < 2) return false;
      const fuHeader = payload[1] as number;
      return (fuHeader & FU_START) !== 0 && isKeyframeType(fuHeader & TYPE_MASK);
    }
    return isKeyframeType(type);
  }
}

function isKeyframeType(type: number): boolean {
  return type === NAL_IDR || type === NAL_SPS;
}

/** The units of a STAP-A, each behind a start code; sizes are checked before anything is copied. */
function depacketizeStapA(payload: Uint8Array): Uint8Array {
  let total = 0;
  let count = 0;
  let at = 1;
  while (at < payload.length) {
    if (at + 2 > payload.length) throw new PayloadError('STAP-A NAL unit size truncated', at);
    const size = ((payload[at] as number) << 8) | (payload[at + 1] as number);
    if (size === 0) throw new PayloadError('empty NAL unit in STAP-A', at);
    if (at + 2 + size > payload.length) {
      throw new PayloadError(`STAP-A NAL unit of ${size} bytes overruns the packet`, at);
    }
    const type = (payload[at + 2] as number) & TYPE_MASK;
    // An aggregation packet carries NAL units, not other RTP packet types.
    if (isRtpOnlyType(type)) {
      throw new PayloadError(`NAL unit type ${type} inside a STAP-A`, at + 2);
    }
    total += START_CODE.length + size;
    count++;
    at += 2 + size;
  }
  if (count === 0) throw new PayloadError('STAP-A without NAL units', 1);
  const out = new Uint8Array(total);
  let to = 0;
  for (at = 1; at < payload.length; ) {
    const size = ((payload[at] as number) << 8) | (payload[at + 1] as number);
    out.set(START_CODE, to);
    out.set(payload.subarray(at + 2, at + 2 + size), to + START_CODE.length);
    to += START_CODE.length + size;
    at += 2 + size;
  }
  return out;
}

/** An FU-A's share of the NAL unit: with a start code and the NAL header on the first one. */
function depacketizeFuA(payload: Uint8Array): Uint8Array {
  if (payload.length < 2) throw new PayloadError('FU-A without an FU header', 1);
  const fuHeader = payload[1] as number;
  if ((fuHeader & (FU_START | FU_END)) === (FU_START | FU_END)) {
    // RFC 6184 §5.8: a NAL unit must not be sent in one FU.
    throw new PayloadError('FU-A with both the start and end bits set', 1);
  }
  const type = fuHeader & TYPE_MASK;
  if (isRtpOnlyType(type)) throw new PayloadError(`FU-A of NAL unit type ${type}`, 1);
  const data = payload.subarray(2);
  if ((fuHeader & FU_START) === 0) return data;
  const out = new Uint8Array(START_CODE.length + 1 + data.length);
  out.set(START_CODE);
  out[START_CODE.length] = ((payload[0] as number) & F_NRI_MASK) | type;
  out.set(data, START_CODE.length + 1);
  return out;
}
