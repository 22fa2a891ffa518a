/** H.264 over RTP (RFC 6184): Annex B splitting, single NAL / STAP-A / FU-A, modes 0 and 1. */

import { describe, expect, it } from 'vitest';
import { H264Depacketizer, H264Packetizer, splitAnnexB } from '../src/codecs/h264.js';
import { PayloadError } from '../src/errors.js';

const SPS = Uint8Array.of(0x67, 0x42, 0xc0, 0x1f, 0x8c, 0x8d, 0x40);
const PPS = Uint8Array.of(0x68, 0xce, 0x3c, 0x80);
const IDR = Uint8Array.of(0x65, 0x88, 0x84, 0x00, 0x33, 0xff);
const SLICE = Uint8Array.of(0x41, 0x9a, 0x02, 0x05);

/** An Annex B stream of `units` with 4-byte start codes. */
function annexB(...units: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(units.flatMap((unit) => [Uint8Array.of(0, 0, 0, 1), unit])));
}

/** The NAL units a depacketizer's outputs make up. */
function units(depacketizer: H264Depacketizer, payloads: Uint8Array[]): Uint8Array[] {
  const stream = Buffer.concat(payloads.map((payload) => depacketizer.depacketize(payload)));
  return splitAnnexB(new Uint8Array(stream));
}

describe('splitAnnexB', () => {
  it('splits on 3- and 4-byte start codes, dropping leading, trailing and extra zeros', () => {
    const stream = Uint8Array.of(
      0,
      0,
      0,
      0,
      1,
      0x67,
      0x42,
      0,
      0,
      1,
      0x68,
      0xce,
      0,
      0,
      0,
      0,
      1,
      0x65,
    );
    expect(splitAnnexB(stream).map((unit) => Array.from(unit))).toEqual([
      [0x67, 0x42],
      [0x68, 0xce],
      [0x65],
    ]);
    expect(splitAnnexB(Uint8Array.of(0, 0, 1, 0x09, 0xf0, 0, 0))).toEqual([Uint8Array.of(9, 0xf0)]);
  });

  it('skips empty NAL units and keeps 00 00 03 escapes', () => {
    const stream = Uint8Array.of(0, 0, 1, 0, 0, 1, 0x41, 0, 0, 3, 1, 0, 0, 1);
    expect(splitAnnexB(stream)).toEqual([Uint8Array.of(0x41, 0, 0, 3, 1)]);
  });

  it('rejects a stream without a start code or with data before the first', () => {
    expect(() => splitAnnexB(Uint8Array.of(0x65, 0x88))).toThrow(PayloadError);
    expect(() => splitAnnexB(Uint8Array.of(0, 7, 0, 0, 1, 0x65))).toThrow(/offset 1/);
  });
});

