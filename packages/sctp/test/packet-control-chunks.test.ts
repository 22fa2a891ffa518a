import { fromHex, toHex } from '@typertc/common';
import { describe, expect, it } from 'vitest';
import {
  ChunkType,
  cookiePreservativeParameter,
  ErrorCauseCode,
  encodeAbortChunk,
  encodeCookieAckChunk,
  encodeCookieEchoChunk,
  encodeErrorChunk,
  encodeForwardTsnChunk,
  encodeHeartbeatAckChunk,
  encodeHeartbeatChunk,
  encodeInitAckChunk,
  encodeInitChunk,
  encodeShutdownAckChunk,
  encodeShutdownChunk,
  encodeShutdownCompleteChunk,
  forwardTsnSupportedParameter,
  type InitChunk,
  invalidStreamIdentifierCause,
  isTagReflected,
  ParameterType,
  parseAbortChunk,
  parseCookieEchoChunk,
  parseErrorChunk,
  parseForwardTsnChunk,
  parseHeartbeatChunk,
  parseInitChunk,
  parseShutdownChunk,
  supportedExtensionsParameter,
} from '../src/packet/index.js';
import { inPacket, parseError } from './packet-helpers.js';

const INIT: InitChunk = {
  initiateTag: 0x11223344,
  advertisedReceiverWindow: 0x100000,
  outboundStreams: 65535,
  inboundStreams: 65535,
  initialTsn: 0xffffffff,
  parameters: [
    forwardTsnSupportedParameter(),
    supportedExtensionsParameter([ChunkType.reconfig, ChunkType.forwardTsn]),
    cookiePreservativeParameter(1000),
    // Odd length last: its 3 bytes of padding are outside the chunk length.
    { type: ParameterType.stateCookie, value: new Uint8Array([9]) },
  ],
};

function withoutOffsets(init: InitChunk): InitChunk {
  return { ...init, parameters: init.parameters.map(({ type, value }) => ({ type, value })) };
}

describe('INIT and INIT ACK (RFC 9260 §3.3.2, §3.3.3)', () => {
  it('round-trip, the last parameter padded but not counted in the chunk length', () => {
    for (const [encode, type] of [
      [encodeInitChunk, ChunkType.init],
      [encodeInitAckChunk, ChunkType.initAck],
    ] as const) {
      const chunk = encode(INIT);
      // 20 fixed + 4 (FORWARD-TSN supported) + 8 (extensions, padded) + 8 + 5 (cookie).
      expect(chunk.length).toBe(48);
      const { packet, header } = inPacket(chunk);
      expect(header.type).toBe(type);
      expect(header.length).toBe(45);
      expect(withoutOffsets(parseInitChunk(packet, header))).toEqual(INIT);
    }
  });

  it('places the fixed fields as §3.3.2 draws them', () => {
    const chunk = encodeInitChunk({ ...INIT, parameters: [] });
    expect(toHex(chunk)).toBe('01000014' + '11223344' + '00100000' + 'ffffffff' + 'ffffffff');
  });

  it('records where each parameter starts in the packet', () => {
    const { packet, header } = inPacket(encodeInitChunk(INIT));
    const offsets = parseInitChunk(packet, header).parameters.map((parameter) => parameter.offset);
    expect(offsets).toEqual([32, 36, 44, 52]);
  });

  it('rejects a zero initiate tag or stream count, and a chunk too short', () => {
    const chunk = encodeInitChunk(INIT);
    for (const [at, what] of [
      [4, /initiate tag 0/],
      [12, /0 outbound streams/],
      [14, /0 inbound streams/],
    ] as const) {
      const bad = chunk.slice();
      bad.fill(0, at, at === 4 ? 8 : at + 2);
      const { packet, header } = inPacket(bad);
      expect(parseError(() => parseInitChunk(packet, header)).message).toMatch(what);
    }
    const short = inPacket(fromHex('01 00 0010 11223344 00010000 0001 0001'));
    expect(parseError(() => parseInitChunk(short.packet, short.header)).message).toMatch(
      /at least 20/,
    );
  });

  it('rejects malformed parameter lists', () => {
    const fixed = '11223344 00010000 0001 0001 00000001';
    for (const parameters of [
      'c000 0003', // length below the 4-byte parameter header
      '0007 0009 01020304', // value runs past the chunk
      'c000 0004 aa', // a stray byte after the last parameter
      'c000 0004 aabbcc', // three stray bytes
    ]) {
      const value = fromHex(fixed + parameters);
      const chunk = new Uint8Array(4 + value.length);
      chunk.set([ChunkType.init, 0, 0, chunk.length]);
      chunk.set(value, 4);
      const { packet, header } = inPacket(chunk);
      expect(() => parseInitChunk(packet, header), parameters).toThrow(/parameter list/);
    }
  });

  it('refuses to encode what a receiver would reject', () => {
    expect(() => encodeInitChunk({ ...INIT, initiateTag: 0 })).toThrow(RangeError);
    expect(() => encodeInitAckChunk({ ...INIT, inboundStreams: 0 })).toThrow(RangeError);
  });
});

