import { describe, expect, it } from 'vitest';
import { type OutgoingChunk, SendQueue } from '../src/association/send/index.js';
import { SctpError } from '../src/errors.js';
import { MTU, SendHarness } from './send-harness.js';

describe('processing a SACK (RFC 9260 §6.2.1)', () => {
  it('removes cumulatively acked chunks and reports the bytes newly acked', () => {
    const h = new SendHarness();
    h.queueMessages(4, 100);
    h.sendAll();
    expect(h.sack(1001)).toEqual({
      status: 'processed',
      ackedBytes: 200,
      cumulativeAdvanced: true,
    });
    expect(h.out.cumulativeTsnAck).toBe(1001);
    expect(h.out.bytesInFlight).toBe(200);
    // A gap block acks 1003; acking it again later is not new.
    expect(h.sack(1001, [[2, 2]]).ackedBytes).toBe(100);
    expect(h.sack(1001, [[2, 2]]).ackedBytes).toBe(0);
    expect(h.sack(1003)).toEqual({
      status: 'processed',
      ackedBytes: 100,
      cumulativeAdvanced: true,
    });
    expect(h.out.empty).toBe(true);
    expect(h.out.bytesInFlight).toBe(0);
  });

  it('drops a SACK older than the cumulative ack point (D i)', () => {
    const h = new SendHarness({ peerReceiverWindow: 10_000 });
    h.queueMessages(3, 100);
    h.sendAll();
    h.sack(1001, [], 5000);
    expect(h.sack(1000, [], 9999).status).toBe('stale');
    expect(h.out.cumulativeTsnAck).toBe(1001);
    expect(h.out.peerReceiverWindow).toBe(5000 - 100);
  });

  it('rejects a SACK acknowledging a TSN never sent, changing nothing', () => {
    const h = new SendHarness();
    h.queueMessages(2, 100);
    h.sendAll();
    expect(h.sack(1002).status).toBe('invalid');
    expect(h.sack(999 + 2 ** 31 - 1).status).toBe('invalid');
    // More than half the TSN space ahead is behind, by serial arithmetic (RFC 1982).
    expect(h.sack(999 + 2 ** 31 + 1).status).toBe('stale');
    expect(h.out.cumulativeTsnAck).toBe(999);
    expect(h.out.bytesInFlight).toBe(200);
    // Gap blocks past the highest TSN sent are ignored.
    expect(h.sack(999, [[2, 50]]).ackedBytes).toBe(100);
  });

  it('keeps rwnd as a_rwnd minus bytes outstanding, less each chunk sent (A, B, D ii)', () => {
    const h = new SendHarness({ peerReceiverWindow: 5000 });
    expect(h.out.peerReceiverWindow).toBe(5000);
    h.queueMessages(10, 1000);
    h.sendAll();
    expect(h.out.bytesInFlight).toBe(5000);
    expect(h.out.peerReceiverWindow).toBe(0);
    h.sack(1000, [[2, 2]], 4000); // 3000 still outstanding
    expect(h.out.peerReceiverWindow).toBe(1000);
    expect(h.out.canSend(1000)).toBe(true);
    expect(h.out.canSend(1001)).toBe(false);
  });

  it('gives marked chunks back to rwnd and takes retransmitted ones from it (C, B)', () => {
    const h = new SendHarness({ peerReceiverWindow: 5000 });
    h.queueMessages(3, 1000);
    h.sendAll();
    h.sack(1000, [], 4000);
    expect(h.out.peerReceiverWindow).toBe(2000);
    h.now = h.out.t3Deadline as number;
    h.out.handleT3Expiry(h.now);
    expect(h.out.peerReceiverWindow).toBe(4000);
    expect(h.out.nextRetransmission(h.now)?.tsn).toBe(1001);
    expect(h.out.peerReceiverWindow).toBe(3000);
    expect(h.out.bytesInFlight).toBe(1000);
  });

  it('probes a zero window with one chunk once nothing is outstanding (§6.1 A)', () => {
    const h = new SendHarness({ peerReceiverWindow: 10_000 });
    h.queueMessages(10, 1000);
    h.sendAll();
    h.sack(1000, [], 0);
    expect(h.out.peerReceiverWindow).toBe(0);
    expect(h.out.canSend(1)).toBe(false); // data is still outstanding: no probe yet
    h.sack(1004, [], 0);
    expect(h.out.canSend(1000)).toBe(true); // all acked: one chunk may probe
    expect(h.sendAll()).toEqual([1005]);
    expect(h.out.canSend(1)).toBe(false);
    h.sack(1005, [], 0); // the window is still shut: probe again
    expect(h.sendAll()).toEqual([1006]);
    h.sack(1006, [], 2500); // it opened
    expect(h.sendAll()).toEqual([1007, 1008]);
    expect(h.out.peerReceiverWindow).toBe(500);
  });

  it('requires retransmissions to go before new data (§6.1 C)', () => {
    const h = new SendHarness();
    h.queueMessages(3, 100);
    h.sendOne();
    h.now = 1000;
    h.out.handleT3Expiry(h.now);
    expect(h.out.canSend(1)).toBe(false);
    expect(h.retransmitAll()).toEqual([1000]);
    expect(h.out.canSend(1)).toBe(true);
  });

  it('throws when a chunk is sent out of TSN order', () => {
    const h = new SendHarness();
    const queue = new SendQueue({ maxMessageSize: 100 });
    queue.enqueue({ streamId: 0, ppid: 53, data: new Uint8Array(10), unordered: false }, 0);
    const chunk = queue.nextChunk(100, 1005, 0) as OutgoingChunk;
    expect(() => h.out.sent(chunk, 0)).toThrow(SctpError);
  });

  it('takes back a gap-acked chunk the peer reneged on (D iii)', () => {
    const h = new SendHarness({ peerReceiverWindow: 10_000 });
    h.queueMessages(5, 100);
    h.sendAll();
    h.sack(999, [[2, 3]], 10_000);
    expect(h.out.bytesInFlight).toBe(300);
    h.sack(999, [[2, 2]], 10_000); // 1002 is no longer reported
    expect(h.out.bytesInFlight).toBe(400);
    expect(h.out.peerReceiverWindow).toBe(10_000 - 400);
    // The renege counted a miss for 1002; two more (from newly acked 1003, 1004) make three.
    h.sack(999, [
      [2, 2],
      [4, 4],
    ]);
    expect(h.out.pendingRetransmissions).toBe(0);
    h.sack(999, [
      [2, 2],
      [4, 5],
    ]);
    expect(h.retransmitAll()).toEqual([1000, 1002]);
  });
});

