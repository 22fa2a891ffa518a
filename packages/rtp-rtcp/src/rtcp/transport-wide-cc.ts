/**
 * Transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01
 * §3.1): transport-layer feedback, FMT=15, reporting for a range of transport-wide sequence
 * numbers whether each packet arrived and, if so, its arrival time.
 */

import type { ByteWriter } from '@typertc/common';
import { readU16BE, readU24BE, readU32BE } from '@typertc/common';
import { RtcpParseError } from '../errors.js';
import { checkFeedbackHeader, FEEDBACK_HEADER_SIZE, TransportFeedbackFormat } from './feedback.js';
import { RtcpPacketType, writeHeader } from './wire.js';

/** Packet status symbols (§3.1.1). */
export const TwccStatus = {
  NotReceived: 0,
  /** Received; the receive delta is one unsigned byte. */
  SmallDelta: 1,
  /** Received; the receive delta is a signed 16-bit value. */
  LargeDelta: 2,
  /** Reserved in -01 (draft -00's "received, no timestamp"); carries no receive delta. */
  Reserved: 3,
} as const;

export type TwccStatusValue = (typeof TwccStatus)[keyof typeof TwccStatus];

export interface TwccPacket {
  /** Transport-wide sequence number. */
  sequence: number;
  status: TwccStatusValue;
  /**
   * Arrival time relative to the previous received packet (the first: to the reference time), in
   * 250 µs units (§3.1.5); 0 when the status carries no delta.
   */
  receiveDelta: number;
}

export interface TransportWideCcInit {
  senderSsrc: number;
  mediaSsrc: number;
  /** Sequence number of the first packet reported. */
  baseSequence: number;
  /**
   * 24 bits in 64 ms units (§3.1: "signed integer"); parsed as signed. On write, the unsigned
   * reading (0..2^24 - 1, ticks modulo 2^24, as libwebrtc computes it) is accepted too and
   * written as the same 24 bits.
   */
  referenceTime: number;
  /** Feedback packet counter, 8 bits, to detect lost feedback. */
  feedbackCount: number;
  /** One entry per packet from `baseSequence` on. */
  packets: TwccPacket[];
  /**
   * How the packet reaches a 32-bit boundary. `'zeros'` (the default): zero bytes after the last
   * delta, as the draft's §3.1 figure shows. `'none'`: the packet ends unaligned and the sender
   * aligns it with RTCP padding (the P bit, RFC 3550 §6.4.1), as libwebrtc does; pass the
   * padding to `serializeRtcp` (`parseRtcp` returns it) to reproduce such a datagram.
   */
  alignment?: 'zeros' | 'none';
}

/** Base sequence, status count, reference time and feedback count. */
const FCI_FIXED_SIZE = 8;
const RUN_LENGTH_MAX = 0x1fff;
const ONE_BIT_CAPACITY = 14;
const TWO_BIT_CAPACITY = 7;

export class TransportWideCc {
  senderSsrc: number;
  mediaSsrc: number;
  baseSequence: number;
  referenceTime: number;
  feedbackCount: number;
  packets: TwccPacket[];
  alignment: 'zeros' | 'none';

  constructor(init: TransportWideCcInit) {
    this.senderSsrc = init.senderSsrc;
    this.mediaSsrc = init.mediaSsrc;
    this.baseSequence = init.baseSequence;
    this.referenceTime = init.referenceTime;
    this.feedbackCount = init.feedbackCount;
    this.packets = init.packets;
    this.alignment = init.alignment ?? 'zeros';
  }

  get kind(): 'twcc' {
    return 'twcc';
  }

