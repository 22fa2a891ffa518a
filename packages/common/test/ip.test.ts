import { describe, expect, it } from 'vitest';
import { formatIpAddress, InvalidAddressError, parseIpAddress, toHex } from '../src/index.js';

describe('parseIpAddress and formatIpAddress', () => {
  it.each([
    ['192.0.2.1', 'IPv4', 'c0000201', '192.0.2.1'],
    ['0.0.0.0', 'IPv4', '00000000', '0.0.0.0'],
    ['::', 'IPv6', '0'.repeat(32), '::'],
    ['::1', 'IPv6', `${'0'.repeat(30)}01`, '::1'],
    [
      '2001:DB8:0:0:8:800:200C:417A',
      'IPv6',
      '20010db80000000000080800200c417a',
      '2001:db8::8:800:200c:417a',
    ],
    // RFC 5952 §4.2.2: a single zero group is not shortened; §4.2.3: the first of equal runs.
    ['2001:db8:0:1:1:1:1:1', 'IPv6', '20010db8000000010001000100010001', '2001:db8:0:1:1:1:1:1'],
    ['2001:0:0:1:0:0:0:1', 'IPv6', '20010000000000010000000000000001', '2001:0:0:1::1'],
    ['2001:db8:0:0:1:0:0:1', 'IPv6', '20010db8000000000001000000000001', '2001:db8::1:0:0:1'],
    ['::ffff:192.0.2.128', 'IPv6', '00000000000000000000ffffc0000280', '::ffff:c000:280'],
    ['fe80::1%eth0', 'IPv6', `fe80${'0'.repeat(26)}01`, 'fe80::1'],
  ])('%s', (text, family, hex, canonical) => {
    const parsed = parseIpAddress(text);
    expect(parsed.family).toBe(family);
    expect(toHex(parsed.bytes)).toBe(hex);
    expect(formatIpAddress(parsed.bytes)).toBe(canonical);
  });

  it.each([
    '',
    '1.2.3',
    '1.2.3.4.5',
    '256.1.1.1',
    '01.2.3.4',
    '1.2.3.-4',
    '1::2::3',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7::8',
    '12345::',
    'g::',
    'localhost',
  ])('rejects %j', (text) => {
    expect(() => parseIpAddress(text)).toThrow(InvalidAddressError);
  });

  it('rejects byte strings that are neither 4 nor 16 long', () => {
    expect(() => formatIpAddress(new Uint8Array(5))).toThrow(InvalidAddressError);
  });
});
