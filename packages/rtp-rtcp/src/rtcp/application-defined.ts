/** Application-defined packet, APP (RFC 3550 §6.7). */

import type { ByteWriter } from '@typertc/common';
import { readU32BE } from '@typertc/common';
import { RtcpParseError } from '../errors.js';
import { EMPTY_BYTES, RtcpPacketType, writeHeader } from './wire.js';

/** Header, SSRC and the four-character name. */
const FIXED_SIZE = 12;

export interface ApplicationDefinedInit {
  /** The 5-bit subtype in the header's count field. */
  subtype?: number;
  ssrc: number;
  /** Four ASCII characters naming the application (§6.7). */
  name: string;
  /** Application-dependent data, a multiple of 4 bytes. */
  data?: Uint8Array;
}

export class ApplicationDefined {
  subtype: number;
  ssrc: number;
  name: string;
  data: Uint8Array;

  constructor(init: ApplicationDefinedInit) {
    this.subtype = init.subtype ?? 0;
    this.ssrc = init.ssrc;
    this.name = init.name;
    this.data = init.data ?? EMPTY_BYTES;
  }

  get kind(): 'app' {
    return 'app';
  }

  /** Decodes the packet at `start`, payload ending at `end`; `count` is the subtype. */
  static decode(b: Uint8Array, start: number, end: number, count: number): ApplicationDefined {
    if (end - start < FIXED_SIZE) {
      throw new RtcpParseError(`APP needs ${FIXED_SIZE} bytes, has ${end - start}`, start);
    }
    return new ApplicationDefined({
      subtype: count,
      ssrc: readU32BE(b, start + 4),
      name: String.fromCharCode(
        b[start + 8] as number,
        b[start + 9] as number,
        b[start + 10] as number,
        b[start + 11] as number,
      ),
      data: b.subarray(start + FIXED_SIZE, end),
    });
  }

  byteLength(): number {
    return FIXED_SIZE + this.data.length;
  }

  write(w: ByteWriter): void {
    if (this.name.length !== 4) throw new RangeError(`APP name must be 4 characters: ${this.name}`);
    writeHeader(w, this.subtype, RtcpPacketType.ApplicationDefined, this.byteLength());
    w.u32(this.ssrc);
    for (let i = 0; i < 4; i++) {
      const code = this.name.charCodeAt(i);
      if (code > 0xff) throw new RangeError(`APP name must be 8-bit characters: ${this.name}`);
      w.u8(code);
    }
    w.bytes(this.data);
  }
}
