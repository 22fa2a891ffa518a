import { fromHex, toHex } from '@typertc/common';
import { fuzzIterations, fuzzParser } from '@typertc/common/testing';
import { describe, expect, it } from 'vitest';
import { RtcpParseError } from '../src/errors.js';
import { ApplicationDefined } from '../src/rtcp/application-defined.js';
import { parseRtcp, type RtcpPacket, serializeRtcp } from '../src/rtcp/compound.js';
import { ExtendedReport } from '../src/rtcp/extended-report.js';
import { FullIntraRequest } from '../src/rtcp/full-intra-request.js';
import { GenericNack, nackEntriesFromLost } from '../src/rtcp/generic-nack.js';
import { Goodbye } from '../src/rtcp/goodbye.js';
import { PictureLossIndication } from '../src/rtcp/picture-loss-indication.js';
import { RawRtcpPacket } from '../src/rtcp/raw-packet.js';
import { ReceiverReport } from '../src/rtcp/receiver-report.js';
import { ReceiverEstimatedMaxBitrate } from '../src/rtcp/remb.js';
import { SenderReport } from '../src/rtcp/sender-report.js';
import { SdesItemType, SourceDescription } from '../src/rtcp/source-description.js';

/** Parses a datagram that must parse cleanly. */
function parseAll(bytes: Uint8Array): RtcpPacket[] {
  const result = parseRtcp(bytes);
  expect(result.errors).toEqual([]);
  return result.packets;
}

/** Hex as `toHex` prints it, from hex spaced for reading. */
function clean(hex: string): string {
  return toHex(fromHex(hex));
}

function roundTrips(hex: string): void {
  const bytes = fromHex(hex);
  const result = parseRtcp(bytes);
  expect(result.errors).toEqual([]);
  expect(toHex(serializeRtcp(result.packets, { padding: result.padding }))).toBe(toHex(bytes));
}

// Pion's "realPacket" compound from a packet dump (github.com/pion/rtcp, packet_test.go):
// RR, SDES CNAME, BYE, PLI, RRR (RTPFB FMT=5) and APP.
const PION_COMPOUND =
  '81c90007 902f9e2e bc5e9a40 00000000 000046e1 00000111 09f36432 00024a79' +
  '81ca000c902f9e2e0126' +
  toHex(new TextEncoder().encode('{9c00eb92-1afb-9d49-a47d-91f64eee69f5}')) +
  '00000000' +
  '81cb0001902f9e2e' +
  '81ce0002902f9e2e902f9e2e' +
  '85cd0002902f9e2e902f9e2e' +
  '80cc00034baae1ab4e414d4541424344';

