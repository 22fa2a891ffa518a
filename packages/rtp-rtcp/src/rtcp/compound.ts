/**
 * Compound RTCP packets (RFC 3550 §6.1) and reduced-size RTCP (RFC 5506): the packets of one
 * datagram, parsed one by one so that a bad packet costs only itself.
 */

import { ByteWriter, readU16BE } from '@typertc/common';
import { RtcpParseError } from '../errors.js';
import { ApplicationDefined } from './application-defined.js';
import { ExtendedReport } from './extended-report.js';
import { PayloadFeedbackFormat, TransportFeedbackFormat } from './feedback.js';
import { FullIntraRequest } from './full-intra-request.js';
import { GenericNack } from './generic-nack.js';
import { Goodbye } from './goodbye.js';
import { PictureLossIndication } from './picture-loss-indication.js';
import { RawRtcpPacket } from './raw-packet.js';
import { ReceiverReport } from './receiver-report.js';
import { ReceiverEstimatedMaxBitrate } from './remb.js';
import { SenderReport } from './sender-report.js';
import { SourceDescription } from './source-description.js';
import { TransportWideCc } from './transport-wide-cc.js';
import { RTCP_HEADER_SIZE, RtcpPacketType } from './wire.js';

export type RtcpPacket =
  | SenderReport
  | ReceiverReport
  | SourceDescription
  | Goodbye
  | ApplicationDefined
  | ExtendedReport
  | GenericNack
  | TransportWideCc
  | PictureLossIndication
  | FullIntraRequest
  | ReceiverEstimatedMaxBitrate
  | RawRtcpPacket;

export interface RtcpParseResult {
  /** The packets that parsed, in order. */
  packets: RtcpPacket[];
  /**
   * One error per packet that was skipped (its header was sound, so parsing went on after it),
   * plus, last, the error that stopped parsing if a header was unusable.
   */
  errors: RtcpParseError[];
  /**
   * RTCP padding octets on the last packet (0 if none): passing it back to `serializeRtcp`
   * reproduces the datagram.
   */
  padding: number;
}

/**
 * Parses the RTCP packets of one datagram.
 *
 * Every packet is taken on its own header's word: its length field bounds it, so a packet whose
 * contents are malformed (say, an SR claiming more report blocks than it holds) is reported in
 * `errors` and skipped, and the packets after it still parse. A header that cannot be trusted — a
 * version other than 2, a length running past the datagram, fewer than 4 bytes left — stops the
 * parse there. If no packet at all parses, the first error is thrown instead: the datagram is
 * not RTCP. Nothing but `RtcpParseError` is ever thrown.
 *
 * The first packet is not required to be an SR or RR (§6.1): reduced-size RTCP (RFC 5506 §3)
 * sends feedback alone, and whether `a=rtcp-rsize` was negotiated is not known at this layer.
 * The P bit is honoured on any packet, not only the last (§6.4.1 wants it only there, but
 * libwebrtc pads TWCC feedback with it wherever the packet sits); its count is checked.
 *
 * Parsed packets alias `bytes` (byte fields are views, never copies).
 */
export function parseRtcp(bytes: Uint8Array): RtcpParseResult {
  const packets: RtcpPacket[] = [];
  const errors: RtcpParseError[] = [];
  let padding = 0;
  const length = bytes.length;
  let at = 0;
  while (at < length) {
    if (length - at < RTCP_HEADER_SIZE) {
      errors.push(new RtcpParseError(`${length - at} stray bytes after the last packet`, at));
      break;
    }
    const first = bytes[at] as number;
    if (first >> 6 !== 2) {
      errors.push(new RtcpParseError(`RTCP version ${first >> 6}, not 2`, at));
      break;
    }
    const size = (readU16BE(bytes, at + 2) + 1) * 4;
    const next = at + size;
    if (next > length) {
      errors.push(
        new RtcpParseError(`RTCP length field says ${size} bytes, ${length - at} left`, at),
      );
      break;
    }
    let end = next;
    padding = 0;
    if ((first & 0x20) !== 0) {
      // The last octet counts the padding octets, itself included (§6.4.1).
      const count = bytes[next - 1] as number;
      if (count === 0 || count > size - RTCP_HEADER_SIZE) {
        errors.push(
          new RtcpParseError(`RTCP padding count ${count} in a ${size}-byte packet`, next - 1),
        );
        at = next;
        continue;
      }
      end -= count;
      padding = count;
    }
    try {
      packets.push(decodePacket(bytes, at, end, first & 0x1f));
    } catch (error) {
      if (!(error instanceof RtcpParseError)) throw error;
      errors.push(error);
    }
    at = next;
  }
  if (packets.length === 0) {
    throw errors[0] ?? new RtcpParseError('empty RTCP datagram', 0);
  }
  return { packets, errors, padding };
}

