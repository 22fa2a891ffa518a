import { SeededRandom } from '@typertc/common/testing';
import { describe, expect, it } from 'vitest';
import { ReceiverStats } from '../src/stats/receiver-stats.js';

const SSRC = 0x1234_5678;

/** Feeds sequence numbers with a fixed timestamp/arrival; returns what onPacket said for each. */
function feed(stats: ReceiverStats, seqs: readonly number[]): boolean[] {
  return seqs.map((seq) => stats.onPacket(seq, 0, 0));
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let s = from; s <= to; s++) out.push(s & 0xffff);
  return out;
}

describe('ReceiverStats sequence validation (RFC 3550 A.1)', () => {
  it('holds the first packet on probation until MIN_SEQUENTIAL (2) arrive in sequence', () => {
    const stats = new ReceiverStats({ ssrc: SSRC, clockRate: 90000 });
    expect(stats.onPacket(1000, 0, 0)).toBe(false);
    expect(stats.valid).toBe(false);
    expect(stats.received).toBe(0);
    expect(stats.expected).toBe(0);
    expect(stats.onPacket(1001, 0, 0)).toBe(true);
    expect(stats.valid).toBe(true);
    // init_seq at validation: the probation packets are not counted.
    expect(stats.received).toBe(1);
    expect(stats.expected).toBe(1);
    expect(stats.extendedHighestSequence).toBe(1001);
  });

  it('restarts probation when a packet breaks the sequence', () => {
    const stats = new ReceiverStats({ ssrc: SSRC, clockRate: 90000, probation: 3 });
    expect(feed(stats, [10, 11, 20, 21, 22])).toEqual([false, false, false, false, true]);
    expect(stats.received).toBe(1);
    expect(stats.extendedHighestSequence).toBe(22);
  });

  it('accepts the first packet with probation 0 or 1', () => {
    for (const probation of [0, 1]) {
      const stats = new ReceiverStats({ ssrc: SSRC, clockRate: 90000, probation });
      expect(stats.onPacket(0, 0, 0)).toBe(true);
      expect(stats.received).toBe(1);
      expect(stats.expected).toBe(1);
      expect(stats.cycles).toBe(0);
    }
  });

  it('validates a source whose probation straddles the 65535 -> 0 wrap', () => {
    const stats = new ReceiverStats({ ssrc: SSRC, clockRate: 90000 });
    expect(feed(stats, [65535, 0, 1])).toEqual([false, true, true]);
    expect(stats.cycles).toBe(0);
    expect(stats.extendedHighestSequence).toBe(1);
    expect(stats.expected).toBe(2);
  });

  it('counts a cycle when the sequence number wraps', () => {
    const stats = new ReceiverStats({ ssrc: SSRC, clockRate: 90000 });
    expect(feed(stats, range(65530, 65536 + 4)).every((v, i) => v === i > 0)).toBe(true);
    expect(stats.cycles).toBe(1);
    expect(stats.extendedHighestSequence).toBe(65536 + 4);
    expect(stats.expected).toBe(10);
    expect(stats.received).toBe(10);
    expect(stats.lost).toBe(0);
    expect(stats.reportBlock(0).highestSequence).toBe(0x1_0004);
  });

  it('takes a forward gap below MAX_DROPOUT as loss and a larger one as a bad jump', () => {
    const stats = new ReceiverStats({ ssrc: SSRC, clockRate: 90000 });
    feed(stats, [100, 101]);
    expect(stats.onPacket(101 + 2999, 0, 0)).toBe(true);
    expect(stats.lost).toBe(2998);
    expect(stats.onPacket(3100 + 3000, 0, 0)).toBe(false);
    expect(stats.extendedHighestSequence).toBe(3100);
  });

  it('re-synchronises when the packet after a large jump confirms it (sender restart)', () => {
    const stats = new ReceiverStats({ ssrc: SSRC, clockRate: 90000 });
    feed(stats, range(100, 110));
    expect(stats.onPacket(40000, 0, 0)).toBe(false);
    expect(stats.received).toBe(10);
    expect(stats.onPacket(40001, 0, 0)).toBe(true);
    // init_seq(40001): everything starts over from the confirming packet.
    expect(stats.received).toBe(1);
    expect(stats.expected).toBe(1);
    expect(stats.extendedHighestSequence).toBe(40001);
    expect(stats.onPacket(40002, 0, 0)).toBe(true);
    expect(stats.received).toBe(2);
  });

  it('keeps rejecting large jumps that the next packet does not confirm', () => {
    const stats = new ReceiverStats({ ssrc: SSRC, clockRate: 90000 });
    feed(stats, range(100, 110));
    expect(feed(stats, [40000, 50000, 40001])).toEqual([false, false, false]);
    // Back in sequence with the old stream: nothing was reset.
    expect(stats.onPacket(111, 0, 0)).toBe(true);
    expect(stats.received).toBe(11);
    expect(stats.expected).toBe(11);
  });

  it('accepts duplicates and reordering up to MAX_MISORDER back without moving max_seq', () => {
    const stats = new ReceiverStats({ ssrc: SSRC, clockRate: 90000 });
    feed(stats, range(799, 1000));
    expect(stats.received).toBe(201);
    expect(stats.onPacket(1000, 0, 0)).toBe(true); // duplicate of the highest
    expect(stats.onPacket(901, 0, 0)).toBe(true); // 99 back: reordered
    expect(stats.extendedHighestSequence).toBe(1000);
    expect(stats.received).toBe(203);
    // 100 back is udelta = 65436 = RTP_SEQ_MOD - MAX_MISORDER: a large jump, not valid.
    expect(stats.onPacket(900, 0, 0)).toBe(false);
    expect(stats.received).toBe(203);
  });

  it('honours custom maxDropout and maxMisorder', () => {
    const stats = new ReceiverStats({
      ssrc: SSRC,
      clockRate: 90000,
      maxDropout: 10,
      maxMisorder: 5,
    });
    feed(stats, [0, 1]);
    expect(stats.onPacket(10, 0, 0)).toBe(true); // udelta 9 < MAX_DROPOUT
    expect(stats.onPacket(20, 0, 0)).toBe(false); // udelta 10
    expect(stats.onPacket(6, 0, 0)).toBe(true); // 4 back
    expect(stats.onPacket(5, 0, 0)).toBe(false); // 5 back = RTP_SEQ_MOD - MAX_MISORDER
  });

  it('rejects options that cannot work', () => {
    expect(() => new ReceiverStats({ ssrc: 1, clockRate: 0 })).toThrow(/clockRate/);
    expect(() => new ReceiverStats({ ssrc: 1, clockRate: 8000, probation: -1 })).toThrow(
      /probation/,
    );
    expect(
      () => new ReceiverStats({ ssrc: 1, clockRate: 8000, maxDropout: 60000, maxMisorder: 6000 }),
    ).toThrow(/maxDropout/);
  });
});

