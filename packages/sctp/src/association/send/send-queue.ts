/**
 * User messages waiting to become DATA chunks (RFC 9260 §6.1, §6.6, §6.9).
 *
 * Streams take turns message by message (round robin), so one stream's backlog cannot starve the
 * others. Turns are not finer than a message: without I-DATA (RFC 8260) the fragments of a
 * message must carry consecutive TSNs (§6.9), so once its first fragment is out, the rest go
 * before anything else. The SSN of an ordered message is taken when its first fragment is handed
 * out, so a message dropped before that (its PR-SCTP lifetime ran out in the queue, or its stream
 * was cleared) leaves no hole in the stream's sequence.
 *
 * `bufferedAmount` is what W3C `RTCDataChannel.bufferedAmount` reports: bytes queued and not yet
 * handed to the network, so it falls as fragments are taken, not when they are acknowledged.
 */

import type { OutgoingMessage } from '../../datachannel/stream-transport.js';
import { SctpError } from '../../errors.js';
import { ssnAdd } from '../../packet/tsn.js';

/** One DATA chunk's worth of a message, with the fields the DATA chunk carries (§3.3.1). */
export interface OutgoingChunk {
  readonly tsn: number;
  readonly streamId: number;
  /** The stream's SSN for ordered messages; unordered ones carry the current SSN, unused. */
  readonly ssn: number;
  readonly ppid: number;
  readonly unordered: boolean;
  readonly beginning: boolean;
  readonly ending: boolean;
  /** A view into the message's data. */
  readonly payload: Uint8Array;
  /** Shared by every fragment of one message. */
  readonly messageId: number;
  /** PR-SCTP (RFC 3758): retransmissions allowed before the message is abandoned. */
  readonly maxRetransmits?: number;
  /** PR-SCTP (RFC 3758): when (ms, the caller's clock) the message is abandoned. */
  readonly expiresAt?: number;
  /** Size of the whole message. */
  readonly messageBytes: number;
}

/** The largest stream identifier (RFC 8831 §6.5 leaves 65535 out). */
const MAX_STREAM_ID = 65534;

interface QueuedMessage {
  readonly id: number;
  readonly message: OutgoingMessage;
  readonly expiresAt: number | undefined;
}

class StreamQueue {
  readonly messages: QueuedMessage[] = [];
  /** Index of the first message still queued; `messages` is compacted now and then. */
  head = 0;
  /** Bytes queued on the stream, the unsent rest of its message in progress included. */
  bytes = 0;
  /** SSN of the next ordered message. */
  nextSsn = 0;
  /** In the round-robin list. */
  active = false;
  /**
   * While an outgoing reset of the stream is pending (RFC 6525), the messages queued since it was
   * asked for: they start the stream's new sequence, so they wait until the reset is over.
   */
  held: QueuedMessage[] | undefined;
  heldBytes = 0;

  constructor(readonly streamId: number) {}

  get queued(): number {
    return this.messages.length - this.head;
  }

  peek(): QueuedMessage | undefined {
    return this.messages[this.head];
  }

  take(): QueuedMessage | undefined {
    const message = this.messages[this.head];
    if (message === undefined) return undefined;
    this.head++;
    if (this.head === this.messages.length) {
      this.messages.length = 0;
      this.head = 0;
    } else if (this.head >= 64 && this.head * 2 >= this.messages.length) {
      this.messages.splice(0, this.head);
      this.head = 0;
    }
    return message;
  }
}

export interface SendQueueOptions {
  /** Largest message accepted (RFC 8841 a=max-message-size, ours and the peer's). */
  readonly maxMessageSize: number;
}

export class SendQueue {
  readonly #maxMessageSize: number;
  readonly #streams = new Map<number, StreamQueue>();
  /** Streams with messages, in turn order; emptied streams leave when their turn comes. */
  readonly #active: StreamQueue[] = [];
  /** The stream whose turn it is. */
  #turn = 0;
  /** The message being fragmented (at most one, §6.9), its stream, bytes taken and SSN. */
  #current: QueuedMessage | undefined;
  #currentStream: StreamQueue | undefined;
  #currentOffset = 0;
  #currentSsn = 0;
  #bufferedAmount = 0;
  #nextMessageId = 0;

  constructor(options: SendQueueOptions) {
    this.#maxMessageSize = options.maxMessageSize;
  }

  /** Bytes of all streams queued and not yet handed out as chunks. */
  get bufferedAmount(): number {
    return this.#bufferedAmount;
  }

