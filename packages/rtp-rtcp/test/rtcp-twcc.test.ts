import { fromHex, toHex } from '@typertc/common';
import { describe, expect, it } from 'vitest';
import { parseRtcp, serializeRtcp } from '../src/rtcp/compound.js';
import {
  TransportWideCc,
  type TwccPacket,
  TwccStatus,
  type TwccStatusValue,
} from '../src/rtcp/transport-wide-cc.js';

function parseTwcc(hex: string): TransportWideCc {
  const { packets, errors } = parseRtcp(fromHex(hex));
  expect(errors).toEqual([]);
  const [twcc] = packets;
  if (!(twcc instanceof TransportWideCc)) throw new Error(`not TWCC: ${twcc?.kind}`);
  return twcc;
}

function summary(twcc: TransportWideCc): [number, number, number][] {
  return twcc.packets.map((p) => [p.sequence, p.status, p.receiveDelta]);
}

function packetsFrom(base: number, statuses: readonly number[], deltas: readonly number[] = []) {
  let d = 0;
  return statuses.map(
    (status, i): TwccPacket => ({
      sequence: (base + i) & 0xffff,
      status: status as TwccStatusValue,
      receiveDelta: status === 1 || status === 2 ? (deltas[d++] ?? 4) : 0,
    }),
  );
}

