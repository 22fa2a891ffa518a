/**
 * The VP9 RTP payload descriptor (RFC 9628 §4.2): one mandatory octet of flags, then the
 * optional picture id, layer indices, reference indices and scalability structure.
 *
 *      0 1 2 3 4 5 6 7
 *     +-+-+-+-+-+-+-+-+
 *     |I|P|L|F|B|E|V|Z|
 *     +-+-+-+-+-+-+-+-+
 * I:  |M| PICTURE ID  |   7 bits, or 15 with the next octet when M = 1
 * M:  | EXTENDED PID  |
 * L:  | TID |U| SID |D|
 *     |   TL0PICIDX   |   non-flexible mode (F = 0) only
 * P,F:| P_DIFF      |N|   flexible mode with P = 1: up to 3 times, N = 1 when another follows
 * V:  | SS            |   scalability structure (§4.2.1)
 *
 * Two forms: `parseVp9Descriptor`/`serializeVp9Descriptor` build and read a full object, for
 * inspection and tests; `vp9DescriptorSize` only walks the octets, for the depacketizer's per-packet
 * path, where allocating an object per packet is not wanted.
 */

import { PayloadError } from '../errors.js';
import {
  checkRange,
  need,
  parseScalabilityStructure,
  scalabilityStructureSize,
  skipScalabilityStructure,
  type Vp9ScalabilityStructure,
  validateScalabilityStructure,
  writeScalabilityStructure,
} from './vp9-scalability.js';

export type { Vp9PictureGroupEntry, Vp9ScalabilityStructure } from './vp9-scalability.js';

const I_BIT = 0x80;
const P_BIT = 0x40;
const L_BIT = 0x20;
const F_BIT = 0x10;
const B_BIT = 0x08;
const E_BIT = 0x04;
const V_BIT = 0x02;
const Z_BIT = 0x01;

/** A flexible-mode picture references at most 3 earlier pictures (RFC 9628 §4.2, N bit). */
const MAX_REFERENCE_INDICES = 3;

/** Layer indices, present when L = 1 (RFC 9628 §4.2). */
export interface Vp9LayerIndices {
  /** TID: temporal layer id, 0-7. */
  temporalId: number;
  /** U: a switching-up point (a higher temporal layer can be switched to from here). */
  switchingUpPoint: boolean;
  /** SID: spatial layer id, 0-7. */
  spatialId: number;
  /** D: this layer frame depends on the spatial layer below it in the same picture. */
  interLayerDependency: boolean;
  /** TL0PICIDX: temporal base-layer picture index, 0-255; present in non-flexible mode only. */
  tl0PicIdx?: number;
}

/** The fields of a VP9 payload descriptor; optional fields are present exactly when their flag is. */
export interface Vp9Descriptor {
  /** P: the layer frame uses inter-picture prediction. */
  interPicturePredicted: boolean;
  /** F: flexible mode (references in each packet) rather than non-flexible (TL0PICIDX and SS). */
  flexibleMode: boolean;
  /** B: the first packet of a layer frame. */
  startOfFrame: boolean;
  /** E: the last packet of a layer frame. */
  endOfFrame: boolean;
  /** Z: the layer frame is not used as a reference by upper spatial layers. */
  notUpperLayerReference: boolean;
  /** I: the picture id, 0-127 or 0-32767. */
  pictureId?: number;
  /** M: whether the picture id takes 15 bits (default when serializing: 15). */
  pictureIdBits?: 7 | 15;
  /** L: the layer indices. */
  layerIndices?: Vp9LayerIndices;
  /** P_DIFF of each referenced picture (1-3 entries, each 0-127): flexible mode with P = 1. */
  referenceIndices?: number[];
  /** V: the scalability structure. */
  scalabilityStructure?: Vp9ScalabilityStructure;
}

/** A parsed VP9 RTP payload: its descriptor and the VP9 bytes after it (a view). */
export interface Vp9Payload {
  descriptor: Vp9Descriptor;
  /** Octets the descriptor takes. */
  descriptorSize: number;
  payload: Uint8Array;
}

/**
 * Where the reference indices starting at `at` end: P_DIFF octets while N = 1, at most three
 * (RFC 9628 §4.2: "up to 3 times").
 */
function skipReferenceIndices(packet: Uint8Array, start: number): number {
  let at = start;
  for (let count = 1; ; count++) {
    need(packet, at, 1, 'reference indices');
    const more = ((packet[at++] as number) & 0x01) !== 0;
    if (!more) return at;
    if (count === MAX_REFERENCE_INDICES) {
      throw new PayloadError('VP9 descriptor has more than 3 reference indices', at - 1);
    }
  }
}

/**
 * The number of octets the VP9 payload descriptor at the start of `packet` takes, checked against
 * the octets present; throws `PayloadError` when it is truncated or malformed. Allocates nothing.
 */
