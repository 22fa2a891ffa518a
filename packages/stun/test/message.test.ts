import {
  crc32,
  fromHex,
  getCryptoBackend,
  readU16BE,
  toHex,
  writeU16BE,
  writeU32BE,
} from '@typertc/common';
import { fuzzIterations, fuzzParser } from '@typertc/common/testing';
import { describe, expect, it } from 'vitest';
import * as stun from '../src/index.js';
import {
  type AttributeCodec,
  AttributeType,
  ERROR_CODE,
  isStunMessage,
  LIFETIME,
  longTermKey,
  PasswordAlgorithm,
  prepareCredential,
  REALM,
  SOFTWARE,
  StunError,
  StunMessage,
  StunMethod,
  StunParseError,
  shortTermKey,
  UNKNOWN_ATTRIBUTES,
  USERNAME,
  userHash,
  XOR_MAPPED_ADDRESS,
  XOR_PEER_ADDRESS,
} from '../src/index.js';

/** Every attribute codec the package exports. */
const ALL_CODECS = (Object.values(stun) as unknown[]).filter(
  (value): value is AttributeCodec<unknown> =>
    typeof value === 'object' && value !== null && 'decode' in value && 'encode' in value,
);

const TRANSACTION_ID = fromHex('0102030405060708090a0b0c');
const KEY = shortTermKey('secret');

function request(): StunMessage {
  return new StunMessage('request', StunMethod.Binding, TRANSACTION_ID)
    .add(USERNAME, 'alice:bob')
    .add(SOFTWARE, 'TypeRTC');
}

describe('StunMessage header', () => {
  it.each([
    ['request', StunMethod.Binding, 0x0001],
    ['indication', StunMethod.Binding, 0x0011],
    ['success', StunMethod.Binding, 0x0101],
    ['error', StunMethod.Binding, 0x0111],
    ['request', StunMethod.Allocate, 0x0003],
    ['success', StunMethod.Refresh, 0x0104],
    ['indication', StunMethod.Send, 0x0016],
    ['indication', StunMethod.Data, 0x0017],
    ['error', StunMethod.CreatePermission, 0x0118],
    ['success', StunMethod.ChannelBind, 0x0109],
    // RFC 8489 §5: method bits are split around the class bits.
    ['error', 0xfff, 0x3fff],
  ] as const)('%s %i is message type 0x%s', (messageClass, method, type) => {
    const bytes = new StunMessage(messageClass, method, TRANSACTION_ID).encode();
    expect(readU16BE(bytes, 0)).toBe(type);
    const decoded = StunMessage.decode(bytes);
    expect([decoded.messageClass, decoded.method]).toEqual([messageClass, method]);
  });

  it('writes length, magic cookie and transaction id; random ids differ', () => {
    const bytes = request().encode();
    expect(toHex(bytes.subarray(4, 20))).toBe('2112a442' + '0102030405060708090a0b0c');
    expect(readU16BE(bytes, 2)).toBe(bytes.length - 20);
    expect(isStunMessage(bytes)).toBe(true);
    const a = new StunMessage('request', StunMethod.Binding).transactionId;
    const b = new StunMessage('request', StunMethod.Binding).transactionId;
    expect(a.length).toBe(12);
    expect(toHex(a)).not.toBe(toHex(b));
  });

  it('rejects bad methods and transaction ids', () => {
    expect(() => new StunMessage('request', 0x1000)).toThrow(StunError);
    expect(() => new StunMessage('request', 1, new Uint8Array(11))).toThrow(StunError);
  });
});

