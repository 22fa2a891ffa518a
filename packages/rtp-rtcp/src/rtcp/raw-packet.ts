/**
 * An RTCP packet of a type (or feedback FMT) this package does not decode, kept as found so that
 * it re-serializes byte for byte.
 */

import type { ByteWriter } from '@typertc/common';
import { EMPTY_BYTES, MAX_COUNT, writeHeader } from './wire.js';

export class RawRtcpPacket {
  packetType: number;
  /** The header's 5-bit count / FMT field. */
  count: number;
  /** Everything after the 4-byte header, RTCP padding excluded (a view into the input). */
  body: Uint8Array;

  constructor(packetType: number, count: number, body: Uint8Array = EMPTY_BYTES) {
    this.packetType = packetType;
    this.count = count;
    this.body = body;
  }

  get kind(): 'raw' {
    return 'raw';
  }

  static decode(b: Uint8Array, start: number, end: number, count: number): RawRtcpPacket {
    return new RawRtcpPacket(b[start + 1] as number, count & MAX_COUNT, b.subarray(start + 4, end));
  }

  byteLength(): number {
    return 4 + this.body.length;
  }

  write(w: ByteWriter): void {
    // A body that is not a multiple of 4 only fits as the last packet, before padding;
    // serializeRtcp checks that and fixes up the length field.
    writeHeader(w, this.count, this.packetType, (this.byteLength() + 3) & ~3);
    w.bytes(this.body);
  }
}
