/**
 * Reads IVF files (layout in `ivf.ts`), sans I/O and incrementally: `push()` bytes as they
 * arrive, in chunks of any size, then `pollFrame()` until it returns undefined (more input
 * needed); `end()` says the input is complete, after which leftover bytes are an error instead
 * of "wait for more". For a file already in memory, `readIvf(bytes)` does all three.
 *
 *     const reader = new IvfReader();
 *     for await (const chunk of stream) {
 *       reader.push(chunk);
 *       for (let frame = reader.pollFrame(); frame; frame = reader.pollFrame()) decode(frame);
 *     }
 *     reader.end();
 *     reader.pollFrame(); // throws ContainerError if the file ended mid-frame
 *
 * Memory is bounded by `maxFrameSize`: a frame header announcing more is rejected as soon as it
 * is read, before anything is allocated or waited for. Frames are views into the reader's
 * buffer (or into the bytes given to `readIvf`), valid for as long as they are kept.
 */

import { ClosedError, readU32LE } from '@typertc/common';
import { ContainerError } from '../errors.js';
import { ByteQueue } from './byte-queue.js';
import {
  IVF_FILE_HEADER_SIZE,
  IVF_FRAME_HEADER_SIZE,
  type IvfHeader,
  parseIvfHeader,
} from './ivf.js';
import { readU64LE } from './little-endian.js';

/** Default bound on one frame: far above any real VP8/VP9/AV1 frame, far below memory limits. */
export const IVF_DEFAULT_MAX_FRAME_SIZE = 16 * 1024 * 1024;

export interface IvfReaderOptions {
  /** Largest frame accepted, in bytes (default 16 MiB); larger ones are a `ContainerError`. */
  readonly maxFrameSize?: number;
}

export interface IvfFrame {
  /** In timebase units (see `IvfHeader`). */
  readonly timestamp: number;
  readonly data: Uint8Array;
  /** Offset of the frame's 12-byte header in the file. */
  readonly offset: number;
}

export class IvfReader {
  readonly #input = new ByteQueue();
  readonly #maxFrameSize: number;
  #header: IvfHeader | undefined;
  #ended = false;

  constructor(options: IvfReaderOptions = {}) {
    this.#maxFrameSize = options.maxFrameSize ?? IVF_DEFAULT_MAX_FRAME_SIZE;
  }

  /** The file header, once `pollFrame()` has read it (undefined before). */
  get header(): IvfHeader | undefined {
    return this.#header;
  }

  /** Appends input (copied, so the caller may reuse its buffer). */
  push(chunk: Uint8Array): void {
    if (this.#ended) throw new ClosedError('IvfReader input');
    this.#input.push(chunk);
  }

  /** No more input will come. */
  end(): void {
    this.#ended = true;
  }

  /** The whole file in one go, without copying it. */
  pushAll(bytes: Uint8Array): void {
    if (this.#ended) throw new ClosedError('IvfReader input');
    this.#input.adopt(bytes);
    this.#ended = true;
  }

  /**
   * The next frame, or undefined when more input is needed (or, after `end()`, when the file is
   * done). Throws `ContainerError` on a malformed file, and keeps throwing it on later calls.
   */
  pollFrame(): IvfFrame | undefined {
    const input = this.#input;
    if (this.#header === undefined) {
      if (input.length < IVF_FILE_HEADER_SIZE)
        return this.#needMore('IVF file header', IVF_FILE_HEADER_SIZE);
      this.#header = parseIvfHeader(input.peek());
      input.consume(IVF_FILE_HEADER_SIZE);
    }
    if (input.length < IVF_FRAME_HEADER_SIZE)
      return this.#needMore('IVF frame header', IVF_FRAME_HEADER_SIZE);
    const bytes = input.peek();
    const offset = input.position;
    const size = readU32LE(bytes, 0);
    if (size > this.#maxFrameSize) {
      throw new ContainerError(
        `IVF frame of ${size} bytes exceeds the ${this.#maxFrameSize}-byte limit`,
        offset,
      );
    }
    const timestamp = readU64LE(bytes, 4);
    if (timestamp === undefined) {
      throw new ContainerError('IVF timestamp beyond 2^53', offset + 4);
    }
    const total = IVF_FRAME_HEADER_SIZE + size;
    if (input.length < total) return this.#needMore(`IVF frame of ${size} bytes`, total);
    input.consume(total);
    return { timestamp, data: bytes.subarray(IVF_FRAME_HEADER_SIZE, total), offset };
  }

  /** Waiting for `needed` bytes: fine until the input has ended, then the file is truncated. */
  #needMore(what: string, needed: number): undefined {
    const present = this.#input.length;
    if (this.#ended && present > 0) {
      throw new ContainerError(
        `truncated: ${what} needs ${needed} bytes, ${present} left`,
        this.#input.position,
      );
    }
    if (this.#ended && this.#header === undefined) {
      throw new ContainerError('empty input: no IVF file header', 0);
    }
    return undefined;
  }
}

/** Parses a whole IVF file held in memory; frames are views into `bytes`. */
export function readIvf(
  bytes: Uint8Array,
  options: IvfReaderOptions = {},
): { header: IvfHeader; frames: IvfFrame[] } {
  const reader = new IvfReader(options);
  reader.pushAll(bytes);
  const frames: IvfFrame[] = [];
  for (let frame = reader.pollFrame(); frame !== undefined; frame = reader.pollFrame()) {
    frames.push(frame);
  }
  // pollFrame() has read the header or thrown by now, since the input has ended.
  return { header: reader.header as IvfHeader, frames };
}