  /**
   * Decodes the packet at `start`, payload ending at `end`. Bytes after the last receive delta
   * are the draft's zero padding and are ignored.
   */
  static decode(b: Uint8Array, start: number, end: number): TransportWideCc {
    checkFeedbackHeader('TWCC', start, end);
    const fci = start + FEEDBACK_HEADER_SIZE;
    if (end - fci < FCI_FIXED_SIZE) throw new RtcpParseError('TWCC FCI truncated', fci);
    const baseSequence = readU16BE(b, fci);
    const count = readU16BE(b, fci + 2);
    const packets: TwccPacket[] = [];
    let at = fci + FCI_FIXED_SIZE;
    // Packet status chunks (§3.1.2) until every packet has a status.
    while (packets.length < count) {
      if (at + 2 > end) {
        throw new RtcpParseError(
          `TWCC chunks end after ${packets.length} of ${count} packet statuses`,
          at,
        );
      }
      const chunk = readU16BE(b, at);
      at += 2;
      if ((chunk & 0x8000) === 0) {
        // Run length chunk (§3.1.3): one symbol repeated; a run past the count is cut there.
        const status = ((chunk >> 13) & 3) as TwccStatusValue;
        const run = Math.min(chunk & RUN_LENGTH_MAX, count - packets.length);
        for (let i = 0; i < run; i++) packets.push(newPacket(baseSequence, packets.length, status));
      } else if ((chunk & 0x4000) === 0) {
        // Status vector chunk, 1-bit symbols (§3.1.4); symbols past the count are padding.
        const n = Math.min(ONE_BIT_CAPACITY, count - packets.length);
        for (let i = 0; i < n; i++) {
          const status = ((chunk >> (13 - i)) & 1) as TwccStatusValue;
          packets.push(newPacket(baseSequence, packets.length, status));
        }
      } else {
        // Status vector chunk, 2-bit symbols.
        const n = Math.min(TWO_BIT_CAPACITY, count - packets.length);
        for (let i = 0; i < n; i++) {
          const status = ((chunk >> (12 - 2 * i)) & 3) as TwccStatusValue;
          packets.push(newPacket(baseSequence, packets.length, status));
        }
      }
    }
    // Receive deltas (§3.1.5), in packet order, for the packets received with a delta.
    for (const packet of packets) {
      if (packet.status === TwccStatus.SmallDelta) {
        if (at + 1 > end) throw new RtcpParseError('TWCC receive deltas truncated', at);
        packet.receiveDelta = b[at] as number;
        at += 1;
      } else if (packet.status === TwccStatus.LargeDelta) {
        if (at + 2 > end) throw new RtcpParseError('TWCC receive deltas truncated', at);
        packet.receiveDelta = (readU16BE(b, at) << 16) >> 16;
        at += 2;
      }
    }
    return new TransportWideCc({
      senderSsrc: readU32BE(b, start + 4),
      mediaSsrc: readU32BE(b, start + 8),
      baseSequence,
      referenceTime: (readU24BE(b, fci + 4) << 8) >> 8,
      feedbackCount: b[fci + 7] as number,
      packets,
      // Content that runs unaligned to the end was aligned by RTCP padding, not by zeros.
      alignment: at === end && ((end - start) & 3) !== 0 ? 'none' : 'zeros',
    });
  }

  byteLength(): number {
    const contentLength =
      FEEDBACK_HEADER_SIZE +
      FCI_FIXED_SIZE +
      encodeChunks(this.packets).length * 2 +
      deltasLength(this.packets);
    return this.alignment === 'none' ? contentLength : (contentLength + 3) & ~3;
  }

  /**
   * Writes the packet, choosing chunks as libwebrtc does: statuses accumulate until the next one
   * fits no chunk kind, then the cheapest chunk holding them is emitted (a run while all are the
   * same, else a 1-bit vector of 14 or a 2-bit vector of 7). Chrome's feedback therefore
   * re-encodes to the same chunks.
   */
  write(w: ByteWriter): void {
    const { packets, referenceTime } = this;
    if (
      !Number.isInteger(referenceTime) ||
      referenceTime < -0x80_0000 ||
      referenceTime > 0xff_ffff
    ) {
      throw new RangeError(`TWCC reference time ${referenceTime} does not fit 24 bits`);
    }
    if (packets.length > 0xffff) throw new RangeError(`TWCC with ${packets.length} packets`);
    for (let i = 0; i < packets.length; i++) {
      const expected = (this.baseSequence + i) & 0xffff;
      if ((packets[i] as TwccPacket).sequence !== expected) {
        throw new RangeError(
          `TWCC packet ${i} has sequence ${packets[i]?.sequence}, not ${expected}`,
        );
      }
    }
    const chunks = encodeChunks(packets);
    const contentLength =
      FEEDBACK_HEADER_SIZE + FCI_FIXED_SIZE + chunks.length * 2 + deltasLength(packets);
    const length = this.alignment === 'none' ? contentLength : (contentLength + 3) & ~3;
    writeHeader(
      w,
      TransportFeedbackFormat.TransportWideCc,
      RtcpPacketType.TransportFeedback,
      length,
    );
    w.u32(this.senderSsrc).u32(this.mediaSsrc);
    w.u16(this.baseSequence)
      .u16(packets.length)
      .u24(referenceTime & 0xff_ffff);
    w.u8(this.feedbackCount);
    for (const chunk of chunks) w.u16(chunk);
    for (const packet of packets) {
      if (packet.status === TwccStatus.SmallDelta) w.u8(packet.receiveDelta);
      else if (packet.status === TwccStatus.LargeDelta) w.i16(packet.receiveDelta);
    }
    w.zeros(length - contentLength);
  }
}

