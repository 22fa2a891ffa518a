import { BufferOverflowError, fromHex, toHex } from '@typertc/common';
import { describe, expect, it } from 'vitest';
import { RtpParseError } from '../src/errors.js';
import { ONE_BYTE_PROFILE, TWO_BYTE_PROFILE } from '../src/rtp/header-extensions.js';
import { RtpPacket } from '../src/rtp/packet.js';

/** Catches the error `fn` throws, to check its class and offset. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

function parseError(bytes: Uint8Array): RtpParseError {
  const error = thrown(() => RtpPacket.parse(bytes));
  expect(error).toBeInstanceOf(RtpParseError);
  return error as RtpParseError;
}

// V=2 P=0 X=0 CC=0, M=1 PT=111, seq 0x1234, ts 0xdeadbeef, SSRC 0x01020304, payload 3 bytes.
const SIMPLE = fromHex('80ef1234 deadbeef 01020304 aabbcc');

// V=2 P=1 X=1 CC=2, M=0 PT=96, seq 65535, ts 0xffffffff, SSRC 0x80000000, CSRCs 1 and
// 0xfffffffe, a one-byte block (id 1 = "a", id 3 = 0x123456), payload 2 bytes, 3 padding bytes.
const FULL = fromHex(
  'b260ffff ffffffff 80000000 00000001 fffffffe bede0002 10613212 34560000 0102 000003',
);

describe('RtpPacket.parse', () => {
  it('reads every fixed header field', () => {
    const packet = RtpPacket.parse(SIMPLE);
    expect(packet.version).toBe(2);
    expect(packet.padding).toBe(false);
    expect(packet.extension).toBe(false);
    expect(packet.marker).toBe(true);
    expect(packet.payloadType).toBe(111);
    expect(packet.sequenceNumber).toBe(0x1234);
    expect(packet.timestamp).toBe(0xdeadbeef);
    expect(packet.ssrc).toBe(0x01020304);
    expect(packet.csrcs).toEqual([]);
    expect(toHex(packet.payload)).toBe('aabbcc');
    expect(packet.headerLength).toBe(12);
    expect(packet.byteLength).toBe(15);
  });

  it('reads CSRCs, extensions and padding, with 32-bit values unsigned', () => {
    const packet = RtpPacket.parse(FULL);
    expect(packet.marker).toBe(false);
    expect(packet.payloadType).toBe(96);
    expect(packet.sequenceNumber).toBe(65535);
    expect(packet.timestamp).toBe(0xffffffff);
    expect(packet.ssrc).toBe(0x80000000);
    expect(packet.csrcs).toEqual([1, 0xfffffffe]);
    expect(packet.extension).toBe(true);
    expect(packet.extensions.profile).toBe(ONE_BYTE_PROFILE);
    expect(toHex(packet.extensions.get(1) ?? new Uint8Array())).toBe('61');
    expect(toHex(packet.extensions.get(3) ?? new Uint8Array())).toBe('123456');
    expect(packet.extensions.get(2)).toBeUndefined();
    expect(toHex(packet.payload)).toBe('0102');
    expect(packet.padding).toBe(true);
    expect(packet.paddingLength).toBe(3);
    expect(packet.headerLength).toBe(32);
  });

  it('returns the payload as a view into the input, not a copy', () => {
    const bytes = SIMPLE.slice();
    const packet = RtpPacket.parse(bytes);
    expect(packet.payload.buffer).toBe(bytes.buffer);
    bytes[12] = 0x11;
    expect(packet.payload[0]).toBe(0x11);
  });

  it('respects the byteOffset of a view into a larger buffer', () => {
    const backing = new Uint8Array(SIMPLE.length + 9).fill(0x90);
    backing.set(SIMPLE, 5);
    const packet = RtpPacket.parse(backing.subarray(5, 5 + SIMPLE.length));
    expect(packet.sequenceNumber).toBe(0x1234);
    expect(toHex(packet.payload)).toBe('aabbcc');
  });

  it('accepts a header with an empty payload', () => {
    const packet = RtpPacket.parse(SIMPLE.subarray(0, 12));
    expect(packet.payload.length).toBe(0);
  });

  it('keeps an extension block under a non-RFC 8285 profile opaque', () => {
    const packet = RtpPacket.parse(fromHex('90000001 00000002 00000003 abcd0001 01020304 ff'));
    expect(packet.extensions.opaqueProfile).toBe(0xabcd);
    expect(toHex(packet.extensions.opaqueData)).toBe('01020304');
    expect(packet.extensions.count).toBe(0);
    expect(toHex(packet.serialize())).toBe('900000010000000200000003abcd000101020304ff');
  });
});

describe('RtpPacket.parse rejects malformed packets with RtpParseError and the offset', () => {
  it('shorter than the fixed header', () => {
    expect(parseError(SIMPLE.subarray(0, 11)).offset).toBe(0);
    expect(parseError(new Uint8Array(0)).offset).toBe(0);
  });

  it('a version other than 2', () => {
    for (const first of [0x00, 0x40, 0xc0]) {
      const bytes = SIMPLE.slice();
      bytes[0] = first;
      expect(parseError(bytes).offset).toBe(0);
    }
  });

  it('a CSRC count beyond the packet', () => {
    // CC=3 needs 12 bytes after the fixed header; 8 are there.
    const error = parseError(fromHex('83000001 00000002 00000003 00000004 00000005'));
    expect(error.offset).toBe(12);
    expect(error.code).toBe('RTP_PARSE');
  });

  it('an extension header cut short', () => {
    expect(parseError(fromHex('90000001 00000002 00000003 bede')).offset).toBe(12);
  });

  it('an extension length beyond the packet', () => {
    // Two words announced, one present.
    const error = parseError(fromHex('90000001 00000002 00000003 bede0002 10aa0000'));
    expect(error.offset).toBe(14);
  });

  it('an extension element running past its block', () => {
    // id 2, 4 bytes, in a one-word block: the element header is at offset 18.
    const error = parseError(fromHex('90000001 00000002 00000003 bede0001 10aa23bb ccddeeff'));
    expect(error.offset).toBe(18);
  });

  it('a padding count of zero', () => {
    const error = parseError(fromHex('a0000001 00000002 00000003 aabb00'));
    expect(error.offset).toBe(14);
  });

  it('a padding count beyond the payload', () => {
    // 3 bytes after the header, count 4.
    expect(parseError(fromHex('a0000001 00000002 00000003 aabb04')).offset).toBe(14);
    // With no bytes after the header at all, the count is the SSRC's last byte.
    expect(parseError(fromHex('a0000001 00000002 00000001')).offset).toBe(11);
  });

  it('a padding count that would eat into the extension block', () => {
    const error = parseError(fromHex('b0000001 00000002 00000003 bede0001 10aa0000 05'));
    expect(error.offset).toBe(20);
  });

  it('accepts padding that takes every byte after the header', () => {
    const packet = RtpPacket.parse(fromHex('a0000001 00000002 00000003 000003'));
    expect(packet.payload.length).toBe(0);
    expect(packet.paddingLength).toBe(3);
  });
});

describe('RtpPacket serialization', () => {
  it('writes a parsed packet back byte for byte', () => {
    expect(toHex(RtpPacket.parse(SIMPLE).serialize())).toBe(toHex(SIMPLE));
    expect(toHex(RtpPacket.parse(FULL).serialize())).toBe(toHex(FULL));
  });

  it('builds a packet from fields', () => {
    const packet = new RtpPacket({
      marker: true,
      payloadType: 96,
      sequenceNumber: 0xabcd,
      timestamp: 0x89abcdef,
      ssrc: 0xcafebabe,
      csrcs: [7],
      payload: fromHex('0102'),
      paddingLength: 2,
    });
    expect(toHex(packet.serialize())).toBe('a1e0abcd89abcdefcafebabe0000000701020002');
  });

  it('writes into a caller buffer at an offset and returns the bytes written', () => {
    const packet = RtpPacket.parse(FULL);
    const buffer = new Uint8Array(100).fill(0x77);
    const written = packet.serializeInto(buffer, 10);
    expect(written).toBe(FULL.length);
    expect(written).toBe(packet.byteLength);
    expect(toHex(buffer.subarray(10, 10 + written))).toBe(toHex(FULL));
    expect(buffer[9]).toBe(0x77);
    expect(buffer[10 + written]).toBe(0x77);
  });

  it('raises BufferOverflowError, writing nothing, when the packet does not fit', () => {
    const packet = RtpPacket.parse(SIMPLE);
    const buffer = new Uint8Array(20).fill(0x77);
    expect(() => packet.serializeInto(buffer, 6)).toThrow(BufferOverflowError);
    expect(buffer.every((byte) => byte === 0x77)).toBe(true);
    expect(packet.serializeInto(buffer, 5)).toBe(15);
  });

  it('gives each serialized packet bytes of its own, however they are allocated', () => {
    const packet = RtpPacket.parse(SIMPLE);
    const outputs = Array.from({ length: 40 }, (_, i) => {
      packet.sequenceNumber = i;
      return packet.serialize();
    });
    for (const [i, output] of outputs.entries()) {
      expect(RtpPacket.parse(output).sequenceNumber).toBe(i);
      output.fill(0xff);
    }
    packet.payload = new Uint8Array(5000).fill(1);
    const large = packet.serialize();
    expect(large.byteOffset).toBe(0);
    expect(large.buffer.byteLength).toBe(5012);
    expect(toHex(large.subarray(0, 12))).toBe(toHex(packet.serialize().subarray(0, 12)));
  });

  it('serializes in place over the bytes it was parsed from', () => {
    const bytes = FULL.slice();
    const packet = RtpPacket.parse(bytes);
    packet.sequenceNumber = 1;
    expect(packet.serializeInto(bytes, 0)).toBe(FULL.length);
    expect(toHex(bytes.subarray(4))).toBe(toHex(FULL.subarray(4)));
    expect(toHex(bytes.subarray(2, 4))).toBe('0001');
  });

  it('rejects fields out of range with RangeError', () => {
    const cases: [keyof RtpPacket, number][] = [
      ['payloadType', 128],
      ['sequenceNumber', 65536],
      ['timestamp', 2 ** 32],
      ['ssrc', -1],
      ['paddingLength', 256],
      ['sequenceNumber', 1.5],
    ];
    for (const [field, value] of cases) {
      const packet = RtpPacket.parse(SIMPLE);
      Object.assign(packet, { [field]: value });
      expect(() => packet.serialize(), `${field} = ${value}`).toThrow(RangeError);
    }
    const packet = new RtpPacket({ csrcs: new Array<number>(16).fill(1) });
    expect(() => packet.serialize()).toThrow(RangeError);
  });
});

describe('RtpPacket.parseInto', () => {
  it('reuses one object, leaving nothing of the previous packet', () => {
    const packet = new RtpPacket();
    expect(RtpPacket.parseInto(packet, FULL)).toBe(packet);
    const csrcs = packet.csrcs;
    RtpPacket.parseInto(packet, SIMPLE);
    expect(packet.csrcs).toBe(csrcs);
    expect(packet.csrcs).toEqual([]);
    expect(packet.extension).toBe(false);
    expect(packet.extensions.count).toBe(0);
    expect(packet.paddingLength).toBe(0);
    expect(toHex(packet.serialize())).toBe(toHex(SIMPLE));
  });

  it('forgets a previous packet’s two-byte form', () => {
    const packet = new RtpPacket();
    RtpPacket.parseInto(packet, fromHex('90000001 00000002 00000003 10030001 0101aa00'));
    expect(packet.extensions.profile).toBe(TWO_BYTE_PROFILE | 3);
    RtpPacket.parseInto(packet, SIMPLE);
    packet.extensions.set(1, fromHex('bb'));
    expect(packet.extensions.profile).toBe(ONE_BYTE_PROFILE);
  });
});