describe('T3-rtx timer (RFC 9260 §6.3.2)', () => {
  it('starts on the first send, restarts when the earliest TSN is acked, stops when all are (R1-R3)', () => {
    const h = new SendHarness();
    expect(h.out.t3Deadline).toBeUndefined();
    h.queueMessages(3, 100);
    h.sendOne();
    expect(h.out.t3Deadline).toBe(1000); // R1, RTO.Initial
    h.now = 10;
    h.sendAll();
    expect(h.out.t3Deadline).toBe(1000); // running: not restarted
    h.now = 100;
    h.sack(1000); // RTT 100: RTO 300; R3
    expect(h.out.t3Deadline).toBe(400);
    h.now = 150;
    h.sack(1000, [[2, 2]]); // the earliest outstanding TSN was not acked
    expect(h.out.t3Deadline).toBe(400);
    h.now = 200;
    h.sack(1002); // R2
    expect(h.out.t3Deadline).toBeUndefined();
  });

  it('restarts with the doubled RTO on expiry while anything is outstanding (E2, E4)', () => {
    const h = new SendHarness();
    h.queueMessages(1, 100);
    h.sendOne();
    h.now = 1000;
    h.out.handleT3Expiry(h.now);
    expect(h.out.t3Deadline).toBe(3000);
    h.retransmitAll();
    expect(h.out.t3Deadline).toBe(3000);
    h.now = 3000;
    h.out.handleT3Expiry(h.now);
    expect(h.out.rto).toBe(4000);
    expect(h.out.t3Deadline).toBe(7000);
  });

  it('caps the back-off at RTO.Max', () => {
    const h = new SendHarness({ rtoMaxMs: 5000 });
    h.queueMessages(1, 100);
    h.sendOne();
    for (let i = 0; i < 6; i++) {
      h.now = h.out.t3Deadline as number;
      h.out.handleT3Expiry(h.now);
      h.retransmitAll();
    }
    expect(h.out.rto).toBe(5000);
  });
});