describe('ReceiverStats loss (RFC 3550 A.3)', () => {
  it('reports fraction lost 25 for 10 lost out of 100 expected, then 0 for a clean interval', () => {
    const stats = new ReceiverStats({ ssrc: SSRC, clockRate: 90000 });
    feed(stats, [0, 1]);
    const first = stats.reportBlock(0);
    expect(first).toMatchObject({
      ssrc: SSRC,
      fractionLost: 0,
      packetsLost: 0,
      highestSequence: 1,
    });

    const dropped = new Set([5, 17, 23, 40, 41, 42, 66, 77, 88, 99]);
    for (const seq of range(2, 101)) if (!dropped.has(seq)) stats.onPacket(seq, 0, 0);
    const second = stats.reportBlock(0);
    // expected_interval 100, lost_interval 10: (10 << 8) / 100 = 25.6 -> 25.
    expect(second.fractionLost).toBe(25);
    expect(second.packetsLost).toBe(10);
    expect(second.highestSequence).toBe(101);

    feed(stats, range(102, 151));
    const third = stats.reportBlock(0);
    expect(third.fractionLost).toBe(0);
    expect(third.packetsLost).toBe(10);
    expect(third.highestSequence).toBe(151);
  });

  it('reports fraction 0 for an interval with no packets', () => {
    const stats = new ReceiverStats({ ssrc: SSRC, clockRate: 90000 });
    feed(stats, [0, 1, 5]);
    expect(stats.reportBlock(0).fractionLost).toBe(Math.floor((3 * 256) / 5));
    expect(stats.reportBlock(0)).toMatchObject({ fractionLost: 0, packetsLost: 3 });
  });

  it('counts duplicates as received, so cumulative loss goes negative and fraction stays 0', () => {
    const stats = new ReceiverStats({ ssrc: SSRC, clockRate: 90000 });
    feed(stats, [0, 1]);
    stats.reportBlock(0);
    for (const seq of range(2, 11)) {
      stats.onPacket(seq, 0, 0);
      stats.onPacket(seq, 0, 0);
    }
    const block = stats.reportBlock(0);
    expect(stats.expected).toBe(11);
    expect(stats.received).toBe(21);
    expect(block.packetsLost).toBe(-10);
    expect(block.fractionLost).toBe(0);
  });

  it('clamps cumulative loss to 24 bits signed instead of wrapping', () => {
    const high = new ReceiverStats({ ssrc: SSRC, clockRate: 90000 });
    let seq = 0;
    feed(high, [0, 1]);
    seq = 1;
    for (let i = 0; i < 3000; i++) {
      seq = (seq + 2999) & 0xffff;
      expect(high.onPacket(seq, 0, 0)).toBe(true);
    }
    expect(high.expected - high.received).toBe(3000 * 2998);
    expect(high.lost).toBe(0x7f_ffff);
    expect(high.reportBlock(0).packetsLost).toBe(0x7f_ffff);

    const low = new ReceiverStats({ ssrc: SSRC, clockRate: 90000 });
    feed(low, [0, 1]);
    for (let i = 0; i < 0x80_0001; i++) low.onPacket(1, 0, 0);
    expect(low.expected - low.received).toBe(-0x80_0001);
    expect(low.lost).toBe(-0x80_0000);
  });

  it('reports zeros for a source still on probation', () => {
    const stats = new ReceiverStats({ ssrc: SSRC, clockRate: 90000 });
    stats.onPacket(500, 0, 0);
    expect(stats.reportBlock(0)).toEqual({
      ssrc: SSRC,
      fractionLost: 0,
      packetsLost: 0,
      highestSequence: 0,
      jitter: 0,
      lastSenderReport: 0,
      delaySinceLastSenderReport: 0,
    });
  });
});

