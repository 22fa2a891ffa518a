/** Sender report, SR (RFC 3550 §6.4.1). */

import type { ByteWriter } from '@typertc/common';
import { readU32BE } from '@typertc/common';
import { RtcpParseError } from '../errors.js';
import type { ReportBlock } from './report-block.js';
import { decodeReportBlocks, REPORT_BLOCK_SIZE, writeReportBlock } from './report-block-codec.js';
import { EMPTY_BYTES, RtcpPacketType, writeHeader } from './wire.js';

/** Header, sender SSRC and the 20-byte sender info. */
const FIXED_SIZE = 28;

export interface SenderReportInit {
  ssrc: number;
  /** NTP timestamp, integer seconds since 1900 (the upper 32 bits). */
  ntpSeconds: number;
  /** NTP timestamp, fraction of a second in units of 2^-32 s (the lower 32 bits). */
  ntpFraction: number;
  rtpTimestamp: number;
  packetCount: number;
  octetCount: number;
  reports?: ReportBlock[];
  /** Profile-specific extensions after the report blocks (§6.4.1), a multiple of 4 bytes. */
  profileExtensions?: Uint8Array;
}

export class SenderReport {
  ssrc: number;
  ntpSeconds: number;
  ntpFraction: number;
  rtpTimestamp: number;
  packetCount: number;
  octetCount: number;
  reports: ReportBlock[];
  profileExtensions: Uint8Array;

  constructor(init: SenderReportInit) {
    this.ssrc = init.ssrc;
    this.ntpSeconds = init.ntpSeconds;
    this.ntpFraction = init.ntpFraction;
    this.rtpTimestamp = init.rtpTimestamp;
    this.packetCount = init.packetCount;
    this.octetCount = init.octetCount;
    this.reports = init.reports ?? [];
    this.profileExtensions = init.profileExtensions ?? EMPTY_BYTES;
  }

  get kind(): 'sr' {
    return 'sr';
  }

  /**
   * The middle 32 bits of the NTP timestamp: what a receiver echoes as LSR in its report blocks
   * (§6.4.1) and matches DLSR against to compute the round-trip time.
   */
  get ntpMiddle(): number {
    return (((this.ntpSeconds & 0xffff) << 16) | (this.ntpFraction >>> 16)) >>> 0;
  }

  /**
   * Decodes the packet at `start` whose payload ends at `end` (padding excluded); `count` is the
   * header's RC field. Offsets in errors are into `b`.
   */
  static decode(b: Uint8Array, start: number, end: number, count: number): SenderReport {
    const blocksEnd = start + FIXED_SIZE + count * REPORT_BLOCK_SIZE;
    if (blocksEnd > end) {
      throw new RtcpParseError(
        `SR with ${count} report blocks needs ${blocksEnd - start} bytes, has ${end - start}`,
        start,
      );
    }
    return new SenderReport({
      ssrc: readU32BE(b, start + 4),
      ntpSeconds: readU32BE(b, start + 8),
      ntpFraction: readU32BE(b, start + 12),
      rtpTimestamp: readU32BE(b, start + 16),
      packetCount: readU32BE(b, start + 20),
      octetCount: readU32BE(b, start + 24),
      reports: decodeReportBlocks(b, start + FIXED_SIZE, count),
      profileExtensions: b.subarray(blocksEnd, end),
    });
  }

  /** Serialized size in bytes (header included, RTCP padding excluded). */
  byteLength(): number {
    return FIXED_SIZE + this.reports.length * REPORT_BLOCK_SIZE + this.profileExtensions.length;
  }

  write(w: ByteWriter): void {
    writeHeader(w, this.reports.length, RtcpPacketType.SenderReport, this.byteLength());
    w.u32(this.ssrc)
      .u32(this.ntpSeconds)
      .u32(this.ntpFraction)
      .u32(this.rtpTimestamp)
      .u32(this.packetCount)
      .u32(this.octetCount);
    for (const block of this.reports) writeReportBlock(w, block);
    w.bytes(this.profileExtensions);
  }
}