function newPacket(base: number, index: number, status: TwccStatusValue): TwccPacket {
  return { sequence: (base + index) & 0xffff, status, receiveDelta: 0 };
}

function deltasLength(packets: readonly TwccPacket[]): number {
  let length = 0;
  for (const packet of packets) {
    if (packet.status === TwccStatus.SmallDelta) length += 1;
    else if (packet.status === TwccStatus.LargeDelta) length += 2;
  }
  return length;
}

/** Whether a status needs a 2-bit symbol. */
function isWide(status: number): boolean {
  return status > TwccStatus.SmallDelta;
}

/** The packet status chunks for `packets`, as 16-bit values. */
function encodeChunks(packets: readonly TwccPacket[]): number[] {
  const chunks: number[] = [];
  // The pending statuses: the first ONE_BIT_CAPACITY are kept; past that they are all the same.
  const pending = new Uint8Array(ONE_BIT_CAPACITY);
  let size = 0;
  let allSame = true;
  let hasWide = false;
  for (const { status } of packets) {
    if (status >>> 0 !== status || status > TwccStatus.Reserved) {
      throw new RangeError(`invalid TWCC status ${status}`);
    }
    const canAdd =
      size < TWO_BIT_CAPACITY ||
      (size < ONE_BIT_CAPACITY && !hasWide && !isWide(status)) ||
      (size < RUN_LENGTH_MAX && allSame && status === pending[0]);
    if (!canAdd) {
      if (allSame) {
        chunks.push(runLength(pending[0] as number, size));
        size = 0;
      } else if (size === ONE_BIT_CAPACITY) {
        chunks.push(oneBitVector(pending, size));
        size = 0;
      } else {
        // A 2-bit vector takes the first 7; the rest stay pending.
        chunks.push(twoBitVector(pending, TWO_BIT_CAPACITY));
        pending.copyWithin(0, TWO_BIT_CAPACITY, size);
        size -= TWO_BIT_CAPACITY;
      }
      allSame = true;
      hasWide = false;
      for (let i = 0; i < size; i++) {
        allSame &&= pending[i] === pending[0];
        hasWide ||= isWide(pending[i] as number);
      }
    }
    if (size < ONE_BIT_CAPACITY) pending[size] = status;
    size++;
    allSame &&= status === pending[0];
    hasWide ||= isWide(status);
  }
  if (size > 0) {
    if (allSame) chunks.push(runLength(pending[0] as number, size));
    else if (size <= TWO_BIT_CAPACITY) chunks.push(twoBitVector(pending, size));
    else chunks.push(oneBitVector(pending, size));
  }
  return chunks;
}

function runLength(status: number, run: number): number {
  return (status << 13) | run;
}

function oneBitVector(statuses: Uint8Array, n: number): number {
  let chunk = 0x8000;
  for (let i = 0; i < n; i++) chunk |= (statuses[i] as number) << (13 - i);
  return chunk;
}

function twoBitVector(statuses: Uint8Array, n: number): number {
  let chunk = 0xc000;
  for (let i = 0; i < n; i++) chunk |= (statuses[i] as number) << (12 - 2 * i);
  return chunk;
}
