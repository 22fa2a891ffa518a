/**
 * The life of an established association (RFC 9260): graceful shutdown (§9.2), abort (§9.1), a
 * peer restart (§5.2.4 case A), heartbeats and an unreachable peer (§8.1, §8.3), and chunk
 * types it does not know (§3.2).
 */

import { describe, expect, it } from 'vitest';
import type { SctpAssociationOptions } from '../src/association/options.js';
import {
  ChunkType,
  ErrorCauseCode,
  encodeAbortChunk,
  encodeErrorChunk,
  encodeHeartbeatChunk,
  encodeShutdownAckChunk,
  parseAbortChunk,
  parseErrorChunk,
  parseHeartbeatChunk,
} from '../src/packet/index.js';
import {
  AssociationPair,
  chunksOf,
  hasChunk,
  type Link,
  perfectLink,
  type Side,
  verificationTagOf,
} from './association-pair.js';

const text = new TextEncoder();
const decode = (data: Uint8Array) => new TextDecoder().decode(data);

function establishedPair(
  link: Link = perfectLink,
  options: SctpAssociationOptions = {},
): AssociationPair {
  const pair = new AssociationPair(options, link);
  pair.a.connect(0);
  pair.run(1000);
  expect([pair.a.state, pair.b.state]).toEqual(['established', 'established']);
  return pair;
}

/** Drops every `n`th DATA packet; everything else gets through. */
function dropEveryNthData(n: number): Link {
  let count = 0;
  return (packet, from, now) =>
    hasChunk(packet, ChunkType.data) && ++count % n === 0 ? [] : perfectLink(packet, from, now);
}

/** The chunk types, in order, of every packet through the link. */
function recordChunks(pair: AssociationPair, log: { from: string; type: number }[]): void {
  const inner = pair.link;
  pair.link = (packet, from, now) => {
    for (const chunk of chunksOf(packet)) log.push({ from, type: chunk.type });
    return inner(packet, from, now);
  };
}

function send(pair: AssociationPair, side: Side, streamId: number, message: string): void {
  pair.send(side, { streamId, ppid: 51, data: text.encode(message), unordered: false });
}