describe('compound RTCP (RFC 3550 §6.1)', () => {
  it('parses a real compound packet and re-serializes it byte for byte', () => {
    const packets = parseAll(fromHex(PION_COMPOUND));
    expect(packets.map((p) => p.kind)).toEqual(['rr', 'sdes', 'bye', 'pli', 'raw', 'app']);
    expect(packets[0]).toEqual(
      new ReceiverReport({
        ssrc: 0x902f9e2e,
        reports: [
          {
            ssrc: 0xbc5e9a40,
            fractionLost: 0,
            packetsLost: 0,
            highestSequence: 0x46e1,
            jitter: 273,
            lastSenderReport: 0x9f36432,
            delaySinceLastSenderReport: 150137,
          },
        ],
      }),
    );
    expect(packets[1]).toEqual(
      SourceDescription.cname(0x902f9e2e, '{9c00eb92-1afb-9d49-a47d-91f64eee69f5}'),
    );
    expect(packets[2]).toEqual(new Goodbye([0x902f9e2e]));
    expect(packets[3]).toEqual(new PictureLossIndication(0x902f9e2e, 0x902f9e2e));
    const rrr = packets[4] as RawRtcpPacket;
    expect([rrr.packetType, rrr.count, toHex(rrr.body)]).toEqual([205, 5, '902f9e2e902f9e2e']);
    expect(packets[5]).toEqual(
      new ApplicationDefined({ ssrc: 0x4baae1ab, name: 'NAME', data: fromHex('41424344') }),
    );
    roundTrips(PION_COMPOUND);
  });

  it('yields the good packets around a bad one and reports it with its offset', () => {
    // The RR claims 2 report blocks in a 32-byte packet that holds one.
    const bytes = fromHex(PION_COMPOUND);
    bytes[0] = 0x82;
    const { packets, errors } = parseRtcp(bytes);
    expect(packets.map((p) => p.kind)).toEqual(['sdes', 'bye', 'pli', 'raw', 'app']);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(RtcpParseError);
    expect(errors[0]?.offset).toBe(0);
  });

  it('stops at a length field that runs past the datagram, keeping what came before', () => {
    const bytes = fromHex(PION_COMPOUND);
    bytes[84 + 3] = 0x40; // the BYE at offset 84 now claims 260 bytes
    const { packets, errors } = parseRtcp(bytes);
    expect(packets.map((p) => p.kind)).toEqual(['rr', 'sdes']);
    expect(errors.map((e) => e.offset)).toEqual([84]);
    expect(errors[0]?.message).toContain('length field');
  });

  it('stops at a header whose version is not 2', () => {
    const bytes = fromHex(PION_COMPOUND);
    bytes[32] = 0x41;
    const { packets, errors } = parseRtcp(bytes);
    expect(packets).toHaveLength(1);
    expect(errors.map((e) => e.offset)).toEqual([32]);
  });

  it('throws RtcpParseError with the offset when nothing parses', () => {
    // Pion's "invalid header length": an RR claiming 404 bytes in 4.
    expect(() => parseRtcp(fromHex('81c90064'))).toThrow(RtcpParseError);
    try {
      parseRtcp(fromHex('81c90064'));
    } catch (error) {
      expect((error as RtcpParseError).offset).toBe(0);
    }
    expect(() => parseRtcp(new Uint8Array(0))).toThrow(RtcpParseError);
    expect(() => parseRtcp(fromHex('81c9'))).toThrow(RtcpParseError);
  });

  it('accepts a reduced-size datagram holding a single feedback packet (RFC 5506)', () => {
    const packets = parseAll(fromHex('81ce0002902f9e2e902f9e2e'));
    expect(packets).toEqual([new PictureLossIndication(0x902f9e2e, 0x902f9e2e)]);
  });

  it('strips and checks padding, and reproduces it on serialize (§6.4.1)', () => {
    // A PLI padded to 16 bytes: P set, length 3, three zero octets and a count of 4.
    const padded = fromHex('a1ce0003000000010000000200000004');
    const result = parseRtcp(padded);
    expect(result.packets).toEqual([new PictureLossIndication(1, 2)]);
    expect(result.padding).toBe(4);
    expect(toHex(serializeRtcp(result.packets, { padding: 4 }))).toBe(toHex(padded));
    // A count of 0, or one larger than the packet, is rejected.
    for (const last of ['00', '0d']) {
      const bad = fromHex(`a1ce00030000000100000002000000${last}`);
      expect(() => parseRtcp(bad)).toThrow(/padding count/);
    }
  });

  it('serializes P only on the last packet and refuses misaligned padding', () => {
    const pli = new PictureLossIndication(1, 2);
    const bytes = serializeRtcp([pli, pli], { padding: 8 });
    expect(toHex(bytes)).toBe(
      `81ce00020000000100000002a1ce0004000000010000000200000000${'00000008'}`,
    );
    expect(() => serializeRtcp([pli], { padding: 3 })).toThrow(RangeError);
    expect(() => serializeRtcp([pli], { padding: 256 })).toThrow(RangeError);
  });

  it('writes into a caller buffer', () => {
    const target = new Uint8Array(64);
    const out = serializeRtcp([new PictureLossIndication(1, 2)], { target });
    expect(out.buffer).toBe(target.buffer);
    expect(toHex(out)).toBe('81ce00020000000100000002');
  });

  it('fuzz: parseRtcp throws only RtcpParseError', () => {
    const seeds = [
      fromHex(PION_COMPOUND),
      fromHex(SR_WITH_EXTENSION),
      fromHex(PION_XR),
      fromHex(CHROME_REMB),
      fromHex(CHROME_TWCC),
      fromHex('81cd0004000000010000000200050001000a0000'),
      fromHex('84ce00040000000100000000000000020b000000'),
      serializeRtcp([
        new SourceDescription([
          {
            source: 7,
            items: [
              { type: SdesItemType.PRIV, prefix: 'p', text: 'v' },
              { type: SdesItemType.NOTE, text: 'é' },
            ],
          },
        ]),
        new Goodbye([1, 2], 'bye'),
      ]),
    ];
    const stats = fuzzParser({
      seeds,
      parse: (bytes) => {
        const result = parseRtcp(bytes);
        // What parsed must serialize again (views and all).
        serializeRtcp(result.packets.filter((p) => p.byteLength() % 4 === 0));
        return result;
      },
      expectedError: RtcpParseError,
      iterations: fuzzIterations(10_000, 200_000),
    });
    expect(stats.accepted).toBeGreaterThan(0);
    expect(stats.rejected).toBeGreaterThan(0);
  });
});

