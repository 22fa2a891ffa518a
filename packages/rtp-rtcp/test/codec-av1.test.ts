/**
 * AV1 over RTP (aomediacodec.github.io/av1-rtp-spec §4.4, §4.5, §5): aggregation headers and OBU
 * elements byte for byte, fragment reassembly and loss, round trips over random temporal units
 * and payload sizes, and fuzzing.
 */

import { bytesEqual, concatBytes, fromHex } from '@typertc/common';
import { fuzzIterations, fuzzParser, SeededRandom } from '@typertc/common/testing';
import { describe, expect, it } from 'vitest';
import {
  Av1Depacketizer,
  Av1ObuType,
  Av1Packetizer,
  encodeLeb128,
  parseAv1Obus,
} from '../src/codecs/av1.js';
import { PayloadError } from '../src/errors.js';

/**
 * An OBU in the low overhead format: header (obu_type << 3, extension flag, has_size) and
 * extension octet when `extension` is given, LEB128 obu_size, payload.
 */
function obu(type: number, payload: Uint8Array, extension?: number): Uint8Array {
  const header = (type << 3) | (extension === undefined ? 0 : 0x04) | 0x02;
  const head = extension === undefined ? Uint8Array.of(header) : Uint8Array.of(header, extension);
  return concatBytes(head, encodeLeb128(payload.length), payload);
}

const TD = obu(Av1ObuType.temporalDelimiter, new Uint8Array(0));
const SH = obu(Av1ObuType.sequenceHeader, fromHex('aabbcc'));
const FRAME = obu(Av1ObuType.frame, fromHex('01020304'));

/** Feeds `payloads` in order and concatenates the outputs. */
function depacketizeAll(depacketizer: Av1Depacketizer, payloads: readonly Uint8Array[]) {
  return concatBytes(...payloads.map((payload) => depacketizer.depacketize(payload)));
}

describe('parseAv1Obus (AV1 §5.2, §5.3)', () => {
  it('splits a temporal unit into OBUs with their headers and payloads', () => {
    const obus = parseAv1Obus(concatBytes(TD, SH, obu(Av1ObuType.tileGroup, fromHex('ff'), 0x48)));
    expect(obus.map((o) => o.type)).toEqual([2, 1, 4]);
    expect(obus[1]?.header).toEqual(fromHex('0a'));
    expect(obus[1]?.payload).toEqual(fromHex('aabbcc'));
    // tile group with extension: 0x20 | 0x04 | 0x02 = 26, then 48 (temporal 2, spatial 1).
    expect(obus[2]?.header).toEqual(fromHex('2648'));
    expect(obus[2]?.payload).toEqual(fromHex('ff'));
  });

  it('lets an OBU without obu_size run to the end', () => {
    const obus = parseAv1Obus(concatBytes(SH, fromHex('30' + '0102')));
    expect(obus[1]?.payload).toEqual(fromHex('0102'));
  });

  it('rejects a forbidden bit, a truncated header and an obu_size past the end', () => {
    expect(() => parseAv1Obus(fromHex('b200'))).toThrow(/forbidden/);
    expect(() => parseAv1Obus(fromHex('36'))).toThrow(/truncated/);
    expect(() => parseAv1Obus(fromHex('3205aabb'))).toThrow(/past the end/);
    expect(() => parseAv1Obus(fromHex('32'))).toThrow(PayloadError);
  });
});

