/**
 * Fuzzing a whole established association: mutated copies of packets it really exchanged (with
 * the CRC-32c recomputed so they get past the checksum, RFC 9260 §6.8, and without), random
 * chunks behind a valid header, and random bytes. Whatever comes in, `handleDatagram` must not
 * throw, must answer boundedly, must count what it drops, and the association must stay
 * consistent: still established with data flowing both ways afterwards, or ended with an event
 * ('aborted' for a protocol violation, or 'closed' after a SHUTDOWN, which a packet with the
 * right tag can legitimately carry).
 */

import { getCryptoBackend, setCryptoBackend } from '@typertc/common';
import { fuzzIterations, mutate, SeededRandom } from '@typertc/common/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ChunkType,
  createChunkHeader,
  createDataChunkFields,
  parseForwardTsnChunk,
  readChunkHeader,
  readDataChunk,
  tsnLessOrEqual,
  verifyChecksum,
  writeChecksum,
} from '../src/packet/index.js';
import { AssociationPair, hasChunk, perfectLink, verificationTagOf } from './association-pair.js';

const text = new TextEncoder();
const decode = (data: Uint8Array) => new TextDecoder().decode(data);

/** Inputs per association before a fresh one is set up (aborts end one sooner). */
const INPUTS_PER_ASSOCIATION = 250;
/** Packets one input may make the association send: SACK, answers, a little data. */
const MAX_ANSWER_PACKETS = 4;

/**
 * A session in which `a` sends every kind of packet: INIT and COOKIE-ECHO, DATA ordered,
 * unordered and fragmented, PR-SCTP DATA and FORWARD-TSN (one DATA packet in 7 lost), SACK,
 * RE-CONFIG request and response, HEARTBEAT and HEARTBEAT-ACK.
 */
function recordedSession(): AssociationPair {
  let dataPackets = 0;
  const pair = new AssociationPair({ heartbeatIntervalMs: 5000 }, (packet, from, now) =>
    from === 'a' && hasChunk(packet, ChunkType.data) && ++dataPackets % 7 === 0
      ? []
      : perfectLink(packet, from, now),
  );
  pair.onEvent = (side, event) => {
    // RFC 8831 §6.7: b closes its side of a reset stream too, so a sends a response.
    if (side === 'b' && event.type === 'stream-reset') pair.resetStream('b', 1);
  };
  pair.a.connect(0);
  pair.run(100);
  const message = (streamId: number, body: string, unordered = false) => ({
    streamId,
    ppid: 51,
    data: text.encode(body),
    unordered,
  });
  pair.send('a', message(1, 'ordered'));
  pair.send('a', message(2, 'unordered', true));
  pair.send('a', message(3, 'fragmented '.repeat(300)));
  for (let i = 0; i < 10; i++) pair.send('a', { ...message(4, `partial ${i}`), maxRetransmits: 0 });
  pair.send('b', message(1, 'to be acknowledged'));
  pair.run(2000);
  pair.resetStream('a', 1);
  pair.run(12_000);
  pair.onEvent = undefined;
  pair.link = perfectLink;
  expect(pair.a.state).toBe('established');
  return pair;
}

/** A chunk type an association handles, or one it does not (§3.2's four kinds). */
function randomChunkType(random: SeededRandom): number {
  const types = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 14, 64, 130, 192, 194, random.int(0, 255)];
  return types[random.int(0, types.length - 1)] as number;
}

/** `seed` with one chunk's type changed: a valid body read as another chunk. */
function retyped(seed: Uint8Array, random: SeededRandom): Uint8Array {
  const packet = seed.slice();
  const starts: number[] = [];
  const chunk = createChunkHeader();
  for (let at = 12; at < packet.length; at = chunk.next) {
    readChunkHeader(packet, at, chunk);
    starts.push(at);
  }
  packet[starts[random.int(0, starts.length - 1)] as number] = randomChunkType(random);
  writeChecksum(packet);
  return packet;
}

/** A chunk of a type an association handles (or not), a length that fits, random contents. */
function randomChunk(random: SeededRandom): Uint8Array {
  const type = randomChunkType(random);
  // Now and then one bigger than the MTU: a peer's packets may be bigger than ours.
  const length = 4 + (random.chance(0.1) ? random.int(0, 1500) : random.int(0, 40));
  const chunk = new Uint8Array((length + 3) & ~3);
  chunk.set(random.bytes(chunk.length));
  chunk[0] = type;
  chunk[2] = length >>> 8;
  chunk[3] = length & 0xff;
  return chunk;
}

