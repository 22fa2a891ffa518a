/**
 * The Data Channel Establishment Protocol's messages (RFC 8832 §5). DATA_CHANNEL_OPEN opens a
 * channel on the stream it is sent on and describes it; DATA_CHANNEL_ACK answers it. Both are
 * SCTP user messages with PPID 50, sent ordered and reliably (RFC 8832 §6).
 *
 *      0                   1                   2                   3
 *     +---------------+---------------+-------------------------------+
 *     | Message Type  |  Channel Type |            Priority           |
 *     +---------------+---------------+-------------------------------+
 *     |                    Reliability Parameter                      |
 *     +-------------------------------+-------------------------------+
 *     |         Label Length          |       Protocol Length         |
 *     +-------------------------------+-------------------------------+
 *     \                             Label                             \
 *     \                            Protocol                           \
 *     +---------------------------------------------------------------+
 */

import { type ByteReader, ByteWriter } from '@typertc/common';
import { SctpParseError } from '../errors.js';
import { parseWith } from '../packet/wire.js';

/** RFC 8832 §8.2.1 (0x00 and 0x01 are reserved). */
export const DcepMessageType = { ack: 0x02, open: 0x03 } as const;

/**
 * RFC 8832 §5.1 Channel Type: the high bit makes the channel unordered, the low bits choose
 * between reliable, a retransmission limit and a lifetime limit (RFC 3758 PR-SCTP).
 */
export const DcepChannelType = {
  reliable: 0x00,
  reliableUnordered: 0x80,
  partialReliableRexmit: 0x01,
  partialReliableRexmitUnordered: 0x81,
  partialReliableTimed: 0x02,
  partialReliableTimedUnordered: 0x82,
} as const;
export type DcepChannelType = (typeof DcepChannelType)[keyof typeof DcepChannelType];

const UNORDERED_BIT = 0x80;
const CHANNEL_TYPES: ReadonlySet<number> = new Set(Object.values(DcepChannelType));

/** Which limit the reliability parameter of a channel type is. */
export type DcepReliability = 'reliable' | 'max-retransmits' | 'max-lifetime';

export interface DataChannelOpenMessage {
  readonly type: 'open';
  readonly channelType: DcepChannelType;
  /** RFC 8832 §5.1: relative priority of the channel's stream (RFC 8831 §6.4). */
  readonly priority: number;
  /** Retransmissions (Rexmit types) or milliseconds (Timed types); ignored for reliable ones. */
  readonly reliabilityParameter: number;
  readonly label: string;
  readonly protocol: string;
}

export interface DataChannelAckMessage {
  readonly type: 'ack';
}

export type DcepMessage = DataChannelOpenMessage | DataChannelAckMessage;

export function isUnorderedChannelType(channelType: DcepChannelType): boolean {
  return (channelType & UNORDERED_BIT) !== 0;
}

export function channelTypeReliability(channelType: DcepChannelType): DcepReliability {
  const low = channelType & ~UNORDERED_BIT;
  if (low === DcepChannelType.partialReliableRexmit) return 'max-retransmits';
  if (low === DcepChannelType.partialReliableTimed) return 'max-lifetime';
  return 'reliable';
}

export function dcepChannelType(ordered: boolean, reliability: DcepReliability): DcepChannelType {
  const low =
    reliability === 'max-retransmits'
      ? DcepChannelType.partialReliableRexmit
      : reliability === 'max-lifetime'
        ? DcepChannelType.partialReliableTimed
        : DcepChannelType.reliable;
  return (ordered ? low : low | UNORDERED_BIT) as DcepChannelType;
}

const ACK: DataChannelAckMessage = { type: 'ack' };
// RFC 8832 §5.1: label and protocol are UTF-8; bytes that are not are a malformed message.
const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

/** Parses one DCEP message (the whole SCTP user message); throws only `SctpParseError`. */
export function parseDcepMessage(bytes: Uint8Array): DcepMessage {
  return parseWith(bytes, 0, 'DCEP message', (reader) => {
    const messageType = reader.u8();
    if (messageType === DcepMessageType.ack) return ACK;
    if (messageType === DcepMessageType.open) return readOpen(reader);
    throw new SctpParseError(`unknown DCEP message type ${messageType}`, 0);
  });
}

function readOpen(reader: ByteReader): DataChannelOpenMessage {
  const channelTypeAt = reader.offset;
  const channelType = reader.u8();
  if (!CHANNEL_TYPES.has(channelType)) {
    throw new SctpParseError(
      `unknown DCEP channel type 0x${channelType.toString(16)}`,
      channelTypeAt,
    );
  }
  const priority = reader.u16();
  const reliabilityParameter = reader.u32();
  const labelLength = reader.u16();
  const protocolLength = reader.u16();
  const labelAt = reader.offset;
  const label = readUtf8(reader, labelLength, labelAt, 'label');
  const protocol = readUtf8(reader, protocolLength, labelAt + labelLength, 'protocol');
  return {
    type: 'open',
    channelType: channelType as DcepChannelType,
    priority,
    reliabilityParameter,
    label,
    protocol,
  };
}

function readUtf8(reader: ByteReader, length: number, at: number, what: string): string {
  const bytes = reader.bytes(length);
  try {
    return utf8.decode(bytes);
  } catch (cause) {
    throw new SctpParseError(`DATA_CHANNEL_OPEN ${what} is not UTF-8`, at, { cause });
  }
}

/**
 * Serializes a DCEP message. A label or protocol over 65535 UTF-8 bytes or an out-of-range
 * number is a caller bug: `RangeError`.
 */
export function encodeDcepMessage(message: DcepMessage): Uint8Array {
  if (message.type === 'ack') return Uint8Array.of(DcepMessageType.ack);
  const label = utf8Encoder.encode(message.label);
  const protocol = utf8Encoder.encode(message.protocol);
  const writer = new ByteWriter(12 + label.length + protocol.length);
  writer
    .u8(DcepMessageType.open)
    .u8(message.channelType)
    .u16(message.priority)
    .u32(message.reliabilityParameter)
    .u16(label.length)
    .u16(protocol.length)
    .bytes(label)
    .bytes(protocol);
  return writer.finish();
}
