/** Generic NACK (RFC 4585 §6.2.1): transport-layer feedback listing lost RTP packets. */

import type { ByteWriter } from '@typertc/common';
import { readU16BE, readU32BE } from '@typertc/common';
import { RtcpParseError } from '../errors.js';
import { checkFeedbackHeader, FEEDBACK_HEADER_SIZE, TransportFeedbackFormat } from './feedback.js';
import { RtcpPacketType, writeHeader } from './wire.js';

/**
 * One FCI entry: packet `pid` is lost, and so is `pid + i + 1` for each bit i set in `blp` (bit 0
 * is the least significant).
 */
export interface NackEntry {
  pid: number;
  blp: number;
}

const ENTRY_SIZE = 4;

export class GenericNack {
  senderSsrc: number;
  mediaSsrc: number;
  entries: NackEntry[];

  constructor(senderSsrc: number, mediaSsrc: number, entries: NackEntry[] = []) {
    this.senderSsrc = senderSsrc;
    this.mediaSsrc = mediaSsrc;
    this.entries = entries;
  }

  get kind(): 'nack' {
    return 'nack';
  }

  /** A NACK for `lost`, sequence numbers in RTP order (wrapping past 65535 is fine). */
  static fromLost(senderSsrc: number, mediaSsrc: number, lost: Iterable<number>): GenericNack {
    return new GenericNack(senderSsrc, mediaSsrc, nackEntriesFromLost(lost));
  }

  /** Every sequence number the entries report lost, in order, duplicates removed. */
  lostSequenceNumbers(): number[] {
    return lostFromNackEntries(this.entries);
  }

  static decode(b: Uint8Array, start: number, end: number): GenericNack {
    checkFeedbackHeader('NACK', start, end);
    const fciSize = end - start - FEEDBACK_HEADER_SIZE;
    if (fciSize % ENTRY_SIZE !== 0) {
      throw new RtcpParseError(`NACK FCI of ${fciSize} bytes is not whole entries`, start);
    }
    const entries: NackEntry[] = [];
    for (let at = start + FEEDBACK_HEADER_SIZE; at < end; at += ENTRY_SIZE) {
      entries.push({ pid: readU16BE(b, at), blp: readU16BE(b, at + 2) });
    }
    return new GenericNack(readU32BE(b, start + 4), readU32BE(b, start + 8), entries);
  }

  byteLength(): number {
    return FEEDBACK_HEADER_SIZE + this.entries.length * ENTRY_SIZE;
  }

  write(w: ByteWriter): void {
    writeHeader(
      w,
      TransportFeedbackFormat.GenericNack,
      RtcpPacketType.TransportFeedback,
      this.byteLength(),
    );
    w.u32(this.senderSsrc).u32(this.mediaSsrc);
    for (const entry of this.entries) w.u16(entry.pid).u16(entry.blp);
  }
}

/**
 * Packs lost sequence numbers into PID + BLP entries. Each number joins the last entry when it
 * falls within the 16 packets after its PID, so input in RTP order (across a wrap, too) packs
 * tightly; a number repeated within the window is dropped.
 */
export function nackEntriesFromLost(lost: Iterable<number>): NackEntry[] {
  const entries: NackEntry[] = [];
  let last: NackEntry | undefined;
  for (const sequence of lost) {
    if (sequence >>> 0 !== sequence || sequence > 0xffff) {
      throw new RangeError(`invalid RTP sequence number ${sequence}`);
    }
    const distance = last === undefined ? -1 : (sequence - last.pid) & 0xffff;
    if (last !== undefined && distance === 0) continue;
    if (last !== undefined && distance <= 16) {
      last.blp |= 1 << (distance - 1);
    } else {
      last = { pid: sequence, blp: 0 };
      entries.push(last);
    }
  }
  return entries;
}

/** The sequence numbers that `entries` report lost, in entry order, duplicates removed. */
export function lostFromNackEntries(entries: readonly NackEntry[]): number[] {
  const lost: number[] = [];
  const seen = new Set<number>();
  for (const { pid, blp } of entries) {
    // Bit -1 stands for the PID itself.
    for (let bit = -1; bit < 16; bit++) {
      if (bit >= 0 && (blp & (1 << bit)) === 0) continue;
      const sequence = (pid + bit + 1) & 0xffff;
      if (seen.has(sequence)) continue;
      seen.add(sequence);
      lost.push(sequence);
    }
  }
  return lost;
}
