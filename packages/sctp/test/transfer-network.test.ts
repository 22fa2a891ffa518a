/**
 * Data transfer between two associations over the in-memory network (network-harness.ts):
 * bulk transfer through loss, reordering and duplication (RFC 9260 §6), unordered delivery
 * (§6.6), goodput on realistic paths (§7 congestion control), and PR-SCTP (RFC 3758) on links
 * that drop chosen transmissions, so that what must be abandoned is known exactly.
 *
 * Message i carries PPID i (the association does not interpret PPIDs) and content generated
 * from i, so the receiver checks every message without the sender keeping it.
 */

import { SeededRandom } from '@typertc/common/testing';
import { describe, expect, it } from 'vitest';
import type { SctpEvent } from '../src/association/options.js';
import { tsnLessOrEqual } from '../src/packet/index.js';
import {
  chunksByMessage,
  forEachDataChunk,
  instrument,
  messageContent,
  SctpNetworkPair,
  sameBytes,
} from './network-harness.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/** Log-uniform from 1 B to 256 KiB: as many messages under 64 B as from 4 KiB to 256 KiB. */
function mixedSize(random: SeededRandom): number {
  return Math.max(1, Math.min(256 * KiB, Math.round(2 ** random.float(0, 18))));
}

interface TransferResult {
  readonly messages: number;
  readonly simulatedMs: number;
  readonly realMs: number;
  /** Goodput in KB/s of simulated time (1 KB = 1000 bytes). */
  readonly goodputKBps: number;
  /** The longest simulated time no DATA reached the receiver while a transfer was under way. */
  readonly longestStallMs: number;
  /** Messages delivered before one sent earlier (unordered only). */
  readonly overtaken: number;
  /** What went wrong at the receiver: wrong content, duplicates, order; empty when all is well. */
  readonly problems: string[];
}

/**
 * Sends `totalBytes` of mixed-size messages from a to b, message i on stream i % streams,
 * keeping at most 2 MiB queued, until b has every byte. b checks content, exactly-once
 * delivery, and the order of each stream unless `unordered`.
 */
function transfer(
  pair: SctpNetworkPair,
  totalBytes: number,
  options: { readonly streams: number; readonly unordered: boolean; readonly seed: number },
): TransferResult {
  const { streams, unordered } = options;
  const random = new SeededRandom(options.seed);
  const sizes: number[] = [];
  const seen = new Set<number>();
  const nextOnStream = Array.from({ length: streams }, (_, stream) => stream);
  const problems: string[] = [];
  let sentBytes = 0;
  let receivedBytes = 0;
  let highest = -1;
  let overtaken = 0;
  pair.onEvent = (side, event) => {
    if (event.type === 'aborted') problems.push(`${side} aborted: ${event.reason}`);
    if (side !== 'b' || event.type !== 'message') return;
    const index = event.ppid;
    const size = sizes[index];
    if (size === undefined || seen.has(index)) problems.push(`message ${index} unexpected`);
    else if (!sameBytes(event.data, messageContent(index, size))) {
      problems.push(`message ${index} corrupted`);
    }
    seen.add(index);
    receivedBytes += event.data.length;
    if (event.unordered !== unordered) problems.push(`message ${index} ordering flag`);
    if (unordered) {
      if (index < highest) overtaken++;
      highest = Math.max(highest, index);
    } else {
      const stream = event.streamId;
      if (nextOnStream[stream] !== index) problems.push(`message ${index} out of order`);
      nextOnStream[stream] = index + streams;
    }
  };
  let lastArrival = pair.clock.now();
  let longestStallMs = 0;
  pair.onArrival = (packet, to, now) => {
    if (to !== 'b') return;
    forEachDataChunk(packet, () => {
      longestStallMs = Math.max(longestStallMs, now - lastArrival);
      lastArrival = now;
    });
  };

  const startReal = performance.now();
  const start = pair.clock.now();
  while (receivedBytes < totalBytes && problems.length === 0) {
    let queued = 0;
    for (let stream = 0; stream < streams; stream++) queued += pair.a.bufferedAmount(stream);
    while (sentBytes < totalBytes && queued < 2 * MiB) {
      const size = Math.min(mixedSize(random), totalBytes - sentBytes);
      const index = sizes.length;
      sizes.push(size);
      const data = messageContent(index, size);
      pair.a.send({ streamId: index % streams, ppid: index, data, unordered }, pair.clock.now());
      sentBytes += size;
      queued += size;
    }
    // An hour of simulated time is far beyond any transfer here: stop rather than spin.
    if (!pair.step(start + 3_600_000) || !pair.a.established) break;
  }
  const simulatedMs = pair.clock.now() - start;
  if (seen.size !== sizes.length) problems.push(`${sizes.length - seen.size} messages missing`);
  return {
    messages: sizes.length,
    simulatedMs,
    realMs: performance.now() - startReal,
    goodputKBps: receivedBytes / simulatedMs,
    longestStallMs,
    overtaken,
    problems,
  };
}

