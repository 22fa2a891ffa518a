/**
 * The header extension block of one RTP packet (RFC 3550 §5.3.1), read and written in the RFC 8285
 * general mechanism: one-byte elements under the profile 0xBEDE (§4.2) or two-byte elements under
 * 0x100 + appbits (§4.3).
 *
 * Built for the packet hot path: parsing records each element as (id, backing bytes, offset,
 * length) in arrays that are reused packet after packet, so no view is made until a value is
 * asked for. A block under any other profile (a plain RFC 3550 extension) is kept opaque.
 */

import { RtpParseError } from '../errors.js';

/** "defined by profile" for one-byte elements (RFC 8285 §4.2). */
export const ONE_BYTE_PROFILE = 0xbede;
/** "defined by profile" for two-byte elements, with the 4 appbits clear (RFC 8285 §4.3). */
export const TWO_BYTE_PROFILE = 0x1000;

/** Largest value a one-byte element can carry: its 4-bit length field holds length - 1. */
const ONE_BYTE_MAX_LENGTH = 16;
/** One-byte ids are 1-14: 0 is padding, 15 is reserved (RFC 8285 §4.2). */
const ONE_BYTE_MAX_ID = 14;
/** The 16-bit length field counts 32-bit words. */
const MAX_BLOCK_WORDS = 0xffff;

const EMPTY = new Uint8Array(0);

export class RtpHeaderExtensions {
  readonly #ids: number[] = [];
  readonly #sources: Uint8Array[] = [];
  readonly #offsets: number[] = [];
  readonly #lengths: number[] = [];
  #count = 0;
  #opaqueProfile = -1;
  #opaqueData: Uint8Array = EMPTY;

  /**
   * Write the two-byte form even when every element would fit the one-byte form. Parsing sets it
   * when the packet used the two-byte form, so a forwarded packet keeps its form; otherwise the
   * form is chosen per packet (RFC 8285 §4.1.1: two-byte only when an id exceeds 14 or a value
   * is empty or longer than 16 bytes).
   */
  twoByte = false;

  /** The 4 appbits of the two-byte form's profile (RFC 8285 §4.3), 0 when unused. */
  appBits = 0;

  /** Number of elements. */
  get count(): number {
    return this.#count;
  }

  /** The id of element `index` (0 ≤ index < count), in packet order. */
  idAt(index: number): number {
    this.#checkIndex(index);
    return this.#ids[index] as number;
  }

