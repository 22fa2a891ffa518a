/** Full Intra Request, FIR (RFC 5104 §4.3.1). */

import type { ByteWriter } from '@typertc/common';
import { readU32BE } from '@typertc/common';
import { RtcpParseError } from '../errors.js';
import { checkFeedbackHeader, FEEDBACK_HEADER_SIZE, PayloadFeedbackFormat } from './feedback.js';
import { RtcpPacketType, writeHeader } from './wire.js';

/** One FCI entry (§4.3.1.1): which sender must send a decoder refresh point. */
export interface FirEntry {
  ssrc: number;
  /** Command sequence number, 8 bits, incremented per new request (§4.3.1.1). */
  sequence: number;
}

const ENTRY_SIZE = 8;

export class FullIntraRequest {
  senderSsrc: number;
  /** Unused by FIR and set to 0 (§4.3.1.2); kept so a packet re-serializes as received. */
  mediaSsrc: number;
  entries: FirEntry[];

  constructor(senderSsrc: number, entries: FirEntry[] = [], mediaSsrc = 0) {
    this.senderSsrc = senderSsrc;
    this.mediaSsrc = mediaSsrc;
    this.entries = entries;
  }

  get kind(): 'fir' {
    return 'fir';
  }

  static decode(b: Uint8Array, start: number, end: number): FullIntraRequest {
    checkFeedbackHeader('FIR', start, end);
    const fciSize = end - start - FEEDBACK_HEADER_SIZE;
    if (fciSize % ENTRY_SIZE !== 0) {
      throw new RtcpParseError(`FIR FCI of ${fciSize} bytes is not whole entries`, start);
    }
    const entries: FirEntry[] = [];
    for (let at = start + FEEDBACK_HEADER_SIZE; at < end; at += ENTRY_SIZE) {
      // The 24 bits after the sequence number are reserved.
      entries.push({ ssrc: readU32BE(b, at), sequence: b[at + 4] as number });
    }
    return new FullIntraRequest(readU32BE(b, start + 4), entries, readU32BE(b, start + 8));
  }

  byteLength(): number {
    return FEEDBACK_HEADER_SIZE + this.entries.length * ENTRY_SIZE;
  }

  write(w: ByteWriter): void {
    writeHeader(
      w,
      PayloadFeedbackFormat.FullIntraRequest,
      RtcpPacketType.PayloadFeedback,
      this.byteLength(),
    );
    w.u32(this.senderSsrc).u32(this.mediaSsrc);
    for (const entry of this.entries) w.u32(entry.ssrc).u8(entry.sequence).zeros(3);
  }
}
