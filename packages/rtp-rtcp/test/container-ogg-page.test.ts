import { fromHex, toHex } from '@typertc/common';
import { fuzzIterations, fuzzParser, SeededRandom } from '@typertc/common/testing';
import { describe, expect, it } from 'vitest';
import { oggCrc32 } from '../src/containers/ogg-crc.js';
import {
  OGG_BOS,
  OGG_EOS,
  type OggPage,
  parseOggPage,
  serializeOggPage,
} from '../src/containers/ogg-page.js';
import { opusPacketDuration } from '../src/containers/opus-duration.js';
import {
  encodeOpusHead,
  encodeOpusTags,
  parseOpusHead,
  parseOpusTags,
} from '../src/containers/opus-headers.js';
import { ContainerError, PayloadError } from '../src/errors.js';
import { thrown } from './container-helpers.js';

/**
 * The first page of an Ogg Opus file FFmpeg 5.1 wrote (libopus, mono, bitexact): BOS, granule 0,
 * serial 0, sequence 0, CRC 0x72b52802 (stored little-endian), one 19-byte segment holding
 * OpusHead: version 1, 1 channel, pre-skip 312, input rate 48000, gain 0, family 0.
 */
const FFMPEG_ID_PAGE = fromHex(
  '4f676753 00 02 0000000000000000 00000000 00000000 0228b572 01 13' +
    '4f70757348656164 01 01 3801 80bb0000 0000 00',
);

/** The textbook MSB-first CRC, one bit at a time, no tables: shares no code with oggCrc32. */
function bitwiseOggCrc(data: Uint8Array): number {
  let crc = 0;
  for (const byte of data) {
    crc ^= byte << 24;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000_0000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
  }
  return crc >>> 0;
}

describe('oggCrc32', () => {
  it('has the check value 0x89a1897f over "123456789"', () => {
    expect(oggCrc32(new TextEncoder().encode('123456789'))).toBe(0x89a1897f);
    expect(oggCrc32(new Uint8Array(0))).toBe(0);
  });

  it('matches the bit-by-bit reference on random inputs, and continues incrementally', () => {
    const random = new SeededRandom(0x0995);
    for (const length of [1, 2, 3, 27, 255, 4096, 65_307]) {
      const data = random.bytes(length);
      expect(oggCrc32(data), `length ${length}`).toBe(bitwiseOggCrc(data));
      const cut = random.int(0, length);
      expect(oggCrc32(data.subarray(cut), oggCrc32(data.subarray(0, cut)))).toBe(oggCrc32(data));
    }
  });

  it('reproduces the checksum FFmpeg (libogg-compatible) stored in a real page', () => {
    const zeroed = FFMPEG_ID_PAGE.slice();
    zeroed.fill(0, 22, 26);
    expect(oggCrc32(zeroed)).toBe(0x72b52802);
  });
});