export function vp9DescriptorSize(packet: Uint8Array): number {
  need(packet, 0, 1, 'required octet');
  const flags = packet[0] as number;
  let at = 1;
  if ((flags & I_BIT) !== 0) {
    need(packet, at, 1, 'picture id');
    const size = ((packet[at] as number) & 0x80) !== 0 ? 2 : 1;
    need(packet, at, size, 'picture id');
    at += size;
  }
  const flexible = (flags & F_BIT) !== 0;
  if ((flags & L_BIT) !== 0) {
    const size = flexible ? 1 : 2;
    need(packet, at, size, 'layer indices');
    at += size;
  }
  if (flexible && (flags & P_BIT) !== 0) at = skipReferenceIndices(packet, at);
  if ((flags & V_BIT) !== 0) at = skipScalabilityStructure(packet, at);
  return at;
}

/**
 * Parses the VP9 payload descriptor at the start of `packet` (an RTP payload), bounds-checked:
 * throws `PayloadError` when it is truncated, has more than three reference indices, or no VP9
 * octet follows it.
 * Reserved bits are ignored.
 */
export function parseVp9Descriptor(packet: Uint8Array): Vp9Payload {
  need(packet, 0, 1, 'required octet');
  const flags = packet[0] as number;
  const descriptor: Vp9Descriptor = {
    interPicturePredicted: (flags & P_BIT) !== 0,
    flexibleMode: (flags & F_BIT) !== 0,
    startOfFrame: (flags & B_BIT) !== 0,
    endOfFrame: (flags & E_BIT) !== 0,
    notUpperLayerReference: (flags & Z_BIT) !== 0,
  };
  let at = 1;
  if ((flags & I_BIT) !== 0) {
    need(packet, at, 1, 'picture id');
    const first = packet[at] as number;
    if ((first & 0x80) !== 0) {
      need(packet, at, 2, 'picture id');
      descriptor.pictureId = ((first & 0x7f) << 8) | (packet[at + 1] as number);
      descriptor.pictureIdBits = 15;
      at += 2;
    } else {
      descriptor.pictureId = first;
      descriptor.pictureIdBits = 7;
      at += 1;
    }
  }
  if ((flags & L_BIT) !== 0) {
    need(packet, at, descriptor.flexibleMode ? 1 : 2, 'layer indices');
    const layer = packet[at++] as number;
    const layerIndices: Vp9LayerIndices = {
      temporalId: layer >>> 5,
      switchingUpPoint: (layer & 0x10) !== 0,
      spatialId: (layer >>> 1) & 0x07,
      interLayerDependency: (layer & 0x01) !== 0,
    };
    if (!descriptor.flexibleMode) layerIndices.tl0PicIdx = packet[at++] as number;
    descriptor.layerIndices = layerIndices;
  }
  if (descriptor.flexibleMode && descriptor.interPicturePredicted) {
    const end = skipReferenceIndices(packet, at);
    descriptor.referenceIndices = Array.from(packet.subarray(at, end), (octet) => octet >>> 1);
    at = end;
  }
  if ((flags & V_BIT) !== 0) {
    const { structure, end } = parseScalabilityStructure(packet, at);
    descriptor.scalabilityStructure = structure;
    at = end;
  }
  if (at === packet.length) throw new PayloadError('VP9 packet has no payload', at);
  return { descriptor, descriptorSize: at, payload: packet.subarray(at) };
}

/** The picture id width `descriptor` is written with: as given, else 15 bits. */
function pictureIdBitsOf(descriptor: Vp9Descriptor): 7 | 15 {
  return descriptor.pictureIdBits ?? 15;
}

/** The octets `writeVp9Descriptor` writes for `descriptor`. */
export function vp9DescriptorLength(descriptor: Vp9Descriptor): number {
  let size = 1;
  if (descriptor.pictureId !== undefined) size += pictureIdBitsOf(descriptor) === 15 ? 2 : 1;
  if (descriptor.layerIndices !== undefined) size += descriptor.flexibleMode ? 1 : 2;
  if (descriptor.referenceIndices !== undefined) size += descriptor.referenceIndices.length;
  if (descriptor.scalabilityStructure !== undefined) {
    size += scalabilityStructureSize(descriptor.scalabilityStructure);
  }
  return size;
}

/** Throws `RangeError` unless `descriptor` can be encoded as RFC 9628 §4.2 lays it out. */
function validate(descriptor: Vp9Descriptor): void {
  if (descriptor.pictureId !== undefined) {
    const bits = pictureIdBitsOf(descriptor);
    checkRange(descriptor.pictureId, bits === 15 ? 0x7fff : 0x7f, 'picture id');
  }
  const layers = descriptor.layerIndices;
  if (layers !== undefined) {
    checkRange(layers.temporalId, 7, 'temporal layer id');
    checkRange(layers.spatialId, 7, 'spatial layer id');
    if (descriptor.flexibleMode !== (layers.tl0PicIdx === undefined)) {
      throw new RangeError('VP9 TL0PICIDX is present exactly in non-flexible mode');
    }
    if (layers.tl0PicIdx !== undefined) checkRange(layers.tl0PicIdx, 0xff, 'TL0PICIDX');
  }
  const references = descriptor.referenceIndices;
  const needsReferences = descriptor.flexibleMode && descriptor.interPicturePredicted;
  if (needsReferences !== (references !== undefined)) {
    throw new RangeError('VP9 reference indices are present exactly in flexible mode with P = 1');
  }
  if (references !== undefined) {
    if (references.length < 1 || references.length > MAX_REFERENCE_INDICES) {
      throw new RangeError('VP9 flexible mode carries 1 to 3 reference indices');
    }
    for (const diff of references) checkRange(diff, 0x7f, 'P_DIFF');
  }
  if (descriptor.scalabilityStructure !== undefined) {
    validateScalabilityStructure(descriptor.scalabilityStructure);
  }
}