// Pion sender_report_test.go, "with extension" (issue #447): an SR with no report blocks and 28
// bytes of profile-specific extension.
const SR_WITH_EXTENSION =
  '80c80006 2b7ec0c5 e020a2a9 52a53fc0 2e48a552 00000046 0000121d' +
  '81ca0006 2b7ec0c5 01104c63 49667a58 6f6e446f 72645365 57360000';

describe('SR and RR (RFC 3550 §6.4)', () => {
  it("parses Pion's valid SR", () => {
    // Pion's sender_report_test.go "valid" case, with the header length corrected from 7 to 12
    // words: its 52 bytes hold one report block, and a length of 7 would cut it off.
    const hex =
      '81c8000c 902f9e2e da8bd1fc dddda05a aaf4edd5 00000001 00000002' +
      'bc5e9a40 00000000 000046e1 00000111 09f36432 00024a79';
    const [sr] = parseAll(fromHex(hex));
    expect(sr).toEqual(
      new SenderReport({
        ssrc: 0x902f9e2e,
        ntpSeconds: 0xda8bd1fc,
        ntpFraction: 0xdddda05a,
        rtpTimestamp: 0xaaf4edd5,
        packetCount: 1,
        octetCount: 2,
        reports: [
          {
            ssrc: 0xbc5e9a40,
            fractionLost: 0,
            packetsLost: 0,
            highestSequence: 0x46e1,
            jitter: 273,
            lastSenderReport: 0x9f36432,
            delaySinceLastSenderReport: 150137,
          },
        ],
      }),
    );
    expect((sr as SenderReport).ntpMiddle).toBe(0xd1fcdddd);
    roundTrips(hex);
  });

  it('keeps profile-specific extensions', () => {
    const bytes = fromHex(SR_WITH_EXTENSION);
    const [sr] = parseAll(bytes.subarray(0, 28));
    expect(sr).toMatchObject({ ssrc: 0x2b7ec0c5, packetCount: 70, octetCount: 4637 });
    const [withExt] = parseAll(patchLength(bytes, 13));
    expect(toHex((withExt as SenderReport).profileExtensions)).toBe(toHex(bytes.subarray(28)));
    roundTrips(toHex(patchLength(bytes, 13)));
  });

  it('round-trips signed cumulative loss and every field', () => {
    const rr = new ReceiverReport({
      ssrc: 1,
      reports: [
        {
          ssrc: 2,
          fractionLost: 255,
          packetsLost: -5,
          highestSequence: 0x1_ffff,
          jitter: 0xffff_ffff,
          lastSenderReport: 6,
          delaySinceLastSenderReport: 7,
        },
      ],
    });
    const bytes = serializeRtcp([rr]);
    expect(toHex(bytes.subarray(12, 16))).toBe('fffffffb');
    expect(parseAll(bytes)).toEqual([rr]);
  });

  it('rejects more than 31 report blocks on serialize', () => {
    const block = {
      ssrc: 0,
      fractionLost: 0,
      packetsLost: 0,
      highestSequence: 0,
      jitter: 0,
      lastSenderReport: 0,
      delaySinceLastSenderReport: 0,
    };
    const rr = new ReceiverReport({ ssrc: 1, reports: new Array(32).fill(block) });
    expect(() => serializeRtcp([rr])).toThrow(RangeError);
  });
});

/** `bytes` with the first header's length field set to `words`. */
function patchLength(bytes: Uint8Array, words: number): Uint8Array {
  const copy = bytes.slice();
  copy[3] = words;
  return copy;
}

