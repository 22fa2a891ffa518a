/**
 * Writes Ogg Opus files (RFC 7845 over RFC 3533), sans I/O: each method returns the bytes to
 * append (possibly none), and the caller writes them to a file or stream.
 *
 *     const ogg = new OggOpusWriter({ channelCount: 2, serialNumber: 0x1234 });
 *     for (const packet of opusPackets) await file.write(ogg.writePacket(packet));
 *     await file.write(ogg.finish());
 *
 * Layout (RFC 7845 §3): page 0 holds the OpusHead packet alone, with the beginning-of-stream
 * flag; the OpusTags packet starts on page 1 and its last page holds nothing else; audio pages
 * follow, the last one flagged end-of-stream. The header pages come out with the first bytes the
 * writer returns (call `flush()` first to get them before any audio).
 *
 * Granule positions (§4): each audio page carries the running total of 48 kHz samples up to
 * the end of the last packet completed on it, counted from 0, with packet durations taken from
 * their TOC bytes (`opusPacketDuration`). Per §4.5 a stream whose total is below the pre-skip is
 * invalid, so a recording should run longer than the pre-skip (80 ms by default).
 *
 * Paging: packets accumulate on a page until adding the next one would take the page past
 * `maxPageDuration` (then the page is emitted first), or until its 255 segments are used up
 * (then the packet continues on the next page). `flush()` emits the pending page early, to bound
 * how much a crash loses or how late a live reader sees audio.
 */

import { ClosedError, concatBytes } from '@typertc/common';
import { checkUint } from './little-endian.js';
import { OggStreamWriter } from './ogg-stream-writer.js';
import { opusPacketDuration } from './opus-duration.js';
import { encodeOpusHead, encodeOpusTags } from './opus-headers.js';

/**
 * RFC 7845 §5.1 recommends at least 3840 samples (80 ms) of pre-skip when a stream does not
 * start where the encoder started, so that the decoder has converged before output begins.
 * That is the WebRTC recording case: the writer sees packets from an encoder that started
 * earlier (or that lost its first packets), and does not know that encoder's lookahead.
 */
export const DEFAULT_OPUS_PRE_SKIP = 3840;

/** One second per page, libopusenc's default muxing delay. */
export const OGG_DEFAULT_MAX_PAGE_DURATION = 48_000;

export interface OggOpusWriterOptions {
  /** 1 or 2 (channel mapping family 0, RFC 7845 §5.1.1.1). */
  readonly channelCount: number;
  /**
   * The logical bitstream's serial number (u32). RFC 3533 §4 wants it unique within a physical
   * bitstream, so pick a random one if files may be chained or multiplexed later.
   */
  readonly serialNumber: number;
  /** 48 kHz samples the player drops from the start; default `DEFAULT_OPUS_PRE_SKIP`. */
  readonly preSkip?: number;
  /** Informational: the original input rate; default 48000. */
  readonly inputSampleRate?: number;
  /** Q7.8 dB (RFC 7845 §5.1), default 0. */
  readonly outputGain?: number;
  /** Default 'TypeRTC'. */
  readonly vendor?: string;
  /** 'TAG=value' strings, e.g. 'TITLE=call recording'. */
  readonly comments?: readonly string[];
  /** Most 48 kHz samples on one page (unless a single packet is longer); default 1 s. */
  readonly maxPageDuration?: number;
}

export class OggOpusWriter {
  readonly #stream: OggStreamWriter;
  readonly #headers: readonly Uint8Array[];
  readonly #maxPageDuration: number;
  #headersWritten = false;
  #finished = false;
  #granulePosition = 0;
  /** Samples of the packets that end on the pending page. */
  #pageDuration = 0;

  /** Throws `RangeError` on an option out of range. */
  constructor(options: OggOpusWriterOptions) {
    checkUint(options.serialNumber, 0xffff_ffff, 'Ogg serial number');
    this.#maxPageDuration = options.maxPageDuration ?? OGG_DEFAULT_MAX_PAGE_DURATION;
    checkUint(this.#maxPageDuration, Number.MAX_SAFE_INTEGER, 'maximum page duration');
    this.#stream = new OggStreamWriter(options.serialNumber);
    this.#headers = [
      encodeOpusHead({
        version: 1,
        channelCount: options.channelCount,
        preSkip: options.preSkip ?? DEFAULT_OPUS_PRE_SKIP,
        inputSampleRate: options.inputSampleRate ?? 48_000,
        outputGain: options.outputGain ?? 0,
        channelMappingFamily: 0,
        channelMapping: undefined,
      }),
      encodeOpusTags({ vendor: options.vendor ?? 'TypeRTC', comments: options.comments ?? [] }),
    ];
  }

  /** The granule position so far: 48 kHz samples in the packets written. */
  get granulePosition(): number {
    return this.#granulePosition;
  }

  /**
   * Adds one Opus packet (one RTP payload, RFC 7587). Returns the pages it completed, often
   * none. Throws `PayloadError` when its duration cannot be read (see `opusPacketDuration`);
   * nothing is written then, so the caller can drop the packet and go on.
   */
  writePacket(packet: Uint8Array): Uint8Array {
    this.#checkOpen();
    const duration = opusPacketDuration(packet);
    const out: Uint8Array[] = [];
    this.#writeHeaders(out);
    if (this.#stream.hasPending && this.#pageDuration + duration > this.#maxPageDuration) {
      out.push(this.#stream.flushPage(false));
      this.#pageDuration = 0;
    }
    this.#granulePosition += duration;
    const pages = this.#stream.addPacket(packet, this.#granulePosition, out);
    // A page emitted mid-packet took every earlier packet: only this one ends on the new page.
    this.#pageDuration = pages > 0 ? duration : this.#pageDuration + duration;
    return joined(out);
  }

  /** The pending page now (and the header pages, if not yet returned); empty if none. */
  flush(): Uint8Array {
    this.#checkOpen();
    const out: Uint8Array[] = [];
    this.#writeHeaders(out);
    if (this.#stream.hasPending) out.push(this.#stream.flushPage(false));
    this.#pageDuration = 0;
    return joined(out);
  }

  /**
   * The last page, flagged end-of-stream (RFC 7845 §3), after any header pages not yet
   * returned. If every packet has already been flushed, the last page is empty and carries the
   * final granule position. The writer takes no more packets afterwards.
   */
  finish(): Uint8Array {
    this.#checkOpen();
    const out: Uint8Array[] = [];
    this.#writeHeaders(out);
    out.push(this.#stream.flushPage(true, this.#granulePosition));
    this.#finished = true;
    return joined(out);
  }

  /** Page 0: OpusHead alone; then OpusTags, finishing its last page (RFC 7845 §3). */
  #writeHeaders(out: Uint8Array[]): void {
    if (this.#headersWritten) return;
    this.#headersWritten = true;
    for (const header of this.#headers) {
      this.#stream.addPacket(header, 0, out);
      out.push(this.#stream.flushPage(false));
    }
  }

  #checkOpen(): void {
    if (this.#finished) throw new ClosedError('OggOpusWriter');
  }
}

/** The pages as one array, without a copy in the common case of exactly one. */
function joined(pages: readonly Uint8Array[]): Uint8Array {
  return pages.length === 1 ? (pages[0] as Uint8Array) : concatBytes(...pages);
}