describe('StunMessage.decode rejects malformed messages with StunParseError', () => {
  const good = request().encode({ integrity: KEY, fingerprint: true });
  const cases: [string, (bytes: Uint8Array) => Uint8Array][] = [
    ['shorter than a header', (b) => b.subarray(0, 19)],
    ['first two bits set', (b) => Uint8Array.of((b[0] as number) | 0x40, ...b.subarray(1))],
    ['length not a multiple of 4', (b) => withLength(b, readU16BE(b, 2) - 2)],
    ['length longer than the datagram', (b) => withLength(b, readU16BE(b, 2) + 4)],
    ['trailing bytes after the length', (b) => Uint8Array.of(...b, 0, 0, 0, 0)],
    [
      'no magic cookie',
      (b) => {
        const c = b.slice();
        c[4] = 0;
        return c;
      },
    ],
    // USERNAME claims 200 bytes: runs past the message.
    [
      'an attribute running past the message',
      (b) => {
        const c = b.slice();
        writeU16BE(c, 22, 200);
        return c;
      },
    ],
  ];
  it.each(cases)('%s', (_, corrupt) => {
    expect(() => StunMessage.decode(corrupt(good))).toThrow(StunParseError);
  });

  it('anything after FINGERPRINT', () => {
    const bytes = request().encode({ fingerprint: true });
    const longer = new Uint8Array(bytes.length + 8);
    longer.set(bytes);
    writeU16BE(longer, 2, longer.length - 20);
    writeU16BE(longer, bytes.length, AttributeType.Software);
    writeU16BE(longer, bytes.length + 2, 4);
    expect(() => StunMessage.decode(longer)).toThrow(/after FINGERPRINT/);
  });
});

function withLength(bytes: Uint8Array, length: number): Uint8Array {
  const copy = bytes.slice();
  writeU16BE(copy, 2, length);
  return copy;
}

describe('attributes', () => {
  it('decodes as views, keeps order, and pads to 4 bytes with zeros', () => {
    const bytes = request().encode();
    // USERNAME "alice:bob" is 9 bytes: 3 zero bytes of padding follow.
    expect(toHex(bytes.subarray(20, 36))).toBe('00060009616c6963653a626f62000000');
    const decoded = StunMessage.decode(bytes);
    expect(decoded.attributes.map((a) => a.type)).toEqual([
      AttributeType.Username,
      AttributeType.Software,
    ]);
    expect(decoded.attributes[0]?.value.buffer).toBe(bytes.buffer);
    expect(decoded.get(USERNAME)).toBe('alice:bob');
    expect(decoded.get(REALM)).toBeUndefined();
    expect(decoded.has(SOFTWARE)).toBe(true);
  });

  it('re-encodes received padding as it was (RFC 5769 pads with spaces)', () => {
    const bytes = request().encode();
    bytes.fill(0x20, 33, 36);
    expect(toHex(StunMessage.decode(bytes).encode())).toBe(toHex(bytes));
  });

  it('getAll returns every instance in order', () => {
    const message = new StunMessage('request', StunMethod.CreatePermission, TRANSACTION_ID)
      .add(XOR_PEER_ADDRESS, { address: '192.0.2.1', port: 1, family: 'IPv4' })
      .add(XOR_PEER_ADDRESS, { address: '2001:db8::1', port: 2, family: 'IPv6' });
    const decoded = StunMessage.decode(message.encode());
    expect(decoded.getAll(XOR_PEER_ADDRESS).map((a) => a.address)).toEqual([
      '192.0.2.1',
      '2001:db8::1',
    ]);
  });

  it('refuses to add MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 or FINGERPRINT by hand', () => {
    for (const type of [0x0008, 0x001c, 0x8028]) {
      expect(() => request().addRaw(type, new Uint8Array(4))).toThrow(StunError);
    }
  });

  it('finds unknown comprehension-required attributes and builds the 420 response', () => {
    const message = request()
      .addRaw(0x7fff, new Uint8Array(4))
      .addRaw(0xbeef, new Uint8Array(0))
      .addRaw(0x0003, new Uint8Array(0));
    const decoded = StunMessage.decode(message.encode());
    // 0xbeef is comprehension-optional; 0x0003 (RFC 3489's CHANGE-REQUEST) is unknown here.
    expect(decoded.unknownComprehensionRequired()).toEqual([0x7fff, 0x0003]);
    const response = StunMessage.unknownAttributesResponse(decoded) as StunMessage;
    expect(response.messageClass).toBe('error');
    expect(toHex(response.transactionId)).toBe(toHex(TRANSACTION_ID));
    const answer = StunMessage.decode(response.encode());
    expect(answer.get(ERROR_CODE)).toEqual({ code: 420, reason: 'Unknown Attribute' });
    expect(answer.get(UNKNOWN_ATTRIBUTES)).toEqual([0x7fff, 0x0003]);
    expect(StunMessage.unknownAttributesResponse(request())).toBeUndefined();
  });

  it('rejects messages that would overflow the 16-bit length', () => {
    const message = request().addRaw(0x8050, new Uint8Array(65_000));
    expect(() => message.addRaw(0x8051, new Uint8Array(1000)).encode()).toThrow(StunError);
  });
});

