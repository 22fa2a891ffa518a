import { SeededRandom } from '@typertc/common/testing';
import { describe, expect, it } from 'vitest';
import {
  MAX_REPORTED_DUPLICATES,
  ReceiveBuffer,
  type ReceivedChunk,
  type ReceivedMessage,
} from '../src/association/receive/index.js';

/**
 * A sender and a lossy network around one ReceiveBuffer, checked against a reference model:
 * every reliable message is delivered exactly once and intact, ordered messages of a stream in
 * the order they were sent, abandoned ones (PR-SCTP) at most once; every SACK's cumulative TSN,
 * gap blocks and duplicates match the TSNs the model saw arrive; the bytes held never exceed
 * the window.
 *
 * The sender is a round-based caricature of RFC 9260 §6.1 and RFC 3758 §3.5: each round it
 * sends what is unacknowledged, oldest first, within the a_rwnd of the last SACK; unreliable
 * messages not acknowledged the round after they were first sent are abandoned, and a
 * FORWARD-TSN carries the Advanced.Peer.Ack.Point. The network loses, duplicates, delays by a
 * round and reorders everything, FORWARD-TSNs included.
 */

const STREAMS = 5;
const MAX_PAYLOAD = 256;
const WINDOW = 24_000;

interface SentMessage {
  readonly index: number;
  readonly streamId: number;
  readonly ssn: number;
  readonly ppid: number;
  readonly unordered: boolean;
  readonly reliable: boolean;
  readonly data: Uint8Array;
  /** Offsets (TSN - initial TSN) of its first and last fragments. */
  readonly first: number;
  readonly last: number;
  firstSentRound: number | undefined;
  abandoned: boolean;
}

interface Scenario {
  seed: number;
  initialTsn: number;
  messages: number;
  partialReliability: boolean;
}

type Packet =
  | { kind: 'data'; offset: number }
  | { kind: 'forward'; offset: number; streams: { streamId: number; ssn: number }[] };

function makeMessages(random: SeededRandom, scenario: Scenario): SentMessage[] {
  const nextSsn = new Array<number>(STREAMS).fill(0);
  const messages: SentMessage[] = [];
  let offset = 0;
  for (let index = 0; index < scenario.messages; index++) {
    const streamId = random.int(0, STREAMS - 1);
    const unordered = random.chance(0.2);
    const size = random.chance(0.1) ? random.int(300, 3000) : random.int(4, 250);
    const data = random.bytes(size);
    // The message index in its first bytes identifies it on delivery.
    new DataView(data.buffer).setUint32(0, index);
    const ssn = nextSsn[streamId] as number;
    if (!unordered) nextSsn[streamId] = (ssn + 1) & 0xffff;
    const fragmentCount = Math.ceil(size / MAX_PAYLOAD);
    messages.push({
      index,
      streamId,
      ssn,
      ppid: random.chance(0.5) ? 51 : 53,
      unordered,
      reliable: !scenario.partialReliability || !random.chance(0.25),
      data,
      first: offset,
      last: offset + fragmentCount - 1,
      firstSentRound: undefined,
      abandoned: false,
    });
    offset += fragmentCount;
  }
  return messages;
}

function chunksOf(messages: SentMessage[], initialTsn: number): ReceivedChunk[] {
  const chunks: ReceivedChunk[] = [];
  for (const message of messages) {
    for (let offset = message.first; offset <= message.last; offset++) {
      const start = (offset - message.first) * MAX_PAYLOAD;
      chunks.push({
        tsn: (initialTsn + offset) >>> 0,
        streamId: message.streamId,
        ssn: message.ssn,
        ppid: message.ppid,
        unordered: message.unordered,
        beginning: offset === message.first,
        ending: offset === message.last,
        userData: message.data.subarray(start, start + MAX_PAYLOAD),
      });
    }
  }
  return chunks;
}

function shuffle<T>(random: SeededRandom, items: T[]): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
}