describe('H264Packetizer, packetization-mode 1', () => {
  const depacketizer = new H264Depacketizer();

  it('aggregates small NAL units into one STAP-A (RFC 6184 §5.7.1)', () => {
    const payloads = new H264Packetizer().packetize(annexB(SPS, PPS, IDR), 1200);
    expect(payloads).toHaveLength(1);
    expect(Array.from(payloads[0] as Uint8Array)).toEqual([
      0x78, // F 0, NRI 3 (the maximum), type 24
      0,
      SPS.length,
      ...SPS,
      0,
      PPS.length,
      ...PPS,
      0,
      IDR.length,
      ...IDR,
    ]);
  });

  it('sets the STAP-A F bit if any unit has it, and NRI to the maximum', () => {
    const low = Uint8Array.of(0x06, 0x05, 0x01); // SEI, NRI 0
    const flagged = Uint8Array.of(0xa1, 0x01); // F 1, NRI 1, non-IDR slice
    const [payload] = new H264Packetizer().packetize(annexB(low, flagged), 100);
    expect(payload?.[0]).toBe(0x80 | 0x20 | 24);
  });

  it('sends a NAL unit that fits alone as a single NAL unit packet (§5.6)', () => {
    const big = new Uint8Array(90).fill(0x11);
    big[0] = 0x41;
    const payloads = new H264Packetizer().packetize(annexB(SPS, PPS, big), 100);
    expect(payloads).toHaveLength(2);
    expect(payloads[0]?.[0]).toBe(0x78); // STAP-A of SPS and PPS: the slice does not fit with them
    expect(payloads[1]).toEqual(big);
  });

  it('fragments a large NAL unit into FU-As keeping F and NRI (§5.8)', () => {
    const nal = new Uint8Array(250).map((_, i) => (i * 7 + 1) & 0xff || 1);
    nal[0] = 0x65; // NRI 3, IDR
    const payloads = new H264Packetizer().packetize(annexB(nal), 100);
    // 249 data bytes, 98 per FU-A: 3 fragments of 83.
    expect(payloads.map((payload) => payload.length)).toEqual([85, 85, 85]);
    expect(payloads.map((payload) => [payload[0], payload[1]])).toEqual([
      [0x7c, 0x85], // indicator NRI 3 type 28; S, type 5
      [0x7c, 0x05],
      [0x7c, 0x45], // E, type 5
    ]);
    expect(units(depacketizer, payloads)).toEqual([nal]);
    expect(depacketizer.isKeyframe(payloads[0] as Uint8Array)).toBe(true);
    expect(depacketizer.isKeyframe(payloads[1] as Uint8Array)).toBe(false);
    expect(depacketizer.isFrameStart(payloads[0] as Uint8Array)).toBe(true);
    expect(depacketizer.isFrameStart(payloads[2] as Uint8Array)).toBe(false);
  });

  it('needs room for an FU-A header and one byte', () => {
    const nal = Uint8Array.of(0x41, 1, 2, 3);
    expect(() => new H264Packetizer().packetize(annexB(nal), 2)).toThrow(PayloadError);
    expect(new H264Packetizer().packetize(annexB(nal), 3)).toHaveLength(3);
  });

  it('refuses NAL unit types RTP reserves for itself', () => {
    for (const type of [0, 24, 28, 31]) {
      expect(() => new H264Packetizer().packetize(annexB(Uint8Array.of(type, 1)), 100)).toThrow(
        PayloadError,
      );
    }
  });

  it('gives no payload for an empty frame', () => {
    expect(new H264Packetizer().packetize(new Uint8Array(0), 100)).toEqual([]);
  });
});

describe('H264Packetizer, packetization-mode 0', () => {
  it('sends only single NAL unit packets', () => {
    const packetizer = new H264Packetizer({ packetizationMode: 0 });
    expect(packetizer.packetize(annexB(SPS, PPS, IDR), 1200)).toEqual([SPS, PPS, IDR]);
  });

  it('refuses a NAL unit larger than maxPayloadSize', () => {
    const packetizer = new H264Packetizer({ packetizationMode: 0 });
    const big = new Uint8Array(101).fill(0x22);
    big[0] = 0x41;
    expect(() => packetizer.packetize(annexB(SPS, big), 100)).toThrow(PayloadError);
    expect(() => packetizer.packetize(annexB(SPS, big), 100)).toThrow(/offset 15/);
  });
});

describe('SPS/PPS insertion', () => {
  const depacketizer = new H264Depacketizer();

  it('inserts the last SPS and PPS before an IDR frame that lacks them', () => {
    const packetizer = new H264Packetizer();
    packetizer.packetize(annexB(SPS, PPS, IDR), 1200);
    // A non-IDR frame gets nothing.
    expect(packetizer.packetize(annexB(SLICE), 1200)).toEqual([SLICE]);
    // An IDR frame alone gets both, as a STAP-A (aggregated with the IDR here, as it fits).
    const payloads = packetizer.packetize(annexB(IDR), 1200);
    expect(payloads).toHaveLength(1);
    expect(payloads[0]?.[0]).toBe(0x78);
    expect(units(depacketizer, payloads)).toEqual([SPS, PPS, IDR]);
  });

  it('inserts only what is missing, after an SEI and before the IDR slice', () => {
    const packetizer = new H264Packetizer();
    packetizer.packetize(annexB(SPS, PPS, IDR), 1200);
    const sei = Uint8Array.of(0x06, 0x05, 0x02, 0x80);
    const newSps = Uint8Array.of(0x67, 0x64, 0x00, 0x28);
    const payloads = packetizer.packetize(annexB(sei, newSps, IDR), 1200);
    expect(units(depacketizer, payloads)).toEqual([sei, newSps, PPS, IDR]);
    // The new SPS is remembered.
    expect(units(depacketizer, packetizer.packetize(annexB(IDR), 1200))).toEqual([
      newSps,
      PPS,
      IDR,
    ]);
  });

  it('sends them as single NAL unit packets in mode 0', () => {
    const packetizer = new H264Packetizer({ packetizationMode: 0 });
    packetizer.packetize(annexB(SPS, PPS, IDR), 1200);
    expect(packetizer.packetize(annexB(IDR), 1200)).toEqual([SPS, PPS, IDR]);
  });

  it('keeps its own copies of the parameter sets', () => {
    const packetizer = new H264Packetizer({ packetizationMode: 0 });
    const frame = annexB(SPS, PPS, IDR);
    packetizer.packetize(frame, 1200);
    frame.fill(0xee); // the caller reuses its buffer
    expect(packetizer.packetize(annexB(IDR), 1200)).toEqual([SPS, PPS, IDR]);
  });

  it('inserts nothing before it has seen parameter sets', () => {
    expect(new H264Packetizer().packetize(annexB(IDR), 1200)).toEqual([IDR]);
  });
});