/** One input for the association, from the packets of the recorded session. */
function nextInput(random: SeededRandom, seeds: readonly Uint8Array[]): Uint8Array {
  const seed = seeds[random.int(0, seeds.length - 1)] as Uint8Array;
  const choice = random.int(0, 11);
  if (choice < 5) {
    const mutant = mutate(seed, random);
    if (mutant.length >= 12) writeChecksum(mutant);
    return mutant;
  }
  if (choice < 7) return retyped(seed, random);
  if (choice < 9) return mutate(seed, random);
  if (choice < 11) {
    // Chunks of random types behind the seed's header: tags and ports right.
    const chunks = Array.from({ length: random.int(1, 4) }, () => randomChunk(random));
    const packet = new Uint8Array(12 + chunks.reduce((n, c) => n + c.length, 0));
    packet.set(seed.subarray(0, 12));
    let at = 12;
    for (const chunk of chunks) {
      packet.set(chunk, at);
      at += chunk.length;
    }
    writeChecksum(packet);
    return packet;
  }
  return random.bytes(random.int(0, 1400));
}

/**
 * TSNs the inputs may have claimed at the receiver: those of DATA chunks, and everything up to
 * a FORWARD-TSN's new cumulative TSN. A packet with the right tag and checksum is authentic to
 * SCTP, so a real chunk with one of these TSNs is then rightly taken for a duplicate.
 */
class Forged {
  readonly tsns = new Set<number>();
  readonly forwardTo: number[] = [];

  /** Notes what `packet` (checksum and tag right) claims, chunk by chunk up to a malformed one. */
  note(packet: Uint8Array): void {
    const chunk = createChunkHeader();
    const data = createDataChunkFields();
    try {
      for (let at = 12; at < packet.length; at = chunk.next) {
        readChunkHeader(packet, at, chunk);
        if (chunk.type === ChunkType.data) {
          readDataChunk(packet, chunk, data);
          this.tsns.add(data.tsn);
        } else if (chunk.type === ChunkType.forwardTsn) {
          this.forwardTo.push(parseForwardTsnChunk(packet, chunk).newCumulativeTsn);
        }
      }
    } catch {
      // The rest of the packet was not processed either.
    }
  }

  claimed(tsn: number): boolean {
    return this.tsns.has(tsn) || this.forwardTo.some((to) => tsnLessOrEqual(tsn, to));
  }
}