function summary(result: TransferResult): string {
  const seconds = (ms: number) => (ms / 1000).toFixed(1);
  return (
    `${result.messages} messages, ${seconds(result.simulatedMs)} s simulated in ` +
    `${seconds(result.realMs)} s real, goodput ${result.goodputKBps.toFixed(0)} KB/s, ` +
    `longest stall ${result.longestStallMs.toFixed(0)} ms`
  );
}

/** 20 ms RTT (10 ms each way, up to 5 ms jitter); 10% loss, 5% reordering and duplication. */
const lossyPath = { loss: 0.1, delayMs: 10, jitterMs: 5, reorder: 0.05, duplicate: 0.05 };

describe('bulk transfer over the in-memory network', () => {
  // Measured: 5177 messages, 643 s simulated in 2–3 s real, 163 KB/s. With 10% loss
  // each way, a Reno-like sender's bound (Mathis et al.: 1.22 MSS / (RTT √p)) is about
  // 220 KB/s; a sender stuck in RTO backoff would manage a few KB/s.
  it('100 MiB of 1 B – 256 KiB messages through 10% loss, reordering and duplication arrive intact, once and in order', async ({
    annotate,
  }) => {
    const pair = new SctpNetworkPair({ seed: 1, link: lossyPath });
    expect(pair.connect()).toBe(true);
    const result = transfer(pair, 100 * MiB, { streams: 4, unordered: false, seed: 2 });
    await annotate(summary(result));
    expect(result.problems).toEqual([]);
    expect(pair.a.established && pair.b.established).toBe(true);
    expect(result.goodputKBps).toBeGreaterThan(100);
    // Losing a retransmission again and again backs the RTO off (§6.3.3 E2); it must recover.
    expect(result.longestStallMs).toBeLessThan(10_000);
    // The path did what it says: losses, duplicates and reordering, both ways.
    for (const link of [pair.links.up, pair.links.down]) {
      expect(link.stats.droppedLoss).toBeGreaterThan(0);
      expect(link.stats.duplicated).toBeGreaterThan(0);
      expect(link.stats.reordered).toBeGreaterThan(0);
    }
    expect(pair.b.stats.duplicateChunks).toBeGreaterThan(0);
  }, 60_000);

  it('unordered messages through the same path all arrive, intact and exactly once', async ({
    annotate,
  }) => {
    const pair = new SctpNetworkPair({ seed: 3, link: lossyPath });
    expect(pair.connect()).toBe(true);
    const result = transfer(pair, 16 * MiB, { streams: 2, unordered: true, seed: 4 });
    await annotate(summary(result));
    expect(result.problems).toEqual([]);
    // Unordered delivery is not merely in order by luck: losses let later messages pass.
    expect(result.overtaken).toBeGreaterThan(0);
  });

  it('fills a 10 Mbit/s path of 20 ms RTT', async ({ annotate }) => {
    const pair = new SctpNetworkPair({
      seed: 5,
      link: { delayMs: 10, bandwidthBps: 10_000_000, queueBytes: 64 * KiB },
    });
    expect(pair.connect()).toBe(true);
    const result = transfer(pair, 16 * MiB, { streams: 1, unordered: false, seed: 6 });
    await annotate(summary(result));
    expect(result.problems).toEqual([]);
    // 10 Mbit/s is 1250 KB/s of UDP payload; SCTP headers take about 3% of it.
    expect(result.goodputKBps).toBeGreaterThan(0.9 * 1250);
  });

  it('keeps Reno-like goodput through 1% loss on a 20 ms path, never stalling on RTO backoff', async ({
    annotate,
  }) => {
    const pair = new SctpNetworkPair({ seed: 7, link: { delayMs: 10, loss: 0.01 } });
    expect(pair.connect()).toBe(true);
    const result = transfer(pair, 16 * MiB, { streams: 1, unordered: false, seed: 8 });
    await annotate(summary(result));
    expect(result.problems).toEqual([]);
    // Mathis et al.: 1.22 × 1172 B / (20 ms × √0.01) ≈ 715 KB/s.
    expect(result.goodputKBps).toBeGreaterThan(0.6 * 715);
    expect(result.longestStallMs).toBeLessThan(1000);
  });
});

