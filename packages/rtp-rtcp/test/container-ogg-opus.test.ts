import { bytesEqual, ClosedError, concatBytes, fromHex, toHex } from '@typertc/common';
import { fuzzIterations, fuzzParser, SeededRandom } from '@typertc/common/testing';
import { describe, expect, it } from 'vitest';
import { oggCrc32 } from '../src/containers/ogg-crc.js';
import {
  type OggOpusPacket,
  OggOpusReader,
  readOggOpus,
} from '../src/containers/ogg-opus-reader.js';
import { DEFAULT_OPUS_PRE_SKIP, OggOpusWriter } from '../src/containers/ogg-opus-writer.js';
import {
  OGG_BOS,
  OGG_CONTINUED,
  OGG_EOS,
  type OggPage,
  parseOggPage,
  serializeOggPage,
} from '../src/containers/ogg-page.js';
import { opusPacketDuration } from '../src/containers/opus-duration.js';
import { ContainerError, PayloadError } from '../src/errors.js';
import { thrown } from './container-helpers.js';

/**
 * A whole Ogg Opus file FFmpeg 5.1 wrote (`-c:a libopus -ac 1 -fflags +bitexact`, 40 ms of a
 * sine): the OpusHead page, the OpusTags page, and one end-of-stream audio page with three
 * 20 ms packets and granule position 2232 (pre-skip 312 + 1920 samples: the end is trimmed).
 */
const FFMPEG_FILE = fromHex(
  '4f6767530002000000000000000000000000000000000228b57201134f707573486561640101380180bb000000' +
    '0000' +
    '4f6767530000000000000000000000000000010000004995be54012e4f707573546167730600000066666d7065' +
    '670100000014000000656e636f6465723d4c617663206c69626f707573' +
    '4f6767530004b808000000000000000000000200000005dd70d2030d151308836d82d01cfdea49fe013fc008a7' +
    '1a5d8a982e5f5aca508f43e926b90db06e344008849dae443153999b7d46a34fe642e011c2f8',
);

/** The pages of a file, with their offsets. */
function pagesOf(bytes: Uint8Array): (OggPage & { offset: number })[] {
  const pages: (OggPage & { offset: number })[] = [];
  for (let at = 0; at < bytes.length; ) {
    const parsed = parseOggPage(bytes.subarray(at), at);
    if (parsed === undefined) throw new Error(`incomplete page at ${at}`);
    pages.push({ ...parsed.page, offset: at });
    at += parsed.size;
  }
  return pages;
}

/** Re-serializes a file page by page after `edit` changed a page's fields: checksums stay valid. */
function editPages(bytes: Uint8Array, edit: (page: OggPage, index: number) => OggPage): Uint8Array {
  return concatBytes(...pagesOf(bytes).map((page, index) => serializeOggPage(edit(page, index))));
}

/** An Opus packet of `length` bytes (at least 1) whose TOC says 20 ms (CELT FB, code 0). */
function packet(random: SeededRandom, length: number): Uint8Array {
  const bytes = random.bytes(length);
  bytes[0] = 0xf8;
  return bytes;
}

function write(
  packets: readonly Uint8Array[],
  options: { maxPageDuration?: number } = {},
): Uint8Array {
  const writer = new OggOpusWriter({ channelCount: 2, serialNumber: 0xabcdef01, ...options });
  return concatBytes(...packets.map((p) => writer.writePacket(p)), writer.finish());
}

/** Checks data byte for byte (fast), and granule positions as libogg reports them. */
function expectPackets(read: readonly OggOpusPacket[], written: readonly Uint8Array[]): void {
  expect(read.length).toBe(written.length);
  let total = 0;
  for (const [i, data] of written.entries()) {
    total += opusPacketDuration(data);
    const got = read[i];
    expect(got !== undefined && bytesEqual(got.data, data), `packet ${i} data`).toBe(true);
    if (got?.granulePosition !== -1)
      expect(got?.granulePosition, `packet ${i} granule`).toBe(total);
  }
  expect(read.at(-1)?.granulePosition).toBe(total);
}