/** Sends 10 chunks of 100 bytes, 1000..1009. */
function tenSent(): SendHarness {
  const h = new SendHarness();
  h.queueMessages(10, 100);
  expect(h.sendAll()).toHaveLength(10);
  return h;
}

describe('fast retransmit and fast recovery (RFC 9260 §7.2.4)', () => {
  it('retransmits on exactly the third miss indication', () => {
    const h = tenSent();
    h.sack(999, [[2, 2]]);
    expect(h.out.pendingRetransmissions).toBe(0);
    h.sack(999, [[2, 3]]);
    expect(h.out.pendingRetransmissions).toBe(0);
    expect(h.out.inFastRecovery).toBe(false);
    h.sack(999, [[2, 4]]);
    expect(h.out.pendingRetransmissions).toBe(1);
    expect(h.out.inFastRecovery).toBe(true);
    expect(h.retransmitAll()).toEqual([1000]);
  });

  it('counts misses only below the highest TSN newly acked (HTNA)', () => {
    const h = tenSent();
    // The same report three times is one miss indication, not three.
    h.sack(999, [[2, 2]]);
    h.sack(999, [[2, 2]]);
    h.sack(999, [[2, 2]]);
    expect(h.out.pendingRetransmissions).toBe(0);
    // 1000 and 1002 are missing below 1003: one miss each; 1004.. are above HTNA.
    h.sack(999, [
      [2, 2],
      [4, 4],
    ]);
    h.sack(999, [
      [2, 2],
      [4, 5],
    ]);
    expect(h.out.pendingRetransmissions).toBe(1); // 1000 has three, 1002 two
    h.sack(999, [
      [2, 2],
      [4, 6],
    ]);
    expect(h.retransmitAll()).toEqual([1000, 1002]);
  });

  it('fast retransmits a chunk only once; a timeout may resend it again', () => {
    const h = tenSent();
    for (const end of [2, 3, 4]) h.sack(999, [[2, end]]);
    expect(h.retransmitAll()).toEqual([1000]);
    for (const end of [5, 6, 7, 8]) h.sack(999, [[2, end]]); // four more misses for 1000
    expect(h.out.pendingRetransmissions).toBe(0);
    h.now = h.out.t3Deadline as number;
    h.out.handleT3Expiry(h.now);
    expect(h.retransmitAll()).toEqual([1000, 1008, 1009]);
  });

  it('cuts cwnd once on entering fast recovery: ssthresh = max(cwnd/2, 4*MTU), cwnd = ssthresh', () => {
    const h = tenSent();
    expect(h.out.cwnd).toBe(4404);
    for (const end of [2, 3, 4]) h.sack(999, [[2, end]]);
    expect(h.out.ssthresh).toBe(4 * MTU);
    expect(h.out.cwnd).toBe(4 * MTU);
    expect(h.out.partialBytesAcked).toBe(0);
  });

  it('does not cut again or grow in fast recovery, and exits at the recovery point', () => {
    const h = tenSent();
    for (const end of [2, 3, 4]) h.sack(999, [[2, end]]); // 1000 lost; exit point 1009
    expect(h.retransmitAll()).toEqual([1000]);
    const cwnd = h.out.cwnd;
    // 1005 goes missing too.
    h.sack(999, [
      [2, 5],
      [7, 7],
    ]);
    // The retransmitted 1000 arrives: the cumulative ack advances. In fast recovery that counts a
    // miss for every TSN reported missing (1005), though nothing new is acked by gap blocks.
    h.sack(1004, [[2, 2]]);
    h.sack(1004, [[2, 2]]); // nothing new, no miss (HTNA)
    expect(h.out.pendingRetransmissions).toBe(0);
    h.sack(1004, [[2, 3]]); // third miss for 1005
    expect(h.out.pendingRetransmissions).toBe(1);
    expect(h.out.inFastRecovery).toBe(true);
    expect(h.out.cwnd).toBe(cwnd); // no second cut, no growth from the acks
    expect(h.retransmitAll()).toEqual([1005]);
    h.sack(1008);
    expect(h.out.inFastRecovery).toBe(true);
    h.sack(1009);
    expect(h.out.inFastRecovery).toBe(false);
  });

  it('sends the first fast retransmission past cwnd, and restarts T3 for the lowest TSN', () => {
    const h = new SendHarness();
    h.queueMessages(1000, 1000);
    let cum = 999;
    for (let i = 0; i < 6; i++) {
      h.sendAll();
      cum += 2;
      h.sack(cum);
    }
    expect(h.out.cwnd).toBe(4404 + 6 * MTU);
    h.sendAll();
    const lost = cum + 1;
    for (const end of [2, 3, 4]) h.sack(cum, [[2, end]]);
    expect(h.out.cwnd).toBe(Math.floor((4404 + 6 * MTU) / 2));
    expect(h.out.bytesInFlight).toBeGreaterThanOrEqual(h.out.cwnd);
    h.now = 500;
    expect(h.out.nextRetransmission(h.now)?.tsn).toBe(lost);
    expect(h.out.t3Deadline).toBe(500 + h.out.rto);
    expect(h.out.canSend(1)).toBe(false);
  });

  it('leaves a fast retransmission that does not fit the packet for the next one', () => {
    const h = tenSent();
    for (const end of [2, 3, 4]) h.sack(999, [[2, end]]);
    expect(h.out.nextRetransmission(h.now, 99)).toBeUndefined();
    expect(h.out.nextRetransmission(h.now, 100)?.tsn).toBe(1000);
  });
});