function decodePacket(b: Uint8Array, start: number, end: number, count: number): RtcpPacket {
  switch (b[start + 1]) {
    case RtcpPacketType.SenderReport:
      return SenderReport.decode(b, start, end, count);
    case RtcpPacketType.ReceiverReport:
      return ReceiverReport.decode(b, start, end, count);
    case RtcpPacketType.SourceDescription:
      return SourceDescription.decode(b, start, end, count);
    case RtcpPacketType.Goodbye:
      return Goodbye.decode(b, start, end, count);
    case RtcpPacketType.ApplicationDefined:
      return ApplicationDefined.decode(b, start, end, count);
    case RtcpPacketType.ExtendedReport:
      return ExtendedReport.decode(b, start, end);
    case RtcpPacketType.TransportFeedback:
      if (count === TransportFeedbackFormat.GenericNack) return GenericNack.decode(b, start, end);
      if (count === TransportFeedbackFormat.TransportWideCc) {
        return TransportWideCc.decode(b, start, end);
      }
      break;
    case RtcpPacketType.PayloadFeedback:
      if (count === PayloadFeedbackFormat.PictureLossIndication) {
        return PictureLossIndication.decode(b, start, end);
      }
      if (count === PayloadFeedbackFormat.FullIntraRequest) {
        return FullIntraRequest.decode(b, start, end);
      }
      if (
        count === PayloadFeedbackFormat.ApplicationLayer &&
        ReceiverEstimatedMaxBitrate.matches(b, start, end)
      ) {
        return ReceiverEstimatedMaxBitrate.decode(b, start, end);
      }
      break;
  }
  return RawRtcpPacket.decode(b, start, end, count);
}

export interface RtcpSerializeOptions {
  /**
   * RTCP padding octets to append to the last packet, setting its P bit (§6.4.1), e.g. to reach
   * a cipher's block size; 1-255, and the padded packet must end on a 32-bit boundary.
   */
  padding?: number;
  /** A buffer to write into (its start); by default a new one of the exact size. */
  target?: Uint8Array;
}

/**
 * Serializes packets into one compound datagram. The result is a view of `target` when one is
 * given. Values that do not fit their fields throw `RangeError` (a caller bug); a `target` too
 * small throws `BufferOverflowError`.
 */
export function serializeRtcp(
  packets: readonly RtcpPacket[],
  options: RtcpSerializeOptions = {},
): Uint8Array {
  const padding = options.padding ?? 0;
  let total = 0;
  let lastLength = 0;
  for (let i = 0; i < packets.length; i++) {
    lastLength = (packets[i] as RtcpPacket).byteLength();
    if (i < packets.length - 1 && (lastLength & 3) !== 0) {
      throw new RangeError(`RTCP packet ${i} is ${lastLength} bytes, not 32-bit aligned`);
    }
    total += lastLength;
  }
  if (padding !== 0) {
    if (padding >>> 0 !== padding || padding > 0xff || packets.length === 0) {
      throw new RangeError(`invalid RTCP padding ${padding}`);
    }
  }
  if (((lastLength + padding) & 3) !== 0) {
    throw new RangeError(
      `last RTCP packet of ${lastLength} bytes + ${padding} padding is not 32-bit aligned`,
    );
  }
  const w = new ByteWriter(options.target ?? new Uint8Array(total + padding));
  let lastStart = 0;
  for (const packet of packets) {
    lastStart = w.offset;
    packet.write(w);
  }
  if (padding !== 0) {
    const first = w.finish()[lastStart] as number;
    w.setU8(lastStart, first | 0x20);
    w.setU16(lastStart + 2, ((lastLength + padding) >>> 2) - 1);
    w.zeros(padding - 1).u8(padding);
  }
  return w.finish();
}
