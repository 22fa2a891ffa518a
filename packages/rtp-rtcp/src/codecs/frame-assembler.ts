/**
 * Rebuilds whole frames from RTP packets, after Pion's samplebuilder: packets are kept in a ring
 * of `maxPackets` slots by (extended) sequence number, and a frame is emitted as soon as all of
 * its packets, from a frame start to a frame end, are present, in sequence order.
 *
 * Frame boundaries come from the depacketizer. A packet starts a frame if the depacketizer says
 * so and the nearest buffered packet before it (if any) ended a frame or has another timestamp;
 * that second condition keeps an H.264 access unit of several single NAL unit packets whole.
 * (Only a packet that arrives before every earlier packet of its access unit can still be taken
 * for a frame start: H.264 marks no first packet.) A frame ends at
 * a packet the depacketizer calls an end (usually the marker bit, RFC 3550 §5.1) or one followed
 * by a packet with another timestamp.
 *
 * Loss: frames come out in order, so when a frame completes, every earlier frame still buffered
 * can no longer come out and is dropped (counted in `incompleteFrames`); the same happens to the
 * oldest packets when a new one would need more than `maxPackets` slots. Memory is bounded by
 * `maxPackets` packets, whatever arrives.
 */

import { PayloadError } from '../errors.js';
import type { Depacketizer } from './types.js';

/** What the assembler needs of an RTP packet (an `RtpPacket` fits). */
export interface AssemblerPacket {
  readonly sequenceNumber: number;
  readonly timestamp: number;
  readonly marker: boolean;
  readonly payload: Uint8Array;
}

/** One whole frame. */
export interface AssembledFrame {
  /** The codec bytes: the depacketized payloads of the frame's packets, concatenated. */
  readonly data: Uint8Array;
  readonly timestamp: number;
  /** Whether any of its packets the depacketizer calls a keyframe. */
  readonly keyframe: boolean;
  /** Sequence numbers (16-bit) of its first and last packets. */
  readonly firstSequence: number;
  readonly lastSequence: number;
}

export interface FrameAssemblerOptions {
  /** Packets buffered at most; also the largest frame, in packets, that can complete. Default 512. */
  readonly maxPackets?: number;
}

const NO_FRAMES: readonly AssembledFrame[] = Object.freeze([]);

// Per-slot flags, computed once when a packet is stored.
const START = 1;
const END = 2;
const KEY = 4;

export class FrameAssembler {
  readonly #depacketizer: Depacketizer;
  readonly #size: number;
  readonly #packets: (AssemblerPacket | undefined)[];
  /** The extended sequence number each slot holds (valid where `#packets` has a packet). */
  readonly #sequences: Float64Array;
  readonly #flags: Uint8Array;
  /** The oldest extended sequence number still wanted; everything before is emitted or dropped. */
  #head = 0;
  /** The highest extended sequence number seen, the reference for unwrapping. */
  #highest = -1;
  #stored = 0;
  /** Whether `#head` has moved forward past an emitted or dropped packet. */
  #committed = false;
  /** Timestamp of the last frame counted as incomplete, so a frame is counted once. */
  #lastDroppedTimestamp = -1;

  #framesEmitted = 0;
  #incompleteFrames = 0;
  #corruptFrames = 0;
  #droppedPackets = 0;
  #duplicatePackets = 0;
  #latePackets = 0;
  #malformedPackets = 0;

  constructor(depacketizer: Depacketizer, options: FrameAssemblerOptions = {}) {
    const maxPackets = options.maxPackets ?? 512;
    if (!Number.isInteger(maxPackets) || maxPackets < 1 || maxPackets > 0x8000) {
      throw new RangeError(`maxPackets must be an integer in 1..32768, not ${maxPackets}`);
    }
    this.#depacketizer = depacketizer;
    this.#size = maxPackets;
    this.#packets = new Array<AssemblerPacket | undefined>(maxPackets).fill(undefined);
    this.#sequences = new Float64Array(maxPackets);
    this.#flags = new Uint8Array(maxPackets);
  }

  /** Frames emitted so far. */
  get framesEmitted(): number {
    return this.#framesEmitted;
  }

  /** Frames dropped because packets of theirs never arrived in time. */
  get incompleteFrames(): number {
    return this.#incompleteFrames;
  }

  /** Frames dropped because the depacketizer rejected one of their payloads. */
  get corruptFrames(): number {
    return this.#corruptFrames;
  }