describe('TSN wrap-around', () => {
  it('sends, acks and retransmits across 2^32', () => {
    const h = new SendHarness({ initialTsn: 0xffff_fffe });
    expect(h.out.cumulativeTsnAck).toBe(0xffff_fffd);
    h.queueMessages(6, 100);
    expect(h.sendAll()).toEqual([0xffff_fffe, 0xffff_ffff, 0, 1, 2, 3]);
    expect(h.sack(0xffff_ffff).ackedBytes).toBe(200);
    for (const end of [2, 3, 4]) h.sack(0xffff_ffff, [[2, end]]); // 1, 2, 3 acked; 0 lost
    expect(h.retransmitAll()).toEqual([0]);
    expect(h.sack(3).cumulativeAdvanced).toBe(true);
    expect(h.out.empty).toBe(true);
    expect(h.out.nextTsn).toBe(4);
    expect(h.sack(0xffff_fffe).status).toBe('stale');
  });

  it('grows its ring past the initial capacity and keeps TSN order', () => {
    const h = new SendHarness({ initialTsn: 0xffff_ff00 });
    h.queueMessages(1000, 10);
    const tsns = h.sendAll();
    expect(tsns).toHaveLength(441); // cwnd 4404 / 10 bytes, plus the overshooting one
    h.sack((0xffff_ff00 + 199) >>> 0, [[2, 2]]);
    expect(h.out.bytesInFlight).toBe((441 - 201) * 10);
    for (const end of [3, 4]) h.sack((0xffff_ff00 + 199) >>> 0, [[2, end]]);
    expect(h.out.nextRetransmission(h.now)?.tsn).toBe((0xffff_ff00 + 200) >>> 0);
  });
});