describe('SDES (RFC 3550 §6.5)', () => {
  it('encodes every item type, PRIV with its prefix, chunks padded to 32 bits', () => {
    const sdes = new SourceDescription([
      {
        source: 0x01020304,
        items: [
          { type: SdesItemType.CNAME, text: 'a' },
          { type: SdesItemType.NAME, text: 'bc' },
          { type: SdesItemType.EMAIL, text: 'd@e' },
          { type: SdesItemType.PHONE, text: '+1' },
          { type: SdesItemType.LOC, text: 'x' },
          { type: SdesItemType.TOOL, text: 't' },
          { type: SdesItemType.NOTE, text: 'ü' },
          { type: SdesItemType.PRIV, prefix: 'ab', text: 'c' },
        ],
      },
      { source: 5, items: [] },
    ]);
    const bytes = serializeRtcp([sdes]);
    expect(toHex(bytes)).toBe(
      '82ca000c' +
        '01020304' +
        '0101' +
        '61' +
        '0202' +
        '6263' +
        '0303' +
        '644065' +
        '0402' +
        '2b31' +
        '0501' +
        '78' +
        '0601' +
        '74' +
        '0702' +
        'c3bc' +
        '0804' +
        '02616263' +
        '00000000' +
        '00000005' +
        '00000000',
    );
    expect(parseAll(bytes)).toEqual([sdes]);
  });

  it('rejects items running past the packet and chunks without an end', () => {
    // CNAME claiming 9 bytes in a chunk that has 2.
    expect(() => parseRtcp(fromHex('81ca000200000001010961'))).toThrow(RtcpParseError);
    expect(() => parseRtcp(fromHex('81ca00020000000101026162'))).toThrow(/terminating/);
    // SC says 2 chunks, the packet has 1.
    expect(() => parseRtcp(fromHex('82ca00020000000100000000'))).toThrow(/chunk 1 of 2/);
  });
});

describe('BYE (RFC 3550 §6.6) and APP (§6.7)', () => {
  it('round-trips a BYE with a reason padded to 32 bits', () => {
    const bye = new Goodbye([0x11111111, 0x22222222], 'gone');
    const bytes = serializeRtcp([bye]);
    expect(toHex(bytes)).toBe('82cb00041111111122222222' + '04676f6e' + '65000000');
    expect(parseAll(bytes)).toEqual([bye]);
    expect(parseAll(serializeRtcp([new Goodbye([1])]))).toEqual([new Goodbye([1])]);
  });

  it('rejects a reason longer than the packet', () => {
    expect(() => parseRtcp(fromHex('81cb0002000000010a676f6e'))).toThrow(/reason/);
  });

  it('round-trips APP with subtype and data', () => {
    const app = new ApplicationDefined({
      subtype: 3,
      ssrc: 9,
      name: 'TEST',
      data: fromHex('01020304'),
    });
    const bytes = serializeRtcp([app]);
    expect(toHex(bytes)).toBe('83cc00030000000954455354' + '01020304');
    expect(parseAll(bytes)).toEqual([app]);
  });
});

// Pion extended_report_test.go encodedPacket(): Loss RLE, Duplicate RLE, Packet Receipt Times,
// RRTR, DLRR, Statistics Summary and VoIP Metrics blocks.
const PION_XR =
  '80cf003301020304' +
  '010c0004 12345689 0005000c 40060006 87650000' +
  '02060004 12345689 0005000c 41233fff ffff0000' +
  '03030007 98765432 3c483cd9 11111111 22222222 33333333 44444444 55555555' +
  '04000002 01020304 05060708' +
  '05000009 88888888 12345678 99999999 09090909 12345678 99999999 11223344 12345678 99999999' +
  '06e80009 fedcba98 12345678 11111111 22222222 33333333 44444444 55555555 66666666 01020304' +
  '07000008 89abcdef 05060708 11112222 33334444 11223344 55667788 99001122 33445566';

describe('XR (RFC 3611)', () => {
  it('decodes RRTR and DLRR, keeps other blocks raw, re-serializes byte for byte', () => {
    const [xr] = parseAll(fromHex(PION_XR));
    expect(xr).toBeInstanceOf(ExtendedReport);
    const blocks = (xr as ExtendedReport).blocks;
    expect(blocks.map((b) => (b.kind === 'unknown' ? b.blockType : b.kind))).toEqual([
      1,
      2,
      3,
      'rrtr',
      'dlrr',
      6,
      7,
    ]);
    expect(blocks[3]).toEqual({ kind: 'rrtr', ntpSeconds: 0x01020304, ntpFraction: 0x05060708 });
    expect(blocks[4]).toEqual({
      kind: 'dlrr',
      reports: [
        {
          ssrc: 0x88888888,
          lastReceiverReport: 0x12345678,
          delaySinceLastReceiverReport: 0x99999999,
        },
        {
          ssrc: 0x09090909,
          lastReceiverReport: 0x12345678,
          delaySinceLastReceiverReport: 0x99999999,
        },
        {
          ssrc: 0x11223344,
          lastReceiverReport: 0x12345678,
          delaySinceLastReceiverReport: 0x99999999,
        },
      ],
    });
    expect(blocks[0]).toMatchObject({ typeSpecific: 0x0c });
    roundTrips(PION_XR);
  });

  it('rejects blocks that run past the packet or have the wrong size', () => {
    expect(() =>
      parseRtcp(fromHex('80cf000301020304040000050102030405060708'.slice(0, 32))),
    ).toThrow(RtcpParseError);
    expect(() => parseRtcp(fromHex('80cf0003010203040400000101020304'))).toThrow(/RRTR/);
    expect(() =>
      parseRtcp(fromHex('80cf000301020304050000010102030405060708'.slice(0, 32))),
    ).toThrow(/DLRR/);
  });
});