describe('Av1Packetizer', () => {
  const packetizer = new Av1Packetizer();

  it('drops the temporal delimiter, strips obu_size and aggregates with W = 2 and N = 1', () => {
    const payloads = packetizer.packetize(concatBytes(TD, SH, FRAME), 100);
    // |Z|Y| W |N|-|-|-| = 0 0 10 1 000 = 28; SH element length 4, then 08 aabbcc
    // (0a without has_size); the last element, 30 01020304, goes without a length.
    expect(payloads).toEqual([fromHex('28' + '04' + '08aabbcc' + '3001020304')]);
  });

  it('gives every element a length when there are more than three (W = 0)', () => {
    const metadata = [1, 2, 3, 4].map((n) => obu(Av1ObuType.metadata, Uint8Array.of(n)));
    const payloads = packetizer.packetize(concatBytes(...metadata), 100);
    // metadata header 2a -> 28; no sequence header, so N = 0.
    expect(payloads).toEqual([fromHex('00' + '022801' + '022802' + '022803' + '022804')]);
  });

  it('fragments an OBU across packets with Y, then Z and Y, then Z', () => {
    const body = fromHex('d0d1d2d3d4d5d6d7d8d9');
    const payloads = packetizer.packetize(obu(Av1ObuType.frame, body), 5);
    // The element is 30 d0..d9, 11 octets; 4 per packet after the aggregation header.
    expect(payloads).toEqual([
      fromHex('50' + '30d0d1d2'), // Z 0, Y 1, W 1
      fromHex('d0' + 'd3d4d5d6'), // Z 1, Y 1, W 1
      fromHex('90' + 'd7d8d9'), // Z 1, Y 0, W 1
    ]);
  });

  it('fills a packet and starts the next element as a fragment at its end', () => {
    const payloads = packetizer.packetize(concatBytes(SH, FRAME), 8);
    // SH (4 octets) with its length, then 2 octets of the frame element: N, Y, W 2.
    expect(payloads).toEqual([
      fromHex('68' + '04' + '08aabbcc' + '3001'),
      fromHex('90' + '020304'),
    ]);
  });

  it('keeps OBUs of different layers in different packets (§5)', () => {
    const base = obu(Av1ObuType.frame, fromHex('aa'), 0x00); // temporal 0, spatial 0
    const upper = obu(Av1ObuType.frame, fromHex('bb'), 0x08); // temporal 0, spatial 1
    const sameLayer = obu(Av1ObuType.metadata, fromHex('cc'), 0x08);
    const payloads = packetizer.packetize(concatBytes(SH, base, upper, sameLayer), 100);
    expect(payloads).toEqual([
      fromHex('28' + '04' + '08aabbcc' + '3400aa'), // SH has no layer: it joins either
      fromHex('20' + '033408bb' + '2c08cc'),
    ]);
  });

  it('sends nothing for a unit of only a temporal delimiter, and drops tile lists', () => {
    expect(packetizer.packetize(TD, 100)).toEqual([]);
    expect(packetizer.packetize(new Uint8Array(0), 100)).toEqual([]);
    const tileList = obu(Av1ObuType.tileList, fromHex('0102'));
    expect(packetizer.packetize(concatBytes(tileList, FRAME), 100)).toEqual([
      fromHex('10' + '3001020304'),
    ]);
  });

  it('rejects a malformed unit and a payload size with no room for an element', () => {
    expect(() => packetizer.packetize(fromHex('3205aabb'), 100)).toThrow(PayloadError);
    expect(() => packetizer.packetize(FRAME, 1)).toThrow(PayloadError);
    expect(packetizer.packetize(FRAME, 2)).toHaveLength(5);
    expect(() => packetizer.packetize(FRAME, 0)).toThrow(RangeError);
  });
});

