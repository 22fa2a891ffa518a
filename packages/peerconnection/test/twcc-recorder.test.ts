/** The receiver's side of transport-wide congestion control (draft-holmer-...-01 §3.1). */

import { parseRtcp, serializeRtcp, TransportWideCc, TwccStatus } from '@typertc/rtp-rtcp';
import { describe, expect, it } from 'vitest';
import { TwccRecorder, TwccRecorderError } from '../src/media/twcc-recorder.js';

/** What the media sender reads back: per sequence number, the arrival in ms or null if lost. */
interface Reading {
  readonly feedbackCount: number;
  readonly baseSequence: number;
  readonly referenceTime: number;
  readonly arrivals: Map<number, number | null>;
}

/** Serializes and parses the feedback, then rebuilds arrival times from reference and deltas. */
function read(feedback: readonly TransportWideCc[]): Reading[] {
  const { packets, errors } = parseRtcp(serializeRtcp(feedback));
  expect(errors).toEqual([]);
  return packets.map((packet) => {
    if (!(packet instanceof TransportWideCc)) throw new Error(`not TWCC: ${packet.kind}`);
    let ticks = packet.referenceTime * 256;
    const arrivals = new Map<number, number | null>();
    for (const { sequence, status, receiveDelta } of packet.packets) {
      if (status === TwccStatus.NotReceived) {
        arrivals.set(sequence, null);
        continue;
      }
      ticks += receiveDelta;
      arrivals.set(sequence, ticks / 4);
    }
    const { feedbackCount, baseSequence, referenceTime } = packet;
    return { feedbackCount, baseSequence, referenceTime, arrivals };
  });
}

/** All arrivals of several feedback packets, later reports of a number overriding earlier. */
function merged(readings: readonly Reading[]): Map<number, number | null> {
  const all = new Map<number, number | null>();
  for (const reading of readings) for (const [seq, ms] of reading.arrivals) all.set(seq, ms);
  return all;
}

