import { describe, expect, it } from 'vitest';
import { CongestionControl, initialCwnd, MAX_BURST } from '../src/association/send/index.js';
import { MTU, SendHarness } from './send-harness.js';

describe('congestion window (RFC 9260 §7.2)', () => {
  it('starts at min(4*MTU, max(2*MTU, 4404)) (§7.2.1)', () => {
    expect(initialCwnd(1200)).toBe(4404);
    expect(initialCwnd(1500)).toBe(4404);
    expect(initialCwnd(500)).toBe(2000);
    expect(initialCwnd(1000)).toBe(4000);
    expect(initialCwnd(9000)).toBe(18000);
    const h = new SendHarness();
    expect(h.out.cwnd).toBe(4404);
    expect(h.out.ssthresh).toBe(1 << 20); // the peer's a_rwnd
  });

  it('offers Max.Burst = 4 packets as the per-send limit (§6.1)', () => {
    expect(MAX_BURST).toBe(4);
    expect(new SendHarness().out.maxBurst).toBe(4);
    expect(new SendHarness({ maxBurst: 2 }).out.maxBurst).toBe(2);
  });

  it('sends while the flight size is below cwnd, overshooting by one chunk at most (§6.1 B)', () => {
    const h = new SendHarness();
    h.queueMessages(10, 1000);
    expect(h.sendAll()).toEqual([1000, 1001, 1002, 1003, 1004]);
    expect(h.out.bytesInFlight).toBe(5000);
    expect(h.out.canSend(1)).toBe(false);
  });

  it('grows in slow start by min(bytes acked, MTU) per SACK while cwnd is fully used (§7.2.1)', () => {
    const h = new SendHarness();
    h.queueMessages(20, 1000);
    h.sendAll(); // 5000 in flight, cwnd 4404
    h.sack(1001); // 2000 acked: +MTU
    expect(h.out.cwnd).toBe(4404 + MTU);
    h.sack(1002); // 1000 acked, but 3000 in flight < cwnd: not fully used
    expect(h.out.cwnd).toBe(5604);
    expect(h.sendAll()).toEqual([1005, 1006, 1007, 1008]); // 6000 in flight
    h.sack(1003); // 1000 acked: +1000
    expect(h.out.cwnd).toBe(6604);
  });

  it('does not grow in slow start on a SACK that only adds gap blocks (§7.2.1)', () => {
    const h = new SendHarness();
    h.queueMessages(5, 1000);
    h.sendAll();
    h.sack(999, [[2, 3]]);
    expect(h.out.cwnd).toBe(4404);
  });

  it('counts partial_bytes_acked in congestion avoidance (§7.2.2)', () => {
    const cc = new CongestionControl(1200, 4000); // cwnd 4404 > ssthresh 4000
    cc.onAck(1000, 4404, true);
    expect([cc.cwnd, cc.partialBytesAcked]).toEqual([4404, 1000]);
    cc.onAck(3000, 5000, false); // gap-acked bytes count too
    expect([cc.cwnd, cc.partialBytesAcked]).toEqual([4404, 4000]);
    cc.onAck(1000, 5000, true); // 5000 >= cwnd, window was full: +MTU, pba -= cwnd
    expect([cc.cwnd, cc.partialBytesAcked]).toEqual([5604, 596]);
    // Not fully used: partial_bytes_acked is capped at cwnd, cwnd stays.
    cc.onAck(6000, 100, true);
    expect([cc.cwnd, cc.partialBytesAcked]).toEqual([5604, 5604]);
    cc.onAllAcked();
    expect(cc.partialBytesAcked).toBe(0);
  });

  it('runs congestion avoidance through SACKs when cwnd > ssthresh (§7.2.2)', () => {
    const h = new SendHarness({ peerReceiverWindow: 4000 }); // ssthresh 4000 < cwnd 4404
    h.queueMessages(20, 1000);
    expect(h.sendAll()).toEqual([1000, 1001, 1002, 1003]); // the peer's window stops it
    h.sack(1000); // 4000 in flight before: cwnd not fully used
    expect([h.out.cwnd, h.out.partialBytesAcked]).toEqual([4404, 1000]);
    expect(h.sendAll()).toEqual([1004, 1005]); // 5000 in flight
    h.sack(1002);
    expect([h.out.cwnd, h.out.partialBytesAcked]).toEqual([4404, 3000]);
    h.sendAll(); // 5000 in flight
    h.sack(1004); // partial_bytes_acked 5000 >= cwnd: +MTU, keeps 596
    expect([h.out.cwnd, h.out.partialBytesAcked]).toEqual([5604, 596]);
    expect(h.sendAll()).toEqual([1008, 1009, 1010]); // 6000 in flight
    h.sack(1008, [[2, 2]]); // 4000 + 1000 by gap block: 5596 < 5604
    expect([h.out.cwnd, h.out.partialBytesAcked]).toEqual([5604, 5596]);
    // 1000 more makes 6596 >= cwnd, but only 1000 bytes were in flight: cwnd was not fully
    // used, so no growth; then everything is acked and partial_bytes_acked starts over.
    h.sack(1010);
    expect([h.out.cwnd, h.out.partialBytesAcked]).toEqual([5604, 0]);
    expect(h.out.ssthresh).toBe(4000);
  });

  it('on T3-rtx expiry: ssthresh = max(cwnd/2, 4*MTU), cwnd = MTU, RTO doubles, all resent (§6.3.3, §7.2.3)', () => {
    const h = new SendHarness({ peerReceiverWindow: 100_000 });
    h.queueMessages(5, 1000);
    h.sendAll();
    expect(h.out.t3Deadline).toBe(1000);
    h.now = 1000;
    h.out.handleT3Expiry(h.now);
    expect(h.out.ssthresh).toBe(4 * MTU); // cwnd/2 = 2202 < 4800
    expect(h.out.cwnd).toBe(MTU);
    expect(h.out.rto).toBe(2000);
    expect(h.out.t3Deadline).toBe(3000);
    expect(h.out.bytesInFlight).toBe(0);
    expect(h.out.pendingRetransmissions).toBe(5);
    // §6.2.1 C: the marked bytes are back in the peer's window.
    expect(h.out.peerReceiverWindow).toBe(100_000);
    expect(h.out.canSend(1)).toBe(false); // §6.1 C: retransmissions first
    // Lowest TSN first, within cwnd = 1 MTU (one chunk may overshoot it).
    expect(h.retransmitAll()).toEqual([1000, 1001]);
    expect(h.out.pendingRetransmissions).toBe(3);
  });

  it('takes ssthresh from cwnd/2 when that is more than 4*MTU (§7.2.3)', () => {
    const h = new SendHarness();
    h.queueMessages(1000, 1000);
    let cum = 999;
    for (let i = 0; i < 40; i++) {
      h.sendAll();
      cum += 2;
      h.sack(cum);
    }
    const cwnd = h.out.cwnd;
    expect(cwnd).toBeGreaterThan(8 * MTU);
    h.sendAll();
    h.now = h.out.t3Deadline as number;
    h.out.handleT3Expiry(h.now);
    expect(h.out.ssthresh).toBe(Math.floor(cwnd / 2));
    expect(h.out.cwnd).toBe(MTU);
  });

  it('decays cwnd to max(cwnd/2, 4*MTU) per RTO of idleness (§7.2.1)', () => {
    const cc = new CongestionControl(1000, 1 << 20);
    for (let i = 0; i < 10; i++) cc.onAck(1000, 1 << 20, true);
    expect(cc.cwnd).toBe(14000);
    cc.onIdle(999, 1000); // less than one RTO
    expect(cc.cwnd).toBe(14000);
    cc.onIdle(1000, 1000);
    expect(cc.cwnd).toBe(7000);
    cc.onIdle(10_000, 1000);
    expect(cc.cwnd).toBe(4000);
  });

  it('applies the idle decay when data is sent after an idle period', () => {
    const h = new SendHarness();
    h.queueMessages(1000, 1000);
    let cum = 999;
    for (let i = 0; i < 30; i++) {
      h.sendAll();
      cum += 2;
      h.sack(cum);
    }
    h.sack(h.out.nextTsn - 1); // all acked
    const cwnd = h.out.cwnd;
    h.now += h.out.rto;
    h.sendOne();
    expect(h.out.cwnd).toBe(Math.max(Math.floor(cwnd / 2), 4 * MTU));
  });
});
