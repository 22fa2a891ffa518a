/**
 * The RTP packet (RFC 3550 §5.1):
 *
 *     0                   1                   2                   3
 *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 *    |                           timestamp                           |
 *    |           synchronization source (SSRC) identifier            |
 *    |            contributing source (CSRC) identifiers (CC)        |
 *    |    header extension (X)  |  payload  |  padding (P)           |
 *
 * A mutable class with plain fields, for the hot path: `RtpPacket.parseInto(packet, bytes)`
 * refills one object per stream without allocating, the payload is a view into the datagram,
 * and `serializeInto(buffer, offset)` writes into the caller's buffer (the SRTP protect path).
 */

import { BufferOverflowError, readU32BE, writeU32BE } from '@typertc/common';
import { RtpParseError } from '../errors.js';
import { RtpHeaderExtensions } from './header-extensions.js';
import { allocateOutput } from './output-slab.js';

/** The fixed header: V/P/X/CC, M/PT, sequence number, timestamp, SSRC. */
export const RTP_FIXED_HEADER_LENGTH = 12;
/** RTP version 2, the only one defined (RFC 3550 §5.1). */
export const RTP_VERSION = 2;

const EMPTY = new Uint8Array(0);

/** Field values for `new RtpPacket(init)`; anything left out is 0, false or empty. */
export interface RtpPacketInit {
  readonly marker?: boolean;
  readonly payloadType?: number;
  readonly sequenceNumber?: number;
  readonly timestamp?: number;
  readonly ssrc?: number;
  readonly csrcs?: readonly number[];
  readonly payload?: Uint8Array;
  readonly paddingLength?: number;
}

export class RtpPacket {
  marker = false;
  /** 7 bits. */
  payloadType = 0;
  /** 16 bits. */
  sequenceNumber = 0;
  /** 32 bits, unsigned. */
  timestamp = 0;
  /** 32 bits, unsigned. */
  ssrc = 0;
  /** Up to 15 contributing sources, unsigned 32-bit each; reused by `parseInto`. */
  csrcs: number[] = [];
  /** The header extension block (the X bit is set exactly when it is present). */
  readonly extensions = new RtpHeaderExtensions();
  /** The payload without padding; after parsing, a view into the parsed bytes. */
  payload: Uint8Array = EMPTY;
  /**
   * Padding octets after the payload, the final count octet included (RFC 3550 §5.1: "the last
   * octet of the padding contains a count of how many padding octets should be ignored,
   * including itself"); 0 for none (P clear), at most 255. Serialization writes zeros and the
   * count.
   */
  paddingLength = 0;

  constructor(init?: RtpPacketInit) {
    if (init === undefined) return;
    this.marker = init.marker ?? false;
    this.payloadType = init.payloadType ?? 0;
    this.sequenceNumber = init.sequenceNumber ?? 0;
    this.timestamp = init.timestamp ?? 0;
    this.ssrc = init.ssrc ?? 0;
    this.csrcs = init.csrcs === undefined ? [] : [...init.csrcs];
    this.payload = init.payload ?? EMPTY;
    this.paddingLength = init.paddingLength ?? 0;
  }

  /** Parses a packet into a new object. Malformed input raises `RtpParseError`. */
  static parse(bytes: Uint8Array): RtpPacket {
    return RtpPacket.parseInto(new RtpPacket(), bytes);
  }

  /**
   * Parses `bytes` into `packet`, overwriting every field, and returns it: one object per
   * stream, no allocation but the payload view. The payload and extension values alias
   * `bytes`. On `RtpParseError` the packet's contents are unspecified.
   */
  static parseInto(packet: RtpPacket, bytes: Uint8Array): RtpPacket {
    const length = bytes.length;
    if (length < RTP_FIXED_HEADER_LENGTH) {
      throw new RtpParseError(`${length} bytes is shorter than the 12-byte RTP header`, 0);
    }
    const b0 = bytes[0] as number;
    const b1 = bytes[1] as number;
    if (b0 >>> 6 !== RTP_VERSION) throw new RtpParseError(`RTP version ${b0 >>> 6}, not 2`, 0);
    packet.marker = (b1 & 0x80) !== 0;
    packet.payloadType = b1 & 0x7f;
    packet.sequenceNumber = ((bytes[2] as number) << 8) | (bytes[3] as number);
    packet.timestamp = readU32BE(bytes, 4);
    packet.ssrc = readU32BE(bytes, 8);

    const csrcCount = b0 & 0x0f;
    let at = RTP_FIXED_HEADER_LENGTH;
    if (csrcCount * 4 > length - at) {
      throw new RtpParseError(
        `${csrcCount} CSRCs need ${csrcCount * 4} bytes, ${length - at} left`,
        at,
      );
    }
    const csrcs = packet.csrcs;
    csrcs.length = csrcCount;
    for (let i = 0; i < csrcCount; i++, at += 4) csrcs[i] = readU32BE(bytes, at);

    const extensions = packet.extensions;
    if ((b0 & 0x10) !== 0) {
      // RFC 3550 §5.3.1: a 16-bit profile field, then the length in 32-bit words.
      if (length - at < 4) {
        throw new RtpParseError(`header extension needs 4 bytes, ${length - at} left`, at);
      }
      const profile = ((bytes[at] as number) << 8) | (bytes[at + 1] as number);
      const dataLength = (((bytes[at + 2] as number) << 8) | (bytes[at + 3] as number)) * 4;
      if (dataLength > length - at - 4) {
        throw new RtpParseError(
          `header extension of ${dataLength} bytes, ${length - at - 4} left`,
          at + 2,
        );
      }
      extensions.parseFrom(bytes, profile, at + 4, at + 4 + dataLength);
      at += 4 + dataLength;
    } else {
      extensions.reset();
    }

    let end = length;
    if ((b0 & 0x20) !== 0) {
      const count = bytes[length - 1] as number;
      // The count includes itself, so 0 is malformed, and it cannot eat into the header.
      if (count === 0 || count > length - at) {
        throw new RtpParseError(
          `padding count ${count} with ${length - at} bytes after the header`,
          length - 1,
        );
      }
      end = length - count;
      packet.paddingLength = count;
    } else {
      packet.paddingLength = 0;
    }
    packet.payload = bytes.subarray(at, end);
    return packet;
  }