/**
 * Writes `descriptor` into `out` at `offset` and returns the octets written
 * (`vp9DescriptorLength(descriptor)`). Throws `RangeError` when a field is out of range or
 * inconsistent with the mode (TL0PICIDX only in non-flexible mode, reference indices exactly in
 * flexible mode with P = 1) or when `out` is too small. Reserved bits are written as zero.
 */
export function writeVp9Descriptor(descriptor: Vp9Descriptor, out: Uint8Array, offset = 0): number {
  validate(descriptor);
  const length = vp9DescriptorLength(descriptor);
  if (offset < 0 || offset + length > out.length) {
    throw new RangeError(`VP9 descriptor needs ${length} octets at offset ${offset}`);
  }
  let at = offset;
  out[at++] =
    (descriptor.pictureId !== undefined ? I_BIT : 0) |
    (descriptor.interPicturePredicted ? P_BIT : 0) |
    (descriptor.layerIndices !== undefined ? L_BIT : 0) |
    (descriptor.flexibleMode ? F_BIT : 0) |
    (descriptor.startOfFrame ? B_BIT : 0) |
    (descriptor.endOfFrame ? E_BIT : 0) |
    (descriptor.scalabilityStructure !== undefined ? V_BIT : 0) |
    (descriptor.notUpperLayerReference ? Z_BIT : 0);
  if (descriptor.pictureId !== undefined) {
    if (pictureIdBitsOf(descriptor) === 15) {
      out[at++] = 0x80 | (descriptor.pictureId >>> 8);
      out[at++] = descriptor.pictureId;
    } else {
      out[at++] = descriptor.pictureId;
    }
  }
  const layers = descriptor.layerIndices;
  if (layers !== undefined) {
    out[at++] =
      (layers.temporalId << 5) |
      (layers.switchingUpPoint ? 0x10 : 0) |
      (layers.spatialId << 1) |
      (layers.interLayerDependency ? 0x01 : 0);
    if (layers.tl0PicIdx !== undefined) out[at++] = layers.tl0PicIdx;
  }
  const references = descriptor.referenceIndices;
  if (references !== undefined) {
    for (const [index, diff] of references.entries()) {
      out[at++] = (diff << 1) | (index < references.length - 1 ? 0x01 : 0);
    }
  }
  if (descriptor.scalabilityStructure !== undefined) {
    at = writeScalabilityStructure(descriptor.scalabilityStructure, out, at);
  }
  return at - offset;
}

/** `descriptor` encoded as RFC 9628 §4.2 lays it out; see `writeVp9Descriptor` for the checks. */
export function serializeVp9Descriptor(descriptor: Vp9Descriptor): Uint8Array {
  const out = new Uint8Array(vp9DescriptorLength(descriptor));
  writeVp9Descriptor(descriptor, out);
  return out;
}

/** Whether the descriptor's first octet has B = 1 (RFC 9628 §4.2). */
export function vp9StartOfFrame(packet: Uint8Array): boolean {
  return packet.length > 0 && ((packet[0] as number) & B_BIT) !== 0;
}

/** Whether the descriptor's first octet has E = 1 (RFC 9628 §4.2). */
export function vp9EndOfFrame(packet: Uint8Array): boolean {
  return packet.length > 0 && ((packet[0] as number) & E_BIT) !== 0;
}

/**
 * Whether `packet` starts a layer frame that needs no earlier picture: B = 1 and P = 0, and, when
 * layer indices are present, SID = 0 (RFC 9628 §4.2: upper spatial layers of a key picture may
 * still predict from the layer below). False for a packet too short to tell.
 */
export function vp9IsKeyframe(packet: Uint8Array): boolean {
  if (packet.length === 0) return false;
  const flags = packet[0] as number;
  if ((flags & B_BIT) === 0 || (flags & P_BIT) !== 0) return false;
  if ((flags & L_BIT) === 0) return true;
  let at = 1;
  if ((flags & I_BIT) !== 0) {
    if (at >= packet.length) return false;
    at += ((packet[at] as number) & 0x80) !== 0 ? 2 : 1;
  }
  if (at >= packet.length) return false;
  return (((packet[at] as number) >>> 1) & 0x07) === 0;
}