  /** The value of element `index`, as a view. */
  valueAt(index: number): Uint8Array {
    this.#checkIndex(index);
    const offset = this.#offsets[index] as number;
    return (this.#sources[index] as Uint8Array).subarray(
      offset,
      offset + (this.#lengths[index] as number),
    );
  }

  /** Whether an element with this id is present. */
  has(id: number): boolean {
    return this.#find(id) >= 0;
  }

  /**
   * The value of the first element with this id, as a view into the packet it was parsed from
   * (zero-copy), or undefined.
   */
  get(id: number): Uint8Array | undefined {
    const index = this.#find(id);
    return index < 0 ? undefined : this.valueAt(index);
  }

  /**
   * Sets the value of the element `id` (1-255), replacing the first element with that id or
   * appending one. The value is referenced, not copied. An out-of-range id or a value longer
   * than 255 bytes is a caller bug and throws `RangeError`. A block under a non-RFC 8285
   * profile is discarded.
   */
  set(id: number, value: Uint8Array): void {
    if (!Number.isInteger(id) || id < 1 || id > 255) {
      throw new RangeError(`header extension id must be 1-255, not ${id}`);
    }
    if (value.length > 255) {
      throw new RangeError(`header extension value of ${value.length} bytes exceeds 255`);
    }
    this.#opaqueProfile = -1;
    this.#opaqueData = EMPTY;
    let index = this.#find(id);
    if (index < 0) index = this.#count++;
    this.#ids[index] = id;
    this.#sources[index] = value;
    this.#offsets[index] = 0;
    this.#lengths[index] = value.length;
  }

  /** Removes every element with this id; whether there was one. */
  delete(id: number): boolean {
    let kept = 0;
    const count = this.#count;
    for (let i = 0; i < count; i++) {
      if (this.#ids[i] === id) continue;
      if (kept !== i) this.#move(i, kept);
      kept++;
    }
    for (let i = kept; i < count; i++) this.#sources[i] = EMPTY;
    this.#count = kept;
    return kept !== count;
  }

  /** Removes every element and any opaque block, and forgets the form: as a new packet's. */
  reset(): void {
    this.clear();
    this.twoByte = false;
    this.appBits = 0;
  }

  /** Removes every element and any opaque block; keeps `twoByte` and `appBits`. */
  clear(): void {
    for (let i = 0; i < this.#count; i++) this.#sources[i] = EMPTY;
    this.#count = 0;
    this.#opaqueProfile = -1;
    this.#opaqueData = EMPTY;
  }

  /**
   * The profile of an extension block that is not RFC 8285's (RFC 3550 §5.3.1 leaves it to the
   * profile), kept as is; undefined when there is none.
   */
  get opaqueProfile(): number | undefined {
    return this.#opaqueProfile < 0 ? undefined : this.#opaqueProfile;
  }

  /** The data of the opaque block (a multiple of 4 bytes), empty when there is none. */
  get opaqueData(): Uint8Array {
    return this.#opaqueData;
  }

  /**
   * Replaces the whole block with an opaque one under `profile` (any 16-bit value but the RFC
   * 8285 ones) and `data` (a multiple of 4 bytes, referenced).
   */
  setOpaque(profile: number, data: Uint8Array): void {
    if (
      !Number.isInteger(profile) ||
      profile < 0 ||
      profile > 0xffff ||
      profile === ONE_BYTE_PROFILE ||
      (profile & 0xfff0) === TWO_BYTE_PROFILE
    ) {
      throw new RangeError(`invalid opaque extension profile ${profile}`);
    }
    if (data.length % 4 !== 0 || data.length / 4 > MAX_BLOCK_WORDS) {
      throw new RangeError(`opaque extension data of ${data.length} bytes is not whole words`);
    }
    this.clear();
    this.#opaqueProfile = profile;
    this.#opaqueData = data;
  }

  /** Whether the packet carries an extension block (the X bit). */
  get present(): boolean {
    return this.#count > 0 || this.#opaqueProfile >= 0;
  }

  /** Whether the elements are written in the two-byte form. */
  get usesTwoByteForm(): boolean {
    if (this.twoByte) return true;
    for (let i = 0; i < this.#count; i++) {
      const length = this.#lengths[i] as number;
      if ((this.#ids[i] as number) > ONE_BYTE_MAX_ID || length === 0) return true;
      if (length > ONE_BYTE_MAX_LENGTH) return true;
    }
    return false;
  }

  /** The "defined by profile" field as it will be written, or undefined without a block. */
  get profile(): number | undefined {
    if (this.#opaqueProfile >= 0) return this.#opaqueProfile;
    if (this.#count === 0) return undefined;
    return this.usesTwoByteForm ? TWO_BYTE_PROFILE | this.appBits : ONE_BYTE_PROFILE;
  }

  /** Bytes the block takes in a packet, its 4-byte header included; 0 without a block. */
  get byteLength(): number {
    if (this.#opaqueProfile >= 0) return 4 + this.#opaqueData.length;
    if (this.#count === 0) return 0;
    const header = this.usesTwoByteForm ? 2 : 1;
    let size = 0;
    for (let i = 0; i < this.#count; i++) size += header + (this.#lengths[i] as number);
    const words = (size + 3) >>> 2;
    if (words > MAX_BLOCK_WORDS) {
      throw new RangeError(`header extensions need ${words} words, more than the 65535 allowed`);
    }
    return 4 + words * 4;
  }

  /**
   * Writes the block (header, elements, zero padding to a word boundary) at `offset`; returns
   * the bytes written. The caller has checked that `byteLength` bytes fit.
   */
  writeInto(buffer: Uint8Array, offset: number): number {
    const total = this.byteLength;
    if (total === 0) return 0;
    const profile = this.profile as number;
    const words = (total - 4) >>> 2;
    buffer[offset] = profile >>> 8;
    buffer[offset + 1] = profile;
    buffer[offset + 2] = words >>> 8;
    buffer[offset + 3] = words;
    let at = offset + 4;
    if (this.#opaqueProfile >= 0) {
      buffer.set(this.#opaqueData, at);
      return total;
    }
    const twoByte = profile !== ONE_BYTE_PROFILE;
    for (let i = 0; i < this.#count; i++) {
      const id = this.#ids[i] as number;
      const length = this.#lengths[i] as number;
      if (twoByte) {
        buffer[at++] = id;
        buffer[at++] = length;
      } else {
        buffer[at++] = (id << 4) | (length - 1);
      }
      const source = this.#sources[i] as Uint8Array;
      const from = this.#offsets[i] as number;
      for (let j = 0; j < length; j++) buffer[at + j] = source[from + j] as number;
      at += length;
    }
    buffer.fill(0, at, offset + total);
    return total;
  }

  /**
   * Replaces the contents with the block at `bytes[start - 4, end)` of a packet: `profile` was
   * read from `start - 4`, the elements are in `[start, end)`. Errors carry offsets in `bytes`.
   */
  parseFrom(bytes: Uint8Array, profile: number, start: number, end: number): void {
    this.clear();
    if (profile === ONE_BYTE_PROFILE) {
      this.twoByte = false;
      this.appBits = 0;
      this.#parseOneByte(bytes, start, end);
    } else if ((profile & 0xfff0) === TWO_BYTE_PROFILE) {
      this.twoByte = true;
      this.appBits = profile & 0x0f;
      this.#parseTwoByte(bytes, start, end);
    } else {
      this.twoByte = false;
      this.appBits = 0;
      this.#opaqueProfile = profile;
      this.#opaqueData = bytes.subarray(start, end);
    }
  }

  /** RFC 8285 §4.2. */
  #parseOneByte(bytes: Uint8Array, start: number, end: number): void {
    let at = start;
    while (at < end) {
      const byte = bytes[at] as number;
      // A zero byte is padding, allowed between and after elements.
      if (byte === 0) {
        at++;
        continue;
      }
      const id = byte >>> 4;
      // Id 15: "processing of the entire extension MUST terminate at that point". An id of 0
      // with a non-zero length is neither padding nor an element, so the rest cannot be read
      // either.
      if (id === 15 || id === 0) break;
      const length = (byte & 0x0f) + 1;
      if (length > end - at - 1) {
        throw new RtpParseError(
          `one-byte extension element ${id} needs ${length} bytes, ${end - at - 1} left`,
          at,
        );
      }
      this.#push(id, bytes, at + 1, length);
      at += 1 + length;
    }
  }

  /** RFC 8285 §4.3. */
  #parseTwoByte(bytes: Uint8Array, start: number, end: number): void {
    let at = start;
    while (at < end) {
      const id = bytes[at] as number;
      if (id === 0) {
        at++;
        continue;
      }
      if (end - at < 2) {
        throw new RtpParseError(`two-byte extension element ${id} has no length byte`, at);
      }
      const length = bytes[at + 1] as number;
      if (length > end - at - 2) {
        throw new RtpParseError(
          `two-byte extension element ${id} needs ${length} bytes, ${end - at - 2} left`,
          at,
        );
      }
      this.#push(id, bytes, at + 2, length);
      at += 2 + length;
    }
  }

  #push(id: number, source: Uint8Array, offset: number, length: number): void {
    const index = this.#count++;
    this.#ids[index] = id;
    this.#sources[index] = source;
    this.#offsets[index] = offset;
    this.#lengths[index] = length;
  }

  #move(from: number, to: number): void {
    this.#ids[to] = this.#ids[from] as number;
    this.#sources[to] = this.#sources[from] as Uint8Array;
    this.#offsets[to] = this.#offsets[from] as number;
    this.#lengths[to] = this.#lengths[from] as number;
  }

  #find(id: number): number {
    for (let i = 0; i < this.#count; i++) if (this.#ids[i] === id) return i;
    return -1;
  }

  #checkIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.#count) {
      throw new RangeError(`no header extension element at index ${index}`);
    }
  }
}
