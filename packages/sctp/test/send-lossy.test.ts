import { SeededRandom } from '@typertc/common/testing';
import { describe, expect, it } from 'vitest';
import type { OutgoingChunk } from '../src/association/send/index.js';
import { tsnAdd, tsnDiff } from '../src/packet/index.js';
import { SendHarness, sackOf } from './send-harness.js';

const INITIAL_TSN = 0xffff_ff80; // wraps early in the run

/** A receiver reduced to what the sender sees of it: which TSNs arrived, and its SACKs. */
class PeerModel {
  /** Offsets from the initial TSN that arrived. */
  readonly received = new Set<number>();
  /** Offset of the cumulative TSN ack. */
  cumulative = -1;
  highest = -1;

  receive(tsn: number): void {
    const offset = tsnDiff(INITIAL_TSN, tsn);
    this.received.add(offset);
    this.highest = Math.max(this.highest, offset);
    this.#advance();
  }

  forward(newCumulativeTsn: number): void {
    this.cumulative = Math.max(this.cumulative, tsnDiff(INITIAL_TSN, newCumulativeTsn));
    this.highest = Math.max(this.highest, this.cumulative);
    this.#advance();
  }

  sack() {
    const gaps: [number, number][] = [];
    for (let offset = this.cumulative + 1; offset <= this.highest; offset++) {
      if (!this.received.has(offset)) continue;
      const start = offset - this.cumulative;
      while (this.received.has(offset + 1)) offset++;
      gaps.push([start, offset - this.cumulative]);
    }
    return sackOf(tsnAdd(INITIAL_TSN, this.cumulative), gaps);
  }

  #advance(): void {
    while (this.received.has(this.cumulative + 1)) this.cumulative++;
  }
}

function run(seed: number, loss: number): void {
  const random = new SeededRandom(seed);
  const h = new SendHarness({ initialTsn: INITIAL_TSN, rtoMinMs: 100 });
  const peer = new PeerModel();
  /** Whether each TSN sent belongs to a reliable message. */
  const reliable = new Map<number, boolean>();
  const transmit = (chunk: OutgoingChunk) => {
    const offset = tsnDiff(INITIAL_TSN, chunk.tsn);
    if (!reliable.has(offset)) {
      reliable.set(offset, chunk.maxRetransmits === undefined && chunk.expiresAt === undefined);
    }
    if (random.next() >= loss) peer.receive(chunk.tsn);
  };

  let step = 0;
  for (; step < 50_000; step++) {
    if (step < 300 && random.next() < 0.5) {
      const kind = random.next();
      h.queue.enqueue(
        {
          streamId: Math.floor(random.next() * 4),
          ppid: 53,
          data: new Uint8Array(1 + Math.floor(random.next() * 3000)),
          unordered: random.next() < 0.2,
          ...(kind < 0.2 ? { maxRetransmits: Math.floor(random.next() * 3) } : {}),
          ...(kind > 0.8 ? { maxLifetimeMs: Math.floor(random.next() * 500) } : {}),
        },
        h.now,
      );
    }
    for (let c = h.out.nextRetransmission(h.now); c; c = h.out.nextRetransmission(h.now)) {
      transmit(c);
    }
    for (let c = h.sendOne(); c; c = h.sendOne()) transmit(c);

    const forward = h.out.forwardTsn();
    if (forward !== undefined && random.next() >= loss) {
      // A FORWARD TSN may only skip what was abandoned or what arrived.
      const to = tsnDiff(INITIAL_TSN, forward.newCumulativeTsn);
      for (let offset = peer.cumulative + 1; offset <= to; offset++) {
        expect(reliable.get(offset) === false || peer.received.has(offset)).toBe(true);
      }
      peer.forward(forward.newCumulativeTsn);
    }

    h.now += 10;
    if (random.next() >= loss)
      expect(h.out.handleSack(peer.sack(), h.now).status).not.toBe('invalid');
    const t3 = h.out.t3Deadline;
    if (t3 !== undefined && h.now >= t3) h.out.handleT3Expiry(h.now);

    expect(h.out.bytesInFlight).toBeGreaterThanOrEqual(0);
    expect(h.out.pendingRetransmissions).toBeGreaterThanOrEqual(0);
    expect(h.out.cwnd).toBeGreaterThanOrEqual(1200);
    if (step >= 300 && !h.queue.hasData() && h.out.empty) break;
  }

  expect(step).toBeLessThan(50_000);
  expect(h.out.bytesInFlight).toBe(0);
  expect(h.out.t3Deadline).toBeUndefined();
  // Every chunk of a reliable message arrived; everything is acknowledged.
  for (const [offset, isReliable] of reliable) {
    if (isReliable) expect(peer.received.has(offset), `TSN offset ${offset}`).toBe(true);
  }
  expect(h.out.cumulativeTsnAck).toBe(tsnAdd(INITIAL_TSN, peer.cumulative));
}

describe('SendQueue and Outstanding over a lossy path', () => {
  for (const [seed, loss] of [
    [1, 0],
    [2, 0.1],
    [3, 0.3],
    [4, 0.3],
    [5, 0.5],
  ] as const) {
    it(`delivers every reliable message and skips only abandoned ones (seed ${seed}, ${loss * 100}% loss)`, () => {
      run(seed, loss);
    });
  }
});