describe('TwccRecorder', () => {
  it('reports arrivals against a 64 ms reference in 250 µs deltas, and losses', () => {
    const recorder = new TwccRecorder({ senderSsrc: 0x5eed });
    // 1000.4 ms rounds to 4002 ticks; the reference is floor(4002 / 256) = 15 (960 ms).
    recorder.record(100, 1000.4, 0xabc);
    recorder.record(101, 1001, 0xabc);
    recorder.record(103, 1100, 0xabc); // 102 lost; a delta of 396 ticks is large
    recorder.record(104, 1099, 0xabc); // arrived before 103: a negative delta
    const feedback = recorder.feedback();
    expect(feedback).toHaveLength(1);
    const packet = feedback[0] as TransportWideCc;
    expect(packet).toMatchObject({
      senderSsrc: 0x5eed,
      mediaSsrc: 0xabc,
      baseSequence: 100,
      referenceTime: 15,
      feedbackCount: 0,
    });
    expect(packet.packets).toEqual([
      { sequence: 100, status: TwccStatus.SmallDelta, receiveDelta: 4002 - 3840 },
      { sequence: 101, status: TwccStatus.SmallDelta, receiveDelta: 2 },
      { sequence: 102, status: TwccStatus.NotReceived, receiveDelta: 0 },
      { sequence: 103, status: TwccStatus.LargeDelta, receiveDelta: 396 },
      { sequence: 104, status: TwccStatus.LargeDelta, receiveDelta: -4 },
    ]);
    const [reading] = read(feedback);
    expect(reading?.arrivals).toEqual(
      new Map([
        [100, 1000.5],
        [101, 1001],
        [102, null],
        [103, 1100],
        [104, 1099],
      ]),
    );
    expect(recorder.pending).toBe(false);
    expect(recorder.feedback()).toEqual([]);
  });

  it('covers only what arrived since the last feedback, counting feedback packets', () => {
    const recorder = new TwccRecorder({ senderSsrc: 1 });
    for (let seq = 0; seq < 10; seq++) recorder.record(seq, 5000 + seq * 2, 7);
    const first = read(recorder.feedback());
    for (let seq = 10; seq < 15; seq++) recorder.record(seq, 5100 + seq, 7);
    expect(recorder.pending).toBe(true);
    const second = read(recorder.feedback());
    expect(first.map((r) => [r.feedbackCount, r.baseSequence, r.arrivals.size])).toEqual([
      [0, 0, 10],
    ]);
    expect(second.map((r) => [r.feedbackCount, r.baseSequence, r.arrivals.size])).toEqual([
      [1, 10, 5],
    ]);
    expect(second[0]?.arrivals.get(14)).toBe(5114);
  });

  it('handles the 16-bit wrap and reordering across it', () => {
    const recorder = new TwccRecorder({ senderSsrc: 1 });
    const order = [65533, 65535, 0, 65534, 2, 1];
    for (const [i, seq] of order.entries()) recorder.record(seq, 2000 + i, 9);
    const [reading, ...rest] = read(recorder.feedback());
    expect(rest).toEqual([]);
    expect(reading?.baseSequence).toBe(65533);
    expect([...(reading?.arrivals ?? [])]).toEqual([
      [65533, 2000],
      [65534, 2003],
      [65535, 2001],
      [0, 2002],
      [1, 2005],
      [2, 2004],
    ]);
  });

  it('reports a packet again when it arrives after feedback reported it lost', () => {
    const recorder = new TwccRecorder({ senderSsrc: 1 });
    recorder.record(1, 100, 9);
    recorder.record(3, 110, 9);
    expect(read(recorder.feedback())[0]?.arrivals.get(2)).toBeNull();
    recorder.record(2, 130, 9); // late
    recorder.record(4, 131, 9);
    recorder.record(4, 500, 9); // a duplicate keeps the first arrival
    const [again] = read(recorder.feedback());
    expect(again?.baseSequence).toBe(2);
    expect([...(again?.arrivals ?? [])]).toEqual([
      [2, 130],
      [3, 110],
      [4, 131],
    ]);
  });

  it('starts a new feedback packet when a delta would overflow 16 bits', () => {
    const recorder = new TwccRecorder({ senderSsrc: 1 });
    recorder.record(10, 1000, 9);
    recorder.record(11, 1001, 9);
    recorder.record(12, 1001 + 8192, 9); // 32768 ticks: one past the largest delta
    recorder.record(13, 1001 + 8193, 9);
    const readings = read(recorder.feedback());
    expect(readings.map((r) => [r.feedbackCount, r.baseSequence, r.arrivals.size])).toEqual([
      [0, 10, 2],
      [1, 12, 2],
    ]);
    expect(readings[1]?.referenceTime).toBe(Math.floor(((1001 + 8192) * 4) / 256));
    expect(merged(readings).get(13)).toBe(1001 + 8193);

    // A long silence spanning two deltas' worth also splits; the largest delta does not.
    const edge = new TwccRecorder({ senderSsrc: 1 });
    edge.record(0, 0, 9);
    edge.record(1, 8191.75, 9); // 32767 ticks
    expect(edge.feedback()).toHaveLength(1);
  });

  it('splits what does not fit maxFeedbackSize, and reproduces every arrival', () => {
    const recorder = new TwccRecorder({ senderSsrc: 1, maxFeedbackSize: 200 });
    const sent = new Map<number, number | null>();
    let now = 10_000;
    for (let seq = 65000; seq < 65000 + 1000; seq++) {
      const wire = seq & 0xffff;
      // Every seventh packet lost; jittery arrivals, sometimes 70 ms apart (large deltas).
      now += seq % 5 === 0 ? 70 : (seq % 3) * 0.75;
      if (seq % 7 === 0) {
        sent.set(wire, null);
        continue;
      }
      recorder.record(wire, now, 9);
      sent.set(wire, Math.round(now * 4) / 4);
    }
    const feedback = recorder.feedback();
    expect(feedback.length).toBeGreaterThan(4);
    for (const packet of feedback) expect(packet.byteLength()).toBeLessThanOrEqual(200);
    const readings = read(feedback);
    expect(readings.map((r) => r.feedbackCount)).toEqual(readings.map((_, i) => i));
    // Consecutive packets tile the range: each starts where the previous ended.
    for (let i = 1; i < readings.length; i++) {
      const previous = readings[i - 1] as Reading;
      expect(readings[i]?.baseSequence).toBe(
        (previous.baseSequence + previous.arrivals.size) & 0xffff,
      );
    }
    const all = merged(readings);
    expect(all.size).toBe(sent.size);
    for (const [seq, ms] of all) expect(ms).toBe(sent.get(seq));
  });

  it('keeps bounded memory: a number pushed out of the ring is given up', () => {
    const recorder = new TwccRecorder({ senderSsrc: 1, capacity: 16 });
    for (let seq = 0; seq < 40; seq++) recorder.record(seq, seq, 9);
    const readings = read(recorder.feedback());
    expect(readings[0]?.baseSequence).toBe(24);
    expect(merged(readings).size).toBe(16);
    recorder.record(5, 50, 9); // far older than the ring: ignored
    expect(recorder.pending).toBe(false);
  });

  it('wraps the 24-bit reference time and validates its options', () => {
    const recorder = new TwccRecorder({ senderSsrc: 1 });
    const wrap = 2 ** 24 * 64; // ms
    recorder.record(0, wrap + 130, 9);
    expect(recorder.feedback()[0]?.referenceTime).toBe(2);
    expect(() => new TwccRecorder({ senderSsrc: 1, capacity: 1000 })).toThrow(TwccRecorderError);
    expect(() => new TwccRecorder({ senderSsrc: 1, maxFeedbackSize: 10 })).toThrow(
      TwccRecorderError,
    );
  });
});
