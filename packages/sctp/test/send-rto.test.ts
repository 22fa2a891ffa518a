import { describe, expect, it } from 'vitest';
import { RtoEstimator } from '../src/association/send/index.js';
import { SctpError } from '../src/errors.js';
import { SendHarness } from './send-harness.js';

describe('RtoEstimator (RFC 9260 §6.3.1)', () => {
  it('uses RTO.Initial until the first measurement (C1)', () => {
    const rto = new RtoEstimator({ rtoInitialMs: 3000, rtoMinMs: 1, rtoMaxMs: 60_000 });
    expect(rto.rto).toBe(3000);
    expect(rto.srtt).toBeUndefined();
  });

  it('follows C2 and C3 with alpha 1/8 and beta 1/4', () => {
    const rto = new RtoEstimator({ rtoInitialMs: 3000, rtoMinMs: 1, rtoMaxMs: 60_000 });
    // C2: SRTT = R, RTTVAR = R/2, RTO = SRTT + 4 RTTVAR.
    rto.addSample(100);
    expect([rto.srtt, rto.rttvar, rto.rto]).toEqual([100, 50, 300]);
    // C3: RTTVAR = 3/4 * 50 + 1/4 * |100 - 200| = 62.5 (from the old SRTT),
    //     SRTT = 7/8 * 100 + 1/8 * 200 = 112.5, RTO = 112.5 + 250.
    rto.addSample(200);
    expect([rto.srtt, rto.rttvar, rto.rto]).toEqual([112.5, 62.5, 362.5]);
    // RTTVAR = 3/4 * 62.5 + 1/4 * |112.5 - 50| = 62.5, SRTT = 7/8 * 112.5 + 1/8 * 50.
    rto.addSample(50);
    expect([rto.srtt, rto.rttvar, rto.rto]).toEqual([104.6875, 62.5, 354.6875]);
  });

  it('clamps RTO to [RTO.Min, RTO.Max] (C6, C7)', () => {
    const low = new RtoEstimator({ rtoInitialMs: 1000, rtoMinMs: 1000, rtoMaxMs: 60_000 });
    low.addSample(10);
    expect(low.rto).toBe(1000);
    const high = new RtoEstimator({ rtoInitialMs: 1000, rtoMinMs: 100, rtoMaxMs: 5000 });
    high.addSample(4000);
    expect(high.rto).toBe(5000);
  });

  it('never lets RTTVAR reach 0 (G1: clock granularity)', () => {
    const rto = new RtoEstimator({ rtoInitialMs: 1000, rtoMinMs: 1, rtoMaxMs: 60_000 });
    rto.addSample(0);
    expect(rto.rttvar).toBe(1);
    expect(rto.rto).toBe(4);
  });

  it('doubles on back-off up to RTO.Max and collapses on the next measurement (§6.3.3 E2)', () => {
    const rto = new RtoEstimator({ rtoInitialMs: 1000, rtoMinMs: 200, rtoMaxMs: 5000 });
    rto.backOff();
    expect(rto.rto).toBe(2000);
    rto.backOff();
    rto.backOff();
    expect(rto.rto).toBe(5000);
    rto.addSample(100);
    expect(rto.rto).toBe(300);
  });

  it('rejects bounds that make no sense', () => {
    expect(() => new RtoEstimator({ rtoInitialMs: 1000, rtoMinMs: 0, rtoMaxMs: 100 })).toThrow(
      SctpError,
    );
    expect(() => new RtoEstimator({ rtoInitialMs: 1000, rtoMinMs: 500, rtoMaxMs: 100 })).toThrow(
      SctpError,
    );
  });
});

describe('RTT measurement from DATA (RFC 9260 §6.3.1 C4, C5)', () => {
  it('measures the first chunk and sets RTO from it', () => {
    const h = new SendHarness();
    h.queueMessages(1, 100);
    h.sendAll();
    h.now = 100;
    h.sack(1000);
    expect(h.out.srtt).toBe(100);
    expect(h.out.rto).toBe(300);
  });

  it('takes at most one measurement per round trip (C4)', () => {
    const h = new SendHarness();
    h.queueMessages(2, 100);
    h.sendOne(); // 1000 at 0: timed
    h.now = 10;
    h.sendOne(); // 1001 at 10: not timed, 1000 is
    h.now = 100;
    h.sack(1000);
    h.now = 150;
    h.sack(1001); // would be a 140 ms sample if timed
    expect(h.out.srtt).toBe(100);
    h.now = 160;
    h.queueMessages(1, 100);
    h.sendOne(); // 1002: timed again
    h.now = 260;
    h.sack(1002);
    // Second sample of 100: SRTT stays 100, RTTVAR = 3/4 * 50 = 37.5.
    expect(h.out.srtt).toBe(100);
    expect(h.out.rto).toBe(250);
  });

  it('takes a measurement from a chunk a gap block acknowledges', () => {
    const h = new SendHarness();
    h.queueMessages(2, 100);
    h.sendOne(); // 1000: timed
    h.sendOne();
    h.now = 80;
    h.sack(999, [[1, 1]]);
    expect(h.out.srtt).toBe(80);
  });

  it("applies Karn's rule: no sample from a chunk sent again by T3-rtx (C5)", () => {
    const h = new SendHarness();
    h.queueMessages(1, 100);
    h.sendOne(); // 1000 at 0, timed
    h.now = 1000;
    h.out.handleT3Expiry(h.now);
    expect(h.retransmitAll()).toEqual([1000]);
    h.now = 1050;
    h.sack(1000);
    expect(h.out.srtt).toBeUndefined();
    expect(h.out.rto).toBe(2000); // still backed off
    // New data, sent once, is measured again and collapses the back-off.
    h.queueMessages(1, 100);
    h.sendOne();
    h.now = 1100;
    h.sack(1001);
    expect(h.out.srtt).toBe(50);
    expect(h.out.rto).toBe(200);
  });

  it("applies Karn's rule to a chunk when a lower TSN was fast retransmitted after it was sent (C5)", () => {
    const h = new SendHarness();
    h.queueMessages(5, 100);
    h.sendAll(); // 1000..1004; 1000 timed
    h.now = 50;
    h.sack(1000, [[2, 2]]); // sample 50; 1001 missing (miss 1)
    expect(h.out.srtt).toBe(50);
    h.sack(1000, [[2, 3]]); // miss 2
    h.queueMessages(1, 100);
    h.now = 60;
    expect(h.sendOne()?.tsn).toBe(1005); // timed
    h.now = 70;
    h.sack(1000, [[2, 4]]); // miss 3: 1001 lost, to be resent
    expect(h.retransmitAll()).toEqual([1001]);
    h.now = 200;
    h.sack(1005); // would be a 140 ms sample from 1005
    expect(h.out.srtt).toBe(50);
  });
});