describe('OggOpusReader on a file FFmpeg wrote', () => {
  it('verifies every checksum and reads headers, packets and granule positions', () => {
    const result = readOggOpus(FFMPEG_FILE);
    expect(result.head).toEqual({
      version: 1,
      channelCount: 1,
      preSkip: 312,
      inputSampleRate: 48_000,
      outputGain: 0,
      channelMappingFamily: 0,
      channelMapping: undefined,
    });
    expect(result.tags).toEqual({ vendor: 'ffmpeg', comments: ['encoder=Lavc libopus'] });
    expect(result.packets.map((p) => [p.data.length, p.granulePosition])).toEqual([
      [13, -1],
      [21, -1],
      [19, 2232],
    ]);
    expect(result.packets.map((p) => opusPacketDuration(p.data))).toEqual([960, 960, 960]);
    expect(toHex(result.packets[0]?.data ?? new Uint8Array(0))).toBe('08836d82d01cfdea49fe013fc0');
    expect(result.endOfStream).toBe(true);
  });
});

describe('OggOpusWriter', () => {
  it('lays out the header pages and the audio pages byte by byte (RFC 7845 §3, §5)', () => {
    const writer = new OggOpusWriter({
      channelCount: 1,
      serialNumber: 0x01020304,
      vendor: 'v',
      comments: ['A=b'],
    });
    const bytes = concatBytes(
      writer.writePacket(Uint8Array.of(0xf8, 0xff, 0xfe)),
      writer.writePacket(Uint8Array.of(0xfb, 0x03, 0xff, 0xfe, 0xff, 0xfe, 0xff, 0xfe)),
      writer.finish(),
    );
    const pages = pagesOf(bytes);
    expect(pages).toHaveLength(3);
    const [id, comment, audio] = pages;
    // Page 0: BOS, granule 0, serial, sequence 0, one 19-byte segment: OpusHead alone.
    expect(toHex(bytes.subarray(0, 27))).toBe(
      '4f676753' +
        '00' +
        '02' +
        '0000000000000000' +
        '04030201' +
        '00000000' +
        toHex(bytes.subarray(22, 26)) +
        '01',
    );
    expect(toHex(bytes.subarray(27, 47))).toBe(
      '13' + '4f70757348656164' + '01' + '01' + '000f' + '80bb0000' + '0000' + '00',
    );
    expect(comment?.headerType).toBe(0);
    expect(comment?.sequenceNumber).toBe(1);
    expect(comment?.granulePosition).toBe(0);
    expect(toHex(comment?.body ?? new Uint8Array(0))).toBe(
      '4f70757354616773' + '01000000' + '76' + '01000000' + '03000000' + '413d62',
    );
    // The audio page: EOS, granule 960 + 3 x 960, two packets of 3 and 8 bytes.
    expect(audio?.headerType).toBe(OGG_EOS);
    expect(audio?.sequenceNumber).toBe(2);
    expect(audio?.granulePosition).toBe(3840);
    expect(Array.from(audio?.segmentTable ?? [])).toEqual([3, 8]);
    expect(id?.headerType).toBe(OGG_BOS);
    expect(DEFAULT_OPUS_PRE_SKIP).toBe(3840);
    expect(writer.granulePosition).toBe(3840);
  });

  it('laces packets of 255 and 510 bytes with a closing 0 (RFC 3533 §5)', () => {
    const random = new SeededRandom(1);
    const [, , audio] = pagesOf(
      write([packet(random, 255), packet(random, 510), packet(random, 1)]),
    );
    expect(Array.from(audio?.segmentTable ?? [])).toEqual([255, 0, 255, 255, 0, 1]);
  });

  it('spans a packet over 64 KiB across pages, with continued flags and granule -1', () => {
    const random = new SeededRandom(2);
    const big = packet(random, 70_000);
    const bytes = write([packet(random, 10), big, packet(random, 10)]);
    const audio = pagesOf(bytes).slice(2);
    expect(audio).toHaveLength(2);
    const [first, second] = audio;
    // 1 segment for the first packet, then 254 of the big one: no packet ends after the first.
    expect(first?.segmentTable.length).toBe(255);
    expect(first?.granulePosition).toBe(960);
    expect(first?.headerType).toBe(0);
    // 70000 = 274 x 255 + 130: 275 lacing values, 21 left for this page, then the last packet's.
    expect(second?.headerType).toBe(OGG_CONTINUED | OGG_EOS);
    expect(second?.segmentTable.length).toBe(22);
    expect(second?.segmentTable[20]).toBe(130);
    expect(second?.granulePosition).toBe(3 * 960);
  });

  it('gives a page no granule position (-1) when only the middle of a packet is on it', () => {
    const random = new SeededRandom(3);
    const huge = packet(random, 3 * 255 * 255);
    const audio = pagesOf(write([huge])).slice(2);
    expect(audio.map((page) => [page.headerType, page.granulePosition])).toEqual([
      [0, -1],
      [OGG_CONTINUED, -1],
      [OGG_CONTINUED, -1],
      [OGG_CONTINUED | OGG_EOS, 960],
    ]);
    // 3 x 255 x 255 bytes: 765 lacing values of 255 fill three pages, the closing 0 makes a fourth.
    expect(Array.from(audio.at(-1)?.segmentTable ?? [])).toEqual([0]);
  });

  it('starts a new page before exceeding maxPageDuration', () => {
    const packets = Array.from({ length: 120 }, () => Uint8Array.of(0xf8, 0xff, 0xfe));
    const audio = pagesOf(write(packets)).slice(2);
    // Default 1 s: 50 packets of 20 ms per page.
    expect(audio.map((page) => page.segmentTable.length)).toEqual([50, 50, 20]);
    expect(audio.map((page) => page.granulePosition)).toEqual([48_000, 96_000, 115_200]);
    const short = pagesOf(write(packets.slice(0, 10), { maxPageDuration: 2000 })).slice(2);
    expect(short.map((page) => page.segmentTable.length)).toEqual([2, 2, 2, 2, 2]);
  });

  it('flush() returns the header pages first, then the pending page; finish() after it is empty', () => {
    const writer = new OggOpusWriter({ channelCount: 1, serialNumber: 9 });
    const headers = writer.flush();
    expect(pagesOf(headers).map((page) => page.sequenceNumber)).toEqual([0, 1]);
    expect(writer.flush()).toHaveLength(0);
    expect(writer.writePacket(Uint8Array.of(0xf8, 0xff, 0xfe))).toHaveLength(0);
    const flushed = pagesOf(writer.flush());
    expect(flushed.map((page) => [page.granulePosition, page.segmentTable.length])).toEqual([
      [960, 1],
    ]);
    const last = pagesOf(writer.finish());
    expect(
      last.map((page) => [page.headerType, page.granulePosition, page.segmentTable.length]),
    ).toEqual([[OGG_EOS, 960, 0]]);
    expect(() => writer.writePacket(Uint8Array.of(0xf8))).toThrow(ClosedError);
    expect(() => writer.finish()).toThrow(ClosedError);
  });

  it('writes a valid stream even with no audio at all', () => {
    const writer = new OggOpusWriter({ channelCount: 1, serialNumber: 9 });
    const result = readOggOpus(writer.finish());
    expect(result.packets).toEqual([]);
    expect(result.endOfStream).toBe(true);
  });

  it('rejects a packet without a duration, writing nothing, and bad options', () => {
    const writer = new OggOpusWriter({ channelCount: 1, serialNumber: 9 });
    expect(() => writer.writePacket(new Uint8Array(0))).toThrow(PayloadError);
    expect(() => writer.writePacket(Uint8Array.of(0xfb, 0))).toThrow(PayloadError);
    expect(writer.granulePosition).toBe(0);
    expect(() => new OggOpusWriter({ channelCount: 3, serialNumber: 0 })).toThrow(RangeError);
    expect(() => new OggOpusWriter({ channelCount: 0, serialNumber: 0 })).toThrow(RangeError);
    expect(() => new OggOpusWriter({ channelCount: 1, serialNumber: 2 ** 32 })).toThrow(RangeError);
    expect(() => new OggOpusWriter({ channelCount: 1, serialNumber: 0, preSkip: 65_536 })).toThrow(
      RangeError,
    );
  });
});