describe('timing of sends', () => {
  // `send` takes the time: after an idle spell the association's last input is long past, and
  // data timed from then had its T3-rtx deadline behind it and went out twice.
  it('data sent after an idle spell is timed from the send: no spurious retransmission', () => {
    const pair = new SctpNetworkPair({ seed: 60, link: { delayMs: 10 } });
    expect(pair.connect()).toBe(true);
    for (const idleMs of [5_000, 25_000]) {
      pair.runFor(idleMs);
      const data = messageContent(0, 100);
      pair.a.send({ streamId: 0, ppid: 0, data, unordered: false }, pair.clock.now());
      pair.runFor(2_000);
    }
    expect(pair.events.b.filter((event) => event.type === 'message')).toHaveLength(2);
    expect(pair.a.stats.retransmissions).toBe(0);
    expect(pair.b.stats.duplicateChunks).toBe(0);
  });
});

/** Collects what b delivers, by stream, checking each message's content. */
function receiver(pair: SctpNetworkPair, sizes: readonly number[]) {
  const byStream = new Map<number, number[]>();
  const delivered = new Set<number>();
  const problems: string[] = [];
  pair.onEvent = (side, event: SctpEvent) => {
    if (event.type === 'aborted') problems.push(`${side} aborted: ${event.reason}`);
    if (side !== 'b' || event.type !== 'message') return;
    const index = event.ppid;
    const size = sizes[index];
    if (size === undefined || !sameBytes(event.data, messageContent(index, size))) {
      problems.push(`message ${index} corrupted`);
    }
    if (delivered.has(index)) problems.push(`message ${index} delivered twice`);
    delivered.add(index);
    const list = byStream.get(event.streamId) ?? [];
    list.push(index);
    byStream.set(event.streamId, list);
  };
  return { byStream, delivered, problems };
}

const ascending = (list: readonly number[]) => [...list].sort((x, y) => x - y);

