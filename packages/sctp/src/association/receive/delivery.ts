/**
 * Delivery order of complete user messages (RFC 9260 §6.5, §6.6): unordered messages are
 * ready as soon as they are complete; ordered ones wait, per stream, until every message with a
 * lower stream sequence number was delivered. Streams do not block each other.
 *
 * FORWARD-TSN (RFC 3758 §3.6) moves a stream's expected SSN past abandoned messages, releasing
 * the complete ones that waited behind them; a stream reset (RFC 6525 §5.2.2) starts it at 0.
 */

import { ssnAdd, ssnLessThan } from '../../packet/tsn.js';

/** A complete user message for the application. */
export interface ReceivedMessage {
  readonly streamId: number;
  /** Payload protocol identifier (RFC 8831 §8 lists WebRTC's). */
  readonly ppid: number;
  readonly data: Uint8Array;
  readonly unordered: boolean;
}

interface StreamOrder {
  /** The SSN of the next ordered message to deliver. */
  expectedSsn: number;
  /** Complete ordered messages with a higher SSN, by SSN. */
  readonly waiting: Map<number, ReceivedMessage>;
}

/** Taken slots at the front of the ready queue before they are compacted away. */
const COMPACT_AFTER = 1024;

export class Delivery {
  /** Messages ready for the application, oldest first, from `#readyHead` on. */
  readonly #ready: (ReceivedMessage | undefined)[] = [];
  #readyHead = 0;
  readonly #streams = new Map<number, StreamOrder>();
  #bytes = 0;

  /** Bytes of the messages held: ready or waiting for an earlier SSN. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * A message completed reassembly; `ssn` is its stream sequence number (ignored when
   * unordered). Returns false when an ordered message with that SSN is already waiting on the
   * stream: the peer broke §6.6's one-SSN-per-message rule, and the association aborts.
   */
  add(message: ReceivedMessage, ssn: number): boolean {
    if (message.unordered) {
      this.#push(message);
      return true;
    }
    const stream = this.#stream(message.streamId);
    if (ssn === stream.expectedSsn) {
      this.#push(message);
      stream.expectedSsn = ssnAdd(ssn, 1);
      this.#releaseInOrder(stream);
      return true;
    }
    if (stream.waiting.has(ssn)) return false;
    stream.waiting.set(ssn, message);
    this.#bytes += message.data.length;
    return true;
  }

  /** The oldest ready message, removed from the queue; undefined if none. */
  take(): ReceivedMessage | undefined {
    if (this.#readyHead === this.#ready.length) return undefined;
    const message = this.#ready[this.#readyHead] as ReceivedMessage;
    // Cleared so the taken message is not kept alive until the next compaction.
    this.#ready[this.#readyHead] = undefined;
    this.#readyHead++;
    if (this.#readyHead === this.#ready.length) {
      this.#ready.length = 0;
      this.#readyHead = 0;
    } else if (this.#readyHead >= COMPACT_AFTER && this.#readyHead * 2 >= this.#ready.length) {
      this.#ready.splice(0, this.#readyHead);
      this.#readyHead = 0;
    }
    this.#bytes -= message.data.length;
    return message;
  }

  /**
   * RFC 3758 §3.6: the ordered messages of `streamId` up to `lastSkippedSsn` were abandoned by the
   * sender. Those that did arrive complete are delivered, in order, and the stream expects the
   * SSN after it. A report of SSNs the stream has already passed (an old FORWARD-TSN) changes
   * nothing.
   */
  skip(streamId: number, lastSkippedSsn: number): void {
    const stream = this.#stream(streamId);
    if (ssnLessThan(lastSkippedSsn, stream.expectedSsn)) return;
    if (stream.waiting.size === 0) {
      stream.expectedSsn = ssnAdd(lastSkippedSsn, 1);
      return;
    }
    for (;;) {
      this.#releaseExpected(stream);
      const passed = stream.expectedSsn === lastSkippedSsn;
      stream.expectedSsn = ssnAdd(stream.expectedSsn, 1);
      if (passed) break;
    }
    this.#releaseInOrder(stream);
  }

  /** RFC 6525 §5.2.2: the stream's next SSN is 0 again; nothing held is dropped. */
  reset(streamId: number): void {
    const stream = this.#stream(streamId);
    stream.expectedSsn = 0;
    this.#releaseInOrder(stream);
  }

  /** Moves waiting messages to the ready queue for as long as the next expected one is there. */
  #releaseInOrder(stream: StreamOrder): void {
    while (stream.waiting.size > 0 && this.#releaseExpected(stream)) {
      stream.expectedSsn = ssnAdd(stream.expectedSsn, 1);
    }
  }

  /** Moves the message with the expected SSN, if waiting, to the ready queue. */
  #releaseExpected(stream: StreamOrder): boolean {
    const message = stream.waiting.get(stream.expectedSsn);
    if (message === undefined) return false;
    stream.waiting.delete(stream.expectedSsn);
    this.#bytes -= message.data.length;
    this.#push(message);
    return true;
  }

  #push(message: ReceivedMessage): void {
    this.#ready.push(message);
    this.#bytes += message.data.length;
  }

  #stream(streamId: number): StreamOrder {
    let stream = this.#streams.get(streamId);
    if (stream === undefined) {
      stream = { expectedSsn: 0, waiting: new Map() };
      this.#streams.set(streamId, stream);
    }
    return stream;
  }
}
