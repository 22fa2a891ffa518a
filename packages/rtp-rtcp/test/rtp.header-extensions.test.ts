import { fromHex, toHex } from '@typertc/common';
import { describe, expect, it } from 'vitest';
import {
  ONE_BYTE_PROFILE,
  RtpHeaderExtensions,
  TWO_BYTE_PROFILE,
} from '../src/rtp/header-extensions.js';
import { RtpPacket } from '../src/rtp/packet.js';

function block(extensions: RtpHeaderExtensions): string {
  const out = new Uint8Array(extensions.byteLength);
  expect(extensions.writeInto(out, 0)).toBe(out.length);
  return toHex(out);
}

describe('RtpHeaderExtensions', () => {
  it('is absent until an element is set', () => {
    const extensions = new RtpHeaderExtensions();
    expect(extensions.present).toBe(false);
    expect(extensions.byteLength).toBe(0);
    expect(extensions.profile).toBeUndefined();
  });

  it('writes the one-byte form, padded to a word, when every element fits it', () => {
    const extensions = new RtpHeaderExtensions();
    extensions.set(1, fromHex('aa'));
    extensions.set(14, fromHex('000102030405060708090a0b0c0d0e0f'));
    expect(extensions.profile).toBe(ONE_BYTE_PROFILE);
    // 2 + 17 = 19 bytes of elements, padded to 20: 5 words.
    expect(block(extensions)).toBe('bede000510aaef000102030405060708090a0b0c0d0e0f00');
  });

  it('switches to the two-byte form for an id above 14', () => {
    const extensions = new RtpHeaderExtensions();
    extensions.set(1, fromHex('aa'));
    extensions.set(15, fromHex('bb'));
    expect(extensions.profile).toBe(TWO_BYTE_PROFILE);
    expect(block(extensions)).toBe('100000020101aa0f01bb0000');
  });

  it('switches to the two-byte form for an empty value or one over 16 bytes', () => {
    const empty = new RtpHeaderExtensions();
    empty.set(2, new Uint8Array(0));
    expect(block(empty)).toBe('1000000102000000');
    const long = new RtpHeaderExtensions();
    long.set(2, new Uint8Array(17).fill(0xcc));
    expect(long.profile).toBe(TWO_BYTE_PROFILE);
    expect(long.byteLength).toBe(4 + 20);
  });

  it('goes back to the one-byte form when the element needing two bytes is removed', () => {
    const extensions = new RtpHeaderExtensions();
    extensions.set(1, fromHex('aa'));
    extensions.set(200, fromHex('bb'));
    expect(extensions.delete(200)).toBe(true);
    expect(extensions.delete(200)).toBe(false);
    expect(block(extensions)).toBe('bede000110aa0000');
  });

  it('writes the two-byte form with appbits when asked to', () => {
    const extensions = new RtpHeaderExtensions();
    extensions.twoByte = true;
    extensions.appBits = 5;
    extensions.set(3, fromHex('01'));
    expect(block(extensions)).toBe('1005000103010100');
  });

  it('replaces an element set twice, keeping its place', () => {
    const extensions = new RtpHeaderExtensions();
    extensions.set(1, fromHex('aa'));
    extensions.set(2, fromHex('bb'));
    extensions.set(1, fromHex('cccc'));
    expect(extensions.count).toBe(2);
    expect(extensions.idAt(0)).toBe(1);
    expect(toHex(extensions.valueAt(0))).toBe('cccc');
    expect(extensions.has(2)).toBe(true);
    expect(extensions.has(3)).toBe(false);
  });

  it('rejects invalid ids and values with RangeError', () => {
    const extensions = new RtpHeaderExtensions();
    expect(() => extensions.set(0, fromHex('aa'))).toThrow(RangeError);
    expect(() => extensions.set(256, fromHex('aa'))).toThrow(RangeError);
    expect(() => extensions.set(1.5, fromHex('aa'))).toThrow(RangeError);
    expect(() => extensions.set(1, new Uint8Array(256))).toThrow(RangeError);
    expect(() => extensions.idAt(0)).toThrow(RangeError);
    expect(() => extensions.setOpaque(ONE_BYTE_PROFILE, new Uint8Array(4))).toThrow(RangeError);
    expect(() => extensions.setOpaque(0x1003, new Uint8Array(4))).toThrow(RangeError);
    expect(() => extensions.setOpaque(0x1234, new Uint8Array(3))).toThrow(RangeError);
  });

  it('holds an opaque block until an RFC 8285 element replaces it', () => {
    const extensions = new RtpHeaderExtensions();
    extensions.setOpaque(0x1234, fromHex('01020304'));
    expect(block(extensions)).toBe('1234000101020304');
    extensions.set(1, fromHex('aa'));
    expect(extensions.opaqueProfile).toBeUndefined();
    expect(block(extensions)).toBe('bede000110aa0000');
  });
});

describe('header extensions on a packet', () => {
  it('adds, changes and removes elements of a parsed packet', () => {
    const packet = RtpPacket.parse(fromHex('80600001 00000002 00000003 ff'));
    packet.extensions.set(5, fromHex('0102'));
    const withExtension = packet.serialize();
    expect(toHex(withExtension)).toBe('906000010000000200000003bede000151010200ff');
    const parsed = RtpPacket.parse(withExtension);
    expect(toHex(parsed.extensions.get(5) ?? new Uint8Array())).toBe('0102');
    parsed.extensions.delete(5);
    expect(toHex(parsed.serialize())).toBe('806000010000000200000003ff');
  });

  it('keeps the two-byte form and appbits of a parsed packet when re-serializing', () => {
    const bytes = fromHex('90000001 00000002 00000003 10070001 0101aa00 ff');
    const packet = RtpPacket.parse(bytes);
    expect(packet.extensions.twoByte).toBe(true);
    expect(packet.extensions.appBits).toBe(7);
    expect(toHex(packet.serialize())).toBe(toHex(bytes));
  });

  it('drops interior padding and anything after id 15 when re-serializing', () => {
    const packet = RtpPacket.parse(
      fromHex('90000001 00000002 00000003 bede0003 10aa0000 21bbbbf0 12345678 ff'),
    );
    expect(packet.extensions.count).toBe(2);
    expect(toHex(packet.serialize())).toBe('900000010000000200000003bede000210aa21bbbb000000ff');
  });
});
