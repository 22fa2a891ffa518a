/** Reception report blocks on the wire (RFC 3550 §6.4.1), as carried by SR and RR. */

import type { ByteWriter } from '@typertc/common';
import { readU32BE } from '@typertc/common';
import type { ReportBlock } from './report-block.js';

export const REPORT_BLOCK_SIZE = 24;

/** Reads the block at `at`; the caller has checked that 24 bytes are there. */
export function decodeReportBlock(b: Uint8Array, at: number): ReportBlock {
  return {
    ssrc: readU32BE(b, at),
    fractionLost: b[at + 4] as number,
    // Cumulative loss is a signed 24-bit count: duplicates can make it negative.
    packetsLost:
      (((b[at + 5] as number) << 24) |
        ((b[at + 6] as number) << 16) |
        ((b[at + 7] as number) << 8)) >>
      8,
    highestSequence: readU32BE(b, at + 8),
    jitter: readU32BE(b, at + 12),
    lastSenderReport: readU32BE(b, at + 16),
    delaySinceLastSenderReport: readU32BE(b, at + 20),
  };
}

export function writeReportBlock(w: ByteWriter, block: ReportBlock): void {
  w.u32(block.ssrc)
    .u8(block.fractionLost)
    .i24(block.packetsLost)
    .u32(block.highestSequence)
    .u32(block.jitter)
    .u32(block.lastSenderReport)
    .u32(block.delaySinceLastSenderReport);
}

/** Decodes `count` blocks from `at`, which the caller has checked fit. */
export function decodeReportBlocks(b: Uint8Array, at: number, count: number): ReportBlock[] {
  const blocks: ReportBlock[] = [];
  for (let i = 0; i < count; i++) blocks.push(decodeReportBlock(b, at + i * REPORT_BLOCK_SIZE));
  return blocks;
}
