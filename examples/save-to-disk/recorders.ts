/**
 * One received stream to one file: VP8 to IVF, Opus to Ogg. Each stream goes through the same
 * steps: a copy of each packet (the track reuses its packet object), the reorder buffer (which
 * waits a moment for reordered and retransmitted packets), a check for sequence gaps, then the
 * `FrameAssembler` and the container writer.
 *
 * Loss: a VP8 frame after a gap may refer to a frame that never arrived, so nothing is written
 * from a gap to the next keyframe, and a keyframe is asked for (PLI, RFC 4585 §6.3.1). Opus
 * frames decode on their own: a gap is filled with empty frames for the decoder to conceal, so
 * the file keeps the recording's timeline (and its sync with the video).
 */

import { createWriteStream, type WriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import {
  type AssembledFrame,
  DEFAULT_OPUS_PRE_SKIP,
  FrameAssembler,
  IvfWriter,
  OggOpusWriter,
  OpusDepacketizer,
  opusPacketDuration,
  PayloadError,
  TimestampUnwrapper,
  Vp8Depacketizer,
} from '@typertc/rtp-rtcp';
import { ReorderBuffer } from './reorder-buffer.js';

/** What the recorders keep of a received RTP packet. */
export interface ReceivedPacket {
  readonly sequenceNumber: number;
  readonly timestamp: number;
  readonly marker: boolean;
  readonly payload: Uint8Array;
}

/**
 * How long a missing packet is waited for: a NACK and its retransmission take about one round
 * trip, a few ms on a LAN; 150 ms leaves room for a slow path without holding much.
 */
const REORDER_DELAY_MS = 150;

/** A file written in order through a stream; `close()` waits until it is all on disk. */
class FileSink {
  readonly #stream: WriteStream;

  constructor(readonly path: string) {
    this.#stream = createWriteStream(path);
    this.#stream.on('error', (error) => console.error(`writing ${path}:`, error));
  }

  write(bytes: Uint8Array): void {
    if (bytes.length > 0) this.#stream.write(bytes);
  }

  async close(): Promise<void> {
    this.#stream.end();
    await finished(this.#stream).catch(() => {});
  }
}

/** Packets in sequence order, each flagged when packets before it were lost. */
abstract class StreamRecorder {
  readonly #reorder = new ReorderBuffer<ReceivedPacket>(REORDER_DELAY_MS);
  #expected: number | undefined;

  push(packet: ReceivedPacket, now: number): void {
    for (const next of this.#reorder.push(packet, now)) this.#take(next, now);
  }

  /** Releases what the reorder buffer holds: the stream is over. */
  protected drain(now: number): void {
    for (const next of this.#reorder.drain()) this.#take(next, now);
  }

  #take(packet: ReceivedPacket, now: number): void {
    const gap = this.#expected !== undefined && packet.sequenceNumber !== this.#expected;
    this.#expected = (packet.sequenceNumber + 1) & 0xffff;
    // A payload-less packet is padding (RFC 3550 §5.1, bandwidth probes): its sequence number
    // counts for gaps, but it carries no media.
    if (packet.payload.length === 0) return;
    this.onPacket(packet, gap, now);
  }

  protected abstract onPacket(packet: ReceivedPacket, afterGap: boolean, now: number): void;
}

/** VP8 frame dimensions from a keyframe's header (RFC 6386 §9.1), 0 when unreadable. */
function vp8Size(frame: Uint8Array): { width: number; height: number } {
  const startCode = frame[3] === 0x9d && frame[4] === 0x01 && frame[5] === 0x2a;
  if (!startCode || frame.length < 10) return { width: 0, height: 0 };
  const u16 = (at: number) => (frame[at] as number) | ((frame[at + 1] as number) << 8);
  // The top two bits of each are the scaling mode, not the size.
  return { width: u16(6) & 0x3fff, height: u16(8) & 0x3fff };
}

export interface VideoRecorderEvents {
  /** The first keyframe was written: the recording has begun. */
  readonly onStart: (now: number) => void;
  /** Frames are being skipped until a keyframe arrives. */
  readonly onKeyframeNeeded: () => void;
}

/** VP8 RTP (RFC 7741) to an IVF file with RTP's 90 kHz clock as its timebase. */
export class VideoRecorder extends StreamRecorder {
  readonly #assembler = new FrameAssembler(new Vp8Depacketizer());
  readonly #timestamps = new TimestampUnwrapper();
  #waitingForKeyframe = true;
  #ivf: IvfWriter | undefined;
  #file: FileSink | undefined;
  #firstTimestamp = 0;
  /** Whole frames not written because they followed a loss. */
  skippedFrames = 0;

  constructor(
    readonly path: string,
    readonly events: VideoRecorderEvents,
  ) {
    super();
  }

  get frames(): number {
    return this.#ivf?.frameCount ?? 0;
  }

  protected onPacket(packet: ReceivedPacket, afterGap: boolean, now: number): void {
    if (afterGap) this.#waitingForKeyframe = true;
    for (const frame of this.#assembler.push(packet)) this.#write(frame, now);
  }

  #write(frame: AssembledFrame, now: number): void {
    if (this.#waitingForKeyframe) {
      if (!frame.keyframe) {
        this.skippedFrames++;
        this.events.onKeyframeNeeded();
        return;
      }
      this.#waitingForKeyframe = false;
    }
    const timestamp = this.#timestamps.unwrap(frame.timestamp);
    let ivf = this.#ivf;
    let file = this.#file;
    if (ivf === undefined || file === undefined) {
      // The header needs the size, which only a keyframe has: the file starts with the first.
      ivf = new IvfWriter({ codec: 'VP8', ...vp8Size(frame.data), timebaseDenominator: 90000 });
      file = new FileSink(this.path);
      file.write(ivf.header());
      this.#ivf = ivf;
      this.#file = file;
      this.#firstTimestamp = timestamp;
      this.events.onStart(now);
    }
    file.write(ivf.writeFrame(frame.data, timestamp - this.#firstTimestamp));
  }

  /** Writes what is left and the frame count into the header; the file's path, if any. */
  async finish(now: number): Promise<string | undefined> {
    this.drain(now);
    const ivf = this.#ivf;
    if (this.#file === undefined || ivf === undefined) return undefined;
    await this.#file.close();
    // IVF readers go on to the end of the file whatever the header says; the count is a nicety.
    const handle = await open(this.path, 'r+');
    await handle.write(ivf.header(), 0, 32, 0);
    await handle.close();
    return this.path;
  }
}

/** Gaps longer than this are not filled (a clock jump, not loss): 10 s of 48 kHz samples. */
const MAX_FILL_SAMPLES = 480_000;

/** Opus RTP (RFC 7587) to an Ogg Opus file (RFC 7845), from when `start()` is called. */
export class AudioRecorder extends StreamRecorder {
  readonly #assembler = new FrameAssembler(new OpusDepacketizer());
  readonly #timestamps = new TimestampUnwrapper();
  #startedAt: number | undefined;
  #ogg: OggOpusWriter | undefined;
  #file: FileSink | undefined;
  /** Where, in RTP's 48 kHz clock (RFC 7587 §4.1), the next packet should start. */
  #nextTimestamp = 0;
  /** Empty frames written for lost audio, and packets too malformed to write. */
  filledFrames = 0;
  droppedPackets = 0;

  constructor(readonly path: string) {
    super();
  }

  /** Seconds of audio written. */
  get seconds(): number {
    return (this.#ogg?.granulePosition ?? 0) / 48000;
  }

  /** The recording began at `now` (ms): audio from then on is written, earlier audio is not. */
  start(now: number): void {
    this.#startedAt ??= now;
  }

  protected onPacket(packet: ReceivedPacket, _afterGap: boolean, now: number): void {
    // Gaps show in the timestamps, which also cover the frames lost before a reordered one.
    for (const frame of this.#assembler.push(packet)) this.#write(frame, now);
  }

  #write(frame: AssembledFrame, now: number): void {
    if (this.#startedAt === undefined) return;
    let duration: number;
    try {
      duration = opusPacketDuration(frame.data);
    } catch (error) {
      if (!(error instanceof PayloadError)) throw error;
      this.droppedPackets++;
      return;
    }
    const timestamp = this.#timestamps.unwrap(frame.timestamp);
    let ogg = this.#ogg;
    let file = this.#file;
    if (ogg === undefined || file === undefined) {
      // The TOC's s bit (RFC 6716 §3.1): browsers send mono unless stereo was negotiated.
      const channelCount = ((frame.data[0] as number) & 0x04) !== 0 ? 2 : 1;
      ogg = new OggOpusWriter({ channelCount, serialNumber: (Math.random() * 2 ** 32) >>> 0 });
      file = new FileSink(this.path);
      this.#ogg = ogg;
      this.#file = file;
      // Empty frames in front: the pre-skip (RFC 7845 §4.2), which players drop, and the time
      // between the first keyframe and this packet. Real audio then starts where the video did.
      const late = Math.round((now - this.#startedAt) * 48);
      this.#nextTimestamp = timestamp - DEFAULT_OPUS_PRE_SKIP - late;
    }
    this.#fill(timestamp - this.#nextTimestamp, frame.data[0] as number);
    try {
      file.write(ogg.writePacket(frame.data));
    } catch (error) {
      if (!(error instanceof PayloadError)) throw error;
      this.droppedPackets++;
      return;
    }
    this.#nextTimestamp = timestamp + duration;
  }

  /**
   * `samples` of missing audio as empty frames, as RFC 7845 §4.1 asks of a muxer recording a
   * real-time stream: a code 0 packet of its TOC byte alone carries one frame of zero bytes
   * (RFC 6716 §3.2.1), for which the decoder runs its loss concealment.
   */
  #fill(samples: number, toc: number): void {
    const empty = Uint8Array.of(toc & 0xfc);
    const step = opusPacketDuration(empty);
    if (samples < step || samples > MAX_FILL_SAMPLES) return;
    for (let left = samples; left >= step; left -= step) {
      this.#file?.write(this.#ogg?.writePacket(empty) ?? new Uint8Array(0));
      this.filledFrames++;
    }
  }

  /** Writes what is left and the end-of-stream page; the file's path, if any. */
  async finish(now: number): Promise<string | undefined> {
    this.drain(now);
    if (this.#file === undefined || this.#ogg === undefined) return undefined;
    this.#file.write(this.#ogg.finish());
    await this.#file.close();
    return this.path;
  }
}
