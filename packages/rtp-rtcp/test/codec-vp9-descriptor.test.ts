/**
 * The VP9 payload descriptor (RFC 9628 §4.2) and scalability structure (§4.2.1), byte-exact
 * against layouts worked out by hand from the RFC's figures, and the VP9 frame header reader.
 */

import { fromHex } from '@typertc/common';
import { describe, expect, it } from 'vitest';
import {
  parseVp9Descriptor,
  serializeVp9Descriptor,
  type Vp9Descriptor,
  vp9DescriptorSize,
  vp9IsKeyframe,
} from '../src/codecs/vp9.js';
import { PayloadError } from '../src/errors.js';

/**
 * Flexible mode, 7-bit picture id 5, two references.
 *   |I|P|L|F|B|E|V|Z| = 1 1 1 1 1 0 0 0 = f8
 *   |M| PICTURE ID  | = 0 0000101       = 05
 *   | TID |U| SID |D| = 010 1 001 1     = 53  (TID 2, U, SID 1, D)
 *   | P_DIFF      |N| = 0000001 1       = 03  (P_DIFF 1, another follows)
 *   | P_DIFF      |N| = 0000100 0       = 08  (P_DIFF 4, last)
 */
const FLEXIBLE = fromHex('f805530308');
const FLEXIBLE_DESCRIPTOR: Vp9Descriptor = {
  interPicturePredicted: true,
  flexibleMode: true,
  startOfFrame: true,
  endOfFrame: false,
  notUpperLayerReference: false,
  pictureId: 5,
  pictureIdBits: 7,
  layerIndices: { temporalId: 2, switchingUpPoint: true, spatialId: 1, interLayerDependency: true },
  referenceIndices: [1, 4],
};

/**
 * Non-flexible mode, 15-bit picture id 0x7fff, TL0PICIDX 0xab, and a scalability structure of two
 * spatial layers (320x180, 640x360) and a picture group of two pictures.
 *   |I|P|L|F|B|E|V|Z| = 1 0 1 0 1 1 1 1 = af
 *   |M| PICTURE ID  | = 1 1111111       = ff, then ff
 *   | TID |U| SID |D| = 000 0 000 0     = 00
 *   |   TL0PICIDX   |                   = ab
 *   | N_S |Y|G|-|-|-| = 001 1 1 000     = 38
 *   WIDTH, HEIGHT     = 0140 00b4, 0280 0168
 *   N_G               = 02
 *   | TID |U| R |-|-| = 000 0 01 00     = 04, P_DIFF 02
 *   | TID |U| R |-|-| = 001 1 10 00     = 38, P_DIFF 01 03
 */
const NON_FLEXIBLE = fromHex('afffff00ab38014000b40280016802040238' + '0103');
const NON_FLEXIBLE_DESCRIPTOR: Vp9Descriptor = {
  interPicturePredicted: false,
  flexibleMode: false,
  startOfFrame: true,
  endOfFrame: true,
  notUpperLayerReference: true,
  pictureId: 0x7fff,
  pictureIdBits: 15,
  layerIndices: {
    temporalId: 0,
    switchingUpPoint: false,
    spatialId: 0,
    interLayerDependency: false,
    tl0PicIdx: 0xab,
  },
  scalabilityStructure: {
    spatialLayers: 2,
    resolutions: [
      { width: 320, height: 180 },
      { width: 640, height: 360 },
    ],
    pictureGroup: [
      { temporalId: 0, switchingUpPoint: false, referenceIndices: [2] },
      { temporalId: 1, switchingUpPoint: true, referenceIndices: [1, 3] },
    ],
  },
};

const PAYLOAD = fromHex('c0ffee');

function withPayload(descriptor: Uint8Array): Uint8Array {
  const packet = new Uint8Array(descriptor.length + PAYLOAD.length);
  packet.set(descriptor);
  packet.set(PAYLOAD, descriptor.length);
  return packet;
}

