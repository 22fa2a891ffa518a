import { fromHex, toHex } from '@typertc/common';
import { fuzzParser } from '@typertc/common/testing';
import { describe, expect, it } from 'vitest';
import {
  channelTypeReliability,
  type DataChannelOpenMessage,
  DcepChannelType,
  dcepChannelType,
  encodeDcepMessage,
  isUnorderedChannelType,
  parseDcepMessage,
} from '../src/datachannel/index.js';
import { SctpParseError } from '../src/errors.js';

function open(overrides: Partial<DataChannelOpenMessage> = {}): DataChannelOpenMessage {
  return {
    type: 'open',
    channelType: DcepChannelType.reliable,
    priority: 256,
    reliabilityParameter: 0,
    label: 'chat',
    protocol: '',
    ...overrides,
  };
}

describe('DCEP messages (RFC 8832 §5)', () => {
  it('encodes DATA_CHANNEL_OPEN in the §5.1 layout', () => {
    // type 03, channel type 00, priority 0100, reliability 00000000, lengths 0004 0000, "chat"
    expect(toHex(encodeDcepMessage(open()))).toBe('03000100000000000004000063686174');
    const bytes = encodeDcepMessage(
      open({
        channelType: DcepChannelType.partialReliableRexmitUnordered,
        priority: 512,
        reliabilityParameter: 3,
        label: 'a',
        protocol: 'json',
      }),
    );
    expect(toHex(bytes)).toBe('0381020000000003' + '00010004' + '61' + '6a736f6e');
  });

  it('encodes DATA_CHANNEL_ACK as its one-byte message type (§5.2)', () => {
    expect(toHex(encodeDcepMessage({ type: 'ack' }))).toBe('02');
    expect(parseDcepMessage(fromHex('02'))).toEqual({ type: 'ack' });
  });

  it.each(Object.entries(DcepChannelType))(
    'round-trips an OPEN of channel type %s',
    (_name, channelType) => {
      const message = open({
        channelType,
        priority: 0xffff,
        reliabilityParameter: 0xffff_ffff,
        label: 'ünïcödé 🚀',
        protocol: 'x'.repeat(300),
      });
      expect(parseDcepMessage(encodeDcepMessage(message))).toEqual(message);
    },
  );

  it('round-trips empty and 65535-byte labels', () => {
    for (const label of ['', 'l'.repeat(0xffff)]) {
      const message = open({ label, protocol: label });
      expect(parseDcepMessage(encodeDcepMessage(message))).toEqual(message);
    }
  });

  it('reads the label and protocol lengths from their fields (§5.1)', () => {
    const parsed = parseDcepMessage(fromHex('0302000400000064000200016869' + '7a'));
    expect(parsed).toEqual({
      type: 'open',
      channelType: DcepChannelType.partialReliableTimed,
      priority: 4,
      reliabilityParameter: 100,
      label: 'hi',
      protocol: 'z',
    });
  });

  it.each([
    ['an empty message', ''],
    ['a reserved message type (0x00)', '00'],
    ['a reserved message type (0x01)', '01'],
    ['an unknown message type', '04'],
    ['an ACK with trailing bytes', '0200'],
    ['a truncated OPEN header', '030001000000000000'],
    ['a label longer than the message', '030001000000000000050000636861'],
    ['bytes after the protocol', '03000100000000000001000061' + 'ff'],
    ['an unknown channel type', '03030100000000000000000'.padEnd(24, '0')],
    ['an unknown unordered channel type', '03830100000000000000000'.padEnd(24, '0')],
    ['a label that is not UTF-8', '030001000000000000020000c328'],
    ['a protocol that is not UTF-8', '03000100000000000000000180'],
  ])('rejects %s with SctpParseError', (_what, hex) => {
    expect(() => parseDcepMessage(fromHex(hex))).toThrow(SctpParseError);
  });

  it('maps channel types to ordering and reliability and back (§5.1)', () => {
    const table = [
      [DcepChannelType.reliable, true, 'reliable'],
      [DcepChannelType.reliableUnordered, false, 'reliable'],
      [DcepChannelType.partialReliableRexmit, true, 'max-retransmits'],
      [DcepChannelType.partialReliableRexmitUnordered, false, 'max-retransmits'],
      [DcepChannelType.partialReliableTimed, true, 'max-lifetime'],
      [DcepChannelType.partialReliableTimedUnordered, false, 'max-lifetime'],
    ] as const;
    for (const [channelType, ordered, reliability] of table) {
      expect(isUnorderedChannelType(channelType)).toBe(!ordered);
      expect(channelTypeReliability(channelType)).toBe(reliability);
      expect(dcepChannelType(ordered, reliability)).toBe(channelType);
    }
  });

  it('fuzz: parseDcepMessage throws only SctpParseError', () => {
    const stats = fuzzParser({
      seeds: [
        encodeDcepMessage(open()),
        encodeDcepMessage(open({ channelType: 0x82, label: 'ü', protocol: 'p' })),
        encodeDcepMessage({ type: 'ack' }),
      ],
      parse: parseDcepMessage,
      expectedError: SctpParseError,
    });
    expect(stats.accepted).toBeGreaterThan(0);
    expect(stats.rejected).toBeGreaterThan(0);
  });
});
