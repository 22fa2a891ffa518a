import { describe, expect, it } from 'vitest';
import type { OutgoingMessage } from '../src/association/send/index.js';
import { SendHarness } from './send-harness.js';

/** Queues one message and sends it at once, so TSN order is the order of the calls. */
function send(h: SendHarness, message: Partial<OutgoingMessage>, size = 100): number[] {
  h.queue.enqueue(
    { streamId: 0, ppid: 53, data: new Uint8Array(size), unordered: false, ...message },
    h.now,
  );
  return h.sendAll();
}

/**
 * Three SACKs with one gap block from `start`, each newly acking one more TSN: three miss
 * indications for what is missing below.
 */
function threeMisses(h: SendHarness, cumulative: number, start: number, firstEnd = start): void {
  for (let end = firstEnd; end < firstEnd + 3; end++) h.sack(cumulative, [[start, end]]);
}

function expireT3(h: SendHarness): void {
  h.now = h.out.t3Deadline as number;
  h.out.handleT3Expiry(h.now);
}

describe('PR-SCTP sender (RFC 3758 §3.5)', () => {
  it('abandons a maxRetransmits 0 message instead of fast retransmitting it', () => {
    const h = new SendHarness();
    send(h, { streamId: 1, maxRetransmits: 0 });
    for (let i = 0; i < 3; i++) send(h, { streamId: 2 });
    threeMisses(h, 999, 2);
    expect(h.out.pendingRetransmissions).toBe(0);
    expect(h.out.nextRetransmission(h.now)).toBeUndefined();
    expect(h.out.bytesInFlight).toBe(0);
    expect(h.out.forwardTsn()).toEqual({
      newCumulativeTsn: 1000,
      streams: [{ streamId: 1, ssn: 0 }],
    });
    // The peer takes the FORWARD TSN and acks everything.
    h.sack(1003);
    expect(h.out.forwardTsn()).toBeUndefined();
    expect(h.out.empty).toBe(true);
  });

  it('resends a maxRetransmits 1 message once, then abandons it; T3 keeps running for the FORWARD TSN', () => {
    const h = new SendHarness();
    send(h, { streamId: 1, maxRetransmits: 1 });
    expireT3(h);
    expect(h.retransmitAll()).toEqual([1000]);
    expireT3(h);
    expect(h.out.pendingRetransmissions).toBe(0);
    expect(h.out.forwardTsn()).toEqual({
      newCumulativeTsn: 1000,
      streams: [{ streamId: 1, ssn: 0 }],
    });
    // RFC 3758 §3.5 C5: a timer runs until the peer has taken the FORWARD TSN.
    expect(h.out.t3Deadline).toBeDefined();
    h.sack(1000);
    expect(h.out.t3Deadline).toBeUndefined();
  });

  it('resends a maxRetransmits N message N times, then abandons it', () => {
    const h = new SendHarness();
    send(h, { streamId: 1, maxRetransmits: 3 });
    for (let i = 0; i < 3; i++) {
      expireT3(h);
      expect(h.retransmitAll()).toEqual([1000]);
    }
    expireT3(h);
    expect(h.retransmitAll()).toEqual([]);
    expect(h.out.forwardTsn()?.newCumulativeTsn).toBe(1000);
  });

  it('abandons every fragment of a message, gap-acked ones too', () => {
    const h = new SendHarness();
    expect(send(h, { streamId: 5, maxRetransmits: 0 }, 3000)).toEqual([1000, 1001, 1002]);
    for (let i = 0; i < 3; i++) send(h, { streamId: 6 });
    h.sack(1000, [[2, 3]]); // fragment 1 arrived, 2 lost, 3 arrived
    h.sack(1000, [[2, 4]]);
    h.sack(1000, [[2, 5]]); // third miss for 1001
    expect(h.out.forwardTsn()).toEqual({
      newCumulativeTsn: 1002,
      streams: [{ streamId: 5, ssn: 0 }],
    });
  });

  it('drops the unsent fragments of a message abandoned part-way (no TSN for them)', () => {
    const h = new SendHarness();
    h.queue.enqueue(
      { streamId: 1, ppid: 53, data: new Uint8Array(5000), unordered: false, maxRetransmits: 0 },
      0,
    );
    h.queue.enqueue({ streamId: 2, ppid: 53, data: new Uint8Array(100), unordered: false }, 0);
    expect([h.sendOne()?.tsn, h.sendOne()?.tsn]).toEqual([1000, 1001]);
    expect(h.queue.bufferedAmount).toBe(3100);
    expireT3(h);
    expect(h.queue.bufferedAmount).toBe(100);
    expect(h.queue.bufferedAmountOf(1)).toBe(0);
    expect(h.out.forwardTsn()).toEqual({
      newCumulativeTsn: 1001,
      streams: [{ streamId: 1, ssn: 0 }],
    });
    const next = h.sendOne();
    expect([next?.tsn, next?.streamId, next?.beginning]).toEqual([1002, 2, true]);
  });

  it('abandons a message whose lifetime ran out when it would be resent', () => {
    const h = new SendHarness();
    send(h, { streamId: 1, maxLifetimeMs: 500 });
    expireT3(h); // at 1000
    expect(h.retransmitAll()).toEqual([]);
    expect(h.out.forwardTsn()).toEqual({
      newCumulativeTsn: 1000,
      streams: [{ streamId: 1, ssn: 0 }],
    });
  });

  it('abandons marked chunks whose lifetime runs out while they wait for cwnd', () => {
    const h = new SendHarness();
    for (let i = 0; i < 5; i++) send(h, { streamId: 1, maxLifetimeMs: 1500 }, 1000);
    expireT3(h); // at 1000: still alive, all five marked
    expect(h.retransmitAll()).toEqual([1000, 1001]); // cwnd = 1 MTU
    h.now = 1600;
    expect(h.retransmitAll()).toEqual([]);
    expect(h.out.pendingRetransmissions).toBe(0);
    expect(h.out.forwardTsn()).toBeUndefined(); // 1000 and 1001 are in flight
    h.sack(1001);
    expect(h.out.forwardTsn()).toEqual({
      newCumulativeTsn: 1004,
      streams: [{ streamId: 1, ssn: 4 }],
    });
  });

  it('skips only abandoned chunks right after the cumulative ack, with the largest SSN per ordered stream', () => {
    const h = new SendHarness();
    send(h, { streamId: 0 }); // 1000 reliable
    send(h, { streamId: 1, maxRetransmits: 0 }); // 1001 s1 ssn 0
    send(h, { streamId: 0 }); // 1002 reliable
    send(h, { streamId: 1, maxRetransmits: 0 }); // 1003 s1 ssn 1
    send(h, { streamId: 2, maxRetransmits: 0, unordered: true }); // 1004 unordered
    send(h, { streamId: 3, maxRetransmits: 0 }); // 1005 s3 ssn 0
    send(h, { streamId: 1, maxRetransmits: 0 }); // 1006 s1 ssn 2
    send(h, { streamId: 0 }); // 1007 reliable
    for (let i = 0; i < 3; i++) send(h, { streamId: 0 }); // 1008..1010
    threeMisses(h, 999, 9); // 1008, 1009, 1010 acked: 1000..1007 lost
    expect(h.out.forwardTsn()).toBeUndefined(); // 1000 must be resent first
    expect(h.retransmitAll()).toEqual([1000, 1002, 1007]);
    h.sack(1000, [[8, 10]]);
    expect(h.out.forwardTsn()).toEqual({
      newCumulativeTsn: 1001,
      streams: [{ streamId: 1, ssn: 0 }],
    });
    h.sack(1002, [[6, 8]]);
    expect(h.out.forwardTsn()).toEqual({
      newCumulativeTsn: 1006,
      streams: [
        { streamId: 1, ssn: 2 },
        { streamId: 3, ssn: 0 },
      ],
    });
    h.sack(1006, [[2, 4]]); // the peer took it
    expect(h.out.forwardTsn()).toBeUndefined();
    h.sack(1010);
    expect(h.out.empty).toBe(true);
  });

  it('moves the FORWARD TSN point across 2^32', () => {
    const h = new SendHarness({ initialTsn: 0xffff_ffff });
    send(h, { streamId: 1, maxRetransmits: 0 }); // 0xffffffff
    send(h, { streamId: 1, maxRetransmits: 0 }); // 0
    for (let i = 0; i < 3; i++) send(h, { streamId: 2 }); // 1, 2, 3
    threeMisses(h, 0xffff_fffe, 3); // 1, 2, 3 acked
    expect(h.out.forwardTsn()).toEqual({ newCumulativeTsn: 0, streams: [{ streamId: 1, ssn: 1 }] });
    h.sack(3);
    expect(h.out.empty).toBe(true);
  });

  it('leaves no TSN or SSN hole for a message that expired before it was sent', () => {
    const h = new SendHarness();
    h.queue.enqueue(
      { streamId: 1, ppid: 53, data: new Uint8Array(100), unordered: false, maxLifetimeMs: 10 },
      0,
    );
    h.queue.enqueue({ streamId: 1, ppid: 53, data: new Uint8Array(100), unordered: false }, 0);
    h.now = 20;
    const chunk = h.sendOne();
    expect([chunk?.tsn, chunk?.ssn]).toEqual([1000, 0]);
    expect(h.sendOne()).toBeUndefined();
    expect(h.out.forwardTsn()).toBeUndefined();
  });
});