/** The TSN of each probe message `a` sent on `streamId` since `from`, by its text. */
function probeTsns(pair: AssociationPair, from: number, streamId: number): Map<string, number> {
  const tsns = new Map<string, number>();
  const chunk = createChunkHeader();
  const data = createDataChunkFields();
  for (const packet of pair.sentSince('a', from)) {
    for (let at = 12; at < packet.length; at = chunk.next) {
      readChunkHeader(packet, at, chunk);
      if (chunk.type !== ChunkType.data) continue;
      readDataChunk(packet, chunk, data);
      if (data.streamId === streamId) tsns.set(decode(data.userData), data.tsn);
    }
  }
  return tsns;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** ABORT and the SHUTDOWN chunks: with the right tag they end the association, as they should. */
const ENDING_CHUNKS = new Set<number>([
  ChunkType.abort,
  ChunkType.shutdown,
  ChunkType.shutdownAck,
  ChunkType.shutdownComplete,
]);

function endsAssociation(packet: Uint8Array): boolean {
  const chunk = createChunkHeader();
  try {
    for (let at = 12; at < packet.length; at = chunk.next) {
      readChunkHeader(packet, at, chunk);
      if (ENDING_CHUNKS.has(chunk.type)) return true;
    }
  } catch {
    // Malformed from here on: nothing further is processed.
  }
  return false;
}

/**
 * Feeds `b` inputs until it ends or `count` are done; returns how many were fed. `gentle` leaves
 * out inputs with chunks that legitimately end the association, so that more inputs reach one.
 */
function feed(
  pair: AssociationPair,
  random: SeededRandom,
  count: number,
  forged: Forged,
  gentle: boolean,
): number {
  const seeds = [...pair.sent.a, ...pair.sent.b];
  const { b } = pair;
  const tagOfA = verificationTagOf(pair.sent.a.at(-1) as Uint8Array);
  let fed = 0;
  while (fed < count && b.state !== 'closed') {
    const input = nextInput(random, seeds);
    const passesChecksum = verifyChecksum(input);
    if (gentle && passesChecksum && endsAssociation(input)) continue;
    if (passesChecksum && input.length >= 12 && verificationTagOf(input) === tagOfA) {
      forged.note(input);
    }
    const before = {
      dropped: b.stats.droppedPackets,
      sent: pair.sent.b.length,
      events: pair.events.b.length,
    };
    try {
      pair.inject('b', input);
    } catch (error) {
      throw new Error(`handleDatagram threw on ${hex(input)}`, { cause: error });
    }
    fed++;
    const answers = pair.sentSince('b', before.sent);
    const answered = answers.reduce((n, p) => n + p.length, 0);
    if (answers.length > MAX_ANSWER_PACKETS || answered > 2 * input.length + 2400) {
      throw new Error(`${answers.length} packets (${answered} bytes) answered ${hex(input)}`);
    }
    // Each event needs a chunk of at least 16 bytes behind it (a message, a reset).
    const events = pair.events.b.length - before.events;
    if (events > 4 + input.length / 16) throw new Error(`${events} events from ${hex(input)}`);
    if (!passesChecksum) {
      // §6.8: dropped, counted, never answered.
      expect(b.stats.droppedPackets).toBe(before.dropped + 1);
      expect(answers).toHaveLength(0);
      expect(pair.events.b.length).toBe(before.events);
    }
    // Time moves on a little; what the two sides say to each other gets delivered.
    pair.run(random.int(0, 30));
  }
  return fed;
}

/**
 * After the inputs: both still established and messages flow both ways (save those whose TSNs
 * an input claimed), or the association ended on both sides with an event.
 */
function checkConsistent(pair: AssociationPair, forged: Forged): 'flowing' | 'ended' {
  const { a, b } = pair;
  const probes = 20;
  if (a.established && b.established) {
    const from = { a: pair.events.a.length, b: pair.events.b.length, sent: pair.sent.a.length };
    for (let i = 0; i < probes; i++) {
      pair.send('a', { streamId: 700, ppid: 51, data: text.encode(`a${i}`), unordered: true });
    }
    for (let i = 0; i < 5; i++) {
      pair.send('b', { streamId: 701, ppid: 51, data: text.encode(`b${i}`), unordered: false });
    }
    pair.run(20 * 60_000, () => !a.established || !b.established);
    if (a.established && b.established) {
      const atB = pair.events.b
        .slice(from.b)
        .flatMap((e) => (e.type === 'message' && e.streamId === 700 ? [decode(e.data)] : []));
      const atA = pair.events.a
        .slice(from.a)
        .flatMap((e) => (e.type === 'message' && e.streamId === 701 ? [decode(e.data)] : []));
      expect(atA).toEqual(['b0', 'b1', 'b2', 'b3', 'b4']);
      const expected = [...probeTsns(pair, from.sent, 700)]
        .filter(([, tsn]) => !forged.claimed(tsn))
        .map(([probe]) => probe);
      expect(atB).toEqual(expect.arrayContaining(expected));
      return 'flowing';
    }
  }
  // One side ended: the other learns (ABORT) or gives up (§8.1) in bounded time.
  pair.run(20 * 60_000, () => a.state === 'closed' && b.state === 'closed');
  for (const side of ['a', 'b'] as const) {
    expect(pair.association(side).state).toBe('closed');
    expect(pair.events[side].some((e) => e.type === 'aborted' || e.type === 'closed')).toBe(true);
    expect(pair.association(side).pollTimeout()).toBeUndefined();
  }
  return 'ended';
}

/** Tags, TSNs and cookie keys from a seeded generator, so that a failing run replays. */
function seedCrypto(random: SeededRandom): void {
  const fill = (buffer: Uint8Array) => {
    buffer.set(random.bytes(buffer.length));
    return buffer;
  };
  setCryptoBackend({
    ...getCryptoBackend(),
    randomBytes: (length) => fill(new Uint8Array(length)),
    randomFill: fill,
  });
}

describe('SctpAssociation fuzz', () => {
  const backend = getCryptoBackend();
  beforeEach(() => seedCrypto(new SeededRandom(99)));
  afterEach(() => setCryptoBackend(backend));

  it('fuzz: handleDatagram on mutated real packets, random chunks and random bytes', () => {
    const random = new SeededRandom(1);
    const iterations = fuzzIterations(2000, 100_000);
    const outcomes = { flowing: 0, ended: 0 };
    let fed = 0;
    let dropped = 0;
    while (fed < iterations) {
      const pair = recordedSession();
      const forged = new Forged();
      const before = pair.b.stats.droppedPackets;
      const count = Math.min(INPUTS_PER_ASSOCIATION, iterations - fed);
      const episode = outcomes.flowing + outcomes.ended;
      fed += feed(pair, random, count, forged, episode % 2 === 0);
      dropped += pair.b.stats.droppedPackets - before;
      outcomes[checkConsistent(pair, forged)]++;
    }
    expect(dropped).toBeGreaterThan(fed / 4);
    // Runs without ABORT and SHUTDOWN inputs mostly survive them; the others mostly end (a
    // forged ABORT or SHUTDOWN with the right tag is authentic to SCTP).
    expect(outcomes.flowing).toBeGreaterThan(0);
    expect(outcomes.ended).toBeGreaterThan(0);
  });

  it('fuzz: random bytes alone are dropped and counted, and change nothing', () => {
    const random = new SeededRandom(2);
    const pair = recordedSession();
    const { b } = pair;
    const iterations = fuzzIterations(2000, 100_000);
    const dropped = b.stats.droppedPackets;
    let failingChecksum = 0;
    for (let i = 0; i < iterations; i++) {
      const input = random.bytes(random.int(0, 1400));
      if (verifyChecksum(input)) continue;
      failingChecksum++;
      b.handleDatagram(input, pair.now);
    }
    expect(b.stats.droppedPackets).toBe(dropped + failingChecksum);
    expect(b.pollTransmit()).toBeUndefined();
    expect(b.pollEvent()).toBeUndefined();
    expect(checkConsistent(pair, new Forged())).toBe('flowing');
  });
});
