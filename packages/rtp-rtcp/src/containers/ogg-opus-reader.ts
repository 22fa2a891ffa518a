/**
 * Reads Ogg Opus files (RFC 7845 over RFC 3533), sans I/O and incrementally, like `IvfReader`:
 * `push()` bytes in chunks of any size, `pollPacket()` until it returns undefined (more input
 * needed), `end()` when the input is complete. `readOggOpus(bytes)` does it all for a file in
 * memory.
 *
 * Every page's checksum is verified; packets are reassembled across pages; the two header
 * packets are parsed into `head` and `tags` as they go by, and `pollPacket()` returns the audio
 * packets. Each packet carries the granule position the way libogg reports it: the last packet
 * completed on a page gets the page's granule position (48 kHz samples up to its end, RFC 7845
 * §4), the others -1; `opusPacketDuration` derives the rest when needed.
 *
 * What is checked, each failure a `ContainerError` with the offset in the input: the page layer
 * (capture pattern, version, checksum, a granule position that is -1 or below 2^53), one logical
 * stream from a beginning-of-stream page on, consecutive page sequence numbers (a gap means lost
 * data), continued flags that match whether a packet is open, nothing after the end-of-stream
 * page, the header layout of RFC 7845 §3 (OpusHead alone on the first page, OpusTags finishing
 * its page) and both headers' contents (§5), a granule position on every audio page where a
 * packet ends, and input that stops inside a page or a packet. A missing end-of-stream page is
 * accepted, as §3 asks of readers (a recording cut short still plays); `endOfStream` tells.
 * Multiplexed and chained streams (other serial numbers) are rejected rather than skipped.
 *
 * Memory is bounded: a page is at most 65,307 bytes and a packet at most `maxPacketSize`.
 * Packets that lie on one page are views into the reader's buffer; longer ones are copies.
 */

import { ClosedError, concatBytes } from '@typertc/common';
import { ContainerError } from '../errors.js';
import { ByteQueue } from './byte-queue.js';
import {
  OGG_BOS,
  OGG_CONTINUED,
  OGG_EOS,
  OGG_PAGE_HEADER_SIZE,
  type OggPage,
  parseOggPage,
} from './ogg-page.js';
import { type OpusHead, type OpusTags, parseOpusHead, parseOpusTags } from './opus-headers.js';

/** Default bound on one packet, headers included (OpusTags may carry cover art, §5.2). */
export const OGG_DEFAULT_MAX_PACKET_SIZE = 16 * 1024 * 1024;

export interface OggOpusReaderOptions {
  /** Largest packet accepted, in bytes (default 16 MiB); larger ones are a `ContainerError`. */
  readonly maxPacketSize?: number;
}

export interface OggOpusPacket {
  readonly data: Uint8Array;
  /** The page's granule position if this is the last packet completed on it, else -1. */
  readonly granulePosition: number;
}

/** Which packet comes next: the ID header, the comment header, or audio (RFC 7845 §3). */
type Stage = 'head' | 'tags' | 'audio';

export class OggOpusReader {
  readonly #input = new ByteQueue();
  readonly #maxPacketSize: number;
  #ended = false;
  #stage: Stage = 'head';
  #head: OpusHead | undefined;
  #tags: OpusTags | undefined;
  #serialNumber = 0;
  #nextSequence = 0;
  #endOfStream = false;
  /** Pieces of the packet still open at the end of the last page. */
  readonly #open: Uint8Array[] = [];
  #openLength = 0;
  #openOffset = 0;
  /** Audio packets completed on the last page and not yet returned. */
  #ready: OggOpusPacket[] = [];
  #readyIndex = 0;
  /** The first error: the reader's state is undefined after it, so every later poll rethrows it. */
  #error: ContainerError | undefined;

  constructor(options: OggOpusReaderOptions = {}) {
    this.#maxPacketSize = options.maxPacketSize ?? OGG_DEFAULT_MAX_PACKET_SIZE;
  }

  /** The ID header, once `pollPacket()` has read the first page. */
  get head(): OpusHead | undefined {
    return this.#head;
  }

  /** The comment header, once `pollPacket()` has read it. */
  get tags(): OpusTags | undefined {
    return this.#tags;
  }

  /** Whether the end-of-stream page has been read. */
  get endOfStream(): boolean {
    return this.#endOfStream;
  }