  /** Bytes of the stream queued and not yet handed out, those held for a pending reset included. */
  bufferedAmountOf(streamId: number): number {
    const stream = this.#streams.get(streamId);
    return stream === undefined ? 0 : stream.bytes + stream.heldBytes;
  }

  /** Bytes of the stream queued before its pending reset was asked for (all, if none is). */
  bytesBeforeReset(streamId: number): number {
    return this.#streams.get(streamId)?.bytes ?? 0;
  }

  hasData(): boolean {
    return this.#bufferedAmount > 0;
  }

  /**
   * Queues a message, taking over its data (not copied). `now` starts its PR-SCTP lifetime.
   * Throws `SctpError` for an empty or oversized message, a bad stream id or PR-SCTP policy.
   */
  enqueue(message: OutgoingMessage, now: number): void {
    const { streamId, data, maxRetransmits, maxLifetimeMs } = message;
    if (!Number.isInteger(streamId) || streamId < 0 || streamId > MAX_STREAM_ID) {
      throw new SctpError(
        `stream id must be an integer from 0 to ${MAX_STREAM_ID}, got ${streamId}`,
      );
    }
    // RFC 9260 §3.3.1: a DATA chunk carries at least one byte (WebRTC sends empty messages as one
    // byte under PPID 56/57, RFC 8831 §6.6).
    if (data.length === 0) throw new SctpError('a message must carry at least one byte');
    if (data.length > this.#maxMessageSize) {
      throw new SctpError(
        `message of ${data.length} bytes exceeds the maximum message size ${this.#maxMessageSize}`,
      );
    }
    if (maxRetransmits !== undefined && maxLifetimeMs !== undefined) {
      throw new SctpError('a message has at most one of maxRetransmits and maxLifetimeMs');
    }
    if (
      maxRetransmits !== undefined &&
      !(Number.isInteger(maxRetransmits) && maxRetransmits >= 0)
    ) {
      throw new SctpError(`maxRetransmits must be a non-negative integer, got ${maxRetransmits}`);
    }
    if (maxLifetimeMs !== undefined && !(maxLifetimeMs >= 0)) {
      throw new SctpError(`maxLifetimeMs must be non-negative, got ${maxLifetimeMs}`);
    }

    const stream = this.#stream(streamId);
    const expiresAt = maxLifetimeMs === undefined ? undefined : now + maxLifetimeMs;
    const queued = { id: this.#nextMessageId++, message, expiresAt };
    this.#bufferedAmount += data.length;
    if (stream.held !== undefined) {
      stream.held.push(queued);
      stream.heldBytes += data.length;
      return;
    }
    stream.messages.push(queued);
    stream.bytes += data.length;
    this.#activate(stream);
  }

  /**
   * Size of the chunk `nextChunk(maxPayload, …, now)` would return, 0 if none: lets the caller
   * check the peer's window (RFC 9260 §6.1 A) before a TSN is spent. Drops messages whose
   * lifetime ran out before they were started, as `nextChunk` would.
   */
  nextChunkSize(maxPayload: number, now: number): number {
    if (maxPayload < 1) return 0;
    if (this.#current !== undefined) {
      return Math.min(this.#current.message.data.length - this.#currentOffset, maxPayload);
    }
    const next = this.#nextStream(now)?.peek();
    return next === undefined ? 0 : Math.min(next.message.data.length, maxPayload);
  }

  /**
   * The next fragment, of at most `maxPayload` bytes, numbered `tsn` (the caller's next TSN).
   * Undefined when nothing is queued or `maxPayload` < 1.
   */
  nextChunk(maxPayload: number, tsn: number, now: number): OutgoingChunk | undefined {
    if (maxPayload < 1) return undefined;
    if (this.#current === undefined && !this.#start(now)) return undefined;
    const queued = this.#current as QueuedMessage;
    const stream = this.#currentStream as StreamQueue;
    const { message } = queued;
    const size = message.data.length;
    const start = this.#currentOffset;
    const end = Math.min(size, start + maxPayload);
    const chunk: OutgoingChunk = {
      tsn,
      streamId: message.streamId,
      ssn: this.#currentSsn,
      ppid: message.ppid,
      unordered: message.unordered,
      beginning: start === 0,
      ending: end === size,
      payload: message.data.subarray(start, end),
      messageId: queued.id,
      maxRetransmits: message.maxRetransmits,
      expiresAt: queued.expiresAt,
      messageBytes: size,
    };
    this.#currentOffset = end;
    this.#take(stream, end - start);
    if (end === size) this.#finishCurrent();
    return chunk;
  }

  /**
   * PR-SCTP (RFC 3758 §3.5): the message was abandoned after some of its fragments went out;
   * its unsent rest is dropped. Returns the bytes dropped (0 if none were left).
   */
  discardMessage(messageId: number): number {
    const current = this.#current;
    if (current === undefined || current.id !== messageId) return 0;
    const dropped = current.message.data.length - this.#currentOffset;
    this.#take(this.#currentStream as StreamQueue, dropped);
    this.#finishCurrent();
    return dropped;
  }

  /**
   * Drops the stream's queued messages (its channel is going away); a message already partly
   * sent is finished, as its fragments need their consecutive TSNs (§6.9). Returns bytes dropped.
   */
  clearStream(streamId: number): number {
    const stream = this.#streams.get(streamId);
    if (stream === undefined) return 0;
    const keep = stream === this.#currentStream ? this.#remainingOfCurrent() : 0;
    const dropped = stream.bytes - keep;
    stream.messages.length = 0;
    stream.head = 0;
    this.#take(stream, dropped);
    return dropped;
  }

  /**
   * RFC 6525 §5.1.2: the stream's outgoing reset was asked for. What is queued now still goes
   * with the current sequence; messages queued from now on are held until `resetSsn` (or
   * `releaseStream`), so none is sent with an SSN of the sequence being reset.
   */
  holdStream(streamId: number): void {
    this.#stream(streamId).held ??= [];
  }

  /**
   * RFC 6525 §5.2.2: the stream's reset was performed: its outgoing SSN starts over at 0, and the
   * messages held for it start the new sequence.
   */
  resetSsn(streamId: number): void {
    const stream = this.#streams.get(streamId);
    if (stream === undefined) return;
    stream.nextSsn = 0;
    this.releaseStream(streamId);
  }

  /** The stream's reset is over without resetting (refused): its held messages go on as usual. */
  releaseStream(streamId: number): void {
    const stream = this.#streams.get(streamId);
    const held = stream?.held;
    if (stream === undefined || held === undefined) return;
    stream.held = undefined;
    stream.messages.push(...held);
    stream.bytes += stream.heldBytes;
    stream.heldBytes = 0;
    if (held.length > 0) this.#activate(stream);
  }

  #activate(stream: StreamQueue): void {
    if (stream.active) return;
    stream.active = true;
    this.#active.push(stream);
  }

  #stream(streamId: number): StreamQueue {
    let stream = this.#streams.get(streamId);
    if (stream === undefined) {
      stream = new StreamQueue(streamId);
      this.#streams.set(streamId, stream);
    }
    return stream;
  }

  #remainingOfCurrent(): number {
    return this.#current === undefined
      ? 0
      : this.#current.message.data.length - this.#currentOffset;
  }

