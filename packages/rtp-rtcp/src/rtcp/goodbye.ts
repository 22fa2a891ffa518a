/** Goodbye, BYE (RFC 3550 §6.6). */

import type { ByteWriter } from '@typertc/common';
import { readU32BE } from '@typertc/common';
import { RtcpParseError } from '../errors.js';
import { decodeText, encodeText, utf8Length } from './text.js';
import { RtcpPacketType, writeHeader } from './wire.js';

export class Goodbye {
  /** The SSRC/CSRC identifiers leaving. */
  sources: number[];
  /** Why they leave (UTF-8, at most 255 bytes), if given. */
  reason: string | undefined;

  constructor(sources: number[] = [], reason?: string) {
    this.sources = sources;
    this.reason = reason;
  }

  get kind(): 'bye' {
    return 'bye';
  }

  /** Decodes the packet at `start`, payload ending at `end`; `count` is the SC field. */
  static decode(b: Uint8Array, start: number, end: number, count: number): Goodbye {
    const sourcesEnd = start + 4 + count * 4;
    if (sourcesEnd > end) {
      throw new RtcpParseError(`BYE with ${count} sources runs past the packet`, start);
    }
    const sources: number[] = [];
    for (let at = start + 4; at < sourcesEnd; at += 4) sources.push(readU32BE(b, at));
    let reason: string | undefined;
    if (sourcesEnd < end) {
      // An optional length-prefixed reason, then zero padding to 32 bits (§6.6).
      const length = b[sourcesEnd] as number;
      const reasonEnd = sourcesEnd + 1 + length;
      if (reasonEnd > end) {
        throw new RtcpParseError(`BYE reason of ${length} bytes runs past the packet`, sourcesEnd);
      }
      reason = decodeText(b, sourcesEnd + 1, reasonEnd);
    }
    return new Goodbye(sources, reason);
  }

  byteLength(): number {
    const base = 4 + this.sources.length * 4;
    if (this.reason === undefined) return base;
    return base + ((1 + utf8Length(this.reason) + 3) & ~3);
  }

  write(w: ByteWriter): void {
    writeHeader(w, this.sources.length, RtcpPacketType.Goodbye, this.byteLength());
    for (const source of this.sources) w.u32(source);
    if (this.reason !== undefined) {
      const text = encodeText(this.reason);
      if (text.length > 0xff) throw new RangeError(`BYE reason of ${text.length} bytes`);
      w.u8(text.length).bytes(text);
      w.zeros((4 - ((1 + text.length) & 3)) & 3);
    }
  }
}