  /** Appends input (copied, so the caller may reuse its buffer). */
  push(chunk: Uint8Array): void {
    if (this.#ended) throw new ClosedError('OggOpusReader input');
    this.#input.push(chunk);
  }

  /** No more input will come. */
  end(): void {
    this.#ended = true;
  }

  /** The whole file in one go, without copying it. */
  pushAll(bytes: Uint8Array): void {
    if (this.#ended) throw new ClosedError('OggOpusReader input');
    this.#input.adopt(bytes);
    this.#ended = true;
  }

  /**
   * The next audio packet, or undefined when more input is needed (or, after `end()`, when the
   * stream is done). Throws `ContainerError` on malformed input.
   */
  pollPacket(): OggOpusPacket | undefined {
    if (this.#error !== undefined) throw this.#error;
    try {
      return this.#poll();
    } catch (error) {
      if (error instanceof ContainerError) this.#error = error;
      throw error;
    }
  }

  #poll(): OggOpusPacket | undefined {
    for (;;) {
      if (this.#readyIndex < this.#ready.length) return this.#ready[this.#readyIndex++];
      const input = this.#input;
      const offset = input.position;
      const parsed = parseOggPage(input.peek(), offset);
      if (parsed === undefined) return this.#needMore();
      this.#readPage(parsed.page, offset);
      input.consume(parsed.size);
    }
  }

  #readPage(page: OggPage, offset: number): void {
    this.#checkSequence(page, offset);
    const continued = (page.headerType & OGG_CONTINUED) !== 0;
    if (continued !== this.#open.length > 0) {
      throw new ContainerError(
        continued ? 'continued page with no packet open' : 'packet left open by previous page',
        offset + 5,
      );
    }
    if ((page.headerType & OGG_EOS) !== 0) this.#endOfStream = true;

    const bodyOffset = offset + OGG_PAGE_HEADER_SIZE + page.segmentTable.length;
    const packets: { data: Uint8Array; offset: number }[] = [];
    const lacing = page.segmentTable;
    let pieceStart = 0;
    let at = 0;
    for (let i = 0; i < lacing.length; i++) {
      const value = lacing[i] as number;
      at += value;
      if (value === 255) continue;
      packets.push(this.#close(page.body.subarray(pieceStart, at), bodyOffset + pieceStart));
      pieceStart = at;
    }
    // Lacing that ends in 255 leaves the last packet open.
    const endsOpen = lacing.length > 0 && lacing[lacing.length - 1] === 255;
    if (endsOpen) this.#extend(page.body.subarray(pieceStart), bodyOffset + pieceStart);

    switch (this.#stage) {
      case 'head': {
        const only = packets[0];
        if (only === undefined || packets.length > 1 || endsOpen) {
          throw new ContainerError('OpusHead must be alone on the first page', offset);
        }
        this.#head = parseOpusHead(only.data, only.offset);
        this.#stage = 'tags';
        return;
      }
      case 'tags': {
        const tags = packets[0];
        if (tags === undefined) return; // OpusTags continues on the next page
        if (packets.length > 1 || endsOpen) {
          throw new ContainerError('OpusTags must finish its page (RFC 7845 §3)', offset);
        }
        this.#tags = parseOpusTags(tags.data, tags.offset);
        this.#stage = 'audio';
        return;
      }
      case 'audio': {
        if (packets.length > 0 && page.granulePosition === -1) {
          throw new ContainerError(
            'audio page where packets end has no granule position',
            offset + 6,
          );
        }
        this.#ready = packets.map((packet, index) => ({
          data: packet.data,
          granulePosition: index === packets.length - 1 ? page.granulePosition : -1,
        }));
        this.#readyIndex = 0;
      }
    }
  }

  /** One logical stream, from a beginning-of-stream page, without gaps or pages after the end. */
  #checkSequence(page: OggPage, offset: number): void {
    const bos = (page.headerType & OGG_BOS) !== 0;
    if (this.#stage === 'head') {
      if (!bos)
        throw new ContainerError('first page is not a beginning-of-stream page', offset + 5);
      this.#serialNumber = page.serialNumber;
    } else {
      if (page.serialNumber !== this.#serialNumber) {
        throw new ContainerError(
          `page of another logical stream (serial ${page.serialNumber}): multiplexed and chained streams are not supported`,
          offset + 14,
        );
      }
      if (this.#endOfStream) throw new ContainerError('page after the end-of-stream page', offset);
      if (bos) throw new ContainerError('beginning-of-stream flag on a later page', offset + 5);
      if (page.sequenceNumber !== this.#nextSequence) {
        throw new ContainerError(
          `page sequence number ${page.sequenceNumber}, expected ${this.#nextSequence}: pages are missing`,
          offset + 18,
        );
      }
    }
    this.#nextSequence = (page.sequenceNumber + 1) >>> 0;
  }

  /** Adds a piece to the open packet, within `maxPacketSize`. */
  #extend(piece: Uint8Array, offset: number): void {
    if (this.#open.length === 0) this.#openOffset = offset;
    this.#openLength += piece.length;
    if (this.#openLength > this.#maxPacketSize) {
      throw new ContainerError(
        `packet exceeds the ${this.#maxPacketSize}-byte limit`,
        this.#openOffset,
      );
    }
    this.#open.push(piece);
  }

  /** Ends the open packet (if any) with `piece`: a view if it lies on one page, else a copy. */
  #close(piece: Uint8Array, offset: number): { data: Uint8Array; offset: number } {
    this.#extend(piece, offset);
    const parts = this.#open;
    const packet = {
      data: parts.length === 1 ? (parts[0] as Uint8Array) : concatBytes(...parts),
      offset: this.#openOffset,
    };
    parts.length = 0;
    this.#openLength = 0;
    return packet;
  }

  /** Waiting for a whole page: fine until the input has ended, then the stream is cut short. */
  #needMore(): undefined {
    if (!this.#ended) return undefined;
    const input = this.#input;
    if (input.length > 0) {
      throw new ContainerError(`truncated Ogg page: ${input.length} bytes left`, input.position);
    }
    if (this.#open.length > 0) {
      throw new ContainerError('input ends inside a packet', this.#openOffset);
    }
    if (this.#stage !== 'audio') {
      throw new ContainerError(
        `input ends before the ${this.#stage === 'head' ? 'OpusHead' : 'OpusTags'} header`,
        input.position,
      );
    }
    return undefined;
  }
}

/** Parses a whole Ogg Opus file held in memory. */
export function readOggOpus(
  bytes: Uint8Array,
  options: OggOpusReaderOptions = {},
): { head: OpusHead; tags: OpusTags; packets: OggOpusPacket[]; endOfStream: boolean } {
  const reader = new OggOpusReader(options);
  reader.pushAll(bytes);
  const packets: OggOpusPacket[] = [];
  for (let packet = reader.pollPacket(); packet !== undefined; packet = reader.pollPacket()) {
    packets.push(packet);
  }
  // The input has ended, so pollPacket() has read both headers or thrown.
  return {
    head: reader.head as OpusHead,
    tags: reader.tags as OpusTags,
    packets,
    endOfStream: reader.endOfStream,
  };
}
