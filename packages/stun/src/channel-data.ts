/**
 * TURN ChannelData messages (RFC 8656 §12.4): application data relayed on a bound channel with a
 * 4-byte header instead of a 36-byte Send or Data indication.
 *
 *     0                   1                   2                   3
 *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |         Channel Number        |            Length             |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    /                       Application Data                        /
 *    +-------------------------------+-------------------------------+
 *
 * Length counts the application data only. Over TCP and TLS the message is padded to a multiple
 * of 4 bytes so the next message stays aligned; the padding is not counted in Length, and over
 * UDP it is optional (RFC 8656 §12.5).
 */

import { readU16BE, writeU16BE } from '@typertc/common';
import { StunError, StunParseError } from './errors.js';

export const CHANNEL_DATA_HEADER_LENGTH = 4;
/**
 * Channel numbers a client may bind (RFC 8656 §12): 0x4000–0x4FFF. RFC 5766 allowed up to
 * 0x7FFF; RFC 8656 reserves 0x5000 and above so ChannelData cannot be mistaken for the other
 * protocols multiplexed on the port (RFC 7983).
 */
export const MIN_CHANNEL_NUMBER = 0x4000;
export const MAX_CHANNEL_NUMBER = 0x4fff;
/** The Length field is 16 bits. */
export const MAX_CHANNEL_DATA_LENGTH = 0xffff;

function isChannelNumber(channel: number): boolean {
  return (
    Number.isInteger(channel) && channel >= MIN_CHANNEL_NUMBER && channel <= MAX_CHANNEL_NUMBER
  );
}

/** Bytes needed after `length` bytes to reach a multiple of 4. */
export function paddingAfter(length: number): number {
  return -length & 3;
}

/**
 * Encodes a ChannelData message. `padded` adds the padding a stream transport requires
 * (RFC 8656 §12.5); pass false over UDP, where it would only cost bytes.
 * @throws StunError for a channel number outside 0x4000–0x4FFF or more than 65535 bytes of
 *   data (caller bugs, not malformed input).
 */
export function frameChannelData(channel: number, data: Uint8Array, padded: boolean): Uint8Array {
  if (!isChannelNumber(channel)) {
    throw new StunError(`channel number must be 0x4000 to 0x4fff, got ${channel}`);
  }
  if (data.length > MAX_CHANNEL_DATA_LENGTH) {
    throw new StunError(`ChannelData carries at most 65535 bytes, got ${data.length}`);
  }
  const length = CHANNEL_DATA_HEADER_LENGTH + data.length;
  // A new Uint8Array is zeroed, so the padding bytes are zero.
  const out = new Uint8Array(padded ? length + paddingAfter(length) : length);
  writeU16BE(out, 0, channel);
  writeU16BE(out, 2, data.length);
  out.set(data, CHANNEL_DATA_HEADER_LENGTH);
  return out;
}

/**
 * Decodes a ChannelData message: a frame from `StreamFramer` or a whole UDP datagram, which may
 * carry the padding (RFC 8656 §12.5); the padding's contents are ignored. `data` is a view into
 * `frame`, not a copy.
 * @throws StunParseError for a frame shorter than its header or its Length, a channel number
 *   outside 0x4000–0x4FFF, or bytes after the data beyond the padding.
 */
export function parseChannelData(frame: Uint8Array): { channel: number; data: Uint8Array } {
  if (frame.length < CHANNEL_DATA_HEADER_LENGTH) {
    throw new StunParseError(`ChannelData header needs 4 bytes, got ${frame.length}`, 0);
  }
  const channel = readU16BE(frame, 0);
  if (!isChannelNumber(channel)) {
    throw new StunParseError(
      `ChannelData channel number 0x${channel.toString(16).padStart(4, '0')} is outside 0x4000-0x4fff`,
      0,
    );
  }
  const length = readU16BE(frame, 2);
  const end = CHANNEL_DATA_HEADER_LENGTH + length;
  if (end > frame.length) {
    throw new StunParseError(
      `ChannelData length ${length} exceeds the ${frame.length - CHANNEL_DATA_HEADER_LENGTH} bytes present`,
      2,
    );
  }
  if (frame.length > end + paddingAfter(end)) {
    throw new StunParseError(
      `${frame.length - end} bytes after ChannelData of length ${length}, more than its padding`,
      end + paddingAfter(end),
    );
  }
  return { channel, data: frame.subarray(CHANNEL_DATA_HEADER_LENGTH, end) };
}
