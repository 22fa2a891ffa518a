import { BufferOverflowError, fromHex, toHex } from '@typertc/common';
import { describe, expect, it } from 'vitest';
import {
  COMMON_HEADER_LENGTH,
  createChunkHeader,
  createDataChunkFields,
  createSackFields,
  DATA_CHUNK_HEADER_LENGTH,
  type DataChunkFields,
  dataChunkSize,
  MAX_DATA_CHUNK_USER_DATA,
  readChunkHeader,
  readDataChunk,
  readSackChunk,
  sackChunkLength,
  writeDataChunk,
  writeSackChunk,
} from '../src/packet/index.js';
import { chunkHeaders, inPacket, packetOf, parseError } from './packet-helpers.js';

function dataFields(overrides: Partial<DataChunkFields> = {}): DataChunkFields {
  return {
    tsn: 0xfffffffe,
    streamId: 7,
    ssn: 0xffff,
    ppid: 51,
    unordered: false,
    beginning: true,
    ending: true,
    immediate: false,
    userData: new Uint8Array([1, 2, 3, 4, 5]),
    ...overrides,
  };
}

function encodeData(fields: DataChunkFields): Uint8Array {
  const chunk = new Uint8Array(dataChunkSize(fields.userData.length));
  writeDataChunk(chunk, 0, fields);
  return chunk;
}

describe('DATA chunk (RFC 9260 §3.3.1)', () => {
  it('reads a hand-built DATA packet field by field', () => {
    const packet = packetOf(
      fromHex(
        // type 0, flags I|U|B (0x0e), length 19; TSN, stream 0x0102, SSN 0x0304, PPID 53 ("binary")
        '00 0e 0013  80000001  0102 0304  00000035  616263 00',
      ),
    );
    const header = createChunkHeader();
    readChunkHeader(packet, COMMON_HEADER_LENGTH, header);
    const data = createDataChunkFields();
    readDataChunk(packet, header, data);
    expect({ ...data, userData: toHex(data.userData) }).toEqual({
      tsn: 0x80000001,
      streamId: 0x0102,
      ssn: 0x0304,
      ppid: 53,
      unordered: true,
      beginning: true,
      ending: false,
      immediate: true,
      userData: '616263',
    });
    // The user data is a view of the packet, not a copy.
    expect(data.userData.buffer).toBe(packet.buffer);
    expect(data.userData.byteOffset).toBe(packet.byteOffset + 12 + DATA_CHUNK_HEADER_LENGTH);
  });

  it('round-trips every flag combination', () => {
    for (let flags = 0; flags < 16; flags++) {
      const fields = dataFields({
        immediate: (flags & 8) !== 0,
        unordered: (flags & 4) !== 0,
        beginning: (flags & 2) !== 0,
        ending: (flags & 1) !== 0,
      });
      const { packet, header } = inPacket(encodeData(fields));
      expect(header.flags).toBe(flags);
      const read = createDataChunkFields();
      readDataChunk(packet, header, read);
      expect(read).toEqual(fields);
    }
  });

  it('writes at an offset, zeroes the padding and returns the offset after it', () => {
    const buffer = new Uint8Array(52).fill(0xff);
    const end = writeDataChunk(buffer, 4, dataFields());
    expect(end).toBe(4 + 24);
    expect(toHex(buffer.subarray(4, end))).toBe('00030015fffffffe0007ffff000000330102030405000000');
    expect(buffer[3]).toBe(0xff);
    expect(buffer[end]).toBe(0xff);
    // Chunks written back to back read back in order.
    const second = writeDataChunk(buffer, end, dataFields({ tsn: 0, userData: new Uint8Array(4) }));
    expect(second).toBe(end + 20);
  });

  it('reads into the same struct, allocating nothing but the user data view', () => {
    const data = createDataChunkFields();
    const first = inPacket(encodeData(dataFields({ tsn: 1 })));
    const second = inPacket(encodeData(dataFields({ tsn: 2, unordered: true })));
    readDataChunk(first.packet, first.header, data);
    const same = data;
    readDataChunk(second.packet, second.header, data);
    expect(data).toBe(same);
    expect(data.tsn).toBe(2);
    expect(data.unordered).toBe(true);
    expect(data.userData.buffer).toBe(second.packet.buffer);
  });

  it('rejects an empty DATA chunk (RFC 9260 §6.2) and one shorter than its header', () => {
    const data = createDataChunkFields();
    const empty = inPacket(fromHex('00 03 0010 00000001 0000 0000 00000000'));
    expect(parseError(() => readDataChunk(empty.packet, empty.header, data)).message).toMatch(
      /without user data/,
    );
    const short = inPacket(fromHex('00 03 000c 00000001 0000 0000'));
    expect(parseError(() => readDataChunk(short.packet, short.header, data)).offset).toBe(12);
  });

  it('rejects a header that does not fit the packet it is used with', () => {
    const big = inPacket(encodeData(dataFields({ userData: new Uint8Array(100) })));
    const small = packetOf(encodeData(dataFields()));
    expect(() => readDataChunk(small, big.header, createDataChunkFields())).toThrow(
      /past the packet/,
    );
  });

  it('refuses to write empty, oversized or out-of-range chunks, or past the buffer', () => {
    const buffer = new Uint8Array(70_000);
    expect(() => writeDataChunk(buffer, 0, dataFields({ userData: new Uint8Array(0) }))).toThrow(
      RangeError,
    );
    const tooLong = new Uint8Array(MAX_DATA_CHUNK_USER_DATA + 1);
    expect(() => writeDataChunk(buffer, 0, dataFields({ userData: tooLong }))).toThrow(RangeError);
    expect(() => writeDataChunk(buffer, 0, dataFields({ tsn: 2 ** 32 }))).toThrow(RangeError);
    expect(() => writeDataChunk(buffer, 0, dataFields({ streamId: 65536 }))).toThrow(RangeError);
    expect(() => writeDataChunk(buffer, 0, dataFields({ ssn: -1 }))).toThrow(RangeError);
    const small = new Uint8Array(23).fill(0xee);
    expect(() => writeDataChunk(small, 0, dataFields())).toThrow(BufferOverflowError);
    expect(small.every((byte) => byte === 0xee)).toBe(true);
  });
});

