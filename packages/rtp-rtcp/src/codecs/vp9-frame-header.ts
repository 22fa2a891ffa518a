/**
 * The start of a VP9 frame's uncompressed header (VP9 Bitstream & Decoding Process Specification
 * v0.6, §6.2 uncompressed_header, §6.2.1 frame_sync_code, §6.2.2 color_config, §6.2.3
 * frame_size): enough to tell a key frame and read its size, which the packetizer needs for the
 * P bit and the scalability structure (RFC 9628 §4.2). Bits are read most significant first.
 */

import { PayloadError } from '../errors.js';

/** frame_marker (§6.2): every VP9 frame starts with the two bits 0b10. */
const FRAME_MARKER = 2;
/** frame_sync_code (§6.2.1). */
const SYNC_CODE = [0x49, 0x83, 0x42] as const;
/** color_space value CS_RGB (§7.2.2), which has no color_range bit. */
const CS_RGB = 7;

export interface Vp9FrameHeader {
  /** 0-3. */
  profile: number;
  /** show_existing_frame: the frame only re-shows an earlier decoded frame. */
  showExistingFrame: boolean;
  /** frame_type = KEY_FRAME. */
  keyframe: boolean;
  /** frame_width_minus_1 + 1, for key frames. */
  width?: number;
  /** frame_height_minus_1 + 1, for key frames. */
  height?: number;
}

/**
 * Reads the frame header fields above from the first octets of `frame` (the first frame of a
 * superframe, whose index sits at the end). Throws `PayloadError` when `frame` is empty or
 * truncated, or has a wrong frame marker, reserved bit or sync code.
 */
export function parseVp9FrameHeader(frame: Uint8Array): Vp9FrameHeader {
  let bit = 0;
  const read = (count: number): number => {
    if (bit + count > frame.length * 8) {
      throw new PayloadError('VP9 frame header truncated', bit >>> 3);
    }
    let value = 0;
    for (let i = 0; i < count; i++, bit++) {
      value = (value << 1) | (((frame[bit >>> 3] as number) >>> (7 - (bit & 7))) & 1);
    }
    return value;
  };

  if (read(2) !== FRAME_MARKER) throw new PayloadError('not a VP9 frame: bad frame marker', 0);
  const low = read(1);
  const profile = (read(1) << 1) | low;
  if (profile === 3 && read(1) !== 0) {
    throw new PayloadError('VP9 frame header reserved bit is set', 0);
  }
  if (read(1) === 1) return { profile, showExistingFrame: true, keyframe: false };
  const keyframe = read(1) === 0;
  read(2); // show_frame, error_resilient_mode
  if (!keyframe) return { profile, showExistingFrame: false, keyframe };

  for (const octet of SYNC_CODE) {
    if (read(8) !== octet) throw new PayloadError('VP9 key frame has a bad sync code', bit >>> 3);
  }
  if (profile >= 2) read(1); // ten_or_twelve_bit
  const colorSpace = read(3);
  const subsampling = profile === 1 || profile === 3;
  if (colorSpace !== CS_RGB) {
    read(1); // color_range
    if (subsampling) read(3); // subsampling_x, subsampling_y, reserved_zero
  } else if (subsampling) {
    read(1); // reserved_zero
  }
  const width = read(16) + 1;
  const height = read(16) + 1;
  return { profile, showExistingFrame: false, keyframe, width, height };
}
