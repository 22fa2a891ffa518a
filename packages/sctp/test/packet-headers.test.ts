import { BufferOverflowError, crc32c, readU32LE } from '@typertc/common';
import { describe, expect, it } from 'vitest';
import {
  ChunkType,
  COMMON_HEADER_LENGTH,
  createChunkHeader,
  isTagReflected,
  padded,
  readChunkHeader,
  readCommonHeader,
  unrecognizedChunkAction,
  unrecognizedParameterAction,
  verifyChecksum,
  writeChecksum,
  writeCommonHeader,
} from '../src/packet/index.js';
import { chunkHeaders, packetOf, parseError } from './packet-helpers.js';

describe('common header (RFC 9260 §3.1)', () => {
  it('writes and reads ports and verification tag, zeroing the checksum field', () => {
    const packet = new Uint8Array(16).fill(0xaa);
    writeCommonHeader(packet, 5000, 0xffff, 0xdeadbeef);
    expect(Array.from(packet.subarray(0, 12))).toEqual([
      0x13, 0x88, 0xff, 0xff, 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 0,
    ]);
    expect(packet[12]).toBe(0xaa);
    const header = { sourcePort: 0, destinationPort: 0, verificationTag: 0 };
    readCommonHeader(packet, header);
    expect(header).toEqual({
      sourcePort: 5000,
      destinationPort: 0xffff,
      verificationTag: 0xdeadbeef,
    });
  });

  it('rejects a packet shorter than 12 bytes', () => {
    const header = { sourcePort: 0, destinationPort: 0, verificationTag: 0 };
    expect(parseError(() => readCommonHeader(new Uint8Array(11), header)).offset).toBe(0);
  });

  it('refuses values out of range and a buffer too small', () => {
    expect(() => writeCommonHeader(new Uint8Array(12), 65536, 1, 1)).toThrow(RangeError);
    expect(() => writeCommonHeader(new Uint8Array(12), 1, 1, 2 ** 32)).toThrow(RangeError);
    expect(() => writeCommonHeader(new Uint8Array(11), 1, 1, 1)).toThrow(BufferOverflowError);
  });
});

describe('checksum (RFC 9260 §6.8)', () => {
  it('is CRC-32c of the packet with the field zeroed, least significant byte first', () => {
    const packet = packetOf(new Uint8Array([ChunkType.cookieAck, 0, 0, 4]));
    const zeroed = packet.slice();
    zeroed.fill(0, 8, 12);
    expect(readU32LE(packet, 8)).toBe(crc32c(zeroed));
    expect(verifyChecksum(packet)).toBe(true);
  });

  it('ignores what the field held before, and does not touch the rest', () => {
    const packet = packetOf(new Uint8Array([ChunkType.cookieAck, 0, 0, 4]));
    const copy = packet.slice();
    copy.fill(0x5a, 8, 12);
    writeChecksum(copy);
    expect(copy).toEqual(packet);
  });

  it('works on a view at an offset into a larger buffer', () => {
    const packet = packetOf(new Uint8Array([ChunkType.shutdownAck, 0, 0, 4]));
    const backing = new Uint8Array(packet.length + 7).fill(0x33);
    backing.set(packet, 3);
    const view = backing.subarray(3, 3 + packet.length);
    expect(verifyChecksum(view)).toBe(true);
    view.fill(0, 8, 12);
    writeChecksum(view);
    expect(view).toEqual(packet);
    expect(backing[2]).toBe(0x33);
  });

  it('fails on corruption or a short packet', () => {
    const packet = packetOf(new Uint8Array([ChunkType.cookieAck, 0, 0, 4]));
    packet[13] = 1;
    expect(verifyChecksum(packet)).toBe(false);
    expect(verifyChecksum(new Uint8Array(11))).toBe(false);
    expect(() => writeChecksum(new Uint8Array(11))).toThrow(RangeError);
  });
});

describe('chunk header (RFC 9260 §3.2)', () => {
  it('walks a packet, padding between chunks, into one reused header', () => {
    // A 5-byte COOKIE ECHO padded to 8, then a COOKIE ACK.
    const packet = packetOf(
      new Uint8Array([ChunkType.cookieEcho, 0, 0, 5, 0x42, 0, 0, 0]),
      new Uint8Array([ChunkType.cookieAck, 0x80, 0, 4]),
    );
    const header = createChunkHeader();
    readChunkHeader(packet, COMMON_HEADER_LENGTH, header);
    expect(header).toEqual({
      type: ChunkType.cookieEcho,
      flags: 0,
      length: 5,
      offset: 12,
      valueOffset: 16,
      next: 20,
    });
    readChunkHeader(packet, header.next, header);
    expect(header).toEqual({
      type: ChunkType.cookieAck,
      flags: 0x80,
      length: 4,
      offset: 20,
      valueOffset: 24,
      next: 24,
    });
  });

  it('accepts a last chunk without its padding, clamping next to the packet', () => {
    const packet = packetOf(new Uint8Array([ChunkType.cookieEcho, 0, 0, 6, 1, 2]));
    expect(chunkHeaders(packet).map((header) => [header.length, header.next])).toEqual([
      [6, packet.length],
    ]);
  });

  it('rejects a truncated header, a length below 4 and a length past the packet', () => {
    const header = createChunkHeader();
    const short = packetOf(new Uint8Array([ChunkType.cookieAck, 0, 0]));
    expect(parseError(() => readChunkHeader(short, 12, header)).offset).toBe(12);
    const tiny = packetOf(new Uint8Array([ChunkType.cookieAck, 0, 0, 3]));
    expect(parseError(() => readChunkHeader(tiny, 12, header)).message).toMatch(/below/);
    const long = packetOf(new Uint8Array([ChunkType.cookieEcho, 0, 0, 9, 1, 2, 3, 4]));
    expect(parseError(() => readChunkHeader(long, 12, header)).message).toMatch(/past/);
    expect(parseError(() => readChunkHeader(long, 40, header)).offset).toBe(40);
  });

  it('reads the T bit', () => {
    const header = createChunkHeader();
    readChunkHeader(new Uint8Array([ChunkType.abort, 1, 0, 4]), 0, header);
    expect(isTagReflected(header)).toBe(true);
    readChunkHeader(new Uint8Array([ChunkType.abort, 2, 0, 4]), 0, header);
    expect(isTagReflected(header)).toBe(false);
  });

  it('pads to multiples of 4', () => {
    expect([0, 1, 2, 3, 4, 5, 8, 65535].map(padded)).toEqual([0, 4, 4, 4, 4, 8, 8, 65536]);
  });
});

describe('unrecognized types (RFC 9260 §3.2, §3.2.1)', () => {
  it('takes the action from the two high bits', () => {
    expect([0x3f, 0x40, 0x84, 0xc0].map(unrecognizedChunkAction)).toEqual([
      'stop',
      'stop-report',
      'skip',
      'skip-report',
    ]);
    expect([0x000d, 0x4001, 0x8008, 0xc000].map(unrecognizedParameterAction)).toEqual([
      'stop',
      'stop-report',
      'skip',
      'skip-report',
    ]);
  });
});