interface Arrival {
  seq: number;
  /** RTP timestamp, before the random base is added. */
  ticks: number;
  arrivalSeconds: number;
}

/** RFC 3550 §6.4.1 jitter, computed directly in floating point from the definition. */
function referenceJitter(arrivals: readonly Arrival[], clockRate: number): number {
  let jitter = 0;
  let previous: Arrival | undefined;
  for (const arrival of arrivals) {
    if (previous !== undefined) {
      const d =
        (arrival.arrivalSeconds - previous.arrivalSeconds) * clockRate -
        (arrival.ticks - previous.ticks);
      jitter += (Math.abs(d) - jitter) / 16;
    }
    previous = arrival;
  }
  return jitter;
}

describe('ReceiverStats interarrival jitter (RFC 3550 A.8)', () => {
  it('is 0 for a constant transit time, across a timestamp wrap', () => {
    const stats = new ReceiverStats({ ssrc: SSRC, clockRate: 90000, probation: 0 });
    const ts0 = 0xffff_0000;
    for (let i = 0; i < 100; i++) {
      // 30 fps with a 37 ms network delay.
      expect(
        stats.onPacket(i, (ts0 + i * 3000) >>> 0, 1_700_000_000_000 + 37 + (i * 100) / 3),
      ).toBe(true);
    }
    expect(stats.jitter).toBe(0);
    expect(stats.reportBlock(0).jitter).toBe(0);
  });

  it('converges to 1 tick when the transit alternates by one tick', () => {
    const clockRate = 8000;
    const stats = new ReceiverStats({ ssrc: SSRC, clockRate, probation: 0 });
    const arrivals: Arrival[] = [];
    for (let i = 0; i < 200; i++) {
      // 20 ms packets (160 ticks); every other one arrives one tick (0.125 ms) late.
      const arrivalMs = 1000 + i * 20 + (i % 2) * 0.125;
      stats.onPacket(i, i * 160, arrivalMs);
      arrivals.push({ seq: i, ticks: i * 160, arrivalSeconds: arrivalMs / 1000 });
    }
    const expected = referenceJitter(arrivals, clockRate);
    // J(n) = 1 - (15/16)^n for |D| = 1 on every one of the 199 differences.
    expect(expected).toBeCloseTo(1 - (15 / 16) ** 199, 9);
    expect(stats.jitter).toBeCloseTo(expected, 9);
    expect(stats.reportBlock(0).jitter).toBe(0); // truncated as (u_int32) J
  });

  it('matches the definition on random transit variance, including reordered arrivals', () => {
    const clockRate = 48000;
    const rng = new SeededRandom(3550);
    const stats = new ReceiverStats({ ssrc: SSRC, clockRate });
    const base = 0xfff0_0000; // wraps within the run
    const arrivals: Arrival[] = [];
    for (let i = 0; i < 1000; i++) {
      // Whole-tick delays of 20..60 ms keep the receiver's rounding to ticks exact.
      const delayTicks = 960 + Math.floor(rng.next() * 1920);
      const ticks = i * 960;
      arrivals.push({ seq: i, ticks, arrivalSeconds: (ticks + delayTicks) / clockRate });
    }
    // Swap a few neighbours so arrival order differs from sequence order.
    for (const i of [10, 200, 555]) arrivals.splice(i, 2, ...arrivals.slice(i, i + 2).reverse());
    for (const { seq, ticks, arrivalSeconds } of arrivals) {
      stats.onPacket(seq, (base + ticks) >>> 0, arrivalSeconds * 1000);
    }
    // Probation (2) makes the first packet invalid: the reference starts at the second.
    const expected = referenceJitter(arrivals.slice(1), clockRate);
    expect(expected).toBeGreaterThan(300);
    expect(stats.jitter).toBeCloseTo(expected, 6);
    expect(stats.reportBlock(0).jitter).toBe(Math.floor(expected));
  });

  it('starts a new transit series when the sender restarts with a new timestamp base', () => {
    const stats = new ReceiverStats({ ssrc: SSRC, clockRate: 90000 });
    for (let i = 0; i < 10; i++) stats.onPacket(100 + i, 5000 + i * 3000, 1000 + i * (100 / 3));
    // Restart: new sequence and timestamp bases, same 30 fps pacing and network delay.
    for (let i = 0; i < 10; i++) {
      const arrivalMs = 2000 + i * (100 / 3);
      expect(stats.onPacket(40000 + i, 0x9000_0000 + i * 3000, arrivalMs)).toBe(i > 0);
    }
    expect(stats.extendedHighestSequence).toBe(40009);
    expect(stats.jitter).toBe(0);
  });
});

describe('ReceiverStats LSR and DLSR', () => {
  it('reports the middle 32 bits of the last SR and the delay since it in 1/65536 s', () => {
    const stats = new ReceiverStats({ ssrc: SSRC, clockRate: 90000 });
    feed(stats, [0, 1]);
    expect(stats.reportBlock(10_000)).toMatchObject({
      lastSenderReport: 0,
      delaySinceLastSenderReport: 0,
    });
    stats.onSenderReport(0xb705_2000, 10_000);
    // RFC 3550 Figure 2: DLSR 0x0005:4000 is 5.250 s.
    expect(stats.reportBlock(15_250)).toMatchObject({
      lastSenderReport: 0xb705_2000,
      delaySinceLastSenderReport: 0x0005_4000,
    });
    stats.onSenderReport(0xb706_0000, 20_000);
    expect(stats.reportBlock(20_001)).toMatchObject({
      lastSenderReport: 0xb706_0000,
      delaySinceLastSenderReport: 66, // 1 ms = 65.536 units
    });
  });
});