describe('SctpAssociation graceful shutdown (RFC 9260 §9.2)', () => {
  for (const closer of ['a', 'b'] as const) {
    it(`delivers everything queued, then SHUTDOWN, SHUTDOWN-ACK, SHUTDOWN-COMPLETE (${closer} closes)`, () => {
      const pair = establishedPair(dropEveryNthData(5));
      const log: { from: string; type: number }[] = [];
      recordChunks(pair, log);
      const sender = pair.association(closer);
      const big = new Uint8Array(5000).fill(7);
      for (let i = 0; i < 20; i++) {
        pair.send(closer, { streamId: i % 3, ppid: 53, data: big, unordered: false });
      }
      send(pair, closer, 0, 'last');
      sender.shutdown(pair.now);
      expect(sender.state).not.toBe('established');
      // §9.2: no new data from the user once the shutdown is asked for.
      expect(() => send(pair, closer, 0, 'too late')).toThrow();
      pair.run(60_000);

      const receiver = closer === 'a' ? 'b' : 'a';
      const received = pair.messages(receiver);
      expect(received).toHaveLength(21);
      // §6.6: in order within each stream.
      const stream0 = received.filter((m) => m.streamId === 0);
      expect(stream0.map((m) => m.data.length)).toEqual([
        5000, 5000, 5000, 5000, 5000, 5000, 5000, 4,
      ]);
      expect(decode((stream0.at(-1) as { data: Uint8Array }).data)).toBe('last');
      const shutdownChunks = new Set<number>([
        ChunkType.shutdown,
        ChunkType.shutdownAck,
        ChunkType.shutdownComplete,
      ]);
      const steps = log.filter((c) => shutdownChunks.has(c.type));
      expect(steps.map((c) => [c.from, c.type])).toEqual([
        [closer, ChunkType.shutdown],
        [receiver, ChunkType.shutdownAck],
        [closer, ChunkType.shutdownComplete],
      ]);
      // §9.2: SHUTDOWN only once all the closer's DATA is acknowledged: none follows it.
      const shutdownAt = log.findIndex((c) => c.type === ChunkType.shutdown);
      expect(log.slice(shutdownAt).some((c) => c.from === closer && c.type === 0)).toBe(false);
      expect(pair.events.a.at(-1)).toEqual({ type: 'closed' });
      expect(pair.events.b.at(-1)).toEqual({ type: 'closed' });
      expect([pair.a.state, pair.b.state]).toEqual(['closed', 'closed']);
      expect([pair.a.pollTimeout(), pair.b.pollTimeout()]).toEqual([undefined, undefined]);
    });
  }

  it('the SHUTDOWN receiver still sends the data it had queued before ACKing (§9.2)', () => {
    const pair = establishedPair();
    // More than cwnd allows at once: most of it is still in b's send queue.
    const big = new Uint8Array(200_000).fill(3);
    pair.send('b', { streamId: 4, ppid: 53, data: big, unordered: false });
    send(pair, 'b', 4, 'b last');
    pair.a.shutdown(pair.now);
    pair.run(60_000);
    expect(pair.messages('a').map((m) => m.data.length)).toEqual([200_000, 6]);
    expect(pair.events.a.at(-1)).toEqual({ type: 'closed' });
    expect(pair.events.b.at(-1)).toEqual({ type: 'closed' });
  });

  it('ignores a SHUTDOWN-ACK while established: only a SHUTDOWN sender expects one (§9.2)', () => {
    const pair = establishedPair();
    pair.inject('b', pair.forge('a', [encodeShutdownAckChunk()]));
    expect(pair.b.state).toBe('established');
    expect(pair.events.b.some((e) => e.type === 'closed')).toBe(false);
    send(pair, 'a', 0, 'still open');
    pair.run(1000);
    expect(pair.messages('b').map((m) => decode(m.data))).toEqual(['still open']);
  });

  it('both sides shutting down at once: SHUTDOWNs cross, both answer with SHUTDOWN-ACK (§9.2)', () => {
    const pair = establishedPair();
    send(pair, 'a', 0, 'x');
    send(pair, 'b', 0, 'y');
    pair.run(1000);
    const log: { from: string; type: number }[] = [];
    recordChunks(pair, log);
    pair.a.shutdown(pair.now);
    pair.b.shutdown(pair.now);
    pair.run(100);
    expect([pair.a.state, pair.b.state]).toEqual(['closed', 'closed']);
    expect(pair.events.a.at(-1)).toEqual({ type: 'closed' });
    expect(pair.events.b.at(-1)).toEqual({ type: 'closed' });
    const count = (type: number) => log.filter((c) => c.type === type).length;
    expect([
      count(ChunkType.shutdown),
      count(ChunkType.shutdownAck),
      count(ChunkType.shutdownComplete),
    ]).toEqual([2, 2, 2]);
  });
});

describe('SctpAssociation abort (RFC 9260 §9.1)', () => {
  it('abort() sends ABORT with a User-Initiated Abort cause; the peer reports aborted', () => {
    const pair = establishedPair();
    send(pair, 'a', 0, 'in flight');
    pair.a.abort('going away');
    expect(pair.a.state).toBe('closed');
    pair.run(1000);
    const abortPacket = pair.sent.a.find((p) => hasChunk(p, ChunkType.abort)) as Uint8Array;
    const chunk = chunksOf(abortPacket).find((c) => c.type === ChunkType.abort);
    const abort = parseAbortChunk(abortPacket, chunk as NonNullable<typeof chunk>);
    expect(abort.causes[0]?.code).toBe(ErrorCauseCode.userInitiatedAbort);
    expect(decode(abort.causes[0]?.info ?? new Uint8Array())).toBe('going away');
    expect(pair.events.a.at(-1)).toEqual({ type: 'aborted', reason: 'going away' });
    expect(pair.events.b.at(-1)).toEqual({ type: 'aborted', reason: expect.any(String) });
    expect(pair.b.state).toBe('closed');
    expect(() => send(pair, 'b', 0, 'no')).toThrow();
    expect([pair.a.pollTimeout(), pair.b.pollTimeout()]).toEqual([undefined, undefined]);
  });
});