describe('MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 and FINGERPRINT', () => {
  it('are appended last, in that order, and verify', () => {
    const bytes = request().encode({ integrity: KEY, integritySha256: KEY, fingerprint: true });
    const decoded = StunMessage.decode(bytes);
    const order: number[] = [];
    for (let at = 20; at < bytes.length; at += 4 + ((readU16BE(bytes, at + 2) + 3) & ~3)) {
      order.push(readU16BE(bytes, at));
    }
    expect(order.slice(-3)).toEqual([0x0008, 0x001c, 0x8028]);
    expect(decoded.verifyIntegrity(KEY)).toBe(true);
    expect(decoded.verifySha256Integrity(KEY)).toBe(true);
    expect(decoded.fingerprint).toBe('valid');
    expect(decoded.verifyIntegrity(shortTermKey('Secret'))).toBe(false);
    expect(decoded.verifySha256Integrity(shortTermKey('Secret'))).toBe(false);
  });

  it('MESSAGE-INTEGRITY is computed with the length up to itself (RFC 8489 §14.5)', () => {
    const withFingerprint = StunMessage.decode(
      request().encode({ integrity: KEY, fingerprint: true }),
    );
    const without = StunMessage.decode(request().encode({ integrity: KEY }));
    const mac = (m: StunMessage) =>
      toHex((m.bytes as Uint8Array).subarray(m.integrityAt + 4, m.integrityAt + 24));
    expect(mac(withFingerprint)).toBe(mac(without));
  });

  it('FINGERPRINT is the CRC-32 of what precedes it XOR 0x5354554e (RFC 8489 §14.7)', () => {
    const bytes = request().encode({ fingerprint: true });
    const expected = (crc32(bytes.subarray(0, bytes.length - 8)) ^ 0x5354554e) >>> 0;
    expect(toHex(bytes.subarray(-4))).toBe(expected.toString(16).padStart(8, '0'));
  });

  it('flags a wrong FINGERPRINT and fails MESSAGE-INTEGRITY on any changed byte', () => {
    const bytes = request().encode({ integrity: KEY, fingerprint: true });
    const badFingerprint = bytes.slice();
    badFingerprint[bytes.length - 1] = (badFingerprint[bytes.length - 1] as number) ^ 1;
    expect(StunMessage.decode(badFingerprint).fingerprint).toBe('invalid');
    for (let at = 0; at < bytes.length - 8; at++) {
      if (at === 2 || at === 3) continue; // the length field: its change is a parse error
      const forged = bytes.slice();
      forged[at] = (forged[at] as number) ^ 0x01;
      if (at < 4) forged[0] = (forged[0] as number) & 0x3f;
      let decoded: StunMessage;
      try {
        decoded = StunMessage.decode(forged);
      } catch (error) {
        expect(error).toBeInstanceOf(StunParseError);
        continue;
      }
      expect(decoded.verifyIntegrity(KEY), `byte ${at}`).toBe(false);
    }
  });

  it('ignores attributes after MESSAGE-INTEGRITY other than FINGERPRINT (RFC 8489 §14.5)', () => {
    const signed = request().encode({ integrity: KEY });
    // Append LIFETIME after MESSAGE-INTEGRITY, fixing the length field.
    const longer = new Uint8Array(signed.length + 8);
    longer.set(signed);
    writeU16BE(longer, 2, longer.length - 20);
    writeU16BE(longer, signed.length, AttributeType.Lifetime);
    writeU16BE(longer, signed.length + 2, 4);
    writeU32BE(longer, signed.length + 4, 600);
    const decoded = StunMessage.decode(longer);
    expect(decoded.get(LIFETIME)).toBeUndefined();
    expect(decoded.verifyIntegrity(KEY)).toBe(true);
  });

  it('absent integrity verifies as false; built messages have nothing to verify', () => {
    expect(StunMessage.decode(request().encode()).verifyIntegrity(KEY)).toBe(false);
    expect(request().verifyIntegrity(KEY)).toBe(false);
    expect(StunMessage.decode(request().encode()).fingerprint).toBe('absent');
  });

  it('SASLprep: maps, normalizes, and rejects prohibited output (RFC 4013)', () => {
    expect(prepareCredential('plain ASCII ~')).toBe('plain ASCII ~');
    expect(prepareCredential('I\u00adX')).toBe('IX'); // B.1 mapped to nothing
    expect(prepareCredential('a\u00a0b')).toBe('a b'); // C.1.2 to SPACE
    expect(prepareCredential('\u00aa\u2168')).toBe('aIX'); // NFKC
    for (const bad of [
      'a\u0007',
      'a\u2028b',
      'a\u06ddb',
      'a\u180eb',
      'a\u2ff0b',
      'a\u{1d173}b',
      'a\ue000',
      'a\ufffe',
    ]) {
      expect(() => prepareCredential(bad), JSON.stringify(bad)).toThrow(StunError);
    }
  });

  it('USERHASH is SHA-256 of the prepared username and realm (RFC 8489 §14.4)', () => {
    const expected = getCryptoBackend().hash(
      'SHA-256',
      new TextEncoder().encode('user name:realm'),
    );
    expect(toHex(userHash('user\u00a0name', 'realm'))).toBe(toHex(expected));
  });

  it('long-term keys: MD5 by default, SHA-256 when chosen (RFC 8489 §9.2.2)', () => {
    const md5 = longTermKey('user', 'realm', 'pass');
    const sha256 = longTermKey('user', 'realm', 'pass', PasswordAlgorithm.Sha256);
    expect(toHex(md5)).toBe('8493fbc53ba582fb4c044c456bdc40eb');
    expect(sha256.length).toBe(32);
    expect(() => longTermKey('user', 'realm', 'pass', 3)).toThrow(StunError);
  });
});

describe('fuzz', () => {
  const seeds = [
    request().encode({ integrity: KEY, fingerprint: true }),
    new StunMessage('success', StunMethod.Binding, TRANSACTION_ID)
      .add(XOR_MAPPED_ADDRESS, { address: '2001:db8::1', port: 3478, family: 'IPv6' })
      .add(ERROR_CODE, { code: 401, reason: 'Unauthorized' })
      .encode({ integritySha256: KEY, fingerprint: true }),
  ];

  it('fuzz: decode, verify and every known attribute decode throw only StunParseError', () => {
    expect(ALL_CODECS.length).toBeGreaterThan(30);
    fuzzParser({
      seeds,
      iterations: fuzzIterations(3000),
      expectedError: StunParseError,
      parse(bytes) {
        const message = StunMessage.decode(bytes);
        message.verifyIntegrity(KEY);
        message.verifySha256Integrity(KEY);
        for (const codec of ALL_CODECS) message.getAll(codec);
        return message;
      },
    });
  });
});