describe('Ogg pages', () => {
  it('serializes the FFmpeg page byte for byte from its fields', () => {
    const page: OggPage = {
      headerType: OGG_BOS,
      granulePosition: 0,
      serialNumber: 0,
      sequenceNumber: 0,
      segmentTable: Uint8Array.of(19),
      body: FFMPEG_ID_PAGE.subarray(28),
    };
    expect(toHex(serializeOggPage(page))).toBe(toHex(FFMPEG_ID_PAGE));
  });

  it('parses the FFmpeg page', () => {
    const parsed = parseOggPage(FFMPEG_ID_PAGE);
    expect(parsed?.size).toBe(47);
    expect(parsed?.page.headerType).toBe(OGG_BOS);
    expect(parsed?.page.granulePosition).toBe(0);
    expect(Array.from(parsed?.page.segmentTable ?? [])).toEqual([19]);
    expect(parsed?.page.body.length).toBe(19);
  });

  it('writes every field little-endian, and granule -1 as all ones', () => {
    const bytes = serializeOggPage({
      headerType: OGG_EOS | 0x01,
      granulePosition: -1,
      serialNumber: 0x11223344,
      sequenceNumber: 0x55667788,
      segmentTable: Uint8Array.of(255, 0),
      body: new Uint8Array(255).fill(7),
    });
    expect(toHex(bytes.subarray(0, 22))).toBe(
      '4f676753' + '00' + '05' + 'ffffffffffffffff' + '44332211' + '88776655',
    );
    expect(toHex(bytes.subarray(26, 29))).toBe('02ff00');
    const parsed = parseOggPage(bytes);
    expect(parsed?.page.granulePosition).toBe(-1);
    expect(parsed?.page.serialNumber).toBe(0x11223344);
    expect(parsed?.page.sequenceNumber).toBe(0x55667788);

    if (parsed === undefined) throw new Error('page not parsed');
    const big = serializeOggPage({ ...parsed.page, granulePosition: 2 ** 40 + 5 });
    expect(toHex(big.subarray(6, 14))).toBe('0500000000010000');
    expect(parseOggPage(big)?.page.granulePosition).toBe(2 ** 40 + 5);
  });

  it('returns undefined until the whole page is there', () => {
    for (const length of [0, 3, 26, 27, 46]) {
      expect(parseOggPage(FFMPEG_ID_PAGE.subarray(0, length)), `length ${length}`).toBeUndefined();
    }
  });

  it('rejects a bad capture pattern, version, granule position or checksum, with the offset', () => {
    const patched = (at: number, value: number) => {
      const bytes = FFMPEG_ID_PAGE.slice();
      bytes[at] = value;
      return bytes;
    };
    expect(thrown(() => parseOggPage(patched(2, 0x41), 100)).offset).toBe(102);
    expect(thrown(() => parseOggPage(Uint8Array.of(0x4f, 0x67, 0x00)))).toBeInstanceOf(
      ContainerError,
    );
    expect(thrown(() => parseOggPage(patched(4, 1))).offset).toBe(4);
    const bad = thrown(() => parseOggPage(patched(40, 0x02)));
    expect(bad.offset).toBe(22);
    expect(bad.message).toMatch(/checksum mismatch: stored 0x72b52802/);
    // A negative granule other than -1 (with a valid checksum, so the granule check is reached).
    const negative = serializeOggPage({
      headerType: 0,
      granulePosition: 0,
      serialNumber: 0,
      sequenceNumber: 0,
      segmentTable: new Uint8Array(0),
      body: new Uint8Array(0),
    });
    negative[13] = 0x80;
    negative.fill(0, 22, 26);
    negative.set(Uint8Array.of(...u32le(oggCrc32(negative))), 22);
    expect(thrown(() => parseOggPage(negative)).offset).toBe(6);
  });

  it('refuses to serialize an inconsistent page', () => {
    const page = {
      headerType: 0,
      granulePosition: 0,
      serialNumber: 0,
      sequenceNumber: 0,
      segmentTable: Uint8Array.of(3),
      body: new Uint8Array(2),
    };
    expect(() => serializeOggPage(page)).toThrow(RangeError);
    expect(() => serializeOggPage({ ...page, segmentTable: new Uint8Array(256) })).toThrow(
      RangeError,
    );
    expect(() =>
      serializeOggPage({ ...page, segmentTable: Uint8Array.of(2), granulePosition: -2 }),
    ).toThrow(RangeError);
  });

  it('survives fuzzing with ContainerError only', () => {
    const stats = fuzzParser({
      seeds: [FFMPEG_ID_PAGE],
      parse: (bytes) => parseOggPage(bytes),
      expectedError: ContainerError,
      iterations: fuzzIterations(10_000, 200_000),
    });
    expect(stats.accepted).toBeGreaterThan(0);
  });
});

function u32le(value: number): number[] {
  return [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, value >>> 24];
}

