/**
 * The DATA chunks sent and not yet cumulatively acknowledged, in TSN order: a ring of reusable
 * entries indexed by each TSN's offset from the cumulative ack point (RFC 9260 §6.2.1). Chunks
 * join at the back as they are first sent and leave from the front as the cumulative ack
 * advances, so nothing is moved or allocated per chunk; the ring only grows (doubling) when more
 * chunks are outstanding than ever before.
 */

import type { OutgoingChunk } from './send-queue.js';

/** Where an outstanding chunk stands. */
export const ChunkState = {
  /** On the wire, neither acked nor taken as lost: counts in the flight size. */
  inFlight: 0,
  /** Reported by a gap ack block; the peer may still renege on it (§6.2.1 D iii). */
  acked: 1,
  /** Taken as lost (fast retransmit or T3-rtx expiry): waits to be sent again. */
  toRetransmit: 2,
  /** PR-SCTP (RFC 3758 §3.5): given up; FORWARD TSN tells the peer to skip it. */
  abandoned: 3,
} as const;

export type ChunkState = (typeof ChunkState)[keyof typeof ChunkState];

/** What a released entry holds, so it keeps no message data alive. */
const NO_CHUNK: OutgoingChunk = {
  tsn: 0,
  streamId: 0,
  ssn: 0,
  ppid: 0,
  unordered: false,
  beginning: false,
  ending: false,
  payload: new Uint8Array(0),
  messageId: -1,
  messageBytes: 0,
};

export class OutstandingEntry {
  chunk: OutgoingChunk = NO_CHUNK;
  state: ChunkState = ChunkState.inFlight;
  /** Times sent: 1 after the first transmission. */
  transmissions = 0;
  /** Miss indications since it was last sent (§7.2.4). */
  missIndications = 0;
  /** Taken as lost by fast retransmit once; never again (§7.2.4 step 5). */
  fastRetransmitted = false;
  /** Marked by fast retransmit and not yet resent: goes before T3-marked chunks. */
  fastPending = false;
  /** The last SACK whose gap blocks covered it, to tell reneged chunks. */
  sackStamp = 0;

  reset(chunk: OutgoingChunk): void {
    this.chunk = chunk;
    this.state = ChunkState.inFlight;
    this.transmissions = 1;
    this.missIndications = 0;
    this.fastRetransmitted = false;
    this.fastPending = false;
    this.sackStamp = 0;
  }

  get size(): number {
    return this.chunk.payload.length;
  }
}

export class OutstandingRing {
  #entries: OutstandingEntry[];
  #head = 0;
  #count = 0;

  constructor(initialCapacity = 64) {
    let capacity = 1;
    while (capacity < initialCapacity) capacity *= 2;
    this.#entries = Array.from({ length: capacity }, () => new OutstandingEntry());
  }

  /** Chunks outstanding. */
  get count(): number {
    return this.#count;
  }

  /** The entry `offset` places after the cumulative ack point (0 is the lowest TSN). */
  at(offset: number): OutstandingEntry {
    const entries = this.#entries;
    return entries[(this.#head + offset) & (entries.length - 1)] as OutstandingEntry;
  }

  /** Appends a chunk just sent for the first time and returns its entry. */
  push(chunk: OutgoingChunk): OutstandingEntry {
    if (this.#count === this.#entries.length) this.#grow();
    const entry = this.at(this.#count);
    entry.reset(chunk);
    this.#count++;
    return entry;
  }

  /** Releases the `n` lowest entries (the cumulative ack passed them). */
  shift(n: number): void {
    for (let i = 0; i < n; i++) this.at(i).chunk = NO_CHUNK;
    this.#head = (this.#head + n) & (this.#entries.length - 1);
    this.#count -= n;
  }

  #grow(): void {
    const old = this.#entries;
    const entries: OutstandingEntry[] = [];
    for (let i = 0; i < old.length; i++) entries.push(this.at(i));
    for (let i = old.length; i < old.length * 2; i++) entries.push(new OutstandingEntry());
    this.#entries = entries;
    this.#head = 0;
  }
}
