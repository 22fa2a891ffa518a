/**
 * Writes IVF files (layout in `ivf.ts`), sans I/O: every method returns the bytes to append, and
 * the caller writes them to a file or stream.
 *
 *     const ivf = new IvfWriter({ codec: 'VP8', width: 640, height: 480, timebaseDenominator: 90000 });
 *     await file.write(ivf.header());          // placeholder frame count 0
 *     await file.write(ivf.writeFrame(frame, rtpTimestamp));
 *     ...
 *     await file.write(ivf.header(), 0, 32, 0); // at the end, patch the real frame count in
 *
 * Rewriting the header is optional: readers (libvpx, FFmpeg, `IvfReader`) read frames until the
 * end of the file whatever the count says, so a file cut short by a crash still plays.
 */

import { writeU32LE } from '@typertc/common';
import { encodeIvfHeader, IVF_FRAME_HEADER_SIZE, type IvfCodec, ivfFourcc } from './ivf.js';
import { checkUint, writeU64LE } from './little-endian.js';

export interface IvfWriterOptions {
  readonly codec: IvfCodec;
  /** Frame width and height in pixels (u16 each), for the file header. */
  readonly width: number;
  readonly height: number;
  /**
   * Ticks per `timebaseNumerator` seconds: 90000 to store RTP video timestamps (RFC 3551 §5's
   * 90 kHz clock) as they are, or the frame rate to count frames.
   */
  readonly timebaseDenominator: number;
  /** Default 1. */
  readonly timebaseNumerator?: number;
}

export class IvfWriter {
  readonly #fourcc: string;
  readonly #width: number;
  readonly #height: number;
  readonly #timebaseDenominator: number;
  readonly #timebaseNumerator: number;
  #frameCount = 0;

  /** Throws `RangeError` on a field that does not fit its header slot. */
  constructor(options: IvfWriterOptions) {
    this.#fourcc = ivfFourcc(options.codec);
    checkUint(options.width, 0xffff, 'IVF width');
    checkUint(options.height, 0xffff, 'IVF height');
    checkUint(options.timebaseDenominator, 0xffff_ffff, 'IVF timebase denominator');
    const numerator = options.timebaseNumerator ?? 1;
    checkUint(numerator, 0xffff_ffff, 'IVF timebase numerator');
    if (options.timebaseDenominator === 0 || numerator === 0) {
      throw new RangeError('IVF timebase numerator and denominator must be positive');
    }
    this.#width = options.width;
    this.#height = options.height;
    this.#timebaseDenominator = options.timebaseDenominator;
    this.#timebaseNumerator = numerator;
  }

  /** Frames written so far. */
  get frameCount(): number {
    return this.#frameCount;
  }

  /**
   * The 32-byte file header with the current frame count: write it first, and again over the
   * first 32 bytes when done if the output is seekable.
   */
  header(): Uint8Array {
    return encodeIvfHeader({
      fourcc: this.#fourcc,
      width: this.#width,
      height: this.#height,
      timebaseDenominator: this.#timebaseDenominator,
      timebaseNumerator: this.#timebaseNumerator,
      frameCount: this.#frameCount,
    });
  }

  /**
   * One frame (a whole temporal unit for AV1, a whole frame for VP8/VP9, as a depacketizer
   * outputs it) with its 12-byte header, ready to append. `timestamp` is in timebase units, a
   * non-negative safe integer; IVF does not require it to increase.
   */
  writeFrame(frame: Uint8Array, timestamp: number): Uint8Array {
    checkUint(frame.length, 0xffff_ffff, 'IVF frame size');
    checkUint(timestamp, Number.MAX_SAFE_INTEGER, 'IVF timestamp');
    checkUint(this.#frameCount + 1, 0xffff_ffff, 'IVF frame count');
    const out = new Uint8Array(IVF_FRAME_HEADER_SIZE + frame.length);
    writeU32LE(out, 0, frame.length);
    writeU64LE(out, 4, timestamp);
    out.set(frame, IVF_FRAME_HEADER_SIZE);
    this.#frameCount++;
    return out;
  }
}