  /** Always 2: parsing rejects anything else. */
  get version(): number {
    return RTP_VERSION;
  }

  /** The P bit. */
  get padding(): boolean {
    return this.paddingLength > 0;
  }

  /** The X bit. */
  get extension(): boolean {
    return this.extensions.present;
  }

  /** Bytes before the payload: fixed header, CSRCs and extension block (the SRTP header). */
  get headerLength(): number {
    return RTP_FIXED_HEADER_LENGTH + this.csrcs.length * 4 + this.extensions.byteLength;
  }

  /** Bytes `serializeInto` writes. */
  get byteLength(): number {
    return this.headerLength + this.payload.length + this.paddingLength;
  }

  /**
   * Writes the packet at `buffer[offset]` and returns the bytes written. A buffer too small
   * raises `BufferOverflowError` before anything is written; a field out of its range (a
   * caller bug) raises `RangeError`.
   */
  serializeInto(buffer: Uint8Array, offset = 0): number {
    this.#checkFields();
    const total = this.byteLength;
    if (!(offset >= 0 && total <= buffer.length - offset)) {
      throw new BufferOverflowError(total, buffer.length - offset);
    }
    const csrcs = this.csrcs;
    const extensions = this.extensions;
    const hasExtension = extensions.present;
    const padding = this.paddingLength;
    buffer[offset] = 0x80 | (padding > 0 ? 0x20 : 0) | (hasExtension ? 0x10 : 0) | csrcs.length;
    buffer[offset + 1] = (this.marker ? 0x80 : 0) | this.payloadType;
    buffer[offset + 2] = this.sequenceNumber >>> 8;
    buffer[offset + 3] = this.sequenceNumber;
    writeU32BE(buffer, offset + 4, this.timestamp);
    writeU32BE(buffer, offset + 8, this.ssrc);
    let at = offset + RTP_FIXED_HEADER_LENGTH;
    for (let i = 0; i < csrcs.length; i++, at += 4) writeU32BE(buffer, at, csrcs[i] as number);
    if (hasExtension) at += extensions.writeInto(buffer, at);
    buffer.set(this.payload, at);
    at += this.payload.length;
    if (padding > 0) {
      buffer.fill(0, at, at + padding - 1);
      at += padding;
      buffer[at - 1] = padding;
    }
    return at - offset;
  }

  /**
   * The packet as new bytes. For speed, small results are views into a shared slab: a caller
   * that needs an `ArrayBuffer` of its own (to transfer it) copies with `slice()`.
   */
  serialize(): Uint8Array {
    const out = allocateOutput(this.byteLength);
    this.serializeInto(out, 0);
    return out;
  }

  #checkFields(): void {
    checkUint(this.payloadType, 0x7f, 'payloadType');
    checkUint(this.sequenceNumber, 0xffff, 'sequenceNumber');
    checkUint(this.timestamp, 0xffff_ffff, 'timestamp');
    checkUint(this.ssrc, 0xffff_ffff, 'ssrc');
    checkUint(this.paddingLength, 0xff, 'paddingLength');
    if (this.csrcs.length > 15) {
      throw new RangeError(`at most 15 CSRCs fit the 4-bit CC field, not ${this.csrcs.length}`);
    }
    for (let i = 0; i < this.csrcs.length; i++)
      checkUint(this.csrcs[i] as number, 0xffff_ffff, 'csrc');
  }
}

function checkUint(value: number, max: number, name: string): void {
  if (!(Number.isInteger(value) && value >= 0 && value <= max)) {
    throw new RangeError(`${name} out of range: ${value}`);
  }
}
