import { describe, expect, it } from 'vitest';
import { type OutgoingChunk, SendQueue } from '../src/association/send/index.js';
import { SctpError } from '../src/errors.js';

function bytes(size: number, fill = 0): Uint8Array {
  return new Uint8Array(size).fill(fill);
}

function message(streamId: number, size: number, extra: object = {}) {
  return { streamId, ppid: 53, data: bytes(size, streamId), unordered: false, ...extra };
}

/** Takes chunks until the queue is empty; their (streamId, ssn, size, B, E). */
function drain(queue: SendQueue, maxPayload: number, now = 0): OutgoingChunk[] {
  const chunks: OutgoingChunk[] = [];
  for (let tsn = 0; ; tsn++) {
    const chunk = queue.nextChunk(maxPayload, tsn, now);
    if (chunk === undefined) return chunks;
    chunks.push(chunk);
  }
}

describe('SendQueue', () => {
  it('fragments a message into consecutive chunks with B and E flags (RFC 9260 §6.9)', () => {
    const queue = new SendQueue({ maxMessageSize: 10_000 });
    const data = Uint8Array.from({ length: 2500 }, (_, i) => i & 0xff);
    queue.enqueue({ streamId: 3, ppid: 51, data, unordered: false }, 0);
    const chunks = drain(queue, 1000);
    expect(chunks.map((c) => [c.tsn, c.payload.length, c.beginning, c.ending])).toEqual([
      [0, 1000, true, false],
      [1, 1000, false, false],
      [2, 500, false, true],
    ]);
    const joined = new Uint8Array(chunks.flatMap((c) => [...c.payload]));
    expect(joined).toEqual(data);
    expect(new Set(chunks.map((c) => c.messageId)).size).toBe(1);
    for (const c of chunks) {
      expect([c.streamId, c.ssn, c.ppid, c.messageBytes]).toEqual([3, 0, 51, 2500]);
    }
    // Payloads are views into the message, not copies.
    expect((chunks[0] as OutgoingChunk).payload.buffer).toBe(data.buffer);
  });

  it('counts bufferedAmount as bytes not yet handed out, per stream and in total', () => {
    const queue = new SendQueue({ maxMessageSize: 10_000 });
    queue.enqueue(message(1, 1500), 0);
    queue.enqueue(message(2, 300), 0);
    queue.enqueue(message(1, 200), 0);
    expect(queue.bufferedAmount).toBe(2000);
    expect(queue.bufferedAmountOf(1)).toBe(1700);
    expect(queue.bufferedAmountOf(2)).toBe(300);
    expect(queue.bufferedAmountOf(9)).toBe(0);

    queue.nextChunk(1000, 0, 0); // stream 1, first 1000 of 1500
    expect(queue.bufferedAmount).toBe(1000);
    expect(queue.bufferedAmountOf(1)).toBe(700);
    queue.nextChunk(1000, 1, 0); // stream 1, last 500
    expect(queue.bufferedAmountOf(1)).toBe(200);
    queue.nextChunk(1000, 2, 0); // stream 2
    expect(queue.bufferedAmountOf(2)).toBe(0);
    expect(queue.hasData()).toBe(true);
    queue.nextChunk(1000, 3, 0);
    expect(queue.bufferedAmount).toBe(0);
    expect(queue.hasData()).toBe(false);
    expect(queue.nextChunk(1000, 4, 0)).toBeUndefined();
  });

  it('takes turns across streams message by message, finishing each message first', () => {
    const queue = new SendQueue({ maxMessageSize: 10_000 });
    queue.enqueue(message(1, 2500), 0); // three fragments
    queue.enqueue(message(1, 10), 0);
    queue.enqueue(message(1, 10), 0);
    queue.enqueue(message(2, 10), 0);
    queue.enqueue(message(2, 10), 0);
    queue.enqueue(message(3, 10), 0);
    const order = drain(queue, 1000).map((c) => `${c.streamId}:${c.ssn}${c.ending ? '' : '+'}`);
    expect(order).toEqual(['1:0+', '1:0+', '1:0', '2:0', '3:0', '1:1', '2:1', '1:2']);
  });

  it('lets a stream that gets data later join the rotation', () => {
    const queue = new SendQueue({ maxMessageSize: 10_000 });
    queue.enqueue(message(1, 10), 0);
    queue.enqueue(message(1, 10), 0);
    queue.enqueue(message(1, 10), 0);
    expect(queue.nextChunk(1000, 0, 0)?.streamId).toBe(1);
    queue.enqueue(message(2, 10), 0);
    const order = drain(queue, 1000).map((c) => c.streamId);
    expect(order).toEqual([2, 1, 1]);
  });

  it('numbers ordered messages per stream and wraps the SSN at 65535 (RFC 9260 §6.6)', () => {
    const queue = new SendQueue({ maxMessageSize: 10_000 });
    for (let i = 0; i < 65537; i++) queue.enqueue(message(4, 1), 0);
    const ssns = drain(queue, 1000).map((c) => c.ssn);
    expect(ssns.slice(0, 3)).toEqual([0, 1, 2]);
    expect(ssns.slice(-3)).toEqual([65534, 65535, 0]);
  });

  it('does not spend an SSN on unordered messages (RFC 9260 §6.6)', () => {
    const queue = new SendQueue({ maxMessageSize: 10_000 });
    queue.enqueue(message(1, 10), 0);
    queue.enqueue(message(1, 10, { unordered: true }), 0);
    queue.enqueue(message(1, 10), 0);
    const chunks = drain(queue, 1000);
    expect(chunks.map((c) => [c.unordered, c.ssn])).toEqual([
      [false, 0],
      [true, 1],
      [false, 1],
    ]);
  });

  it('carries the PR-SCTP policy on every fragment, lifetime counted from enqueue', () => {
    const queue = new SendQueue({ maxMessageSize: 10_000 });
    queue.enqueue(message(1, 1500, { maxRetransmits: 2 }), 100);
    queue.enqueue(message(1, 10, { maxLifetimeMs: 250 }), 100);
    const chunks = drain(queue, 1000, 120);
    expect(chunks.map((c) => [c.maxRetransmits, c.expiresAt])).toEqual([
      [2, undefined],
      [2, undefined],
      [undefined, 350],
    ]);
  });

  it('drops messages whose lifetime ran out before they were started, spending no SSN (RFC 3758 §3.5)', () => {
    const queue = new SendQueue({ maxMessageSize: 10_000 });
    queue.enqueue(message(1, 100, { maxLifetimeMs: 50 }), 0);
    queue.enqueue(message(1, 200, { maxLifetimeMs: 500 }), 0);
    queue.enqueue(message(2, 300, { maxLifetimeMs: 50 }), 0);
    expect(queue.bufferedAmount).toBe(600);
    // At the deadline itself a message is still sent; after it, not.
    expect(queue.nextChunkSize(1000, 50)).toBe(100);
    expect(queue.nextChunkSize(1000, 51)).toBe(200);
    expect(queue.bufferedAmount).toBe(500);
    const chunks = drain(queue, 1000, 51);
    expect(chunks.map((c) => [c.streamId, c.ssn, c.payload.length])).toEqual([[1, 0, 200]]);
    expect(queue.bufferedAmount).toBe(0);
  });

  it('finishes a message it started even if its lifetime runs out meanwhile (§6.9)', () => {
    const queue = new SendQueue({ maxMessageSize: 10_000 });
    queue.enqueue(message(1, 1500, { maxLifetimeMs: 10 }), 0);
    expect(queue.nextChunk(1000, 0, 5)?.ending).toBe(false);
    expect(queue.nextChunk(1000, 1, 100)?.ending).toBe(true);
  });

  it('nextChunkSize predicts the next chunk without taking it', () => {
    const queue = new SendQueue({ maxMessageSize: 10_000 });
    expect(queue.nextChunkSize(1000, 0)).toBe(0);
    queue.enqueue(message(1, 1500), 0);
    queue.enqueue(message(2, 40), 0);
    expect(queue.nextChunkSize(1000, 0)).toBe(1000);
    expect(queue.nextChunkSize(0, 0)).toBe(0);
    expect(queue.nextChunk(1000, 0, 0)?.payload.length).toBe(1000);
    expect(queue.nextChunkSize(1000, 0)).toBe(500);
    expect(queue.nextChunkSize(100, 0)).toBe(100);
    expect(queue.nextChunk(1000, 1, 0)?.payload.length).toBe(500);
    expect(queue.nextChunkSize(1000, 0)).toBe(40);
    expect(queue.bufferedAmount).toBe(40);
  });

  it('discardMessage drops the unsent rest of the message in progress only', () => {
    const queue = new SendQueue({ maxMessageSize: 10_000 });
    queue.enqueue(message(1, 3000), 0);
    queue.enqueue(message(2, 10), 0);
    const first = queue.nextChunk(1000, 0, 0) as OutgoingChunk;
    expect(queue.discardMessage(first.messageId + 1)).toBe(0);
    expect(queue.discardMessage(first.messageId)).toBe(2000);
    expect(queue.bufferedAmount).toBe(10);
    expect(queue.bufferedAmountOf(1)).toBe(0);
    const next = queue.nextChunk(1000, 1, 0) as OutgoingChunk;
    expect([next.streamId, next.beginning, next.ending]).toEqual([2, true, true]);
    expect(queue.discardMessage(next.messageId)).toBe(0);
  });

  it('clearStream drops queued messages but finishes the one in progress', () => {
    const queue = new SendQueue({ maxMessageSize: 10_000 });
    queue.enqueue(message(1, 1500), 0);
    queue.enqueue(message(1, 100), 0);
    queue.enqueue(message(2, 100), 0);
    queue.nextChunk(1000, 0, 0);
    expect(queue.clearStream(1)).toBe(100);
    expect(queue.clearStream(7)).toBe(0);
    expect(queue.bufferedAmountOf(1)).toBe(500);
    const rest = drain(queue, 1000).map((c) => [c.streamId, c.payload.length]);
    expect(rest).toEqual([
      [1, 500],
      [2, 100],
    ]);
    expect(queue.bufferedAmount).toBe(0);
  });

  it('resetSsn starts a stream over at SSN 0 (RFC 6525)', () => {
    const queue = new SendQueue({ maxMessageSize: 10_000 });
    queue.enqueue(message(1, 1), 0);
    queue.enqueue(message(1, 1), 0);
    drain(queue, 1000);
    queue.resetSsn(1);
    queue.resetSsn(99);
    queue.enqueue(message(1, 1), 0);
    expect(queue.nextChunk(1000, 0, 0)?.ssn).toBe(0);
  });

  it('rejects empty, oversized and malformed messages with SctpError', () => {
    const queue = new SendQueue({ maxMessageSize: 1000 });
    const bad = [
      message(1, 0),
      message(1, 1001),
      message(65535, 1),
      message(-1, 1),
      message(1, 1, { maxRetransmits: 1, maxLifetimeMs: 10 }),
      message(1, 1, { maxRetransmits: -1 }),
      message(1, 1, { maxRetransmits: 1.5 }),
      message(1, 1, { maxLifetimeMs: -5 }),
    ];
    for (const m of bad) expect(() => queue.enqueue(m, 0)).toThrow(SctpError);
    expect(queue.bufferedAmount).toBe(0);
    queue.enqueue(message(1, 1000), 0);
    expect(queue.bufferedAmount).toBe(1000);
  });
});
