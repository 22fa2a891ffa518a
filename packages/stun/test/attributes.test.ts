import { fromHex, toHex } from '@typertc/common';
import { describe, expect, it } from 'vitest';
import {
  ADDITIONAL_ADDRESS_FAMILY,
  ADDRESS_ERROR_CODE,
  ALTERNATE_DOMAIN,
  ALTERNATE_SERVER,
  type AttributeCodec,
  CHANNEL_NUMBER,
  DATA,
  DONT_FRAGMENT,
  ERROR_CODE,
  EVEN_PORT,
  GOOG_NETWORK_INFO,
  ICE_CONTROLLED,
  ICE_CONTROLLING,
  ICMP,
  LIFETIME,
  MAPPED_ADDRESS,
  NONCE,
  PASSWORD_ALGORITHM,
  PASSWORD_ALGORITHMS,
  PRIORITY,
  REALM,
  REQUESTED_ADDRESS_FAMILY,
  REQUESTED_TRANSPORT,
  RESERVATION_TOKEN,
  SOFTWARE,
  StunError,
  StunMessage,
  StunMethod,
  StunParseError,
  UNKNOWN_ATTRIBUTES,
  USE_CANDIDATE,
  USERHASH,
  USERNAME,
  XOR_MAPPED_ADDRESS,
  XOR_PEER_ADDRESS,
  XOR_RELAYED_ADDRESS,
} from '../src/index.js';

const TRANSACTION_ID = fromHex('b7e7a701bc34d686fa87dfae');
const context = { transactionId: TRANSACTION_ID, offset: 0 };

/** A round-trip case: the codec's name, and a check of `value` against its wire bytes (hex). */
function roundTrip<T>(codec: AttributeCodec<T>, value: T, hex: string): [string, () => void] {
  return [
    `${codec.name} ${hex || '(empty)'}`,
    () => {
      expect(toHex(codec.encode(value, context))).toBe(hex);
      expect(codec.decode(fromHex(hex), context)).toEqual(value);
      // And through a whole message.
      const message = new StunMessage('indication', StunMethod.Binding, TRANSACTION_ID).add(
        codec,
        value,
      );
      expect(StunMessage.decode(message.encode()).get(codec)).toEqual(value);
    },
  ];
}

const CASES: [string, () => void][] = [
  roundTrip(
    MAPPED_ADDRESS,
    { address: '192.0.2.1', port: 32853, family: 'IPv4' },
    '00018055c0000201',
  ),
  // RFC 5769 §2.2 and §2.3's XOR-MAPPED-ADDRESS values.
  roundTrip(
    XOR_MAPPED_ADDRESS,
    { address: '192.0.2.1', port: 32853, family: 'IPv4' },
    '0001a147e112a643',
  ),
  roundTrip(
    XOR_MAPPED_ADDRESS,
    { address: '2001:db8:1234:5678:11:2233:4455:6677', port: 32853, family: 'IPv6' },
    '0002a1470113a9faa5d3f179bc25f4b5bed2b9d9',
  ),
  roundTrip(
    XOR_PEER_ADDRESS,
    { address: '127.0.0.1', port: 5000, family: 'IPv4' },
    '0001329a5e12a443',
  ),
  roundTrip(
    XOR_RELAYED_ADDRESS,
    { address: '::1', port: 1, family: 'IPv6' },
    '0002211321 12a442b7e7a701bc34d686fa87dfaf'.replace(' ', ''),
  ),
  roundTrip(
    ALTERNATE_SERVER,
    { address: '::ffff:c000:201', port: 3478, family: 'IPv6' },
    '00020d96' + '00000000000000000000ffffc0000201',
  ),
  roundTrip(USERNAME, 'evtj:h6vY', '6576746a3a68367659'),
  roundTrip(REALM, 'example.org', '6578616d706c652e6f7267'),
  roundTrip(
    NONCE,
    'f//499k954d6OL34oL9FSTvy64sA',
    Buffer.from('f//499k954d6OL34oL9FSTvy64sA').toString('hex'),
  ),
  roundTrip(SOFTWARE, 'mañana', '6d61c3b1616e61'),
  roundTrip(ALTERNATE_DOMAIN, 'turn.example.org', Buffer.from('turn.example.org').toString('hex')),
  roundTrip(USERHASH, new Uint8Array(32).fill(7), '07'.repeat(32)),
  roundTrip(
    ERROR_CODE,
    { code: 438, reason: 'Stale Nonce' },
    `00000426${Buffer.from('Stale Nonce').toString('hex')}`,
  ),
  roundTrip(ERROR_CODE, { code: 300, reason: '' }, '00000300'),
  roundTrip(UNKNOWN_ATTRIBUTES, [0x7fff, 0x0003], '7fff0003'),
  roundTrip(PASSWORD_ALGORITHM, { algorithm: 2, parameters: new Uint8Array(0) }, '00020000'),
  roundTrip(
    PASSWORD_ALGORITHMS,
    [
      { algorithm: 2, parameters: new Uint8Array(0) },
      { algorithm: 1, parameters: Uint8Array.of(9) },
    ],
    '00020000' + '0001000109000000',
  ),
  roundTrip(PRIORITY, 1845494271, '6e0001ff'),
  roundTrip(USE_CANDIDATE, true, ''),
  roundTrip(ICE_CONTROLLED, 0x932ff9b151263b36n, '932ff9b151263b36'),
  roundTrip(ICE_CONTROLLING, 1n, '0000000000000001'),
  roundTrip(GOOG_NETWORK_INFO, { networkId: 1, networkCost: 999 }, '000103e7'),
  roundTrip(CHANNEL_NUMBER, 0x4001, '40010000'),
  roundTrip(LIFETIME, 600, '00000258'),
  roundTrip(DATA, Uint8Array.of(1, 2, 3), '010203'),
  roundTrip(RESERVATION_TOKEN, new Uint8Array(8).fill(0xab), 'ab'.repeat(8)),
  roundTrip(DONT_FRAGMENT, true, ''),
  roundTrip(REQUESTED_ADDRESS_FAMILY, 'IPv6', '02000000'),
  roundTrip(ADDITIONAL_ADDRESS_FAMILY, 'IPv4', '01000000'),
  roundTrip(EVEN_PORT, { reserveNext: true }, '80'),
  roundTrip(REQUESTED_TRANSPORT, 17, '11000000'),
  roundTrip(
    ADDRESS_ERROR_CODE,
    { family: 'IPv6', code: 440, reason: 'Address Family not Supported' },
    `02000428${Buffer.from('Address Family not Supported').toString('hex')}`,
  ),
  roundTrip(ICMP, { type: 3, code: 4, data: 1400 }, '0000030400000578'),
];