  /** Received packets thrown away as parts of incomplete frames. */
  get droppedPackets(): number {
    return this.#droppedPackets;
  }

  /** Packets ignored because the same sequence number was already buffered. */
  get duplicatePackets(): number {
    return this.#duplicatePackets;
  }

  /** Packets ignored because their place in the sequence was already emitted or dropped. */
  get latePackets(): number {
    return this.#latePackets;
  }

  /** Packets ignored because the depacketizer could not classify them. */
  get malformedPackets(): number {
    return this.#malformedPackets;
  }

  /** Packets currently buffered. */
  get bufferedPackets(): number {
    return this.#stored;
  }

  /**
   * Takes one packet and returns the frames it completes, oldest first (usually none or one).
   * The packet, and so its payload view, is kept until its frame is emitted or dropped: a caller
   * that reuses receive buffers must pass a copy.
   */
  push(packet: AssemblerPacket): readonly AssembledFrame[] {
    let flags: number;
    try {
      const { payload } = packet;
      flags =
        (this.#depacketizer.isFrameStart(payload) ? START : 0) |
        (this.#depacketizer.isFrameEnd(payload, packet.marker) ? END : 0) |
        (this.#depacketizer.isKeyframe(payload) ? KEY : 0);
    } catch (error) {
      if (!(error instanceof PayloadError)) throw error;
      this.#malformedPackets++;
      return NO_FRAMES;
    }
    const sequence = this.#unwrap(packet.sequenceNumber & 0xffff);
    if (sequence < this.#head) {
      // Until something is emitted or dropped, the origin is only the first packet to arrive:
      // an earlier one, reordered, moves it back (within the buffer's reach).
      if (this.#committed || this.#highest - sequence >= this.#size) {
        this.#latePackets++;
        return NO_FRAMES;
      }
      this.#head = sequence;
    }
    if (sequence >= this.#head + this.#size) this.#dropBefore(sequence - this.#size + 1);
    const slot = this.#slot(sequence);
    if (this.#packets[slot] !== undefined) {
      this.#duplicatePackets++;
      return NO_FRAMES;
    }
    this.#packets[slot] = packet;
    this.#sequences[slot] = sequence;
    this.#flags[slot] = flags;
    this.#stored++;
    if (sequence > this.#highest) this.#highest = sequence;

    // This packet can complete its own frame, the one before (by being a timestamp change after
    // an end without a marker) or the one after (by ending the frame before it).
    let frames: AssembledFrame[] | undefined;
    for (let at = sequence - 1; at <= sequence + 1; at++) {
      if (at < this.#head) continue;
      const frame = this.#tryEmit(at);
      if (frame === undefined) continue;
      if (frames === undefined) frames = [frame];
      else frames.push(frame);
    }
    return frames ?? NO_FRAMES;
  }

  /** Forgets every buffered packet and the sequence history (say, for a new SSRC). */
  reset(): void {
    this.#packets.fill(undefined);
    this.#stored = 0;
    this.#head = 0;
    this.#highest = -1;
    this.#committed = false;
    this.#lastDroppedTimestamp = -1;
  }

  /**
   * The extended sequence number of a 16-bit one: the value nearest the highest seen
   * (RFC 3550 Appendix A.1). The first packet sets the origin; the extension starts at 2^16 so
   * a packet slightly older than the first stays positive.
   */
  #unwrap(sequenceNumber: number): number {
    if (this.#highest < 0) {
      const first = 0x10000 + sequenceNumber;
      this.#head = first;
      this.#highest = first;
      return first;
    }
    const delta = ((sequenceNumber - this.#highest + 0x8000) & 0xffff) - 0x8000;
    return this.#highest + delta;
  }

  #slot(sequence: number): number {
    return sequence % this.#size;
  }

  /** The flags of the packet at `sequence`, or -1 if it is not buffered. */
  #flagsAt(sequence: number): number {
    if (sequence < this.#head || sequence >= this.#head + this.#size) return -1;
    const slot = this.#slot(sequence);
    if (this.#packets[slot] === undefined || this.#sequences[slot] !== sequence) return -1;
    return this.#flags[slot] as number;
  }

  #timestampAt(sequence: number): number {
    return (this.#packets[this.#slot(sequence)] as AssemblerPacket).timestamp;
  }

  /** Whether the buffered packet at `sequence` starts a frame (see the file comment). */
  #startsFrame(sequence: number): boolean {
    const own = this.#flagsAt(sequence);
    if (own < 0 || (own & START) === 0) return false;
    // The nearest buffered packet before it: if that one neither ends a frame nor has another
    // timestamp, this packet is the middle of a frame whatever the depacketizer says (an H.264
    // slice after an SEI, with or without packets missing in between).
    const timestamp = this.#timestampAt(sequence);
    for (let at = sequence - 1; at >= this.#head; at--) {
      const flags = this.#flagsAt(at);
      if (flags < 0) continue;
      return (flags & END) !== 0 || this.#timestampAt(at) !== timestamp;
    }
    return true;
  }

  /** Whether the buffered packet at `sequence` ends a frame. */
  #endsFrame(sequence: number): boolean {
    const own = this.#flagsAt(sequence);
    if (own < 0) return false;
    if (own & END) return true;
    const next = this.#flagsAt(sequence + 1);
    return next >= 0 && this.#timestampAt(sequence + 1) !== this.#timestampAt(sequence);
  }

  /** Emits the frame holding the packet at `sequence` if all of it is buffered. */
  #tryEmit(sequence: number): AssembledFrame | undefined {
    if (this.#flagsAt(sequence) < 0) return undefined;
    // The end first: packets arriving in order fail here at once, so a frame of n packets
    // costs O(n) to assemble, not O(n^2).
    let last = sequence;
    while (!this.#endsFrame(last)) {
      const next = last + 1;
      if (this.#flagsAt(next) < 0) return undefined;
      last = next;
    }
    const timestamp = this.#timestampAt(sequence);
    let first = sequence;
    while (!this.#startsFrame(first)) {
      const previous = first - 1;
      if (this.#flagsAt(previous) < 0 || this.#endsFrame(previous)) return undefined;
      if (this.#timestampAt(previous) !== timestamp) return undefined;
      first = previous;
    }
    // In order: everything before this frame is now out of reach.
    this.#dropBefore(first);
    return this.#emit(first, last);
  }

  /** Takes the packets `first..last` out of the buffer and joins their payloads. */
  #emit(first: number, last: number): AssembledFrame | undefined {
    const timestamp = this.#timestampAt(first);
    const parts: Uint8Array[] = [];
    let length = 0;
    let keyframe = false;
    let corrupt = false;
    for (let sequence = first; sequence <= last; sequence++) {
      const slot = this.#slot(sequence);
      const packet = this.#packets[slot] as AssemblerPacket;
      keyframe ||= ((this.#flags[slot] as number) & KEY) !== 0;
      this.#packets[slot] = undefined;
      this.#stored--;
      if (corrupt) continue;
      try {
        const part = this.#depacketizer.depacketize(packet.payload);
        parts.push(part);
        length += part.length;
      } catch (error) {
        if (!(error instanceof PayloadError)) throw error;
        corrupt = true;
      }
    }
    this.#head = last + 1;
    this.#committed = true;
    if (corrupt) {
      this.#corruptFrames++;
      return undefined;
    }
    let data: Uint8Array;
    if (parts.length === 1) {
      data = parts[0] as Uint8Array;
    } else {
      data = new Uint8Array(length);
      let at = 0;
      for (const part of parts) {
        data.set(part, at);
        at += part.length;
      }
    }
    this.#framesEmitted++;
    return {
      data,
      timestamp,
      keyframe,
      firstSequence: first & 0xffff,
      lastSequence: last & 0xffff,
    };
  }

  /** Drops every buffered packet before `sequence`, counting the frames they belonged to. */
  #dropBefore(sequence: number): void {
    const end = Math.min(sequence, this.#head + this.#size);
    for (let at = this.#head; at < end && this.#stored > 0; at++) {
      const slot = this.#slot(at);
      const packet = this.#packets[slot];
      if (packet === undefined || this.#sequences[slot] !== at) continue;
      this.#packets[slot] = undefined;
      this.#stored--;
      this.#droppedPackets++;
      if (packet.timestamp !== this.#lastDroppedTimestamp) {
        this.#incompleteFrames++;
        this.#lastDroppedTimestamp = packet.timestamp;
      }
    }
    if (sequence > this.#head) {
      this.#head = sequence;
      this.#committed = true;
    }
  }
}