describe('H264Depacketizer', () => {
  const depacketizer = new H264Depacketizer();

  it('writes a start code before a single NAL unit', () => {
    expect(Array.from(depacketizer.depacketize(SLICE))).toEqual([0, 0, 0, 1, ...SLICE]);
    expect(depacketizer.isFrameStart(SLICE)).toBe(true);
    expect(depacketizer.isKeyframe(SLICE)).toBe(false);
    expect(depacketizer.isKeyframe(IDR)).toBe(true);
    expect(depacketizer.isKeyframe(SPS)).toBe(true);
    expect(depacketizer.isKeyframe(PPS)).toBe(false);
    expect(depacketizer.isFrameEnd(SLICE, true)).toBe(true);
    expect(depacketizer.isFrameEnd(SLICE, false)).toBe(false);
  });

  it('writes each unit of a STAP-A behind a start code', () => {
    const stap = Uint8Array.of(0x78, 0, 2, 0x67, 0x42, 0, 3, 0x68, 0xce, 0x3c);
    expect(Array.from(depacketizer.depacketize(stap))).toEqual([
      0, 0, 0, 1, 0x67, 0x42, 0, 0, 0, 1, 0x68, 0xce, 0x3c,
    ]);
    expect(depacketizer.isFrameStart(stap)).toBe(true);
    expect(depacketizer.isKeyframe(stap)).toBe(true);
    expect(depacketizer.isKeyframe(Uint8Array.of(0x78, 0, 2, 0x68, 0xce, 0, 2, 0x41, 1))).toBe(
      false,
    );
  });

  it('rebuilds the NAL header from the FU indicator and header', () => {
    // Indicator F 0 NRI 2 type 28; header S, type 1.
    expect(Array.from(depacketizer.depacketize(Uint8Array.of(0x5c, 0x81, 0xaa)))).toEqual([
      0, 0, 0, 1, 0x41, 0xaa,
    ]);
    expect(Array.from(depacketizer.depacketize(Uint8Array.of(0x5c, 0x01, 0xbb)))).toEqual([0xbb]);
    expect(Array.from(depacketizer.depacketize(Uint8Array.of(0x5c, 0x41, 0xcc)))).toEqual([0xcc]);
  });

  it('rejects reserved and interleaved-mode packet types', () => {
    for (const type of [0, 30, 31]) {
      expect(() => depacketizer.depacketize(Uint8Array.of(type, 1)), `${type}`).toThrow(/reserved/);
    }
    for (const type of [25, 26, 27, 29]) {
      expect(() => depacketizer.depacketize(Uint8Array.of(type, 1)), `${type}`).toThrow(
        PayloadError,
      );
    }
    expect(() => depacketizer.depacketize(new Uint8Array(0))).toThrow(PayloadError);
  });

  it('rejects malformed STAP-As', () => {
    const cases = [
      [0x78], // no units
      [0x78, 0, 2, 0x67, 0x42, 0], // size cut short
      [0x78, 0, 5, 0x67, 0x42], // size overruns
      [0x78, 0, 0, 0, 1, 0x67], // empty unit
      [0x78, 0, 2, 0x7c, 0x85], // an FU-A inside
    ];
    for (const bytes of cases) {
      expect(() => depacketizer.depacketize(Uint8Array.from(bytes)), `${bytes}`).toThrow(
        PayloadError,
      );
    }
    expect(() => depacketizer.depacketize(Uint8Array.from([0x78, 0, 5, 0x67, 0x42]))).toThrow(
      /offset 1/,
    );
  });

  it('rejects malformed FU-As', () => {
    expect(() => depacketizer.depacketize(Uint8Array.of(0x7c))).toThrow(PayloadError);
    // S and E together: a NAL unit sent in one FU (§5.8).
    expect(() => depacketizer.depacketize(Uint8Array.of(0x7c, 0xc5, 1))).toThrow(/start and end/);
    expect(() => depacketizer.depacketize(Uint8Array.of(0x7c, 0x98, 1))).toThrow(PayloadError);
  });
});