describe('opusPacketDuration (RFC 6716 §3.1, §3.2)', () => {
  // Frame sizes in 48 kHz samples per configuration, from Table 2 of RFC 6716 §3.1.
  const frameSizes: [configs: number[], samples: number][] = [
    [[0, 4, 8], 480], // SILK 10 ms
    [[1, 5, 9], 960], // SILK 20 ms
    [[2, 6, 10], 1920], // SILK 40 ms
    [[3, 7, 11], 2880], // SILK 60 ms
    [[12, 14], 480], // Hybrid 10 ms
    [[13, 15], 960], // Hybrid 20 ms
    [[16, 20, 24, 28], 120], // CELT 2.5 ms
    [[17, 21, 25, 29], 240], // CELT 5 ms
    [[18, 22, 26, 30], 480], // CELT 10 ms
    [[19, 23, 27, 31], 960], // CELT 20 ms
  ];

  it.each(frameSizes)(
    'configs %j have %i-sample frames (codes 0, 1, 2, stereo or not)',
    (configs, samples) => {
      for (const config of configs) {
        for (const stereo of [0, 4]) {
          const toc = (config << 3) | stereo;
          expect(opusPacketDuration(Uint8Array.of(toc | 0, 0))).toBe(samples);
          expect(opusPacketDuration(Uint8Array.of(toc | 1, 0))).toBe(2 * samples);
          expect(opusPacketDuration(Uint8Array.of(toc | 2, 1, 0))).toBe(2 * samples);
        }
      }
    },
  );

  it('counts code 3 frames from the low 6 bits of the second byte, up to 120 ms', () => {
    expect(opusPacketDuration(Uint8Array.of((16 << 3) | 3, 48))).toBe(5760); // 48 x 2.5 ms
    expect(opusPacketDuration(Uint8Array.of((19 << 3) | 3, 0xc6))).toBe(5760); // VBR, padding, 6 x 20 ms
    expect(opusPacketDuration(Uint8Array.of((3 << 3) | 3, 2))).toBe(5760); // 2 x 60 ms
    expect(opusPacketDuration(Uint8Array.of(0xf8, 0xff, 0xfe))).toBe(960);
  });

  it('rejects what has no duration with PayloadError', () => {
    const cases = [
      new Uint8Array(0), // R1: at least one byte
      Uint8Array.of(0xfb), // code 3 without the frame count byte
      Uint8Array.of(0xfb, 0x00), // M = 0
      Uint8Array.of((19 << 3) | 3, 7), // 7 x 20 ms = 140 ms
      Uint8Array.of((3 << 3) | 3, 3), // 3 x 60 ms
      Uint8Array.of((16 << 3) | 3, 49), // 49 x 2.5 ms
    ];
    for (const packet of cases) {
      expect(() => opusPacketDuration(packet), toHex(packet)).toThrow(PayloadError);
    }
  });
});