describe('Av1Depacketizer', () => {
  it('restores obu_has_size_field and obu_size', () => {
    const depacketizer = new Av1Depacketizer();
    const packet = fromHex('28' + '04' + '08aabbcc' + '3001020304');
    expect(depacketizer.depacketize(packet)).toEqual(concatBytes(SH, FRAME));
    expect(depacketizer.isFrameStart(packet)).toBe(true);
    expect(depacketizer.isKeyframe(packet)).toBe(true);
    expect(depacketizer.isFrameEnd(packet, true)).toBe(true);
    expect(depacketizer.isFrameEnd(packet, false)).toBe(false);
  });

  it('holds a fragmented OBU back and outputs it whole with its last packet', () => {
    const depacketizer = new Av1Depacketizer();
    const outputs = [fromHex('5030d0d1d2'), fromHex('d0d3d4d5d6'), fromHex('90d7d8d9')].map((p) =>
      depacketizer.depacketize(p),
    );
    expect(outputs).toEqual([
      new Uint8Array(0),
      new Uint8Array(0),
      obu(Av1ObuType.frame, fromHex('d0d1d2d3d4d5d6d7d8d9')),
    ]);
  });

  it('drops a continuation whose start was lost, and a fragment that is not continued', () => {
    const depacketizer = new Av1Depacketizer();
    // A continuation with nothing held: its first element goes; the second (FRAME) stays.
    expect(depacketizer.depacketize(fromHex('a0' + '02d3d4' + '3001020304'))).toEqual(FRAME);
    // A fragment starts, then a packet with Z = 0 arrives: the fragment is discarded.
    expect(depacketizer.depacketize(fromHex('5030d0'))).toEqual(new Uint8Array(0));
    expect(depacketizer.depacketize(fromHex('103001020304'))).toEqual(FRAME);
    expect(depacketizer.depacketize(fromHex('90d1'))).toEqual(new Uint8Array(0));
  });

  it('keeps an obu_size the sender left in, and drops temporal delimiters', () => {
    const depacketizer = new Av1Depacketizer();
    expect(depacketizer.depacketize(concatBytes(fromHex('20' + '02'), TD, FRAME))).toEqual(FRAME);
    expect(() => depacketizer.depacketize(fromHex('10' + '3205010203'))).toThrow(/obu_size/);
  });

  it('rejects malformed aggregation headers and elements', () => {
    const depacketizer = new Av1Depacketizer();
    const bad = {
      empty: '',
      'only the header': '10',
      'N with Z': '98' + '30',
      'fewer elements than W': '30' + '023000',
      'zero-length element': '00' + '00',
      'zero-length last element': '20' + '023000',
      'length past the end': '00' + '053001',
      'truncated length': '00' + '80',
      'forbidden bit': '10' + 'b0',
      'missing extension octet': '10' + '34',
    };
    for (const [name, hex] of Object.entries(bad)) {
      expect(() => depacketizer.depacketize(fromHex(hex)), name).toThrow(PayloadError);
    }
  });

  it('bounds the reassembly buffer', () => {
    const depacketizer = new Av1Depacketizer({ maxObuSize: 6 });
    depacketizer.depacketize(fromHex('5030d0d1d2'));
    expect(() => depacketizer.depacketize(fromHex('d0d3d4d5'))).toThrow(/longer than 6/);
    // The failed fragment is gone: a continuation now has nothing to continue.
    expect(depacketizer.depacketize(fromHex('90d6'))).toEqual(new Uint8Array(0));
    expect(() => new Av1Depacketizer({ maxObuSize: 0 })).toThrow(RangeError);
  });

  it('calls a frame a key frame for N = 1 or a sequence header it starts', () => {
    const depacketizer = new Av1Depacketizer();
    expect(depacketizer.isKeyframe(fromHex('18' + '3001'))).toBe(true); // N
    expect(depacketizer.isKeyframe(fromHex('20' + '023001' + '08aa'))).toBe(true); // SH second
    expect(depacketizer.isKeyframe(fromHex('10' + '3001'))).toBe(false);
    expect(depacketizer.isKeyframe(fromHex('90' + '08aa'))).toBe(false); // a continuation
    expect(depacketizer.isKeyframe(fromHex('00' + '09'))).toBe(false); // malformed
    expect(depacketizer.isKeyframe(new Uint8Array(0))).toBe(false);
    expect(depacketizer.isFrameStart(fromHex('90' + '08aa'))).toBe(false);
  });
});

/** A random temporal unit: OBUs of types 1, 2, 4, 6 (and padding), some with extensions. */
function randomUnit(random: SeededRandom): { unit: Uint8Array; expected: Uint8Array } {
  const parts: Uint8Array[] = [];
  const kept: Uint8Array[] = [];
  if (random.chance(0.5)) parts.push(TD);
  const count = random.int(1, 8);
  for (let i = 0; i < count; i++) {
    const type = [1, 2, 4, 6, 6, 15][random.int(0, 5)] as number;
    const size = random.chance(0.2) ? random.int(1500, 6000) : random.int(0, 300);
    const extension =
      type !== 1 && type !== 2 && random.chance(0.5)
        ? (random.int(0, 7) << 5) | (random.int(0, 1) << 3)
        : undefined;
    const part = obu(type, random.bytes(size), extension);
    parts.push(part);
    if (type !== Av1ObuType.temporalDelimiter) kept.push(part);
  }
  return { unit: concatBytes(...parts), expected: concatBytes(...kept) };
}

