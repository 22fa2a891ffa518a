/**
 * The receiver's side of transport-wide congestion control
 * (draft-holmer-rmcat-transport-wide-cc-extensions-01), sans-I/O: `record` notes the
 * transport-wide sequence number (the §2 header extension) and arrival time of every packet
 * received, and `feedback` turns what arrived since the previous call into the §3.1 feedback
 * packets the sender's congestion controller needs (libwebrtc sends them every 50-250 ms).
 *
 * Recording is on the hot path and allocates nothing: arrivals go into a preallocated ring of
 * `capacity` slots indexed by the unwrapped sequence number, which also bounds memory. A number
 * that falls out of the ring before it was reported is given up (the sender counts it lost).
 *
 * A packet arriving after feedback already reported its number (as lost) moves the start of the
 * next feedback back to it, so the sender learns it did arrive; the packets after it are then
 * reported again, as libwebrtc does.
 */

import { TypeRtcError } from '@typertc/common';
import { SequenceUnwrapper, TransportWideCc, type TwccPacket, TwccStatus } from '@typertc/rtp-rtcp';

export interface TwccRecorderOptions {
  /** The SSRC our feedback goes out with (the RTCP packet sender, RFC 4585 §6.1). */
  readonly senderSsrc: number;
  /** Packets remembered: a power of two up to 32768 (default 4096). */
  readonly capacity?: number;
  /**
   * Largest feedback packet in bytes (default 1200: with SRTCP and IP overhead it stays under
   * a 1280-byte path MTU); more statuses than fit are split over several packets.
   */
  readonly maxFeedbackSize?: number;
}

/** Options a `TwccRecorder` cannot work with (code `INVALID_ARGUMENT`). */
export class TwccRecorderError extends TypeRtcError {
  constructor(message: string) {
    super(message, 'INVALID_ARGUMENT');
  }
}

const DEFAULT_CAPACITY = 4096;
const MAX_CAPACITY = 32768;
const DEFAULT_MAX_FEEDBACK_SIZE = 1200;
/** Header, SSRCs, base sequence, count, reference time, feedback count, one chunk, one delta. */
const MIN_FEEDBACK_SIZE = 24;
/** Receive deltas are in 250 µs units (§3.1.5): ticks per millisecond. */
const TICKS_PER_MS = 4;
/** The reference time is in 64 ms units (§3.1): ticks per reference unit. */
const TICKS_PER_REFERENCE = 256;
/** The reference time field is 24 bits; it wraps every 2^24 * 64 ms (about 12.4 days). */
const REFERENCE_MODULUS = 0x100_0000;
/** Range of a small delta (one unsigned byte) and a large one (signed 16 bits), §3.1.5. */
const SMALL_DELTA_MAX = 0xff;
const LARGE_DELTA_MIN = -0x8000;
const LARGE_DELTA_MAX = 0x7fff;

export class TwccRecorder {
  readonly senderSsrc: number;
  readonly #capacity: number;
  readonly #mask: number;
  readonly #maxFeedbackSize: number;
  readonly #unwrapper = new SequenceUnwrapper();
  /** The unwrapped sequence number each slot holds, NaN when empty. */
  readonly #sequences: Float64Array;
  /** The arrival time of that packet, in milliseconds. */
  readonly #arrivals: Float64Array;
  #started = false;
  /** The first unwrapped sequence number the next feedback reports. */
  #next = 0;
  /** The highest unwrapped sequence number received. */
  #highest = 0;
  /** The media SSRC of the latest packet: the feedback's media source field. */
  #mediaSsrc = 0;
  /** Feedback packet count (§3.1), modulo 2^8, so the sender can tell feedback was lost. */
  #feedbackCount = 0;

  constructor(options: TwccRecorderOptions) {
    const {
      senderSsrc,
      capacity = DEFAULT_CAPACITY,
      maxFeedbackSize = DEFAULT_MAX_FEEDBACK_SIZE,
    } = options;
    if (
      !Number.isInteger(capacity) ||
      capacity < 1 ||
      capacity > MAX_CAPACITY ||
      (capacity & (capacity - 1)) !== 0
    ) {
      throw new TwccRecorderError(`capacity must be a power of two up to 32768, got ${capacity}`);
    }
    if (!Number.isInteger(maxFeedbackSize) || maxFeedbackSize < MIN_FEEDBACK_SIZE) {
      throw new TwccRecorderError(
        `maxFeedbackSize must be at least ${MIN_FEEDBACK_SIZE} bytes, got ${maxFeedbackSize}`,
      );
    }
    this.senderSsrc = senderSsrc >>> 0;
    this.#capacity = capacity;
    this.#mask = capacity - 1;
    this.#maxFeedbackSize = maxFeedbackSize;
    this.#sequences = new Float64Array(capacity).fill(Number.NaN);
    this.#arrivals = new Float64Array(capacity);
  }