  #take(stream: StreamQueue, bytes: number): void {
    stream.bytes -= bytes;
    this.#bufferedAmount -= bytes;
  }

  /**
   * The stream whose turn it is and that has a message to start, dropping on the way messages
   * whose lifetime ran out in the queue (RFC 3758 §3.5: never sent, so no TSN or SSN to skip)
   * and streams left with nothing.
   */
  #nextStream(now: number): StreamQueue | undefined {
    const active = this.#active;
    while (active.length > 0) {
      if (this.#turn >= active.length) this.#turn = 0;
      const stream = active[this.#turn] as StreamQueue;
      let head = stream.peek();
      while (head !== undefined && head.expiresAt !== undefined && now > head.expiresAt) {
        stream.take();
        this.#take(stream, head.message.data.length);
        head = stream.peek();
      }
      if (head !== undefined) return stream;
      stream.active = false;
      active.splice(this.#turn, 1);
    }
    return undefined;
  }

  /** Starts the next message in turn; false when there is none. */
  #start(now: number): boolean {
    const stream = this.#nextStream(now);
    const queued = stream?.take();
    if (stream === undefined || queued === undefined) return false;
    this.#current = queued;
    this.#currentStream = stream;
    this.#currentOffset = 0;
    // RFC 9260 §6.6: only ordered messages take an SSN.
    this.#currentSsn = stream.nextSsn;
    if (!queued.message.unordered) stream.nextSsn = ssnAdd(stream.nextSsn, 1);
    return true;
  }

  /** The message in progress is done (sent or dropped): the next stream's turn. */
  #finishCurrent(): void {
    this.#current = undefined;
    this.#currentStream = undefined;
    this.#currentOffset = 0;
    this.#turn++;
  }
}
