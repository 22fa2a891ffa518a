/**
 * VP9 over RTP (RFC 9628): the packetizer and depacketizer, and the payload descriptor helpers
 * they are built on (re-exported here, the module `codecs/index.ts` exports).
 *
 * The packetizer sends single-layer streams: one picture, one spatial layer, no temporal layers,
 * so no layer indices (L = 0). The depacketizer reads any descriptor, layered or not.
 */

import { PayloadError } from '../errors.js';
import type { Depacketizer, Packetizer } from './types.js';
import {
  type Vp9Descriptor,
  vp9DescriptorLength,
  vp9DescriptorSize,
  vp9EndOfFrame,
  vp9IsKeyframe,
  vp9StartOfFrame,
  writeVp9Descriptor,
} from './vp9-descriptor.js';
import { parseVp9FrameHeader } from './vp9-frame-header.js';

export {
  parseVp9Descriptor,
  serializeVp9Descriptor,
  type Vp9Descriptor,
  type Vp9LayerIndices,
  type Vp9Payload,
  type Vp9PictureGroupEntry,
  type Vp9ScalabilityStructure,
  vp9DescriptorLength,
  vp9DescriptorSize,
  vp9IsKeyframe,
  writeVp9Descriptor,
} from './vp9-descriptor.js';
export { parseVp9FrameHeader, type Vp9FrameHeader } from './vp9-frame-header.js';

const PICTURE_ID_MODULO = 0x8000;
const B_BIT = 0x08;
const E_BIT = 0x04;

export interface Vp9PacketizerOptions {
  /**
   * Flexible mode (F = 1): each inter frame carries its reference as P_DIFF in every packet.
   * Without a way to learn the encoder's references, the packetizer declares the previous
   * picture (P_DIFF = 1), which is right for the single-reference IPPP streams real-time encoders
   * produce. Default false: non-flexible mode (F = 0).
   */
  readonly flexibleMode?: boolean;
  /** The first frame's picture id, 0..32767; it then increases by one per frame. Default 0. */
  readonly initialPictureId?: number;
}

/**
 * Splits VP9 frames into RTP payloads (RFC 9628 §4.2, §4.4), each at most `maxPayloadSize`
 * octets, of even sizes. Every packet carries a 15-bit picture id (M = 1) that increases by one
 * per frame; the first has B = 1, the last E = 1. The frame's uncompressed header (VP9 bitstream
 * §6.2) is read to set P = 0 on key frames only; a key frame's first packet also carries the
 * scalability structure (V = 1) with one spatial layer and the width and height read from that
 * header (Y = 1, G = 0), so receivers learn the resolution without decoding.
 *
 * Throws `PayloadError` when the frame is not a VP9 frame (empty, bad frame marker, truncated key
 * frame header) or `maxPayloadSize` leaves no room after the descriptor.
 */
export class Vp9Packetizer implements Packetizer {
  readonly #flexibleMode: boolean;
  #pictureId: number;

  constructor(options: Vp9PacketizerOptions = {}) {
    this.#flexibleMode = options.flexibleMode ?? false;
    const initial = options.initialPictureId ?? 0;
    if (!Number.isInteger(initial) || initial < 0 || initial >= PICTURE_ID_MODULO) {
      throw new RangeError(`initialPictureId must be an integer in 0..32767, not ${initial}`);
    }
    this.#pictureId = initial;
  }

  /** The picture id the next frame will carry. */
  get nextPictureId(): number {
    return this.#pictureId;
  }

  packetize(frame: Uint8Array, maxPayloadSize: number): Uint8Array[] {
    const header = parseVp9FrameHeader(frame);
    const descriptor: Vp9Descriptor = {
      interPicturePredicted: !header.keyframe,
      flexibleMode: this.#flexibleMode,
      startOfFrame: false,
      endOfFrame: false,
      notUpperLayerReference: false,
      pictureId: this.#pictureId,
      pictureIdBits: 15,
    };
    if (this.#flexibleMode && !header.keyframe) descriptor.referenceIndices = [1];
    const rest = new Uint8Array(vp9DescriptorLength(descriptor));
    writeVp9Descriptor(descriptor, rest);
    let first = rest;
    if (header.keyframe) {
      const { width = 0, height = 0 } = header;
      // The SS has 16-bit sizes; a 65536-wide frame (legal in VP9) goes without them.
      const fits = width <= 0xffff && height <= 0xffff;
      descriptor.scalabilityStructure = fits
        ? { spatialLayers: 1, resolutions: [{ width, height }] }
        : { spatialLayers: 1 };
      first = new Uint8Array(vp9DescriptorLength(descriptor));
      writeVp9Descriptor(descriptor, first);
    }
    if (!Number.isInteger(maxPayloadSize) || maxPayloadSize < 1) {
      throw new RangeError(`maxPayloadSize must be a positive integer, not ${maxPayloadSize}`);
    }
    const firstCapacity = maxPayloadSize - first.length;
    const restCapacity = maxPayloadSize - rest.length;
    if (firstCapacity < 1) {
      throw new PayloadError(
        `maxPayloadSize ${maxPayloadSize} leaves no room after the ${first.length}-byte descriptor`,
        0,
      );
    }
    // As few packets as fit, with even sizes rather than full packets and a runt (as the VP8
    // packetizer and libwebrtc do); only the first, whose descriptor may carry the SS, can be
    // held below the others' size.
    const count =
      frame.length <= firstCapacity
        ? 1
        : 1 + Math.ceil((frame.length - firstCapacity) / restCapacity);
    const firstSize = Math.min(firstCapacity, Math.ceil(frame.length / count));
    const others = count - 1;
    const base = others === 0 ? 0 : Math.floor((frame.length - firstSize) / others);
    const larger = others === 0 ? 0 : (frame.length - firstSize) % others;
    const payloads: Uint8Array[] = new Array(count);
    let at = 0;
    for (let i = 0; i < count; i++) {
      const head = i === 0 ? first : rest;
      const size = i === 0 ? firstSize : base + (i - 1 < larger ? 1 : 0);
      const payload = new Uint8Array(head.length + size);
      payload.set(head);
      payload.set(frame.subarray(at, at + size), head.length);
      at += size;
      if (i === 0) payload[0] = (payload[0] as number) | B_BIT;
      if (i === count - 1) payload[0] = (payload[0] as number) | E_BIT;
      payloads[i] = payload;
    }
    this.#pictureId = (this.#pictureId + 1) % PICTURE_ID_MODULO;
    return payloads;
  }
}

/**
 * Reads VP9 RTP payloads (RFC 9628): strips the payload descriptor, whatever its mode and layers.
 * A frame here is a layer frame: it starts at B = 1 and ends at E = 1 (or the marker bit, which
 * RFC 9628 §4.1 sets on the last packet of a picture). Stateless.
 */
export class Vp9Depacketizer implements Depacketizer {
  /**
   * The VP9 bytes after the descriptor (a view); `PayloadError` when the descriptor is malformed
   * or nothing follows it.
   */
  depacketize(payload: Uint8Array): Uint8Array {
    const size = vp9DescriptorSize(payload);
    if (size === payload.length) throw new PayloadError('VP9 packet has no payload', size);
    return payload.subarray(size);
  }

  isFrameStart(payload: Uint8Array): boolean {
    return vp9StartOfFrame(payload);
  }

  isFrameEnd(payload: Uint8Array, marker: boolean): boolean {
    return marker || vp9EndOfFrame(payload);
  }

  isKeyframe(payload: Uint8Array): boolean {
    return vp9IsKeyframe(payload);
  }
}
