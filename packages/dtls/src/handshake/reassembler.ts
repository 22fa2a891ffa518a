/**
 * Puts handshake messages back together from fragments that arrive lost, duplicated, reordered,
 * overlapping or split differently on retransmission (RFC 6347 §4.2.2–4.2.4), and hands them
 * over strictly in message_seq order.
 *
 * Memory is bounded whatever a peer (or anyone spoofing one before the handshake authenticates)
 * sends: a message announcing more than `maxMessageLength` is refused, only `maxMessagesAhead`
 * messages past the next one are buffered, and the buffers of all held messages stay within
 * `maxBufferedBytes`. Each held message costs its announced length plus a one-bit-per-byte
 * bitmap of which bytes arrived, so overlaps and duplicates cost no extra memory.
 *
 * Fragment bytes are copied in: the record layer may reuse the buffer a fragment is a view of.
 */

import type { HandshakeFragment } from './handshake-header.js';

export interface HandshakeReassemblerOptions {
  /** message_seq of the first message expected (default 0, a new handshake). */
  readonly nextMessageSeq?: number;
  /** Longest message body accepted (default 65536: certificate chains are a few KB). */
  readonly maxMessageLength?: number;
  /** Bytes held over all incomplete and undelivered messages (default 256 KiB). */
  readonly maxBufferedBytes?: number;
  /** How far past the next expected message_seq a message may be buffered (default 16). */
  readonly maxMessagesAhead?: number;
}

/**
 * What `add` did with a fragment:
 * - `new`: it belongs to the next message expected (whether or not its bytes were already held);
 * - `future`: it belongs to a later message, and is held until the ones before it arrive;
 * - `duplicate`: its message was already delivered: the peer is retransmitting, which tells the
 *   connection to retransmit its own last flight (RFC 6347 §4.2.4);
 * - `rejected`: dropped: malformed (a fragment outside its message, a body that is not
 *   `fragmentLength` bytes), disagreeing with earlier fragments of its message on msg_type or
 *   length, too long, too far ahead, or over the memory budget.
 */
export type FragmentVerdict = 'new' | 'future' | 'duplicate' | 'rejected';

/** A reassembled handshake message. `body` belongs to the caller. */
export interface HandshakeMessage {
  readonly msgType: number;
  readonly messageSeq: number;
  readonly body: Uint8Array;
}

/** A message being reassembled. */
interface PartialMessage {
  readonly msgType: number;
  readonly body: Uint8Array;
  /** Bit i set: body byte i has arrived. */
  readonly received: Uint8Array;
  receivedCount: number;
}

const DEFAULT_MAX_MESSAGE_LENGTH = 65_536;
const DEFAULT_MAX_BUFFERED_BYTES = 256 * 1024;
const DEFAULT_MAX_MESSAGES_AHEAD = 16;

export class HandshakeReassembler {
  readonly #maxMessageLength: number;
  readonly #maxBufferedBytes: number;
  readonly #maxMessagesAhead: number;
  readonly #messages = new Map<number, PartialMessage>();
  #next: number;
  #bufferedBytes = 0;

  constructor(options: HandshakeReassemblerOptions = {}) {
    this.#next = options.nextMessageSeq ?? 0;
    this.#maxMessageLength = options.maxMessageLength ?? DEFAULT_MAX_MESSAGE_LENGTH;
    this.#maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
    this.#maxMessagesAhead = options.maxMessagesAhead ?? DEFAULT_MAX_MESSAGES_AHEAD;
  }

  /** message_seq of the next message `takeMessage` will return. */
  get nextMessageSeq(): number {
    return this.#next;
  }

  /** Bytes held for incomplete and undelivered messages: bodies plus their bitmaps. */
  get bufferedBytes(): number {
    return this.#bufferedBytes;
  }

  /** Adds one fragment; see `FragmentVerdict`. Never throws on what a peer sends. */
  add(fragment: HandshakeFragment): FragmentVerdict {
    const { messageSeq, length, fragmentOffset, fragmentLength } = fragment;
    if (messageSeq < this.#next) return 'duplicate';
    if (
      messageSeq - this.#next > this.#maxMessagesAhead ||
      length > this.#maxMessageLength ||
      fragment.body.length !== fragmentLength ||
      fragmentOffset + fragmentLength > length
    ) {
      return 'rejected';
    }
    const message = this.#messages.get(messageSeq) ?? this.#allocate(messageSeq, fragment);
    if (
      message === undefined ||
      message.msgType !== fragment.msgType ||
      message.body.length !== length
    ) {
      return 'rejected';
    }
    if (message.receivedCount < length) {
      message.body.set(fragment.body, fragmentOffset);
      message.receivedCount += markReceived(
        message.received,
        fragmentOffset,
        fragmentOffset + fragmentLength,
      );
    }
    return messageSeq === this.#next ? 'new' : 'future';
  }

  /** The next message in message_seq order once all its bytes have arrived; else undefined. */
  takeMessage(): HandshakeMessage | undefined {
    const messageSeq = this.#next;
    const message = this.#messages.get(messageSeq);
    if (message === undefined || message.receivedCount < message.body.length) return undefined;
    this.#release(messageSeq, message);
    this.#next++;
    return { msgType: message.msgType, messageSeq, body: message.body };
  }

  /** Drops everything held and expects `nextMessageSeq` next (a new handshake, RFC 6347 §4.2.2). */
  reset(nextMessageSeq: number): void {
    this.#messages.clear();
    this.#bufferedBytes = 0;
    this.#next = nextMessageSeq;
  }

  /**
   * Buffers for a message first seen with `fragment`, within the byte budget. The message expected
   * next must not be starved by messages further ahead (a flood of far-future fragments, or a
   * peer's next flight arriving early), so those are evicted, furthest first, to make room; the
   * peer retransmits them.
   */
  #allocate(messageSeq: number, fragment: HandshakeFragment): PartialMessage | undefined {
    const cost = costOf(fragment.length);
    while (this.#bufferedBytes + cost > this.#maxBufferedBytes) {
      const furthest = Math.max(...this.#messages.keys());
      const evicted = this.#messages.get(furthest);
      if (furthest <= messageSeq || evicted === undefined) return undefined;
      this.#release(furthest, evicted);
    }
    const message: PartialMessage = {
      msgType: fragment.msgType,
      body: new Uint8Array(fragment.length),
      received: new Uint8Array(Math.ceil(fragment.length / 8)),
      receivedCount: 0,
    };
    this.#messages.set(messageSeq, message);
    this.#bufferedBytes += cost;
    return message;
  }

  #release(messageSeq: number, message: PartialMessage): void {
    this.#messages.delete(messageSeq);
    this.#bufferedBytes -= costOf(message.body.length);
  }
}

function costOf(length: number): number {
  return length + Math.ceil(length / 8);
}

/** Sets the bits of bytes start..end-1 and returns how many were not set before. */
function markReceived(bitmap: Uint8Array, start: number, end: number): number {
  let added = 0;
  for (let i = start; i < end; i++) {
    const mask = 1 << (i & 7);
    const byte = bitmap[i >>> 3] as number;
    if ((byte & mask) === 0) {
      bitmap[i >>> 3] = byte | mask;
      added++;
    }
  }
  return added;
}
