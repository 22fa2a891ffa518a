/**
 * The IVF file layout, shared by `IvfWriter` and `IvfReader`.
 *
 * IVF is libvpx's minimal container for VP8, VP9 and AV1 (no RFC; the reference is libvpx's
 * `ivfenc.c`/`ivfdec.c`, and FFmpeg's `ivfenc`/`ivfdec` follow it). All fields little-endian:
 *
 *     file header (32 bytes)                 frame header (12 bytes), then the frame
 *     0  'DKIF'                              0  frame size in bytes (u32)
 *     4  version = 0 (u16)                   4  timestamp in timebase units (u64)
 *     6  header size = 32 (u16)
 *     8  fourcc 'VP80' / 'VP90' / 'AV01'
 *     12 width (u16)    14 height (u16)
 *     16 timebase denominator (u32)          e.g. 90000 for RTP's video clock, 30 for 30 fps
 *     20 timebase numerator (u32)            one tick = numerator / denominator seconds
 *     24 frame count (u32)
 *     28 unused (u32)
 *
 * libvpx writes the frame count at offset 24; FFmpeg's muxer writes a duration in ticks there
 * instead. The two agree when each frame lasts one tick.
 */

import { readU16LE, readU32LE, writeU16LE, writeU32LE } from '@typertc/common';
import { ContainerError } from '../errors.js';

export const IVF_FILE_HEADER_SIZE = 32;
export const IVF_FRAME_HEADER_SIZE = 12;

/** The codecs IVF carries, named as in RTP (RFC 7741, RFC 9628, AV1 RTP spec). */
export type IvfCodec = 'VP8' | 'VP9' | 'AV1';

const FOURCC: Readonly<Record<IvfCodec, string>> = { VP8: 'VP80', VP9: 'VP90', AV1: 'AV01' };

export interface IvfHeader {
  /** The four-character code as written, e.g. 'VP80'. */
  readonly fourcc: string;
  /** The codec `fourcc` names, or undefined for a fourcc other than VP80/VP90/AV01. */
  readonly codec: IvfCodec | undefined;
  readonly width: number;
  readonly height: number;
  readonly timebaseDenominator: number;
  readonly timebaseNumerator: number;
  readonly frameCount: number;
}

export function ivfFourcc(codec: IvfCodec): string {
  return FOURCC[codec];
}

function codecOf(fourcc: string): IvfCodec | undefined {
  for (const codec of ['VP8', 'VP9', 'AV1'] as const) if (FOURCC[codec] === fourcc) return codec;
  return undefined;
}

/** The 32-byte file header. Field ranges are the caller's to check (`IvfWriter` does). */
export function encodeIvfHeader(header: Omit<IvfHeader, 'codec'>): Uint8Array {
  const b = new Uint8Array(IVF_FILE_HEADER_SIZE);
  b.set([0x44, 0x4b, 0x49, 0x46]); // 'DKIF'
  writeU16LE(b, 4, 0);
  writeU16LE(b, 6, IVF_FILE_HEADER_SIZE);
  for (let i = 0; i < 4; i++) b[8 + i] = header.fourcc.charCodeAt(i);
  writeU16LE(b, 12, header.width);
  writeU16LE(b, 14, header.height);
  writeU32LE(b, 16, header.timebaseDenominator);
  writeU32LE(b, 20, header.timebaseNumerator);
  writeU32LE(b, 24, header.frameCount);
  return b;
}

/**
 * Parses the 32-byte file header at the start of `b` (which holds at least 32 bytes). Only
 * version 0 with a 32-byte header exists; anything else is not a file this reader understands.
 */
export function parseIvfHeader(b: Uint8Array): IvfHeader {
  if (b[0] !== 0x44 || b[1] !== 0x4b || b[2] !== 0x49 || b[3] !== 0x46) {
    throw new ContainerError('not an IVF file: signature is not DKIF', 0);
  }
  const version = readU16LE(b, 4);
  if (version !== 0) throw new ContainerError(`unsupported IVF version ${version}`, 4);
  const headerSize = readU16LE(b, 6);
  if (headerSize !== IVF_FILE_HEADER_SIZE) {
    throw new ContainerError(`IVF header size is ${headerSize}, not 32`, 6);
  }
  const fourcc = String.fromCharCode(
    b[8] as number,
    b[9] as number,
    b[10] as number,
    b[11] as number,
  );
  const timebaseDenominator = readU32LE(b, 16);
  const timebaseNumerator = readU32LE(b, 20);
  // A zero in either makes timestamps meaningless (division by zero when converting to seconds).
  if (timebaseDenominator === 0 || timebaseNumerator === 0) {
    throw new ContainerError(
      `invalid IVF timebase ${timebaseNumerator}/${timebaseDenominator}`,
      16,
    );
  }
  return {
    fourcc,
    codec: codecOf(fourcc),
    width: readU16LE(b, 12),
    height: readU16LE(b, 14),
    timebaseDenominator,
    timebaseNumerator,
    frameCount: readU32LE(b, 24),
  };
}