describe('SctpAssociation peer restart (RFC 9260 §5.2.4 case A)', () => {
  it('a fresh endpoint connecting to the established peer restarts the association', () => {
    const pair = establishedPair();
    send(pair, 'a', 1, 'old 0');
    send(pair, 'b', 1, 'old 0');
    send(pair, 'b', 1, 'old 1');
    pair.run(1000);
    expect(pair.messages('a')).toHaveLength(2);

    // a crashes and comes back with no state; b still believes in the old association.
    pair.replace('a');
    pair.events.a.length = 0;
    pair.a.connect(pair.now);
    pair.run(2000);
    expect(pair.a.state).toBe('established');
    expect(pair.b.state).toBe('established');
    const restartAt = pair.events.b.findIndex((e) => e.type === 'restarted');
    expect(restartAt).toBeGreaterThan(-1);
    expect(pair.events.b.slice(restartAt + 1).some((e) => e.type === 'aborted')).toBe(false);

    // The new peer's streams start from SSN 0 both ways (§5.2.4: a new association).
    send(pair, 'a', 1, 'new a');
    send(pair, 'b', 1, 'new b');
    send(pair, 'b', 2, 'new b2');
    pair.run(2000);
    expect(pair.messages('b').map((m) => decode(m.data))).toEqual(['old 0', 'new a']);
    expect(pair.messages('a').map((m) => decode(m.data))).toEqual(['new b', 'new b2']);
  });
});

describe('SctpAssociation heartbeats and path failure (RFC 9260 §8)', () => {
  it('answers a HEARTBEAT with a HEARTBEAT-ACK carrying the same information (§8.3)', () => {
    const pair = establishedPair();
    const info = text.encode('opaque sender information');
    const before = pair.sent.b.length;
    pair.inject('b', pair.forge('a', [encodeHeartbeatChunk(info)]));
    const answers = pair.sentSince('b', before);
    expect(answers).toHaveLength(1);
    const answer = answers[0] as Uint8Array;
    const chunk = chunksOf(answer)[0];
    expect(chunk?.type).toBe(ChunkType.heartbeatAck);
    expect(parseHeartbeatChunk(answer, chunk as NonNullable<typeof chunk>)).toEqual(info);
    expect(verificationTagOf(answer)).toBe(verificationTagOf(pair.sent.b[0] as Uint8Array));
  });

  it('an idle association heartbeats and stays up (§8.3)', () => {
    const pair = establishedPair();
    const log: { from: string; type: number }[] = [];
    recordChunks(pair, log);
    pair.run(15 * 60_000);
    expect([pair.a.state, pair.b.state]).toEqual(['established', 'established']);
    const heartbeats = log.filter((c) => c.type === ChunkType.heartbeat).length;
    const acks = log.filter((c) => c.type === ChunkType.heartbeatAck).length;
    expect(heartbeats).toBeGreaterThanOrEqual(2 * 25);
    expect(acks).toBe(heartbeats);
  });

  it('a peer that goes silent with data outstanding: T3-rtx gives up, aborted (§8.1)', () => {
    // Heartbeats out of the way: the T3-rtx expiries alone end the association.
    const pair = establishedPair(perfectLink, { heartbeatIntervalMs: 3_600_000 });
    send(pair, 'a', 0, 'warm up');
    pair.run(1000);
    const silentFrom = pair.now;
    pair.link = () => [];
    send(pair, 'a', 0, 'into the void');
    pair.run(30 * 60_000, () => pair.a.state === 'closed');
    expect(pair.a.state).toBe('closed');
    expect(pair.events.a.at(-1)).toEqual({ type: 'aborted', reason: expect.stringMatching(/ack/) });
    // Association.Max.Retrans (10) T3 expiries are survived, the 11th ends it; the RTO doubles
    // from ≥ 200 ms (RTO.Min) up to 60 s (RTO.Max).
    const elapsed = pair.now - silentFrom;
    const fastest = [0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 51.2, 60, 60].reduce(
      (x, y) => x + y,
    );
    expect(elapsed).toBeGreaterThanOrEqual(fastest * 1000);
    expect(elapsed).toBeLessThanOrEqual(11 * 60_000);
    // The ABORT went out, for the peer to hear if it still can.
    const last = pair.sent.a.at(-1);
    expect(last !== undefined && hasChunk(last, ChunkType.abort)).toBe(true);
  });

  it('an endpoint that has ended answers no HEARTBEAT, so its peer gives up too (§8.1, §8.3)', () => {
    const pair = establishedPair();
    // b alone learns of an ABORT (a's tag, T bit clear: as if a had sent it).
    pair.inject('b', pair.forge('a', [encodeAbortChunk({ tagReflected: false, causes: [] })]));
    expect([pair.a.state, pair.b.state]).toEqual(['established', 'closed']);
    pair.run(30 * 60_000, () => pair.a.state === 'closed');
    expect(pair.events.a.at(-1)).toEqual({ type: 'aborted', reason: expect.any(String) });
    expect(pair.sent.b.some((p) => hasChunk(p, ChunkType.heartbeatAck))).toBe(false);
  });

  it('an idle peer that goes silent: unanswered heartbeats end it, aborted (§8.1, §8.3)', () => {
    const pair = establishedPair();
    const silentFrom = pair.now;
    pair.link = () => [];
    pair.run(30 * 60_000, () => pair.events.a.some((e) => e.type === 'aborted'));
    const elapsed = pair.now - silentFrom;
    expect(pair.a.state).toBe('closed');
    expect(pair.events.a.at(-1)).toEqual({ type: 'aborted', reason: expect.any(String) });
    // Max.Retrans + 1 heartbeat intervals of 30 s.
    expect(elapsed).toBeGreaterThanOrEqual(10 * 30_000);
    expect(elapsed).toBeLessThanOrEqual(12 * 30_000 + 60_000);
  });
});

