import { concatBytes, fromHex, toHex } from '@typertc/common';
import { describe, expect, it } from 'vitest';
import { DtlsParseError } from '../src/errors.js';
import {
  fragmentMessage,
  HANDSHAKE_HEADER_LENGTH,
  HandshakeType,
  readHandshakeFragment,
  readHandshakeFragments,
  transcriptBytes,
} from '../src/handshake/index.js';

function body(length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 7 + 3) & 0xff);
}

describe('readHandshakeFragment', () => {
  it('reads the RFC 6347 §4.2.2 header fields and a view of the body', () => {
    const bytes = fromHex('0b 000100 0003 000010 000004 deadbeef');
    const { fragment, next } = readHandshakeFragment(bytes);
    expect(fragment).toMatchObject({
      msgType: HandshakeType.certificate,
      length: 256,
      messageSeq: 3,
      fragmentOffset: 16,
      fragmentLength: 4,
    });
    expect(toHex(fragment.body)).toBe('deadbeef');
    expect(fragment.body.buffer).toBe(bytes.buffer);
    expect(next).toBe(16);
  });

  it('reads several fragments from one record, reporting offsets into the record', () => {
    const first = fragmentMessage(HandshakeType.serverHello, 1, body(20), 1200);
    const second = fragmentMessage(HandshakeType.serverHelloDone, 2, new Uint8Array(0), 1200);
    const record = concatBytes(...first, ...second);
    const fragments = readHandshakeFragments(record);
    expect(fragments.map((f) => [f.msgType, f.messageSeq, f.fragmentLength])).toEqual([
      [HandshakeType.serverHello, 1, 20],
      [HandshakeType.serverHelloDone, 2, 0],
    ]);
    expect(readHandshakeFragment(record, 32).fragment.msgType).toBe(HandshakeType.serverHelloDone);

    const cut = record.subarray(0, record.length - 1);
    try {
      readHandshakeFragments(cut);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DtlsParseError);
      // The second fragment starts at 32; its fragment_length (at 32 + 9) is cut short.
      expect((error as DtlsParseError).offset).toBe(41);
    }
  });

  it.each([
    ['a header cut short', '01 000004 0000 000000'],
    ['a body cut short', '01 000004 0000 000000 000004 010203'],
    ['a fragment past the message length', '01 000004 0000 000002 000003 010203'],
    ['an empty input', ''],
  ])('rejects %s with DtlsParseError', (_, hex) => {
    expect(() => readHandshakeFragment(fromHex(hex))).toThrow(DtlsParseError);
  });
});

describe('fragmentMessage', () => {
  it.each([
    // [limit, body length, fragment sizes including the 12-byte header]
    [100, 88, [100]],
    [100, 89, [100, 13]],
    [100, 250, [100, 100, 86]],
    [1200, 1000, [1012]],
    [1200, 1188, [1200]],
    [1200, 3000, [1200, 1200, 636]],
    [1200, 0, [12]],
  ])('limit %i, body %i -> fragments of %j bytes', (limit, length, sizes) => {
    const message = body(length);
    const fragments = fragmentMessage(HandshakeType.certificate, 5, message, limit);
    expect(fragments.map((f) => f.length)).toEqual(sizes);

    let expectedOffset = 0;
    const reassembled: Uint8Array[] = [];
    for (const bytes of fragments) {
      const { fragment, next } = readHandshakeFragment(bytes);
      expect(next).toBe(bytes.length);
      expect(fragment.msgType).toBe(HandshakeType.certificate);
      expect(fragment.length).toBe(length);
      expect(fragment.messageSeq).toBe(5);
      expect(fragment.fragmentOffset).toBe(expectedOffset);
      expect(fragment.fragmentLength).toBe(bytes.length - HANDSHAKE_HEADER_LENGTH);
      expectedOffset += fragment.fragmentLength;
      reassembled.push(fragment.body);
    }
    expect(expectedOffset).toBe(length);
    expect(toHex(concatBytes(...reassembled))).toBe(toHex(message));
  });

  it('writes the header bytes in network order', () => {
    const [only] = fragmentMessage(HandshakeType.clientKeyExchange, 0x0102, fromHex('aabb'), 100);
    expect(toHex(only ?? new Uint8Array(0))).toBe(
      '10' + '000002' + '0102' + '000000' + '000002' + 'aabb',
    );
  });

  it('refuses a limit with no room for body bytes', () => {
    expect(() => fragmentMessage(HandshakeType.finished, 0, body(12), 12)).toThrow(RangeError);
  });
});

describe('transcriptBytes', () => {
  it('is the unfragmented message, whatever fragments it travelled in (RFC 6347 §4.2.6)', () => {
    const message = body(300);
    const transcript = transcriptBytes(HandshakeType.certificate, 4, message);
    expect(toHex(transcript.subarray(0, HANDSHAKE_HEADER_LENGTH))).toBe(
      '0b' + '00012c' + '0004' + '000000' + '00012c',
    );
    expect(toHex(transcript.subarray(HANDSHAKE_HEADER_LENGTH))).toBe(toHex(message));
    const [single] = fragmentMessage(HandshakeType.certificate, 4, message, 1200);
    expect(toHex(single ?? new Uint8Array(0))).toBe(toHex(transcript));
  });

  it('covers an empty body with the header alone', () => {
    expect(toHex(transcriptBytes(HandshakeType.serverHelloDone, 3, new Uint8Array(0)))).toBe(
      '0e' + '000000' + '0003' + '000000' + '000000',
    );
  });
});