function run(scenario: Scenario) {
  const random = new SeededRandom(scenario.seed);
  const messages = makeMessages(random, scenario);
  const chunks = chunksOf(messages, scenario.initialTsn);
  const messageAt: SentMessage[] = [];
  for (const message of messages) {
    for (let o = message.first; o <= message.last; o++) messageAt[o] = message;
  }
  const offsetOf = (tsn: number) => (tsn - scenario.initialTsn) | 0;
  const receiver = new ReceiveBuffer({
    initialTsn: scenario.initialTsn,
    windowBytes: WINDOW,
    maxMessageSize: 4096,
  });

  // Sender state.
  const acked = new Array<boolean>(chunks.length).fill(false);
  let nextNew = 0;
  let advancedPoint = -1;
  // Model of the receiver: which offsets arrived or were skipped.
  const arrived = new Set<number>();
  let modelCumulative = -1;
  let duplicatesSinceSack: number[] = [];
  const delivered = new Map<number, number>();
  const lastOrderedIndex = new Array<number>(STREAMS).fill(-1);
  const stats = { duplicates: 0, dropped: 0, forwards: 0, maxGapBlocks: 0, abandoned: 0 };
  let delayed: Packet[] = [];

  const settled = (o: number) => acked[o] === true || (messageAt[o] as SentMessage).abandoned;

  const receive = (packet: Packet) => {
    if (packet.kind === 'forward') {
      stats.forwards++;
      receiver.forwardTsn((scenario.initialTsn + packet.offset) >>> 0, packet.streams);
      if (packet.offset > modelCumulative) modelCumulative = packet.offset;
    } else {
      const offset = packet.offset;
      const seen = offset <= modelCumulative || arrived.has(offset);
      const result = receiver.receiveData(chunks[offset] as ReceivedChunk);
      expect(result).not.toBe('invalid');
      if (seen) {
        expect(result).toBe('duplicate');
        stats.duplicates++;
        duplicatesSinceSack.push(chunks[offset]?.tsn as number);
      } else if (result === 'dropped') {
        stats.dropped++;
      } else {
        expect(result).toBe('new');
        arrived.add(offset);
      }
    }
    while (arrived.has(modelCumulative + 1)) modelCumulative++;
    expect(receiver.bufferedBytes).toBeLessThanOrEqual(WINDOW);
    expect(receiver.advertisedWindow).toBe(WINDOW - receiver.bufferedBytes);
  };

  const takeMessages = () => {
    for (let m = receiver.takeMessage(); m !== undefined; m = receiver.takeMessage()) {
      checkDelivery(m);
    }
  };

  const checkDelivery = (received: ReceivedMessage) => {
    const index = new DataView(received.data.buffer, received.data.byteOffset).getUint32(0);
    const sent = messages[index] as SentMessage;
    expect(delivered.has(index)).toBe(false);
    delivered.set(index, 1);
    expect(received).toEqual({
      streamId: sent.streamId,
      ppid: sent.ppid,
      data: sent.data,
      unordered: sent.unordered,
    });
    if (!sent.unordered) {
      // Every earlier ordered message of the stream was delivered or abandoned already.
      expect(index).toBeGreaterThan(lastOrderedIndex[sent.streamId] as number);
      for (let i = (lastOrderedIndex[sent.streamId] as number) + 1; i < index; i++) {
        const skipped = messages[i] as SentMessage;
        if (skipped.streamId === sent.streamId && !skipped.unordered) {
          expect(skipped.abandoned).toBe(true);
        }
      }
      lastOrderedIndex[sent.streamId] = index;
    }
  };

  /** The SACK: checked against the model, then applied by the sender. */
  const sack = () => {
    expect(receiver.cumulativeTsn).toBe((scenario.initialTsn + modelCumulative) >>> 0);
    const starts: number[] = [];
    const ends: number[] = [];
    const count = receiver.gapBlocks(starts, ends, 10_000);
    stats.maxGapBlocks = Math.max(stats.maxGapBlocks, count);
    const expectedBlocks: [number, number][] = [];
    for (const offset of [...arrived].filter((o) => o > modelCumulative).sort((a, b) => a - b)) {
      const relative = offset - modelCumulative;
      const last = expectedBlocks.at(-1);
      if (last !== undefined && last[1] === relative - 1) last[1] = relative;
      else expectedBlocks.push([relative, relative]);
    }
    expect(starts.slice(0, count).map((s, i) => [s, ends[i]])).toEqual(expectedBlocks);
    const duplicates: number[] = [];
    const duplicateCount = receiver.takeDuplicates(duplicates);
    expect(duplicates.slice(0, duplicateCount)).toEqual(
      duplicatesSinceSack.slice(0, MAX_REPORTED_DUPLICATES),
    );
    duplicatesSinceSack = [];

    const cumulative = offsetOf(receiver.cumulativeTsn);
    for (let o = 0; o <= cumulative && o < chunks.length; o++) acked[o] = true;
    for (let i = 0; i < count; i++) {
      for (let r = starts[i] as number; r <= (ends[i] as number); r++) acked[cumulative + r] = true;
    }
  };

  /** RFC 3758 §3.5: abandon overdue unreliable messages, then compute the FORWARD-TSN. */
  const abandon = (round: number): Packet | undefined => {
    for (const message of messages) {
      if (message.reliable || message.abandoned || message.firstSentRound === undefined) continue;
      if (round - message.firstSentRound < 1) continue;
      let done = true;
      for (let o = message.first; o <= message.last; o++) done &&= acked[o] === true;
      if (!done) {
        message.abandoned = true;
        stats.abandoned++;
      }
    }
    while (advancedPoint + 1 < chunks.length && settled(advancedPoint + 1)) advancedPoint++;
    const cumulative = offsetOf(receiver.cumulativeTsn);
    if (advancedPoint <= cumulative) return undefined;
    const lastSsn = new Map<number, number>();
    for (const message of messages) {
      if (message.first > advancedPoint) break;
      if (message.abandoned && !message.unordered) lastSsn.set(message.streamId, message.ssn);
    }
    const streams = [...lastSsn].map(([streamId, ssn]) => ({ streamId, ssn }));
    return { kind: 'forward', offset: advancedPoint, streams };
  };

  let round = 0;
  for (; round < 5000; round++) {
    const done = offsetOf(receiver.cumulativeTsn) === chunks.length - 1;
    if (done && delayed.length === 0) break;
    let budget = receiver.advertisedWindow;
    const packets: Packet[] = delayed;
    delayed = [];
    for (let o = 0; o < chunks.length && o <= nextNew; o++) {
      if (settled(o)) {
        if (o === nextNew) nextNew++;
        continue;
      }
      const length = (chunks[o] as ReceivedChunk).userData.length;
      if (length > budget) break;
      budget -= length;
      if (o === nextNew) nextNew++;
      const message = messageAt[o] as SentMessage;
      message.firstSentRound ??= round;
      if (!random.chance(0.15)) packets.push({ kind: 'data', offset: o });
      if (random.chance(0.05)) packets.push({ kind: 'data', offset: o });
      if (random.chance(0.05)) delayed.push({ kind: 'data', offset: o });
    }
    const forward = scenario.partialReliability ? abandon(round) : undefined;
    if (forward !== undefined && !random.chance(0.15)) packets.push(forward);
    shuffle(random, packets);
    for (const packet of packets) receive(packet);
    // The application is sometimes slow to read: the window closes meanwhile.
    if (random.chance(0.8)) takeMessages();
    sack();
  }
  takeMessages();

  expect(round).toBeLessThan(5000);
  expect(receiver.cumulativeTsn).toBe((scenario.initialTsn + chunks.length - 1) >>> 0);
  expect(receiver.bufferedBytes).toBe(0);
  for (const message of messages) {
    if (message.reliable) expect(delivered.has(message.index)).toBe(true);
  }
  return { stats, chunks: chunks.length, rounds: round };
}

describe('ReceiveBuffer against a reference model (loss, reordering, duplication)', () => {
  const scenarios: Scenario[] = [
    { seed: 1, initialTsn: 12345, messages: 1500, partialReliability: false },
    { seed: 2, initialTsn: 0xffff_fe00, messages: 1500, partialReliability: false },
    { seed: 3, initialTsn: 777, messages: 1500, partialReliability: true },
    { seed: 4, initialTsn: 0xffff_ff80, messages: 1500, partialReliability: true },
  ];
  for (const scenario of scenarios) {
    const label = `seed ${scenario.seed}, initial TSN ${scenario.initialTsn.toString(16)}${
      scenario.partialReliability ? ', PR-SCTP' : ''
    }`;
    it(`delivers everything exactly once, in order (${label})`, () => {
      const { stats, chunks } = run(scenario);
      // The run exercised what it is meant to.
      expect(chunks).toBeGreaterThan(2000);
      expect(stats.duplicates).toBeGreaterThan(50);
      expect(stats.maxGapBlocks).toBeGreaterThan(3);
      if (scenario.partialReliability) {
        expect(stats.abandoned).toBeGreaterThan(20);
        expect(stats.forwards).toBeGreaterThan(10);
      }
    });
  }
});
