/**
 * Drives a `SendQueue` and an `Outstanding` as an association would: messages in, chunks out
 * within what `canSend` allows, SACKs and timer expiries in, at a clock the test moves.
 */

import type { OutgoingMessage } from '../src/association/send/index.js';
import {
  type OutgoingChunk,
  Outstanding,
  type OutstandingOptions,
  type SackResult,
  type SackView,
  SendQueue,
} from '../src/association/send/index.js';

export const MTU = 1200;
export const INITIAL_TSN = 1000;

export class SendHarness {
  readonly queue = new SendQueue({ maxMessageSize: 1 << 20 });
  readonly out: Outstanding;
  now = 0;

  constructor(options: Partial<OutstandingOptions> = {}) {
    this.out = new Outstanding({
      mtu: MTU,
      initialTsn: INITIAL_TSN,
      rtoInitialMs: 1000,
      rtoMinMs: 200,
      rtoMaxMs: 60_000,
      peerReceiverWindow: 1 << 20,
      sendQueue: this.queue,
      ...options,
    });
  }

  /** Queues `count` single-chunk messages of `size` bytes on stream 0 (or as `extra` says). */
  queueMessages(count: number, size: number, extra: Partial<OutgoingMessage> = {}): void {
    for (let i = 0; i < count; i++) {
      this.queue.enqueue(
        { streamId: 0, ppid: 53, data: new Uint8Array(size), unordered: false, ...extra },
        this.now,
      );
    }
  }

  /** One new chunk if `canSend` allows it. */
  sendOne(maxPayload = 1000): OutgoingChunk | undefined {
    const size = this.queue.nextChunkSize(maxPayload, this.now);
    if (size === 0 || !this.out.canSend(size)) return undefined;
    const chunk = this.queue.nextChunk(maxPayload, this.out.nextTsn, this.now);
    if (chunk !== undefined) this.out.sent(chunk, this.now);
    return chunk;
  }

  /** New chunks until the queue is empty or a §6.1 rule stops them; their TSNs. */
  sendAll(maxPayload = 1000): number[] {
    const tsns: number[] = [];
    for (let chunk = this.sendOne(maxPayload); chunk; chunk = this.sendOne(maxPayload)) {
      tsns.push(chunk.tsn);
    }
    return tsns;
  }

  /** Retransmissions until none is due or cwnd stops them; their TSNs. */
  retransmitAll(): number[] {
    const tsns: number[] = [];
    for (
      let c = this.out.nextRetransmission(this.now);
      c;
      c = this.out.nextRetransmission(this.now)
    ) {
      tsns.push(c.tsn);
    }
    return tsns;
  }

  sack(
    cumulativeTsnAck: number,
    gaps: readonly (readonly [number, number])[] = [],
    aRwnd = 1 << 20,
  ): SackResult {
    return this.out.handleSack(sackOf(cumulativeTsnAck, gaps, aRwnd), this.now);
  }
}

/** A SACK view; gap blocks as [start, end] offsets from the cumulative TSN ack (§3.3.4). */
export function sackOf(
  cumulativeTsnAck: number,
  gaps: readonly (readonly [number, number])[] = [],
  advertisedReceiverWindow = 1 << 20,
): SackView {
  return {
    cumulativeTsnAck: cumulativeTsnAck >>> 0,
    advertisedReceiverWindow,
    gapStarts: gaps.map(([start]) => start),
    gapEnds: gaps.map(([, end]) => end),
    gapCount: gaps.length,
  };
}