describe('attribute codecs', () => {
  it.each(CASES)('%s', (_, check) => check());

  it.each([
    [XOR_MAPPED_ADDRESS, '0003a147e112a643'], // unknown family
    [XOR_MAPPED_ADDRESS, '0001a147e112a6'], // short IPv4
    [XOR_MAPPED_ADDRESS, '0002a147e112a643'], // IPv6 family, IPv4 length
    [MAPPED_ADDRESS, '0001'],
    [ERROR_CODE, '00000299'], // class 2
    [ERROR_CODE, '00000364'], // number 100
    [ERROR_CODE, '000004'],
    [ERROR_CODE, '00000401ff'], // reason not UTF-8
    [USERNAME, 'ff'],
    [USERNAME, '61'.repeat(513)],
    [PRIORITY, '000001'],
    [USE_CANDIDATE, '00'],
    [ICE_CONTROLLED, '01'],
    [UNKNOWN_ATTRIBUTES, '000100'],
    [PASSWORD_ALGORITHMS, '0001000500'], // parameters past the attribute
    [PASSWORD_ALGORITHM, '0001000000000000'], // trailing bytes
    [REQUESTED_ADDRESS_FAMILY, '03000000'],
    [EVEN_PORT, '8000'],
    [USERHASH, '00'],
    [ICMP, '00'],
    [ADDRESS_ERROR_CODE, '07000401'],
  ] as [AttributeCodec<unknown>, string][])(
    '%# rejects malformed values with StunParseError',
    (codec, hex) => {
      expect(() =>
        codec.decode(fromHex(hex), { transactionId: TRANSACTION_ID, offset: 40 }),
      ).toThrow(StunParseError);
    },
  );

  it('refuses values that cannot be encoded with StunError', () => {
    const refusals: (() => unknown)[] = [
      () => PRIORITY.encode(-1, context),
      () => PRIORITY.encode(2 ** 32, context),
      () => CHANNEL_NUMBER.encode(0x10000, context),
      () => ERROR_CODE.encode({ code: 700, reason: '' }, context),
      () => ICE_CONTROLLING.encode(1n << 64n, context),
      () => USERNAME.encode('a'.repeat(513), context),
      () => XOR_MAPPED_ADDRESS.encode({ address: 'localhost', port: 1, family: 'IPv4' }, context),
      () => XOR_MAPPED_ADDRESS.encode({ address: '1.2.3.4', port: 70000, family: 'IPv4' }, context),
      () => RESERVATION_TOKEN.encode(new Uint8Array(7), context),
    ];
    for (const refuse of refusals) expect(refuse).toThrow(StunError);
  });
});