describe('VP9 payload descriptor (RFC 9628 §4.2)', () => {
  for (const [name, bytes, descriptor] of [
    ['flexible mode with layer and reference indices', FLEXIBLE, FLEXIBLE_DESCRIPTOR],
    ['non-flexible mode with TL0PICIDX and SS', NON_FLEXIBLE, NON_FLEXIBLE_DESCRIPTOR],
  ] as const) {
    it(`parses ${name}`, () => {
      const parsed = parseVp9Descriptor(withPayload(bytes));
      expect(parsed.descriptor).toEqual(descriptor);
      expect(parsed.descriptorSize).toBe(bytes.length);
      expect(parsed.payload).toEqual(PAYLOAD);
      expect(vp9DescriptorSize(withPayload(bytes))).toBe(bytes.length);
    });

    it(`serializes ${name} byte for byte`, () => {
      expect(serializeVp9Descriptor(descriptor)).toEqual(bytes);
    });

    it(`rejects ${name} cut short at every length`, () => {
      for (let length = 0; length < bytes.length; length++) {
        const cut = bytes.subarray(0, length);
        expect(() => parseVp9Descriptor(cut), `length ${length}`).toThrow(PayloadError);
        expect(() => vp9DescriptorSize(cut), `length ${length}`).toThrow(PayloadError);
      }
    });
  }

  it('parses the one-octet minimum: no optional fields', () => {
    // |I|P|L|F|B|E|V|Z| = 0 1 0 0 0 1 0 0: a predicted frame's last packet.
    const { descriptor, payload } = parseVp9Descriptor(fromHex('44aa'));
    expect(descriptor).toEqual({
      interPicturePredicted: true,
      flexibleMode: false,
      startOfFrame: false,
      endOfFrame: true,
      notUpperLayerReference: false,
    });
    expect(payload).toEqual(fromHex('aa'));
  });

  it('parses a scalability structure with G = 1 and N_G = 0, and with Y = 0', () => {
    // N_S = 2 (three layers), Y = 0, G = 1; N_G = 0.
    const { descriptor } = parseVp9Descriptor(fromHex('8a' + '05' + '48' + '00' + 'aa'));
    expect(descriptor.pictureId).toBe(5);
    expect(descriptor.scalabilityStructure).toEqual({ spatialLayers: 3, pictureGroup: [] });
    expect(serializeVp9Descriptor(descriptor)).toEqual(fromHex('8a0548' + '00'));
  });

  it('ignores the reserved bits of the SS and picture group octets', () => {
    // SS octet 0x07: N_S = 0, Y = 0, G = 0, reserved bits all set.
    const { descriptor } = parseVp9Descriptor(fromHex('0207aa'));
    expect(descriptor.scalabilityStructure).toEqual({ spatialLayers: 1 });
  });

  it('rejects a fourth reference index', () => {
    // F = 1, P = 1, no picture id; P_DIFFs 1, 2, 3 all with N = 1.
    expect(() => parseVp9Descriptor(fromHex('5003050709aa'))).toThrow(/more than 3/);
    expect(() => vp9DescriptorSize(fromHex('5003050709aa'))).toThrow(PayloadError);
    // Three is the limit.
    expect(parseVp9Descriptor(fromHex('50030506aa')).descriptor.referenceIndices).toEqual([
      1, 2, 3,
    ]);
  });

  it('reads P_DIFF only in flexible mode, and TL0PICIDX only in non-flexible mode', () => {
    // F = 0, P = 1, L = 1: the octet after the layer indices is TL0PICIDX, not a P_DIFF.
    const nonFlexible = parseVp9Descriptor(fromHex('60' + '20' + '07' + 'aa')).descriptor;
    expect(nonFlexible.referenceIndices).toBeUndefined();
    expect(nonFlexible.layerIndices?.tl0PicIdx).toBe(7);
    // F = 1, P = 1, L = 1: the layer octet, then P_DIFF 3.
    const flexible = parseVp9Descriptor(fromHex('70' + '20' + '06' + 'aa')).descriptor;
    expect(flexible.layerIndices?.tl0PicIdx).toBeUndefined();
    expect(flexible.referenceIndices).toEqual([3]);
  });

  it('rejects a packet with no VP9 octet after the descriptor', () => {
    expect(() => parseVp9Descriptor(fromHex('8805'))).toThrow(/no payload/);
  });

  it('refuses to serialize fields that do not fit or do not belong to the mode', () => {
    const base: Vp9Descriptor = {
      interPicturePredicted: false,
      flexibleMode: false,
      startOfFrame: true,
      endOfFrame: true,
      notUpperLayerReference: false,
    };
    expect(() => serializeVp9Descriptor({ ...base, pictureId: 128, pictureIdBits: 7 })).toThrow(
      RangeError,
    );
    expect(() => serializeVp9Descriptor({ ...base, pictureId: 0x8000 })).toThrow(RangeError);
    const layers = { temporalId: 0, switchingUpPoint: false, spatialId: 0 };
    expect(() =>
      serializeVp9Descriptor({ ...base, layerIndices: { ...layers, interLayerDependency: false } }),
    ).toThrow(/TL0PICIDX/);
    expect(() =>
      serializeVp9Descriptor({ ...base, interPicturePredicted: true, flexibleMode: true }),
    ).toThrow(/reference indices/);
    expect(() =>
      serializeVp9Descriptor({
        ...base,
        interPicturePredicted: true,
        flexibleMode: true,
        referenceIndices: [1, 2, 3, 4],
      }),
    ).toThrow(RangeError);
    expect(() =>
      serializeVp9Descriptor({
        ...base,
        scalabilityStructure: { spatialLayers: 2, resolutions: [{ width: 1, height: 1 }] },
      }),
    ).toThrow(/one resolution per spatial layer/);
    expect(() =>
      serializeVp9Descriptor({ ...base, scalabilityStructure: { spatialLayers: 9 } }),
    ).toThrow(RangeError);
    // The 15-bit picture id is the default width.
    expect(serializeVp9Descriptor({ ...base, pictureId: 3 })).toEqual(fromHex('8c8003'));
  });
});

describe('vp9IsKeyframe', () => {
  it('is B = 1 and P = 0, and SID = 0 when layer indices are present', () => {
    expect(vp9IsKeyframe(fromHex('88' + '05' + 'aa'))).toBe(true); // I, B
    expect(vp9IsKeyframe(fromHex('c8' + '05' + 'aa'))).toBe(false); // P = 1
    expect(vp9IsKeyframe(fromHex('80' + '05' + 'aa'))).toBe(false); // B = 0
    expect(vp9IsKeyframe(fromHex('a8' + '8001' + '00' + '00' + 'aa'))).toBe(true); // SID 0
    expect(vp9IsKeyframe(fromHex('a8' + '8001' + '02' + '00' + 'aa'))).toBe(false); // SID 1
    expect(vp9IsKeyframe(fromHex('28' + '0e' + '00' + 'aa'))).toBe(false); // SID 7, no I
  });

  it('is false for packets too short to tell', () => {
    expect(vp9IsKeyframe(new Uint8Array(0))).toBe(false);
    expect(vp9IsKeyframe(fromHex('a8'))).toBe(false);
    expect(vp9IsKeyframe(fromHex('a880'))).toBe(false);
    expect(vp9IsKeyframe(fromHex('a88001'))).toBe(false);
  });
});
