/**
 * Media files read into clips: each frame with the time it starts, in the RTP clock of its
 * codec, ready to be paced out and looped. The files are small, so they are read whole.
 *
 * - IVF (VP8, VP9, AV1): frame times come from the frame headers' timestamps in the file's
 *   timebase, converted to the 90 kHz clock every RTP video format uses (RFC 7741 §4.1,
 *   RFC 9628 §4.1, AV1 RTP §7.1).
 * - Ogg Opus: each packet lasts what its TOC byte says (RFC 6716 §3.1), and the pages' granule
 *   positions say where the stream starts and where it has gaps (RFC 7845 §4.1, §4.5); RTP's
 *   Opus clock is 48 kHz whatever the input rate (RFC 7587 §4.1).
 */

import { readFile } from 'node:fs/promises';
import { type IvfCodec, opusPacketDuration, readIvf, readOggOpus } from '@typertc/rtp-rtcp';

export interface ClipFrame {
  /** Where the frame starts, in ticks of the clip's clock from the clip's start. */
  readonly ticks: number;
  readonly data: Uint8Array;
}

export interface Clip {
  /** Ticks per second: 90000 for video, 48000 for Opus. */
  readonly clockRate: number;
  readonly frames: readonly ClipFrame[];
  /** Ticks from the start of one pass to the start of the next: the clip's length. */
  readonly length: number;
}

export interface VideoClip extends Clip {
  readonly codec: IvfCodec;
  readonly width: number;
  readonly height: number;
  /** Frames per second, from the average frame interval. */
  readonly frameRate: number;
}

const VIDEO_CLOCK = 90000;
const OPUS_CLOCK = 48000;

/** An IVF file as a clip; throws on a fourcc other than VP80, VP90 or AV01, or no frames. */
export function ivfClip(bytes: Uint8Array): VideoClip {
  const { header, frames } = readIvf(bytes);
  if (header.codec === undefined) {
    throw new Error(`IVF fourcc ${header.fourcc} is none of VP80, VP90, AV01`);
  }
  const first = frames[0];
  if (first === undefined) throw new Error('the IVF file has no frames');
  // One tick of the file is numerator / denominator seconds (IVF header, see ivf.ts).
  const toRtp = (timestamp: number) =>
    Math.round(
      ((timestamp - first.timestamp) * VIDEO_CLOCK * header.timebaseNumerator) /
        header.timebaseDenominator,
    );
  const clipFrames = frames.map((frame) => ({ ticks: toRtp(frame.timestamp), data: frame.data }));
  const last = (clipFrames[clipFrames.length - 1] as ClipFrame).ticks;
  // The last frame lasts as long as the average one; a single frame, one tick of the file.
  const interval =
    clipFrames.length > 1
      ? last / (clipFrames.length - 1)
      : (VIDEO_CLOCK * header.timebaseNumerator) / header.timebaseDenominator;
  return {
    clockRate: VIDEO_CLOCK,
    frames: clipFrames,
    length: Math.max(1, Math.round(last + interval)),
    codec: header.codec,
    width: header.width,
    height: header.height,
    frameRate: VIDEO_CLOCK / interval,
  };
}

/** An Ogg Opus file as a clip; throws on a multichannel stream or one without audio. */
export function oggOpusClip(bytes: Uint8Array): Clip {
  const { head, packets } = readOggOpus(bytes);
  // WebRTC's Opus is one stream of one or two channels (RFC 7587 §7): mapping family 0.
  if (head.channelMappingFamily !== 0) {
    throw new Error(`Opus channel mapping family ${head.channelMappingFamily}: not for RTP`);
  }
  const frames: ClipFrame[] = [];
  let position = 0;
  let origin: number | undefined;
  for (const packet of packets) {
    frames.push({ ticks: position, data: packet.data });
    position += opusPacketDuration(packet.data);
    if (packet.granulePosition < 0) continue;
    // The first granule position, less the samples before it, is where the stream starts
    // (RFC 7845 §4.5); a later one ahead of the count is a gap in the audio (§4.1), kept as
    // a jump in the RTP timestamps. One behind it is end trimming (§4.4), which RTP cannot
    // say: the whole last packet is sent.
    origin ??= packet.granulePosition - position;
    position = Math.max(position, packet.granulePosition - origin);
  }
  if (frames.length === 0) throw new Error('the Ogg Opus file has no audio packets');
  return { clockRate: OPUS_CLOCK, frames, length: position };
}

export async function readIvfClip(path: string): Promise<VideoClip> {
  return ivfClip(await readFile(path));
}

export async function readOggOpusClip(path: string): Promise<Clip> {
  return oggOpusClip(await readFile(path));
}