describe('OggOpusReader', () => {
  it('round-trips random packets (over 255 bytes, over 64 KiB), whole and in random chunks', () => {
    const random = new SeededRandom(0x0665);
    const packets: Uint8Array[] = [];
    for (let i = 0; i < 300; i++) {
      const roll = random.next();
      const length =
        roll < 0.02
          ? random.int(65_536, 200_000)
          : roll < 0.2
            ? random.int(256, 5000)
            : random.int(1, 255);
      const p = packet(random, length);
      // Vary durations: 20 ms code 0, 2 x 20 ms code 1, or 3 x 10 ms code 3.
      if (i % 3 === 1) p[0] = 0xf9;
      if (i % 7 === 2 && length >= 2) {
        p[0] = (26 << 3) | 3;
        p[1] = 3;
      }
      packets.push(p);
    }
    const bytes = write(packets);

    const whole = readOggOpus(bytes);
    expect(whole.head.channelCount).toBe(2);
    expect(whole.head.preSkip).toBe(3840);
    expect(whole.tags).toEqual({ vendor: 'TypeRTC', comments: [] });
    expectPackets(whole.packets, packets);

    const reader = new OggOpusReader();
    const read: OggOpusPacket[] = [];
    for (let at = 0; at < bytes.length; ) {
      const size = random.int(1, 9000);
      reader.push(bytes.subarray(at, at + size));
      at += size;
      for (let p = reader.pollPacket(); p; p = reader.pollPacket()) read.push(p);
    }
    expect(reader.endOfStream).toBe(true);
    reader.end();
    expect(reader.pollPacket()).toBeUndefined();
    expectPackets(read, packets);
  });

  it('reassembles an OpusTags header spanning pages', () => {
    const comments = Array.from({ length: 400 }, (_, i) => `COMMENT=${'x'.repeat(i)}`);
    const writer = new OggOpusWriter({ channelCount: 1, serialNumber: 1, comments });
    const bytes = concatBytes(writer.writePacket(Uint8Array.of(0xf8, 0xff, 0xfe)), writer.finish());
    expect(pagesOf(bytes).length).toBeGreaterThan(3);
    expect(readOggOpus(bytes).tags.comments).toEqual(comments);
  });

  it('rejects a checksum mismatch at the page checksum offset', () => {
    const bytes = FFMPEG_FILE.slice();
    bytes[150] = (bytes[150] as number) ^ 1;
    const error = thrown(() => readOggOpus(bytes));
    expect(error.offset).toBe(121 + 22);
    expect(error.message).toMatch(/checksum mismatch/);
  });

  it('rejects input cut short: inside a page, inside a packet, before the headers', () => {
    expect(thrown(() => readOggOpus(FFMPEG_FILE.subarray(0, 200))).offset).toBe(121);
    expect(thrown(() => readOggOpus(FFMPEG_FILE.subarray(0, 47))).message).toMatch(/OpusTags/);
    expect(thrown(() => readOggOpus(new Uint8Array(0))).message).toMatch(/OpusHead/);
    const random = new SeededRandom(4);
    const bytes = write([packet(random, 70_000)]);
    const pages = pagesOf(bytes);
    const cut = bytes.subarray(0, pages.at(-1)?.offset); // the packet's second page is missing
    expect(thrown(() => readOggOpus(cut)).offset).toBe((pages[2]?.offset ?? 0) + 27 + 255);
    // A recording cut at a page boundary without EOS is fine.
    const prefix = readOggOpus(FFMPEG_FILE.subarray(0, 121));
    expect(prefix.packets).toEqual([]);
    expect(prefix.endOfStream).toBe(false);
  });

  it('rejects a lying segment count or lacing value (the page runs past the input)', () => {
    const bytes = editPages(FFMPEG_FILE, (page, i) =>
      i === 2 ? { ...page, segmentTable: Uint8Array.of(13, 21, 19), body: page.body } : page,
    );
    expect(readOggOpus(bytes).packets).toHaveLength(3);
    const lying = bytes.slice();
    lying[121 + 26] = 4; // 4 segments: the table swallows a body byte, the body runs past the end
    expect(thrown(() => readOggOpus(lying)).offset).toBe(121);
  });

  it('rejects structural violations of RFC 3533 and RFC 7845 §3', () => {
    const cases: [string, (page: OggPage, i: number) => OggPage, RegExp][] = [
      ['no BOS', (p, i) => (i === 0 ? { ...p, headerType: 0 } : p), /beginning-of-stream/],
      [
        'second BOS',
        (p, i) => (i === 1 ? { ...p, headerType: OGG_BOS } : p),
        /beginning-of-stream/,
      ],
      [
        'gap',
        (p, i) => (i === 2 ? { ...p, sequenceNumber: 3 } : p),
        /expected 2: pages are missing/,
      ],
      [
        'other serial',
        (p, i) => (i === 2 ? { ...p, serialNumber: 7 } : p),
        /another logical stream/,
      ],
      [
        'stray continued',
        (p, i) => (i === 2 ? { ...p, headerType: OGG_CONTINUED } : p),
        /no packet open/,
      ],
      [
        'no granule',
        (p, i) => (i === 2 ? { ...p, granulePosition: -1 } : p),
        /no granule position/,
      ],
      [
        'head not alone',
        (p, i) => (i === 0 ? { ...p, segmentTable: Uint8Array.of(19, 0), body: p.body } : p),
        /alone on the first page/,
      ],
      [
        'tags not finishing its page',
        (p, i) => (i === 1 ? { ...p, segmentTable: Uint8Array.of(46, 0) } : p),
        /OpusTags must finish its page/,
      ],
      [
        'packet left open',
        (p, i) =>
          i === 2
            ? { ...p, segmentTable: Uint8Array.of(255), body: new Uint8Array(255).fill(0xf8) }
            : p,
        /input ends inside a packet/,
      ],
    ];
    for (const [name, edit, message] of cases) {
      expect(thrown(() => readOggOpus(editPages(FFMPEG_FILE, edit))).message, name).toMatch(
        message,
      );
    }
    const afterEos = concatBytes(
      FFMPEG_FILE,
      serializeOggPage({ ...(pagesOf(FFMPEG_FILE)[2] as OggPage), sequenceNumber: 3 }),
    );
    expect(thrown(() => readOggOpus(afterEos)).message).toMatch(/after the end-of-stream/);
  });

  it('bounds packet reassembly by maxPacketSize', () => {
    const random = new SeededRandom(5);
    const bytes = write([packet(random, 100_000)]);
    expect(readOggOpus(bytes, { maxPacketSize: 100_000 }).packets[0]?.data.length).toBe(100_000);
    const error = thrown(() => readOggOpus(bytes, { maxPacketSize: 99_999 }));
    expect(error.message).toMatch(/99999-byte limit/);
    expect(error.offset).toBe((pagesOf(bytes)[2]?.offset ?? 0) + 27 + 255);
  });

  it('keeps throwing the first error, and takes no input after end()', () => {
    const reader = new OggOpusReader();
    reader.push(Uint8Array.of(0x4f, 0x67, 0x67, 0x54));
    const first = thrown(() => reader.pollPacket());
    expect(thrown(() => reader.pollPacket())).toBe(first);
    reader.end();
    expect(() => reader.push(FFMPEG_FILE)).toThrow(ClosedError);
  });

  /** Recomputes every complete page's checksum, so mutants get past the CRC to the layers above. */
  function withValidChecksums(input: Uint8Array): Uint8Array {
    const bytes = input.slice();
    for (let at = 0; bytes.length - at >= 27; ) {
      const segments = bytes[at + 26] as number;
      if (bytes.length - at < 27 + segments) break;
      let size = 27 + segments;
      for (let i = 0; i < segments; i++) size += bytes[at + 27 + i] as number;
      if (bytes.length - at < size) break;
      const page = bytes.subarray(at, at + size);
      page.fill(0, 22, 26);
      const crc = oggCrc32(page);
      page.set([crc & 0xff, (crc >>> 8) & 0xff, (crc >>> 16) & 0xff, crc >>> 24], 22);
      at += size;
    }
    return bytes;
  }

  it('survives fuzzing with ContainerError only', () => {
    const random = new SeededRandom(6);
    const seeds = [
      FFMPEG_FILE,
      write([packet(random, 300), Uint8Array.of(0xf8, 0xff, 0xfe), packet(random, 30)], {
        maxPageDuration: 960,
      }),
    ];
    const stats = fuzzParser({
      seeds,
      parse: (bytes) => readOggOpus(bytes, { maxPacketSize: 4096 }),
      expectedError: ContainerError,
      iterations: fuzzIterations(10_000, 200_000),
    });
    expect(stats.accepted).toBeGreaterThan(0);
  });

  it('survives fuzzing past the checksum (mutants re-checksummed) with ContainerError only', () => {
    const random = new SeededRandom(7);
    const seeds = [
      FFMPEG_FILE,
      write([packet(random, 600), Uint8Array.of(0xf8, 0xff, 0xfe)], { maxPageDuration: 960 }),
    ];
    const stats = fuzzParser({
      seeds,
      parse: (bytes) => readOggOpus(withValidChecksums(bytes), { maxPacketSize: 4096 }),
      expectedError: ContainerError,
      iterations: fuzzIterations(10_000, 200_000),
      seed: 2,
    });
    expect(stats.accepted).toBeGreaterThan(100);
    expect(stats.rejected).toBeGreaterThan(100);
  });
});