describe('OpusHead and OpusTags (RFC 7845 §5)', () => {
  it('encodes OpusHead field by field', () => {
    const head = encodeOpusHead({
      version: 1,
      channelCount: 2,
      preSkip: 3840,
      inputSampleRate: 44_100,
      outputGain: -256,
      channelMappingFamily: 0,
      channelMapping: undefined,
    });
    expect(toHex(head)).toBe(
      '4f70757348656164' + '01' + '02' + '000f' + '44ac0000' + '00ff' + '00',
    );
    expect(parseOpusHead(head)).toEqual({
      version: 1,
      channelCount: 2,
      preSkip: 3840,
      inputSampleRate: 44_100,
      outputGain: -256,
      channelMappingFamily: 0,
      channelMapping: undefined,
    });
  });

  it('round-trips a family 1 channel mapping table', () => {
    const head = {
      version: 1,
      channelCount: 6,
      preSkip: 312,
      inputSampleRate: 48_000,
      outputGain: 0,
      channelMappingFamily: 1,
      channelMapping: {
        streamCount: 4,
        coupledCount: 2,
        mapping: Uint8Array.of(0, 4, 1, 2, 3, 5),
      },
    };
    const bytes = encodeOpusHead(head);
    expect(toHex(bytes.subarray(18))).toBe('01' + '04' + '02' + '000401020305');
    expect(parseOpusHead(bytes)).toEqual(head);
  });

  it('rejects malformed ID headers with ContainerError at the field', () => {
    const valid = encodeOpusHead({
      version: 1,
      channelCount: 1,
      preSkip: 0,
      inputSampleRate: 0,
      outputGain: 0,
      channelMappingFamily: 0,
      channelMapping: undefined,
    });
    const patched = (at: number, value: number) => {
      const bytes = valid.slice();
      bytes[at] = value;
      return bytes;
    };
    expect(thrown(() => parseOpusHead(patched(4, 0x54), 50)).offset).toBe(50);
    expect(thrown(() => parseOpusHead(valid.subarray(0, 18))).offset).toBe(0);
    expect(thrown(() => parseOpusHead(patched(8, 16))).offset).toBe(8);
    expect(parseOpusHead(patched(8, 15)).version).toBe(15);
    expect(thrown(() => parseOpusHead(patched(9, 0))).offset).toBe(9);
    expect(thrown(() => parseOpusHead(patched(9, 3))).offset).toBe(9);
    expect(thrown(() => parseOpusHead(patched(18, 1))).offset).toBe(19); // table missing
    const family1 = Uint8Array.of(...valid.subarray(0, 18), 1, 1, 0, 0);
    expect(parseOpusHead(family1).channelMapping?.streamCount).toBe(1);
    family1[21] = 1; // names decoded channel 1 of 1
    expect(thrown(() => parseOpusHead(family1)).offset).toBe(21);
    family1[19] = 0;
    expect(thrown(() => parseOpusHead(family1)).offset).toBe(19);
  });

  it('encodes OpusTags with lengths before UTF-8 strings', () => {
    const tags = encodeOpusTags({ vendor: 'TypeRTC', comments: ['TITLE=é'] });
    expect(toHex(tags)).toBe(
      '4f70757354616773' +
        '07000000' +
        '54797065525443' +
        '01000000' +
        '08000000' +
        '5449544c453dc3a9',
    );
    expect(parseOpusTags(tags)).toEqual({ vendor: 'TypeRTC', comments: ['TITLE=é'] });
    expect(() => encodeOpusTags({ vendor: '', comments: ['no equals sign'] })).toThrow(RangeError);
  });

  it('rejects lying OpusTags lengths and counts', () => {
    const tags = encodeOpusTags({ vendor: 'v', comments: ['A=1', 'B=2'] });
    const patched = (at: number, ...values: number[]) => {
      const bytes = tags.slice();
      bytes.set(values, at);
      return bytes;
    };
    expect(thrown(() => parseOpusTags(patched(8, 200))).offset).toBe(8);
    expect(thrown(() => parseOpusTags(patched(13, 4))).offset).toBe(13); // 14 bytes for 4 comments
    expect(thrown(() => parseOpusTags(patched(13, 3))).offset).toBe(31); // the third is missing
    expect(thrown(() => parseOpusTags(patched(13, 0xff, 0xff, 0xff, 0xff))).offset).toBe(13);
    expect(thrown(() => parseOpusTags(patched(24, 4))).offset).toBe(24);
    expect(thrown(() => parseOpusTags(tags.subarray(0, 12))).offset).toBe(8); // vendor cut short
    expect(thrown(() => parseOpusTags(tags.subarray(0, 13))).offset).toBe(13); // count missing
    expect(thrown(() => parseOpusTags(tags.subarray(0, 7))).offset).toBe(0);
    expect(parseOpusTags(Uint8Array.of(...tags, 1, 2, 3)).comments).toEqual(['A=1', 'B=2']);
  });
});
