/**
 * Splits the byte stream of a TCP or TLS connection to a STUN/TURN server into messages. Nothing
 * on a stream marks where one message ends; both kinds that may travel on it are self-delimiting:
 *
 * - STUN (first two bits 00): a 20-byte header whose Length field (bytes 2–3) counts the rest, a
 *   multiple of 4 since attributes are padded (RFC 8489 §5, §6.2.2).
 * - TURN ChannelData (first two bits 01): a 4-byte header whose Length field counts the data,
 *   followed on a stream by padding to a multiple of 4 that Length leaves out (RFC 8656 §12.4,
 *   §12.5).
 *
 *     socket.on('data', (chunk) => {
 *       try {
 *         framer.push(chunk);
 *         for (let frame = framer.next(); frame; frame = framer.next()) handle(frame);
 *       } catch (error) {
 *         socket.destroy(); // a StunParseError: the stream cannot be resynchronised
 *       }
 *     });
 *
 * Anything else, or a length no valid message has, means the stream is corrupt or was never
 * STUN: nothing says where the next message would start, so the framer throws `StunParseError`
 * (with the offset in the stream) and stays failed, and the caller must close the connection.
 *
 * Memory: chunks are kept as a list, not concatenated, and each byte is copied at most once (a
 * frame lying within one chunk is returned as a view of it, without a copy). A caller that drains
 * `next()` until undefined after each `push` holds at most one incomplete frame, itself no longer
 * than `maxFrameLength` (its header is checked as soon as its first 4 bytes arrive), plus the
 * chunk just pushed.
 */

import { CHANNEL_DATA_HEADER_LENGTH, paddingAfter } from './channel-data.js';
import { StunError, StunParseError } from './errors.js';

const STUN_HEADER_LENGTH = 20;
/** Both headers have their 16-bit Length field at bytes 2–3, so 4 bytes tell a frame's size. */
const SIZE_PREFIX_LENGTH = 4;
/**
 * The longest frame either format can describe: a STUN message with the largest 4-aligned
 * Length (20 + 65532). The longest padded ChannelData, 4 + 65535 + 1, is shorter.
 */
export const MAX_STREAM_FRAME_LENGTH = STUN_HEADER_LENGTH + 0xfffc;

export interface StreamFramerOptions {
  /**
   * Frames longer than this, counted as they are on the wire (ChannelData padding included), are
   * rejected. Default `MAX_STREAM_FRAME_LENGTH`, which admits every well-formed frame; lower it
   * to bound memory per connection further. At least 20 (a STUN header).
   */
  readonly maxFrameLength?: number;
}

const EMPTY = new Uint8Array(0);

export class StreamFramer {
  readonly #maxFrameLength: number;
  /** Pushed chunks; those before `#head` are consumed (and replaced by `EMPTY`). */
  #chunks: Uint8Array[] = [];
  #head = 0;
  /** Bytes of `#chunks[#head]` already consumed. */
  #headOffset = 0;
  #buffered = 0;
  /** Where in the stream the first held byte is. */
  #streamOffset = 0;
  /** ChannelData padding still to arrive and be discarded. */
  #paddingToSkip = 0;
  #error: StunParseError | undefined;

  constructor(options: StreamFramerOptions = {}) {
    const max = options.maxFrameLength ?? MAX_STREAM_FRAME_LENGTH;
    if (!Number.isInteger(max) || max < STUN_HEADER_LENGTH) {
      throw new StunError(`maxFrameLength must be an integer >= 20, got ${max}`);
    }
    this.#maxFrameLength = max;
  }

  /** Bytes received and not yet returned by `next()` (or discarded as padding). */
  get buffered(): number {
    return this.#buffered;
  }