describe('SctpAssociation timing of sends', () => {
  it('times a message sent after an idle spell from its send time (§6.3.1, §6.3.2 R1)', () => {
    // `send(message, now)`: without the time, T3-rtx would count from the last input, long past.
    const pair = establishedPair();
    pair.run(20_000);
    send(pair, 'a', 0, 'after a pause');
    pair.run(5000);
    expect(pair.messages('b')).toHaveLength(1);
    expect(pair.a.stats.retransmissions).toBe(0);
  });
});

describe('SctpAssociation unknown chunk types (RFC 9260 §3.2)', () => {
  const cases = [
    { type: 0x3e, processRest: false, report: false }, // 00: stop, discard the packet
    { type: 0x7e, processRest: false, report: true }, // 01: stop and report
    { type: 0xbe, processRest: true, report: false }, // 10: skip and go on
    { type: 0xfe, processRest: true, report: true }, // 11: skip, go on and report
  ];
  for (const { type, processRest, report } of cases) {
    it(`type 0x${type.toString(16)}: ${processRest ? 'skips it' : 'stops'}${report ? ', reports it in an ERROR' : ''}`, () => {
      const pair = establishedPair();
      const unknown = Uint8Array.of(type, 0, 0, 8, 1, 2, 3, 4);
      const heartbeat = encodeHeartbeatChunk(text.encode('after'));
      const before = pair.sent.b.length;
      pair.inject('b', pair.forge('a', [unknown, heartbeat]));
      const answered = pair.sentSince('b', before);
      const types = answered.flatMap((p) => chunksOf(p).map((c) => c.type));
      expect(types.includes(ChunkType.heartbeatAck)).toBe(processRest);
      expect(types.includes(ChunkType.error)).toBe(report);
      if (report) {
        const packet = answered.find((p) => hasChunk(p, ChunkType.error)) as Uint8Array;
        const chunk = chunksOf(packet).find((c) => c.type === ChunkType.error);
        const [cause] = parseErrorChunk(packet, chunk as NonNullable<typeof chunk>);
        // §3.3.10.6: the Unrecognized Chunk Type cause carries the chunk itself.
        expect(cause?.code).toBe(ErrorCauseCode.unrecognizedChunkType);
        expect(cause?.info).toEqual(unknown);
      }
      expect(pair.b.state).toBe('established');
    });
  }

  it('leaves out answers echoing a chunk too big for its MTU (§3.3.6, §3.3.10.6)', () => {
    // The peer's packets may be bigger than ours (its MTU, or DTLS records up to 16 KiB).
    const pair = establishedPair();
    const unknown = new Uint8Array(1400);
    unknown.set([0x7e, 0, 1400 >>> 8, 1400 & 0xff]); // 01: stop and report
    const before = pair.sent.b.length;
    pair.inject('b', pair.forge('a', [encodeHeartbeatChunk(new Uint8Array(1300))]));
    pair.inject('b', pair.forge('a', [unknown]));
    expect(pair.sent.b.length).toBe(before);
    expect(pair.b.state).toBe('established');
    pair.inject('b', pair.forge('a', [encodeHeartbeatChunk(new Uint8Array(100))]));
    expect(pair.sentSince('b', before).some((p) => hasChunk(p, ChunkType.heartbeatAck))).toBe(true);
  });

  it('an ERROR chunk from the peer does not end the association (§3.3.10)', () => {
    const pair = establishedPair();
    const error = encodeErrorChunk([
      { code: ErrorCauseCode.outOfResource, info: new Uint8Array() },
    ]);
    pair.inject('b', pair.forge('a', [error]));
    send(pair, 'a', 0, 'fine');
    pair.run(1000);
    expect(pair.b.state).toBe('established');
    expect(pair.messages('b').map((m) => decode(m.data))).toEqual(['fine']);
  });
});
