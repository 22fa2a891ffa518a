/**
 * One browser's recording: its video to `<dir>/<id>.ivf`, its audio to `<dir>/<id>.ogg`, both
 * starting at the first video keyframe so that the two files line up, and, when it is over, the
 * ffmpeg command that puts them in one WebM file.
 *
 * Why two files and a remux rather than WebM straight away: IVF and Ogg are simple enough to
 * write as packets arrive (`@typertc/rtp-rtcp` has both), and VP8 and Opus go into WebM
 * unchanged (`-c copy`), so ffmpeg does the Matroska part without decoding anything.
 */

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { RtpPacket } from '@typertc/rtp-rtcp';
import { AudioRecorder, type ReceivedPacket, VideoRecorder } from './recorders.js';

export interface RecordingResult {
  readonly id: string;
  /** Wall-clock seconds from the first keyframe to the end. */
  readonly seconds: number;
  /** The IVF file and its frame count, if any video was recorded. */
  readonly video: { readonly path: string; readonly frames: number } | undefined;
  /** The Ogg file and its length, if any audio was recorded. */
  readonly audio: { readonly path: string; readonly seconds: number } | undefined;
  /** The ffmpeg command that remuxes the files to `<dir>/<id>.webm`, if ffmpeg is installed. */
  readonly remux: string | undefined;
}

export interface RecordingOptions {
  /** Asks the browser for a keyframe (the receiver's PLI). */
  readonly requestKeyFrame: () => void;
  /** The first keyframe has been written. */
  readonly onStart?: () => void;
}

/** Keyframe requests while frames are skipped: at most one per this many ms. */
const KEYFRAME_REQUEST_INTERVAL_MS = 500;

let ffmpegFound: boolean | undefined;

/** Whether `ffmpeg` runs from PATH (checked once). */
export function hasFfmpeg(): boolean {
  ffmpegFound ??= spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).status === 0;
  return ffmpegFound;
}

/** A path as one POSIX shell word. */
function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The command that copies the recorded streams, unchanged, into one WebM file. */
export function remuxCommand(inputs: readonly string[], output: string): string {
  const words = ['ffmpeg', ...inputs.flatMap((input) => ['-i', input]), '-c', 'copy', output];
  return words.map(shellQuote).join(' ');
}

/** A copy of what the recorders need: the track reuses `packet` once its listener returns. */
function copy(packet: RtpPacket): ReceivedPacket {
  return {
    sequenceNumber: packet.sequenceNumber,
    timestamp: packet.timestamp,
    marker: packet.marker,
    payload: packet.payload.slice(),
  };
}

export class Recording {
  readonly #video: VideoRecorder;
  readonly #audio: AudioRecorder;
  readonly #dir: string;
  #startedAt: number | undefined;
  #lastKeyframeRequest = Number.NEGATIVE_INFINITY;
  #result: Promise<RecordingResult> | undefined;

  constructor(
    dir: string,
    readonly id: string,
    options: RecordingOptions,
  ) {
    this.#dir = dir;
    this.#audio = new AudioRecorder(join(dir, `${id}.ogg`));
    this.#video = new VideoRecorder(join(dir, `${id}.ivf`), {
      onStart: (now) => {
        this.#startedAt = now;
        this.#audio.start(now);
        options.onStart?.();
      },
      onKeyframeNeeded: () => {
        const now = performance.now();
        if (now - this.#lastKeyframeRequest < KEYFRAME_REQUEST_INTERVAL_MS) return;
        this.#lastKeyframeRequest = now;
        options.requestKeyFrame();
      },
    });
  }

  /** Whether `finish()` has been called. */
  get finished(): boolean {
    return this.#result !== undefined;
  }

  pushVideo(packet: RtpPacket): void {
    if (this.#result === undefined) this.#video.push(copy(packet), performance.now());
  }

  pushAudio(packet: RtpPacket): void {
    if (this.#result === undefined) this.#audio.push(copy(packet), performance.now());
  }

  /** Closes both files (once; later calls return the same result). */
  finish(): Promise<RecordingResult> {
    this.#result ??= this.#finish();
    return this.#result;
  }

  async #finish(): Promise<RecordingResult> {
    const now = performance.now();
    const [videoPath, audioPath] = await Promise.all([
      this.#video.finish(now),
      this.#audio.finish(now),
    ]);
    const inputs = [videoPath, audioPath].filter((path) => path !== undefined);
    return {
      id: this.id,
      seconds: this.#startedAt === undefined ? 0 : (now - this.#startedAt) / 1000,
      video: videoPath === undefined ? undefined : { path: videoPath, frames: this.#video.frames },
      audio:
        audioPath === undefined ? undefined : { path: audioPath, seconds: this.#audio.seconds },
      remux:
        inputs.length > 0 && hasFfmpeg()
          ? remuxCommand(inputs, join(this.#dir, `${this.id}.webm`))
          : undefined,
    };
  }
}