  /** Whether `feedback` has something to report. */
  get pending(): boolean {
    return this.#started && this.#next <= this.#highest;
  }

  /**
   * A packet with transport-wide sequence number `sequence` from `mediaSsrc` arrived at
   * `arrivalMs` (any monotonic millisecond clock). A duplicate keeps the first arrival.
   */
  record(sequence: number, arrivalMs: number, mediaSsrc: number): void {
    const extended = this.#unwrapper.unwrap(sequence & 0xffff);
    const slot = extended & this.#mask;
    if (this.#sequences[slot] === extended) return;
    this.#mediaSsrc = mediaSsrc >>> 0;
    if (!this.#started) {
      this.#started = true;
      this.#next = extended;
      this.#highest = extended;
    } else if (extended > this.#highest) {
      this.#highest = extended;
      // The ring holds the last `capacity` numbers: older unreported ones are given up.
      if (extended - this.#next >= this.#capacity) this.#next = extended - this.#capacity + 1;
    } else if (extended < this.#next) {
      // Already reported, as lost: report again from here, unless its slot is already reused.
      if (this.#highest - extended >= this.#capacity) return;
      this.#next = extended;
    }
    this.#sequences[slot] = extended;
    this.#arrivals[slot] = arrivalMs;
  }

  /**
   * The feedback for everything from the previous feedback's end to the highest number received,
   * in order; empty when nothing arrived since. Losses are reported as not received. A new
   * packet (with its own reference time) starts where a receive delta would not fit 16 bits (a
   * gap or reordering of more than 8.19 s) and where the packet would exceed `maxFeedbackSize`.
   */
  feedback(): TransportWideCc[] {
    const out: TransportWideCc[] = [];
    if (!this.pending) return out;
    let start = this.#next;
    while (start <= this.#highest) {
      let end = this.#deltaRangeEnd(start);
      let packet = this.#build(start, end);
      // Halve until it fits: the encoding is what rtp-rtcp's chunk choice makes of it, so its
      // size is known only once built. A single status always fits (MIN_FEEDBACK_SIZE).
      while (packet.byteLength() > this.#maxFeedbackSize) {
        end = start + Math.ceil((end - start) / 2);
        packet = this.#build(start, end);
      }
      out.push(packet);
      this.#feedbackCount = (this.#feedbackCount + 1) & 0xff;
      start = end;
    }
    this.#next = this.#highest + 1;
    return out;
  }

  #received(extended: number): boolean {
    return this.#sequences[extended & this.#mask] === extended;
  }

  #ticks(extended: number): number {
    return Math.round((this.#arrivals[extended & this.#mask] as number) * TICKS_PER_MS);
  }

  /**
   * The end (exclusive) of the longest run from `start` in which each received packet's
   * arrival is within a large delta of the previous one's. The first delta of a packet, from its
   * reference time, is always small: the reference is the first arrival rounded down to 64 ms.
   */
  #deltaRangeEnd(start: number): number {
    let previous: number | undefined;
    for (let extended = start; extended <= this.#highest; extended++) {
      if (!this.#received(extended)) continue;
      const ticks = this.#ticks(extended);
      if (previous !== undefined) {
        const delta = ticks - previous;
        if (delta < LARGE_DELTA_MIN || delta > LARGE_DELTA_MAX) return extended;
      }
      previous = ticks;
    }
    return this.#highest + 1;
  }

  /** The feedback packet for numbers `start` to `end` (exclusive), with the current count. */
  #build(start: number, end: number): TransportWideCc {
    const packets: TwccPacket[] = [];
    let referenceTime = 0;
    let previous: number | undefined;
    for (let extended = start; extended < end; extended++) {
      const sequence = extended & 0xffff;
      if (!this.#received(extended)) {
        packets.push({ sequence, status: TwccStatus.NotReceived, receiveDelta: 0 });
        continue;
      }
      const ticks = this.#ticks(extended);
      if (previous === undefined) {
        // §3.1: the first delta is relative to the reference time, in 64 ms units.
        const reference = Math.floor(ticks / TICKS_PER_REFERENCE);
        referenceTime = ((reference % REFERENCE_MODULUS) + REFERENCE_MODULUS) % REFERENCE_MODULUS;
        previous = reference * TICKS_PER_REFERENCE;
      }
      // Deltas are taken between rounded times, so rounding errors do not accumulate.
      const receiveDelta = ticks - previous;
      previous = ticks;
      const small = receiveDelta >= 0 && receiveDelta <= SMALL_DELTA_MAX;
      packets.push({
        sequence,
        status: small ? TwccStatus.SmallDelta : TwccStatus.LargeDelta,
        receiveDelta,
      });
    }
    return new TransportWideCc({
      senderSsrc: this.senderSsrc,
      mediaSsrc: this.#mediaSsrc,
      baseSequence: start & 0xffff,
      referenceTime,
      feedbackCount: this.#feedbackCount,
      packets,
    });
  }
}