// Feedback packets from github.com/pion/rtcp transport_layer_cc_test.go (TestTransportLayerCC_
// Unmarshal). They pad with the P bit, as libwebrtc does.
describe('transport-wide CC feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1)', () => {
  it('parses Pion example6: a 2-bit vector, a run of 48 not received, a large delta', () => {
    const twcc = parseTwcc(
      'afcd0007 9b74f61f 9371dcbc 853c0009 63f916b3 d5520030 9baa6aaa 7b010901',
    );
    expect(twcc).toMatchObject({
      senderSsrc: 2608133663,
      mediaSsrc: 2473712828,
      baseSequence: 34108,
      referenceTime: 6551830,
      feedbackCount: 179,
    });
    // Deltas are in 250 µs units: 0x9b = 155 is 38.75 ms; the large 0x0109 = 265 is 66.25 ms.
    expect(summary(twcc)).toEqual([
      [34108, 1, 155],
      [34109, 1, 170],
      [34110, 1, 106],
      [34111, 1, 170],
      [34112, 1, 123],
      [34113, 0, 0],
      [34114, 2, 265],
      [34115, 0, 0],
      [34116, 0, 0],
    ]);
    // Pion's bytes align with the P bit; re-encoded with the draft's zero padding instead, the
    // packet parses back the same.
    expect(twcc.alignment).toBe('none');
    twcc.alignment = 'zeros';
    const again = serializeRtcp([twcc]);
    expect(toHex(again.subarray(20, 24))).toBe('d5520002');
    expect(parseRtcp(again).packets).toEqual([twcc]);
  });

  it('parses Pion example1 (one small delta) and example4 (a run of 7)', () => {
    const one = parseTwcc('afcd0005 fa17fa17 43032fa0 00990001 3de80217 20019401');
    expect(one.referenceTime).toBe(4057090);
    expect(one.feedbackCount).toBe(23);
    expect(summary(one)).toEqual([[153, 1, 148]]);
    const run = parseTwcc(
      'afcd0007 fa17fa17 193dd8bb 00040007 10636e01 20074c24 24100c0c 10000003',
    );
    expect(summary(run).map((p) => p[2])).toEqual([76, 36, 36, 16, 12, 12, 16]);
    // Without the P bit, the same content with zero padding re-serializes byte for byte.
    const zeroPadded = '8fcd0007 fa17fa17 193dd8bb 00040007 10636e01 20074c24 24100c0c 10000000';
    expect(toHex(serializeRtcp([parseTwcc(zeroPadded)]))).toBe(toHex(fromHex(zeroPadded)));
  });

  it('parses Pion example7: an empty feedback with no chunks', () => {
    const empty = parseTwcc('8fcd0004 9acb0442 00000000 00000000 00000000');
    expect(empty.packets).toEqual([]);
    expect(toHex(serializeRtcp([empty]))).toBe('8fcd00049acb0442000000000000000000000000');
  });

  it('reads a signed reference time and negative large deltas', () => {
    const twcc = new TransportWideCc({
      senderSsrc: 1,
      mediaSsrc: 2,
      baseSequence: 65535,
      referenceTime: -2,
      feedbackCount: 255,
      packets: packetsFrom(65535, [2, 2], [-32768, 32767]),
    });
    const bytes = serializeRtcp([twcc]);
    expect(toHex(bytes)).toBe(
      toHex(fromHex('8fcd0006 00000001 00000002 ffff0002 fffffeff 40028000 7fff0000')),
    );
    expect(parseRtcp(bytes).packets).toEqual([twcc]);
    expect(twcc.packets.map((p) => p.sequence)).toEqual([65535, 0]);
  });

  it('writes an unsigned reference time (libwebrtc ticks mod 2^24) as the same 24 bits', () => {
    const init = {
      senderSsrc: 1,
      mediaSsrc: 2,
      baseSequence: 7,
      feedbackCount: 3,
      packets: packetsFrom(7, [1], [10]),
    };
    const bytes = serializeRtcp([new TransportWideCc({ ...init, referenceTime: 0xabcdef })]);
    expect(toHex(bytes.subarray(12, 20))).toBe('00070001abcdef03');
    // Read back as the draft's signed value: the same bits.
    const [parsed] = parseRtcp(bytes).packets;
    expect((parsed as TransportWideCc).referenceTime).toBe(0xabcdef - 0x100_0000);
    expect(toHex(serializeRtcp([parsed as TransportWideCc]))).toBe(toHex(bytes));
    for (const referenceTime of [0x100_0000, -0x80_0001, 1.5]) {
      expect(() => serializeRtcp([new TransportWideCc({ ...init, referenceTime })])).toThrow(
        RangeError,
      );
    }
  });

  it('chooses chunks like libwebrtc: runs, 1-bit vectors of 14, 2-bit vectors of 7', () => {
    const statuses = [
      ...new Array<number>(20).fill(1), // a run of 20
      ...'01010101010101'.split('').map(Number), // 14 one-bit symbols
      ...'2101111'.split('').map(Number), // 7 two-bit symbols (one large delta)
      ...[0, 0, 0], // a run of 3 to end with
    ];
    const twcc = new TransportWideCc({
      senderSsrc: 1,
      mediaSsrc: 2,
      baseSequence: 100,
      referenceTime: 0,
      feedbackCount: 0,
      packets: packetsFrom(100, statuses),
    });
    const bytes = serializeRtcp([twcc]);
    expect(toHex(bytes.subarray(20, 28))).toBe('20149555e4550003');
    expect(parseRtcp(bytes).packets).toEqual([twcc]);
  });

  it('round-trips random feedback', () => {
    let seed = 7;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let round = 0; round < 200; round++) {
      const count = next(60);
      const base = next(65536);
      const statuses = Array.from({ length: count }, () =>
        next(4) === 0 ? next(4) : next(2) === 0 ? TwccStatus.SmallDelta : TwccStatus.NotReceived,
      );
      const deltas = statuses.map((s) => (s === 2 ? next(65536) - 32768 : next(256)));
      const twcc = new TransportWideCc({
        senderSsrc: next(1 << 30),
        mediaSsrc: 0,
        baseSequence: base,
        referenceTime: next(1 << 24) - (1 << 23),
        feedbackCount: next(256),
        packets: statuses.map((status, i) => ({
          sequence: (base + i) & 0xffff,
          status: status as TwccStatusValue,
          receiveDelta: status === 1 || status === 2 ? (deltas[i] as number) : 0,
        })),
      });
      const bytes = serializeRtcp([twcc]);
      expect(bytes.length % 4).toBe(0);
      expect(parseRtcp(bytes).packets).toEqual([twcc]);
    }
  });

  it('rejects chunks or deltas that run past the packet, and bad sequences on serialize', () => {
    // Pion example8: 3 packets announced, one run chunk of 3 small deltas, one delta present.
    expect(() =>
      parseRtcp(fromHex('8fcd0005 fa17fa17 43032fa0 00990003 3de80217 20039400')),
    ).toThrow(/receive deltas truncated/);
    expect(() => parseRtcp(fromHex('8fcd0004 fa17fa17 43032fa0 00990003 3de80217'))).toThrow(
      /chunks end after 0 of 3/,
    );
    const twcc = new TransportWideCc({
      senderSsrc: 1,
      mediaSsrc: 2,
      baseSequence: 5,
      referenceTime: 0,
      feedbackCount: 0,
      packets: packetsFrom(6, [1]),
    });
    expect(() => serializeRtcp([twcc])).toThrow(RangeError);
  });
});