describe('HEARTBEAT and HEARTBEAT ACK (RFC 9260 §3.3.5, §3.3.6)', () => {
  it('carry the Heartbeat Information opaquely, both ways', () => {
    const info = new Uint8Array([1, 2, 3, 4, 5, 6, 7]);
    const chunk = encodeHeartbeatChunk(info);
    expect(toHex(chunk)).toBe('0400000f0001000b0102030405060700');
    const { packet, header } = inPacket(chunk);
    expect(parseHeartbeatChunk(packet, header)).toEqual(info);
    const ack = inPacket(encodeHeartbeatAckChunk(info));
    expect(ack.header.type).toBe(ChunkType.heartbeatAck);
    expect(parseHeartbeatChunk(ack.packet, ack.header)).toEqual(info);
  });

  it('rejects a HEARTBEAT without Heartbeat Information', () => {
    const { packet, header } = inPacket(fromHex('04 00 0008 0007 0004'));
    expect(parseError(() => parseHeartbeatChunk(packet, header)).message).toMatch(/Heartbeat/);
    const empty = inPacket(fromHex('04 00 0004'));
    expect(() => parseHeartbeatChunk(empty.packet, empty.header)).toThrow(/at least 8/);
  });
});

describe('ABORT and ERROR (RFC 9260 §3.3.7, §3.3.10)', () => {
  const causes = [
    invalidStreamIdentifierCause(5),
    { code: ErrorCauseCode.protocolViolation, info: new TextEncoder().encode('bad') },
  ];

  it('ABORT round-trips with and without the T bit', () => {
    for (const tagReflected of [false, true]) {
      const { packet, header } = inPacket(encodeAbortChunk({ tagReflected, causes }));
      expect(isTagReflected(header)).toBe(tagReflected);
      expect(header.length).toBe(4 + 8 + 7);
      expect(parseAbortChunk(packet, header)).toEqual({ tagReflected, causes });
    }
    const bare = inPacket(encodeAbortChunk({ tagReflected: false, causes: [] }));
    expect(toHex(bare.packet.subarray(12))).toBe('06000004');
    expect(parseAbortChunk(bare.packet, bare.header).causes).toEqual([]);
  });

  it('ERROR round-trips', () => {
    const { packet, header } = inPacket(encodeErrorChunk(causes));
    expect(header.type).toBe(ChunkType.error);
    expect(parseErrorChunk(packet, header)).toEqual(causes);
  });

  it('rejects a cause running past the chunk', () => {
    const { packet, header } = inPacket(fromHex('06 00 000c 000d 0010 41424344'));
    expect(parseError(() => parseAbortChunk(packet, header)).message).toMatch(/error cause/);
  });
});

describe('SHUTDOWN, SHUTDOWN ACK, SHUTDOWN COMPLETE (RFC 9260 §3.3.8, §3.3.9, §3.3.13)', () => {
  it('SHUTDOWN carries the cumulative TSN ack', () => {
    const chunk = encodeShutdownChunk(0xfedcba98);
    expect(toHex(chunk)).toBe('07000008fedcba98');
    const { packet, header } = inPacket(chunk);
    expect(parseShutdownChunk(packet, header)).toBe(0xfedcba98);
    const long = inPacket(fromHex('07 00 000c fedcba98 00000000'));
    expect(() => parseShutdownChunk(long.packet, long.header)).toThrow(/expected 8/);
  });

  it('SHUTDOWN ACK and SHUTDOWN COMPLETE are bare headers', () => {
    expect(toHex(encodeShutdownAckChunk())).toBe('08000004');
    expect(toHex(encodeShutdownCompleteChunk(false))).toBe('0e000004');
    const { header } = inPacket(encodeShutdownCompleteChunk(true));
    expect([header.type, isTagReflected(header)]).toEqual([ChunkType.shutdownComplete, true]);
  });
});

describe('COOKIE ECHO and COOKIE ACK (RFC 9260 §3.3.11, §3.3.12)', () => {
  it('COOKIE ECHO carries the cookie as is, padded', () => {
    const cookie = new Uint8Array([1, 2, 3, 4, 5]);
    const chunk = encodeCookieEchoChunk(cookie);
    expect(toHex(chunk)).toBe('0a0000090102030405000000');
    const { packet, header } = inPacket(chunk);
    const read = parseCookieEchoChunk(packet, header);
    expect(read).toEqual(cookie);
    expect(read.buffer).toBe(packet.buffer);
  });

  it('COOKIE ACK is a bare header', () => {
    expect(toHex(encodeCookieAckChunk())).toBe('0b000004');
  });
});

describe('FORWARD TSN (RFC 3758 §3.2)', () => {
  it('round-trips the new cumulative TSN and the stream entries', () => {
    const forwardTsn = {
      newCumulativeTsn: 0x80000000,
      streams: [
        { streamId: 1, ssn: 0xffff },
        { streamId: 0xffff, ssn: 0 },
      ],
    };
    const chunk = encodeForwardTsnChunk(forwardTsn);
    expect(toHex(chunk)).toBe('c0000010800000000001ffffffff0000');
    const { packet, header } = inPacket(chunk);
    expect(parseForwardTsnChunk(packet, header)).toEqual(forwardTsn);
    const bare = inPacket(encodeForwardTsnChunk({ newCumulativeTsn: 3, streams: [] }));
    expect(parseForwardTsnChunk(bare.packet, bare.header)).toEqual({
      newCumulativeTsn: 3,
      streams: [],
    });
  });

  it('rejects a partial stream entry or a missing TSN', () => {
    const partial = inPacket(fromHex('c0 00 000a 00000003 0001'));
    expect(parseError(() => parseForwardTsnChunk(partial.packet, partial.header)).offset).toBe(12);
    const bare = inPacket(fromHex('c0 00 0004'));
    expect(() => parseForwardTsnChunk(bare.packet, bare.header)).toThrow(/at least 8/);
  });
});