describe('AV1 round trips', () => {
  it('packetize → depacketize over random units and payload sizes', () => {
    const random = new SeededRandom(0xa1);
    const packetizer = new Av1Packetizer();
    const depacketizer = new Av1Depacketizer();
    for (let round = 0; round < 400; round++) {
      const { unit, expected } = randomUnit(random);
      const maxPayloadSize = round % 10 === 0 ? random.int(2, 12) : random.int(40, 1500);
      const payloads = packetizer.packetize(unit, maxPayloadSize);
      const hasSequenceHeader = parseAv1Obus(unit).some((o) => o.type === 1);
      // Checked per packet without expect(), which is slow over thousands of small packets.
      const problems: string[] = [];
      for (const [i, payload] of payloads.entries()) {
        if (payload.length > maxPayloadSize) problems.push(`${i}: ${payload.length} octets`);
        const flags = payload[0] as number;
        if (((flags & 0x08) !== 0) !== (hasSequenceHeader && i === 0)) problems.push(`${i}: N`);
        // Z on a packet exactly when the one before ended with Y.
        const previous = payloads[i - 1];
        const continued = previous !== undefined && ((previous[0] as number) & 0x40) !== 0;
        if (((flags & 0x80) !== 0) !== continued) problems.push(`${i}: Z`);
      }
      expect(problems, `round ${round}, maxPayloadSize ${maxPayloadSize}`).toEqual([]);
      if (payloads.length > 0) {
        const first = payloads[0] as Uint8Array;
        expect(depacketizer.isFrameStart(first)).toBe(true);
        expect(depacketizer.isKeyframe(first)).toBe(hasSequenceHeader);
        expect((payloads[payloads.length - 1]?.[0] as number) & 0x40, 'last Y').toBe(0);
      }
      // bytesEqual rather than toEqual: vitest compares typed arrays element by element, slowly.
      expect(bytesEqual(depacketizeAll(depacketizer, payloads), expected)).toBe(true);
    }
  });
});

describe('AV1 robustness', () => {
  it('fuzz: mutated payloads raise only PayloadError in the depacketizer', () => {
    const depacketizer = new Av1Depacketizer();
    const packetizer = new Av1Packetizer();
    const seeds = [
      ...packetizer.packetize(concatBytes(SH, FRAME), 100),
      ...packetizer.packetize(concatBytes(SH, obu(6, new Uint8Array(40), 0x08)), 16),
      fromHex('00' + '022801' + '022802' + '022803' + '022804'),
      concatBytes(fromHex('20' + '02'), TD, FRAME),
    ];
    const stats = fuzzParser({
      seeds,
      parse: (bytes) => {
        depacketizer.isFrameStart(bytes);
        depacketizer.isKeyframe(bytes);
        const out = depacketizer.depacketize(bytes);
        // What comes out is the low overhead format: it must split into OBUs again.
        parseAv1Obus(out);
      },
      expectedError: PayloadError,
      iterations: fuzzIterations(10_000, 200_000),
      seed: 0xa1,
    });
    expect(stats.accepted).toBeGreaterThan(0);
    expect(stats.rejected).toBeGreaterThan(0);
  });

  it('fuzz: mutated temporal units raise only PayloadError in the packetizer, or round-trip', () => {
    const packetizer = new Av1Packetizer();
    const depacketizer = new Av1Depacketizer();
    const stats = fuzzParser({
      seeds: [concatBytes(TD, SH, FRAME), concatBytes(obu(4, new Uint8Array(30), 0x20), FRAME)],
      parse: (bytes) => {
        const payloads = packetizer.packetize(bytes, 12);
        if (payloads.some((payload) => payload.length > 12)) throw new Error('payload too big');
        // Whatever packetizes depacketizes to OBUs again (sizes normalized).
        const out = depacketizeAll(depacketizer, payloads);
        const kept = parseAv1Obus(bytes).filter((o) => o.type !== 2 && o.type !== 8);
        const back = parseAv1Obus(out);
        if (back.length !== kept.length) throw new Error('OBU count differs');
        for (const [i, o] of back.entries()) {
          if (!bytesEqual(o.payload, (kept[i] as (typeof kept)[number]).payload)) {
            throw new Error('OBU payload differs');
          }
        }
      },
      expectedError: PayloadError,
      iterations: fuzzIterations(10_000, 200_000),
      seed: 0xa2,
    });
    expect(stats.accepted).toBeGreaterThan(0);
    expect(stats.rejected).toBeGreaterThan(0);
  });
});