describe('PR-SCTP (RFC 3758) abandons no more and no less than its policy says', () => {
  it.each([0, 1, 3])(
    'maxRetransmits %i: a message is abandoned exactly when its first transmission and every retransmission allowed are lost',
    (maxRetransmits) => {
      const pair = new SctpNetworkPair({
        seed: 10 + maxRetransmits,
        link: { delayMs: 10, jitterMs: 4, duplicate: 0.1 },
      });
      expect(pair.connect()).toBe(true);
      const random = new SeededRandom(20 + maxRetransmits);
      const count = 400;
      // Single-chunk messages; three in four get through at once, the rest lose up to two
      // transmissions more than the policy allows. (Each loss past the first is repaired by a
      // T3-rtx expiry, which doubles the RTO: harsher patterns only take longer.)
      const sizes = Array.from({ length: count }, () => random.int(1, 1000));
      const losses = sizes.map(() => (random.chance(0.75) ? 0 : random.int(1, maxRetransmits + 2)));
      const survives = (i: number) => (losses[i] as number) <= maxRetransmits;
      const log = instrument(pair, (message) => losses[message] ?? 0);
      const received = receiver(pair, sizes);
      for (let i = 0; i < count; i++) {
        const data = messageContent(i, sizes[i] as number);
        // Stream 0 ordered, stream 1 unordered.
        const message = { streamId: i % 2, ppid: i, data, unordered: i % 2 === 1, maxRetransmits };
        pair.a.send(message, pair.clock.now());
      }
      const surviving = losses.filter((_, i) => survives(i)).length;
      expect(pair.runUntil(() => received.delivered.size === surviving, 600_000)).toBe(true);
      // Time for the last abandoned ones to use up their retransmissions, and for duplicates.
      pair.runFor(120_000);

      expect(received.problems).toEqual([]);
      const indices = [...sizes.keys()];
      expect(received.byStream.get(0)).toEqual(indices.filter((i) => i % 2 === 0 && survives(i)));
      expect(ascending(received.byStream.get(1) ?? [])).toEqual(
        indices.filter((i) => i % 2 === 1 && survives(i)),
      );
      expect(log.chunks.size).toBe(count);
      for (const record of log.chunks.values()) {
        // Never more than the first transmission and maxRetransmits more; an abandoned
        // message used them all.
        const transmissions = record.times.length;
        expect(transmissions).toBeLessThanOrEqual(maxRetransmits + 1);
        if (!survives(record.message)) expect(transmissions).toBe(maxRetransmits + 1);
      }
      expect(pair.a.established && pair.b.established).toBe(true);
    },
  );

  it.each([0, 2])(
    'maxRetransmits %i with a tenth of packets lost: delivered exactly when every fragment got through',
    (maxRetransmits) => {
      // No reordering: a FORWARD-TSN then never overtakes a transmission of what it skips.
      const pair = new SctpNetworkPair({
        seed: 30 + maxRetransmits,
        link: { delayMs: 10, jitterMs: 4, loss: 0.1, duplicate: 0.05 },
      });
      expect(pair.connect()).toBe(true);
      const random = new SeededRandom(40 + maxRetransmits);
      const count = 600;
      const sizes = Array.from({ length: count }, () => random.int(1, 5000));
      const log = instrument(pair, () => 0);
      const received = receiver(pair, sizes);
      for (let i = 0; i < count; i++) {
        const data = messageContent(i, sizes[i] as number);
        const message = { streamId: i % 2, ppid: i, data, unordered: i % 2 === 1, maxRetransmits };
        pair.a.send(message, pair.clock.now());
      }
      pair.runFor(120_000);

      expect(received.problems).toEqual([]);
      const ordered = received.byStream.get(0) ?? [];
      expect(ordered).toEqual(ascending(ordered));
      const byMessage = chunksByMessage(log);
      let abandoned = 0;
      for (let i = 0; i < count; i++) {
        const chunks = byMessage.get(i) ?? [];
        for (const chunk of chunks)
          expect(chunk.times.length).toBeLessThanOrEqual(maxRetransmits + 1);
        // Every fragment sent (the last one among them) and each reached b at least once.
        const complete = chunks.some((chunk) => chunk.ending) && chunks.every((c) => c.arrived);
        expect(received.delivered.has(i), `message ${i}`).toBe(complete);
        if (complete) continue;
        abandoned++;
        // Abandoned only once some fragment had used every transmission it was allowed.
        expect(chunks.some((chunk) => chunk.times.length === maxRetransmits + 1)).toBe(true);
      }
      expect(abandoned).toBeGreaterThan(0);
    },
  );

  it('maxLifetimeMs: sent while young enough, abandoned after; ordered streams keep order', () => {
    const pair = new SctpNetworkPair({ seed: 50, link: { delayMs: 10, jitterMs: 4 } });
    expect(pair.connect()).toBe(true);
    const random = new SeededRandom(51);
    const lifetimes = [0, 250, 10_000];
    const count = 300;
    const sizes = Array.from({ length: count }, () => random.int(1, 1000));
    const losses = sizes.map(() => (random.chance(0.75) ? 0 : random.int(1, 3)));
    const log = instrument(pair, (message) => losses[message] ?? 0);
    const received = receiver(pair, sizes);
    const sentAt: number[] = [];
    // One message every 30 ms on stream 0, 2 or 4 by lifetime.
    for (let i = 0; i < count; i++) {
      pair.runFor(30);
      sentAt.push(pair.clock.now());
      const data = messageContent(i, sizes[i] as number);
      const maxLifetimeMs = lifetimes[i % 3] as number;
      const message = { streamId: 2 * (i % 3), ppid: i, data, unordered: false, maxLifetimeMs };
      pair.a.send(message, pair.clock.now());
    }
    pair.runFor(60_000);

    expect(received.problems).toEqual([]);
    for (const stream of [0, 2, 4]) {
      const list = received.byStream.get(stream) ?? [];
      expect(list).toEqual(ascending(list));
    }
    const byMessage = chunksByMessage(log);
    const tsnOf = new Map([...log.chunks].map(([tsn, record]) => [record.message, tsn]));
    const tally = { expiredQueued: 0, retransmittedInTime: 0, abandonedAfterRetransmitting: 0 };
    for (let i = 0; i < count; i++) {
      const lifetime = lifetimes[i % 3] as number;
      const expiry = (sentAt[i] as number) + lifetime;
      const delivered = received.delivered.has(i);
      const times = byMessage.get(i)?.[0]?.times ?? [];
      if (lifetime === 10_000) expect(delivered, `message ${i}`).toBe(true);
      // Never (re)transmitted once older than its lifetime: a message of lifetime 0 goes at
      // once or not at all.
      for (const time of times) expect(time).toBeLessThanOrEqual(expiry);
      // Delivered exactly when a transmission got through.
      expect(delivered, `message ${i}`).toBe(times.length > (losses[i] as number));
      if (times.length === 0) {
        // Its lifetime ran out while congestion control held it in the queue (cwnd full of
        // lost chunks, waiting for T3-rtx): never sent, no TSN to skip.
        tally.expiredQueued++;
        continue;
      }
      if (delivered) {
        if (times.length > 1) tally.retransmittedInTime++;
        continue;
      }
      if (times.length > 1) tally.abandonedAfterRetransmitting++;
      // Not given up before its lifetime was over: the FORWARD-TSN past it came after.
      const tsn = tsnOf.get(i) as number;
      const skip = log.forwardTsns.find((f) => tsnLessOrEqual(tsn, f.newCumulativeTsn));
      expect(skip?.time).toBeGreaterThan(expiry);
    }
    expect(tally.expiredQueued).toBeGreaterThan(0);
    expect(tally.retransmittedInTime).toBeGreaterThan(0);
    expect(tally.abandonedAfterRetransmitting).toBeGreaterThan(0);
  });
});