function encodeSack(
  cumulativeTsnAck: number,
  gaps: readonly [number, number][],
  duplicates: readonly number[],
): Uint8Array {
  const chunk = new Uint8Array(sackChunkLength(gaps.length, duplicates.length));
  const end = writeSackChunk(
    chunk,
    0,
    cumulativeTsnAck,
    0x20000,
    gaps.map(([start]) => start),
    gaps.map(([, end]) => end),
    gaps.length,
    duplicates,
    duplicates.length,
  );
  expect(end).toBe(chunk.length);
  return chunk;
}

describe('SACK chunk (RFC 9260 §3.3.4)', () => {
  it('writes the layout of §3.3.4', () => {
    expect(toHex(encodeSack(0xffffffff, [[1, 2]], [7]))).toBe(
      '03000018ffffffff0002000000010001000100020000000' + '7',
    );
  });

  it('round-trips gap blocks and duplicates', () => {
    const gaps: [number, number][] = [
      [2, 3],
      [5, 5],
      [0xfff0, 0xffff],
    ];
    const { packet, header } = inPacket(encodeSack(0xfffffffe, gaps, [0xfffffffe, 1]));
    const sack = createSackFields();
    readSackChunk(packet, header, sack);
    expect(sack.cumulativeTsnAck).toBe(0xfffffffe);
    expect(sack.advertisedReceiverWindow).toBe(0x20000);
    expect(sack.gapCount).toBe(3);
    expect(sack.gapStarts).toEqual([2, 5, 0xfff0]);
    expect(sack.gapEnds).toEqual([3, 5, 0xffff]);
    expect(sack.duplicateCount).toBe(2);
    expect(sack.duplicates).toEqual([0xfffffffe, 1]);
  });

  it('reuses the struct and its arrays from read to read', () => {
    const sack = createSackFields();
    const { gapStarts, gapEnds, duplicates } = sack;
    const many = inPacket(
      encodeSack(
        10,
        [
          [2, 3],
          [5, 6],
          [8, 9],
        ],
        [4, 4],
      ),
    );
    const few = inPacket(encodeSack(20, [[1, 1]], []));
    readSackChunk(many.packet, many.header, sack);
    readSackChunk(few.packet, few.header, sack);
    expect(sack.gapStarts).toBe(gapStarts);
    expect(sack.gapEnds).toBe(gapEnds);
    expect(sack.duplicates).toBe(duplicates);
    expect(sack.cumulativeTsnAck).toBe(20);
    expect(sack.gapCount).toBe(1);
    expect(sack.duplicateCount).toBe(0);
    expect([sack.gapStarts[0], sack.gapEnds[0]]).toEqual([1, 1]);
    // The arrays keep their size: the next bigger SACK fills them without growing them.
    expect(sack.gapStarts.length).toBe(3);
    readSackChunk(many.packet, many.header, sack);
    expect(sack.gapStarts).toBe(gapStarts);
    expect(sack.gapStarts.length).toBe(3);
  });

  it('rejects lengths that disagree with the counts, and resets the counts', () => {
    const sack = createSackFields();
    const good = inPacket(encodeSack(10, [[2, 3]], [4]));
    readSackChunk(good.packet, good.header, sack);

    // Claims 2 gap blocks but holds 1 block and 1 duplicate's worth of bytes, plus 4 extra.
    const lying = encodeSack(10, [[2, 3]], [4]);
    lying[13] = 2;
    const bad = inPacket(lying);
    expect(parseError(() => readSackChunk(bad.packet, bad.header, sack)).offset).toBe(12);
    expect(sack.gapCount).toBe(0);
    expect(sack.duplicateCount).toBe(0);

    const trailing = inPacket(fromHex('03 00 0014 0000000a 00020000 0000 0000 deadbeef'));
    expect(() => readSackChunk(trailing.packet, trailing.header, sack)).toThrow(/needs length 16/);
    const short = inPacket(fromHex('03 00 000c 0000000a 00020000'));
    expect(() => readSackChunk(short.packet, short.header, sack)).toThrow(/at least 16/);
  });

  it('refuses counts beyond the arrays, values out of range and a small buffer', () => {
    const buffer = new Uint8Array(64);
    expect(() => writeSackChunk(buffer, 0, 1, 1, [1], [1], 2, [], 0)).toThrow(RangeError);
    expect(() => writeSackChunk(buffer, 0, 1, 1, [], [], 0, [1], 2)).toThrow(RangeError);
    expect(() => writeSackChunk(buffer, 0, 1, 1, [65536], [1], 1, [], 0)).toThrow(RangeError);
    expect(() => writeSackChunk(buffer, 0, 2 ** 32, 1, [], [], 0, [], 0)).toThrow(RangeError);
    expect(() => writeSackChunk(buffer, 50, 1, 1, [1], [1], 1, [], 0)).toThrow(BufferOverflowError);
  });

  it('is found by a chunk walk next to DATA', () => {
    const packet = packetOf(encodeSack(1, [], []), encodeData(dataFields()));
    expect(chunkHeaders(packet).map((header) => header.type)).toEqual([3, 0]);
  });
});
