/**
 * Extended reports, XR (RFC 3611): the Receiver Reference Time (§4.4) and DLRR (§4.5) blocks that
 * let a receive-only endpoint measure round-trip time; every other block type is kept raw.
 */

import type { ByteWriter } from '@typertc/common';
import { readU16BE, readU32BE } from '@typertc/common';
import { RtcpParseError } from '../errors.js';
import { RtcpPacketType, writeHeader } from './wire.js';

export const XrBlockType = {
  ReceiverReferenceTime: 4,
  Dlrr: 5,
} as const;

/** RRTR (§4.4): the receiver's NTP time when it sent this report. */
export interface ReceiverReferenceTimeBlock {
  kind: 'rrtr';
  ntpSeconds: number;
  ntpFraction: number;
}

/** One DLRR sub-block (§4.5): the LRR/DLRR pair answering one receiver's RRTR. */
export interface DlrrReport {
  ssrc: number;
  /** Middle 32 bits of the NTP time of the last RRTR received from `ssrc`. */
  lastReceiverReport: number;
  /** Delay since that RRTR, in units of 1/65536 s. */
  delaySinceLastReceiverReport: number;
}

export interface DlrrBlock {
  kind: 'dlrr';
  reports: DlrrReport[];
}

/** A block of any other type, as found: header byte 2 (type-specific) and the contents. */
export interface UnknownXrBlock {
  kind: 'unknown';
  blockType: number;
  typeSpecific: number;
  body: Uint8Array;
}

export type XrBlock = ReceiverReferenceTimeBlock | DlrrBlock | UnknownXrBlock;

const BLOCK_HEADER_SIZE = 4;
const RRTR_SIZE = 12;
const DLRR_REPORT_SIZE = 12;

export class ExtendedReport {
  ssrc: number;
  blocks: XrBlock[];

  constructor(ssrc: number, blocks: XrBlock[] = []) {
    this.ssrc = ssrc;
    this.blocks = blocks;
  }

  get kind(): 'xr' {
    return 'xr';
  }

  /** Decodes the packet at `start`, payload ending at `end` (the count field is reserved). */
  static decode(b: Uint8Array, start: number, end: number): ExtendedReport {
    if (end - start < 8) throw new RtcpParseError('XR shorter than its fixed header', start);
    const blocks: XrBlock[] = [];
    let at = start + 8;
    while (at < end) {
      if (at + BLOCK_HEADER_SIZE > end) throw new RtcpParseError('XR block header truncated', at);
      const blockType = b[at] as number;
      // The block length counts 32-bit words minus one, header included (RFC 3611 §3).
      const size = (readU16BE(b, at + 2) + 1) * 4;
      if (at + size > end) {
        throw new RtcpParseError(`XR block of ${size} bytes runs past the packet`, at);
      }
      blocks.push(decodeBlock(b, at, size, blockType));
      at += size;
    }
    return new ExtendedReport(readU32BE(b, start + 4), blocks);
  }

  byteLength(): number {
    let length = 8;
    for (const block of this.blocks) length += blockSize(block);
    return length;
  }

  write(w: ByteWriter): void {
    writeHeader(w, 0, RtcpPacketType.ExtendedReport, this.byteLength());
    w.u32(this.ssrc);
    for (const block of this.blocks) {
      const words = (blockSize(block) >> 2) - 1;
      switch (block.kind) {
        case 'rrtr':
          w.u8(XrBlockType.ReceiverReferenceTime).u8(0).u16(words);
          w.u32(block.ntpSeconds).u32(block.ntpFraction);
          break;
        case 'dlrr':
          w.u8(XrBlockType.Dlrr).u8(0).u16(words);
          for (const report of block.reports) {
            w.u32(report.ssrc)
              .u32(report.lastReceiverReport)
              .u32(report.delaySinceLastReceiverReport);
          }
          break;
        case 'unknown':
          if ((block.body.length & 3) !== 0) {
            throw new RangeError(
              `XR block body of ${block.body.length} bytes is not 32-bit aligned`,
            );
          }
          w.u8(block.blockType).u8(block.typeSpecific).u16(words).bytes(block.body);
          break;
      }
    }
  }
}

function decodeBlock(b: Uint8Array, at: number, size: number, blockType: number): XrBlock {
  switch (blockType) {
    case XrBlockType.ReceiverReferenceTime:
      if (size !== RRTR_SIZE) {
        throw new RtcpParseError(`XR RRTR block of ${size} bytes, not ${RRTR_SIZE}`, at);
      }
      return { kind: 'rrtr', ntpSeconds: readU32BE(b, at + 4), ntpFraction: readU32BE(b, at + 8) };
    case XrBlockType.Dlrr: {
      const bodySize = size - BLOCK_HEADER_SIZE;
      if (bodySize % DLRR_REPORT_SIZE !== 0) {
        throw new RtcpParseError(`XR DLRR body of ${bodySize} bytes is not whole sub-blocks`, at);
      }
      const reports: DlrrReport[] = [];
      for (let p = at + BLOCK_HEADER_SIZE; p < at + size; p += DLRR_REPORT_SIZE) {
        reports.push({
          ssrc: readU32BE(b, p),
          lastReceiverReport: readU32BE(b, p + 4),
          delaySinceLastReceiverReport: readU32BE(b, p + 8),
        });
      }
      return { kind: 'dlrr', reports };
    }
    default:
      return {
        kind: 'unknown',
        blockType,
        typeSpecific: b[at + 1] as number,
        body: b.subarray(at + BLOCK_HEADER_SIZE, at + size),
      };
  }
}

function blockSize(block: XrBlock): number {
  switch (block.kind) {
    case 'rrtr':
      return RRTR_SIZE;
    case 'dlrr':
      return BLOCK_HEADER_SIZE + block.reports.length * DLRR_REPORT_SIZE;
    case 'unknown':
      return BLOCK_HEADER_SIZE + block.body.length;
  }
}
