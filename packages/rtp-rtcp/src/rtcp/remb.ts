/**
 * Receiver Estimated Maximum Bitrate, REMB (draft-alvestrand-rmcat-remb-03 §2.2): application
 * layer feedback (PSFB, FMT=15) whose FCI starts with the ASCII identifier 'REMB'.
 */

import type { ByteWriter } from '@typertc/common';
import { readU16BE, readU32BE } from '@typertc/common';
import { RtcpParseError } from '../errors.js';
import { checkFeedbackHeader, FEEDBACK_HEADER_SIZE, PayloadFeedbackFormat } from './feedback.js';
import { RtcpPacketType, writeHeader } from './wire.js';

/** 'R' 'E' 'M' 'B' as a big-endian u32. */
const REMB_IDENTIFIER = 0x52454d42;
/** Identifier, Num SSRC, BR Exp and BR Mantissa. */
const FCI_FIXED_SIZE = 8;
const MAX_MANTISSA = 0x3ffff;
const MAX_EXPONENT = 63;

export class ReceiverEstimatedMaxBitrate {
  senderSsrc: number;
  /** Always 0 in REMB (§2.2); kept so a packet re-serializes as received. */
  mediaSsrc: number;
  /** Estimated total bitrate in bits per second: mantissa × 2^exp on the wire. */
  bitrate: number;
  /** The media sources the estimate applies to. */
  ssrcs: number[];

  constructor(senderSsrc: number, bitrate: number, ssrcs: number[] = [], mediaSsrc = 0) {
    this.senderSsrc = senderSsrc;
    this.mediaSsrc = mediaSsrc;
    this.bitrate = bitrate;
    this.ssrcs = ssrcs;
  }

  get kind(): 'remb' {
    return 'remb';
  }

  /** Whether the AFB packet at `start` (payload ending at `end`) is a REMB. */
  static matches(b: Uint8Array, start: number, end: number): boolean {
    return (
      end - start >= FEEDBACK_HEADER_SIZE + 4 &&
      readU32BE(b, start + FEEDBACK_HEADER_SIZE) === REMB_IDENTIFIER
    );
  }

  static decode(b: Uint8Array, start: number, end: number): ReceiverEstimatedMaxBitrate {
    checkFeedbackHeader('REMB', start, end);
    const fci = start + FEEDBACK_HEADER_SIZE;
    if (end - fci < FCI_FIXED_SIZE) throw new RtcpParseError('REMB FCI truncated', fci);
    const count = b[fci + 4] as number;
    const expByte = b[fci + 5] as number;
    const mantissa = ((expByte & 0x03) << 16) | readU16BE(b, fci + 6);
    const ssrcsEnd = fci + FCI_FIXED_SIZE + count * 4;
    if (ssrcsEnd > end) {
      throw new RtcpParseError(`REMB with ${count} SSRCs runs past the packet`, fci + 4);
    }
    const ssrcs: number[] = [];
    for (let at = fci + FCI_FIXED_SIZE; at < ssrcsEnd; at += 4) ssrcs.push(readU32BE(b, at));
    // mantissa < 2^18 and exp < 64: the product is an exact double.
    const bitrate = mantissa * 2 ** (expByte >> 2);
    return new ReceiverEstimatedMaxBitrate(
      readU32BE(b, start + 4),
      bitrate,
      ssrcs,
      readU32BE(b, start + 8),
    );
  }

  byteLength(): number {
    return FEEDBACK_HEADER_SIZE + FCI_FIXED_SIZE + this.ssrcs.length * 4;
  }

  write(w: ByteWriter): void {
    const { bitrate } = this;
    if (!(bitrate >= 0) || !Number.isFinite(bitrate)) {
      throw new RangeError(`REMB bitrate ${bitrate} is not a non-negative number`);
    }
    if (this.ssrcs.length > 0xff) throw new RangeError(`REMB with ${this.ssrcs.length} SSRCs`);
    // The smallest exponent that fits the mantissa in 18 bits loses the least precision.
    let exponent = 0;
    while (bitrate / 2 ** exponent > MAX_MANTISSA) exponent++;
    if (exponent > MAX_EXPONENT) throw new RangeError(`REMB bitrate ${bitrate} too large`);
    const mantissa = Math.floor(bitrate / 2 ** exponent);
    writeHeader(
      w,
      PayloadFeedbackFormat.ApplicationLayer,
      RtcpPacketType.PayloadFeedback,
      this.byteLength(),
    );
    w.u32(this.senderSsrc).u32(this.mediaSsrc).u32(REMB_IDENTIFIER);
    w.u8(this.ssrcs.length)
      .u8((exponent << 2) | (mantissa >>> 16))
      .u16(mantissa & 0xffff);
    for (const ssrc of this.ssrcs) w.u32(ssrc);
  }
}