describe('generic NACK (RFC 4585 §6.2.1)', () => {
  it('packs lost sequence numbers into PID + BLP and back, across the wrap', () => {
    const lost = [65534, 65535, 0, 14, 15, 40];
    const nack = GenericNack.fromLost(1, 2, lost);
    expect(nack.entries).toEqual([
      { pid: 65534, blp: 0b1000_0000_0000_0011 },
      { pid: 15, blp: 0 },
      { pid: 40, blp: 0 },
    ]);
    expect(nack.lostSequenceNumbers()).toEqual(lost);
    const bytes = serializeRtcp([nack]);
    expect(toHex(bytes)).toBe(
      '81cd000500000001' + '00000002' + 'fffe8003' + '000f0000' + '00280000',
    );
    expect(parseAll(bytes)).toEqual([nack]);
  });

  it('drops duplicates and rejects invalid numbers', () => {
    expect(nackEntriesFromLost([5, 5, 6])).toEqual([{ pid: 5, blp: 1 }]);
    expect(() => nackEntriesFromLost([65536])).toThrow(RangeError);
  });
});

// Pion receiver_estimated_maximum_bitrate_test.go: "Real data sent by Chrome while watching a
// 6Mb/s stream".
const CHROME_REMB = '8fce00050000000100000000' + '52454d42011a20df4874ed16';
// Pion transport_layer_cc_test.go, Unmarshal "example6".
const CHROME_TWCC = 'afcd0007 9b74f61f 9371dcbc 853c0009 63f916b3 d5520030 9baa6aaa 7b010901';

describe('PLI, FIR and REMB (RFC 4585 §6.3.1, RFC 5104 §4.3.1, REMB draft §2.2)', () => {
  it("decodes Chrome's REMB (mantissa 139487, exponent 6) and re-encodes it exactly", () => {
    const [remb] = parseAll(fromHex(CHROME_REMB));
    expect(remb).toEqual(new ReceiverEstimatedMaxBitrate(1, 8927168, [1215622422]));
    roundTrips(CHROME_REMB);
  });

  it('encodes the largest REMB bitrate and rejects a larger one', () => {
    const max = 0x3ffff * 2 ** 63;
    const bytes = serializeRtcp([new ReceiverEstimatedMaxBitrate(0, max)]);
    expect(toHex(bytes)).toBe(clean('8fce0004 00000000 00000000 52454d42 00ffffff'));
    expect(parseAll(bytes)).toEqual([new ReceiverEstimatedMaxBitrate(0, max)]);
    expect(() => serializeRtcp([new ReceiverEstimatedMaxBitrate(0, max * 2)])).toThrow(RangeError);
  });

  it('keeps an application-layer feedback that is not REMB raw', () => {
    const hex = '8fce0003000000010000000041424344';
    expect(parseAll(fromHex(hex))[0]).toBeInstanceOf(RawRtcpPacket);
    roundTrips(hex);
  });

  it('round-trips a FIR with two entries', () => {
    const fir = new FullIntraRequest(1, [
      { ssrc: 2, sequence: 11 },
      { ssrc: 3, sequence: 255 },
    ]);
    const bytes = serializeRtcp([fir]);
    expect(toHex(bytes)).toBe(
      clean('84ce0006 00000001 00000000 00000002 0b000000 00000003 ff000000'),
    );
    expect(parseAll(bytes)).toEqual([fir]);
  });

  it('rejects a PLI with an FCI and a FIR with a partial entry', () => {
    expect(() => parseRtcp(fromHex('81ce0003 00000001 00000002 00000000'))).toThrow(/PLI/);
    expect(() => parseRtcp(fromHex('84ce0003000000010000000000000002'))).toThrow(/FIR/);
  });
});
