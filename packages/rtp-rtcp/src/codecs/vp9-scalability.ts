/**
 * The scalability structure (SS) of the VP9 payload descriptor (RFC 9628 §4.2.1), sent with V = 1
 * to declare the spatial layers, their resolutions and the picture group:
 *
 *      0 1 2 3 4 5 6 7
 *     +-+-+-+-+-+-+-+-+
 * V:  | N_S |Y|G|-|-|-|
 * Y:  |     WIDTH     |   16 bits, then HEIGHT 16 bits: N_S + 1 times
 * G:  |      N_G      |
 * N_G:| TID |U| R |-|-|   N_G times, each followed by R P_DIFF octets
 */

import { PayloadError } from '../errors.js';

/** One picture of a picture group in the scalability structure (RFC 9628 §4.2.1). */
export interface Vp9PictureGroupEntry {
  /** TID of this picture, 0-7. */
  temporalId: number;
  /** U of this picture. */
  switchingUpPoint: boolean;
  /** P_DIFF of each reference (R of them, at most 3), each 0-255. */
  referenceIndices: number[];
}

/** The scalability structure, present when V = 1 (RFC 9628 §4.2.1). */
export interface Vp9ScalabilityStructure {
  /** N_S + 1: the number of spatial layers, 1-8. */
  spatialLayers: number;
  /** Y: the resolution of each spatial layer (`spatialLayers` entries, 16-bit each). */
  resolutions?: { width: number; height: number }[];
  /** G: the picture group (N_G entries, at most 255); absent when G = 0. */
  pictureGroup?: Vp9PictureGroupEntry[];
}

/** Throws `PayloadError` unless `count` octets are present at `at` of the descriptor. */
export function need(packet: Uint8Array, at: number, count: number, what: string): void {
  if (at + count > packet.length) {
    throw new PayloadError(`VP9 descriptor truncated in the ${what}`, at);
  }
}

/**
 * The scalability structure at `at`, and where it ends. Bit layout of the first octet:
 * N_S (3) | Y | G | reserved (3); then Y ? (N_S + 1) × (WIDTH 16, HEIGHT 16); G ? N_G octet and
 * N_G × (TID (3) | U | R (2) | reserved (2), then R × P_DIFF octets).
 */
export function parseScalabilityStructure(
  packet: Uint8Array,
  start: number,
): { structure: Vp9ScalabilityStructure; end: number } {
  let at = start;
  need(packet, at, 1, 'scalability structure');
  const head = packet[at++] as number;
  const spatialLayers = (head >>> 5) + 1;
  const structure: Vp9ScalabilityStructure = { spatialLayers };
  if ((head & 0x10) !== 0) {
    need(packet, at, 4 * spatialLayers, 'spatial layer resolutions');
    const resolutions: { width: number; height: number }[] = [];
    for (let i = 0; i < spatialLayers; i++) {
      const width = ((packet[at] as number) << 8) | (packet[at + 1] as number);
      const height = ((packet[at + 2] as number) << 8) | (packet[at + 3] as number);
      resolutions.push({ width, height });
      at += 4;
    }
    structure.resolutions = resolutions;
  }
  if ((head & 0x08) !== 0) {
    need(packet, at, 1, 'picture group size');
    const count = packet[at++] as number;
    const pictureGroup: Vp9PictureGroupEntry[] = [];
    for (let i = 0; i < count; i++) {
      need(packet, at, 1, 'picture group');
      const entry = packet[at++] as number;
      const references = (entry >>> 2) & 0x03;
      need(packet, at, references, 'picture group references');
      pictureGroup.push({
        temporalId: entry >>> 5,
        switchingUpPoint: (entry & 0x10) !== 0,
        referenceIndices: Array.from(packet.subarray(at, at + references)),
      });
      at += references;
    }
    structure.pictureGroup = pictureGroup;
  }
  return { structure, end: at };
}

/** Where the scalability structure starting at `at` ends; the same checks as the parse above. */
export function skipScalabilityStructure(packet: Uint8Array, start: number): number {
  let at = start;
  need(packet, at, 1, 'scalability structure');
  const head = packet[at++] as number;
  if ((head & 0x10) !== 0) {
    const size = 4 * ((head >>> 5) + 1);
    need(packet, at, size, 'spatial layer resolutions');
    at += size;
  }
  if ((head & 0x08) !== 0) {
    need(packet, at, 1, 'picture group size');
    const count = packet[at++] as number;
    for (let i = 0; i < count; i++) {
      need(packet, at, 1, 'picture group');
      const references = ((packet[at++] as number) >>> 2) & 0x03;
      need(packet, at, references, 'picture group references');
      at += references;
    }
  }
  return at;
}

/** Throws `RangeError` unless `value` is an integer in 0..`max` (serializing a descriptor). */
export function checkRange(value: number, max: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`VP9 ${what} must be an integer in 0..${max}, not ${value}`);
  }
}

/** The octets `writeScalabilityStructure` writes for `structure`. */
export function scalabilityStructureSize(structure: Vp9ScalabilityStructure): number {
  let size = 1;
  if (structure.resolutions !== undefined) size += 4 * structure.resolutions.length;
  if (structure.pictureGroup !== undefined) {
    size += 1;
    for (const entry of structure.pictureGroup) size += 1 + entry.referenceIndices.length;
  }
  return size;
}

/** Throws `RangeError` unless `structure` can be encoded as RFC 9628 §4.2.1 lays it out. */
export function validateScalabilityStructure(structure: Vp9ScalabilityStructure): void {
  checkRange(structure.spatialLayers - 1, 7, 'spatial layer count minus one');
  const resolutions = structure.resolutions;
  if (resolutions !== undefined && resolutions.length !== structure.spatialLayers) {
    throw new RangeError('VP9 scalability structure needs one resolution per spatial layer');
  }
  for (const { width, height } of resolutions ?? []) {
    checkRange(width, 0xffff, 'width');
    checkRange(height, 0xffff, 'height');
  }
  const group = structure.pictureGroup;
  if (group !== undefined) {
    checkRange(group.length, 0xff, 'picture group size');
    for (const entry of group) {
      checkRange(entry.temporalId, 7, 'picture group temporal id');
      checkRange(entry.referenceIndices.length, 3, 'picture group reference count');
      for (const diff of entry.referenceIndices) checkRange(diff, 0xff, 'picture group P_DIFF');
    }
  }
}

/** Writes a validated `structure` at `start` of `out`; returns where it ends. */
export function writeScalabilityStructure(
  structure: Vp9ScalabilityStructure,
  out: Uint8Array,
  start: number,
): number {
  let at = start;
  const { resolutions, pictureGroup } = structure;
  out[at++] =
    ((structure.spatialLayers - 1) << 5) |
    (resolutions !== undefined ? 0x10 : 0) |
    (pictureGroup !== undefined ? 0x08 : 0);
  for (const { width, height } of resolutions ?? []) {
    out[at++] = width >>> 8;
    out[at++] = width;
    out[at++] = height >>> 8;
    out[at++] = height;
  }
  if (pictureGroup !== undefined) {
    out[at++] = pictureGroup.length;
    for (const entry of pictureGroup) {
      out[at++] =
        (entry.temporalId << 5) |
        (entry.switchingUpPoint ? 0x10 : 0) |
        (entry.referenceIndices.length << 2);
      for (const diff of entry.referenceIndices) out[at++] = diff;
    }
  }
  return at;
}