  /**
   * Appends bytes received from the stream. The framer keeps a reference to `chunk`, and frames
   * may be views of it: the caller must not reuse its memory.
   * @throws StunParseError once the framer has failed (the error it failed with).
   */
  push(chunk: Uint8Array): void {
    if (this.#error !== undefined) throw this.#error;
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
  }

  /**
   * The next complete frame: a STUN message, or a ChannelData header and data without the
   * padding. Undefined until more bytes are pushed.
   * @throws StunParseError when the stream holds something that is not a STUN or ChannelData
   *   frame, or one longer than `maxFrameLength`; every later call throws it again.
   */
  next(): Uint8Array | undefined {
    if (this.#error !== undefined) throw this.#error;
    this.#skipPadding();
    if (this.#buffered === 0) return undefined;

    const kind = this.#peek(0) >>> 6;
    if (kind > 1) {
      return this.#fail(
        `first byte 0x${this.#peek(0).toString(16)} starts neither STUN (00) nor ChannelData (01)`,
        this.#streamOffset,
      );
    }
    if (this.#buffered < SIZE_PREFIX_LENGTH) return undefined;
    const length = (this.#peek(2) << 8) | this.#peek(3);
    let frameLength: number;
    let padding: number;
    if (kind === 0) {
      if (length % 4 !== 0) {
        return this.#fail(
          `STUN message length ${length} is not a multiple of 4`,
          this.#streamOffset + 2,
        );
      }
      frameLength = STUN_HEADER_LENGTH + length;
      padding = 0;
    } else {
      frameLength = CHANNEL_DATA_HEADER_LENGTH + length;
      padding = paddingAfter(frameLength);
    }
    if (frameLength + padding > this.#maxFrameLength) {
      return this.#fail(
        `frame of ${frameLength + padding} bytes exceeds the maximum of ${this.#maxFrameLength}`,
        this.#streamOffset + 2,
      );
    }
    if (this.#buffered < frameLength) return undefined;
    const frame = this.#take(frameLength);
    this.#paddingToSkip = padding;
    this.#skipPadding();
    return frame;
  }

  #fail(message: string, offset: number): never {
    this.#error = new StunParseError(message, offset);
    // Nothing more will be read from this stream: release what it holds.
    this.#chunks = [];
    this.#head = 0;
    this.#headOffset = 0;
    this.#buffered = 0;
    throw this.#error;
  }

  /** The byte `index` bytes past the first held one; the caller checked it is there. */
  #peek(index: number): number {
    let at = this.#headOffset + index;
    for (let i = this.#head; ; i++) {
      const chunk = this.#chunks[i] as Uint8Array;
      if (at < chunk.length) return chunk[at] as number;
      at -= chunk.length;
    }
  }

  #skipPadding(): void {
    const skipped = Math.min(this.#paddingToSkip, this.#buffered);
    if (skipped === 0) return;
    this.#paddingToSkip -= skipped;
    this.#consume(skipped, undefined);
  }

  /** The next `length` held bytes, all present: a view when one chunk holds them, else a copy. */
  #take(length: number): Uint8Array {
    const first = this.#chunks[this.#head] as Uint8Array;
    if (first.length - this.#headOffset >= length) {
      const view = first.subarray(this.#headOffset, this.#headOffset + length);
      this.#consume(length, undefined);
      return view;
    }
    const frame = new Uint8Array(length);
    this.#consume(length, frame);
    return frame;
  }

  /** Drops the next `length` held bytes, copying them into `into` when given. */
  #consume(length: number, into: Uint8Array | undefined): void {
    this.#buffered -= length;
    this.#streamOffset += length;
    let copied = 0;
    while (copied < length) {
      const chunk = this.#chunks[this.#head] as Uint8Array;
      const count = Math.min(chunk.length - this.#headOffset, length - copied);
      into?.set(chunk.subarray(this.#headOffset, this.#headOffset + count), copied);
      copied += count;
      this.#headOffset += count;
      if (this.#headOffset === chunk.length) this.#dropHead();
    }
  }

  #dropHead(): void {
    this.#chunks[this.#head] = EMPTY;
    this.#head++;
    this.#headOffset = 0;
    if (this.#head === this.#chunks.length) {
      this.#chunks.length = 0;
      this.#head = 0;
    } else if (this.#head >= 64 && this.#head * 2 >= this.#chunks.length) {
      // Compact now and then, so the list does not keep a slot per chunk ever pushed; waiting
      // until half the slots are dead keeps the cost amortised O(1) per chunk.
      this.#chunks.splice(0, this.#head);
      this.#head = 0;
    }
  }
}
