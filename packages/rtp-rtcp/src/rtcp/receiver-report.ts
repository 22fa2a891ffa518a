/** Receiver report, RR (RFC 3550 §6.4.2). */

import type { ByteWriter } from '@typertc/common';
import { readU32BE } from '@typertc/common';
import { RtcpParseError } from '../errors.js';
import type { ReportBlock } from './report-block.js';
import { decodeReportBlocks, REPORT_BLOCK_SIZE, writeReportBlock } from './report-block-codec.js';
import { EMPTY_BYTES, RtcpPacketType, writeHeader } from './wire.js';

/** Header and reporter SSRC. */
const FIXED_SIZE = 8;

export interface ReceiverReportInit {
  ssrc: number;
  reports?: ReportBlock[];
  /** Profile-specific extensions after the report blocks (§6.4.2), a multiple of 4 bytes. */
  profileExtensions?: Uint8Array;
}

export class ReceiverReport {
  ssrc: number;
  reports: ReportBlock[];
  profileExtensions: Uint8Array;

  constructor(init: ReceiverReportInit) {
    this.ssrc = init.ssrc;
    this.reports = init.reports ?? [];
    this.profileExtensions = init.profileExtensions ?? EMPTY_BYTES;
  }

  get kind(): 'rr' {
    return 'rr';
  }

  /** Decodes the packet at `start`, payload ending at `end`; `count` is the RC field. */
  static decode(b: Uint8Array, start: number, end: number, count: number): ReceiverReport {
    const blocksEnd = start + FIXED_SIZE + count * REPORT_BLOCK_SIZE;
    if (blocksEnd > end) {
      throw new RtcpParseError(
        `RR with ${count} report blocks needs ${blocksEnd - start} bytes, has ${end - start}`,
        start,
      );
    }
    return new ReceiverReport({
      ssrc: readU32BE(b, start + 4),
      reports: decodeReportBlocks(b, start + FIXED_SIZE, count),
      profileExtensions: b.subarray(blocksEnd, end),
    });
  }

  byteLength(): number {
    return FIXED_SIZE + this.reports.length * REPORT_BLOCK_SIZE + this.profileExtensions.length;
  }

  write(w: ByteWriter): void {
    writeHeader(w, this.reports.length, RtcpPacketType.ReceiverReport, this.byteLength());
    w.u32(this.ssrc);
    for (const block of this.reports) writeReportBlock(w, block);
    w.bytes(this.profileExtensions);
  }
}
