/**
 * Stream reset (RFC 6525) as data channels close with it (RFC 8831 §6.7), and partial
 * reliability (RFC 3758 PR-SCTP) through a whole association.
 */

import { describe, expect, it } from 'vitest';
import {
  ChunkType,
  createDataChunkFields,
  createSackFields,
  encodeReconfigChunk,
  ParameterType,
  parseReconfigChunk,
  type ReconfigParameter,
  ReconfigResult,
  readDataChunk,
  readSackChunk,
} from '../src/packet/index.js';
import {
  AssociationPair,
  chunksOf,
  hasChunk,
  type Link,
  perfectLink,
  type Side,
} from './association-pair.js';

const text = new TextEncoder();
const decode = (data: Uint8Array) => new TextDecoder().decode(data);

function establishedPair(link: Link = perfectLink): AssociationPair {
  const pair = new AssociationPair({}, link);
  pair.a.connect(0);
  pair.run(1000);
  expect([pair.a.state, pair.b.state]).toEqual(['established', 'established']);
  return pair;
}

function send(pair: AssociationPair, side: Side, streamId: number, message: string): void {
  pair.send(side, { streamId, ppid: 51, data: text.encode(message), unordered: false });
}

/** The DATA chunks of the packets `side` sent, as (tsn, stream, ssn), retransmissions left out. */
function dataSent(pair: AssociationPair, side: Side, from = 0) {
  const found = new Map<number, { tsn: number; streamId: number; ssn: number }>();
  for (const packet of pair.sentSince(side, from)) {
    for (const chunk of chunksOf(packet)) {
      if (chunk.type !== ChunkType.data) continue;
      const fields = createDataChunkFields();
      readDataChunk(packet, chunk, fields);
      if (!found.has(fields.tsn)) found.set(fields.tsn, { ...fields });
    }
  }
  return [...found.values()];
}

/** The RE-CONFIG parameters in the packets `side` sent. */
function reconfigsSent(pair: AssociationPair, side: Side): ReconfigParameter[] {
  return pair.sent[side].flatMap((packet) =>
    chunksOf(packet)
      .filter((chunk) => chunk.type === ChunkType.reconfig)
      .flatMap((chunk) => parseReconfigChunk(packet, chunk)),
  );
}

function resultsSent(pair: AssociationPair, side: Side): number[] {
  return reconfigsSent(pair, side).flatMap((p) =>
    p.type === ParameterType.reconfigurationResponse ? [p.result] : [],
  );
}

/** What `side` saw on a stream, in order: message texts and 'RESET'. */
function streamLog(pair: AssociationPair, side: Side, streamId: number): string[] {
  return pair.events[side].flatMap((e) => {
    if (e.type === 'message' && e.streamId === streamId) return [decode(e.data)];
    if (e.type === 'stream-reset' && e.streamIds.includes(streamId)) return ['RESET'];
    return [];
  });
}

/** RFC 8831 §6.7: whoever sees its incoming stream reset resets its outgoing one too. */
function closeBack(pair: AssociationPair, side: Side): void {
  pair.onEvent = (at, event) => {
    if (at !== side || event.type !== 'stream-reset') return;
    for (const stream of event.streamIds) pair.resetStream(side, stream);
  };
}

describe('SctpAssociation stream reset (RFC 6525, RFC 8831 §6.7)', () => {
  it('the peer receives every queued message first, then the stream-reset (§5.1.2, §5.2.2)', () => {
    const pair = establishedPair();
    // More than cwnd: most of it still waits in the send queue when the reset is asked for.
    for (let i = 0; i < 30; i++) send(pair, 'a', 5, `m${i} ${'x'.repeat(3000)}`.slice(0, 3000));
    pair.resetStream('a', 5);
    expect(pair.a.bufferedAmount(5)).toBeGreaterThan(0);
    pair.run(10_000);
    const log = streamLog(pair, 'b', 5);
    expect(log).toHaveLength(31);
    expect(log.at(-1)).toBe('RESET');
    expect(log.slice(0, 30).map((m) => m.split(' ')[0])).toEqual(
      Array.from({ length: 30 }, (_, i) => `m${i}`),
    );
    // The request names the last TSN a assigned: that of the stream's last fragment.
    const [request] = reconfigsSent(pair, 'a');
    const lastTsn = Math.max(...dataSent(pair, 'a').map((d) => d.tsn));
    expect(request).toMatchObject({
      type: ParameterType.outgoingSsnResetRequest,
      lastAssignedTsn: lastTsn,
      streams: [5],
    });
    expect(resultsSent(pair, 'b')).toEqual([ReconfigResult.successPerformed]);
  });

  it('both directions reset, then the stream id is used again from SSN 0 (RFC 8831 §6.7)', () => {
    const pair = establishedPair();
    closeBack(pair, 'b');
    send(pair, 'a', 3, 'a0');
    send(pair, 'a', 3, 'a1');
    send(pair, 'b', 3, 'b0');
    pair.run(500);
    pair.resetStream('a', 3);
    pair.run(2000);
    expect(streamLog(pair, 'b', 3)).toEqual(['a0', 'a1', 'RESET']);
    expect(streamLog(pair, 'a', 3)).toEqual(['b0', 'RESET']);

    const from = { a: pair.sent.a.length, b: pair.sent.b.length };
    send(pair, 'a', 3, 'again a0');
    send(pair, 'a', 3, 'again a1');
    send(pair, 'b', 3, 'again b0');
    pair.run(2000);
    expect(dataSent(pair, 'a', from.a).map((d) => d.ssn)).toEqual([0, 1]);
    expect(dataSent(pair, 'b', from.b).map((d) => d.ssn)).toEqual([0]);
    expect(streamLog(pair, 'b', 3).slice(3)).toEqual(['again a0', 'again a1']);
    expect(streamLog(pair, 'a', 3).slice(2)).toEqual(['again b0']);
  });

  it('waits for the last TSN: in progress, then performed once it arrives (§5.2.2)', () => {
    let droppedOne = false;
    const pair = establishedPair();
    send(pair, 'a', 1, 'warm up'); // an RTT sample, so the RTO is the 200 ms minimum
    pair.run(1000);
    pair.link = (packet, from, now) => {
      if (!droppedOne && from === 'a' && hasChunk(packet, ChunkType.data)) {
        droppedOne = true;
        return [];
      }
      return perfectLink(packet, from, now);
    };
    send(pair, 'a', 7, 'the last one');
    // Out in its own packet, not bundled with the RE-CONFIG, so only the DATA is lost.
    pair.collect();
    pair.resetStream('a', 7);
    pair.run(50);
    expect(droppedOne).toBe(true);
    expect(resultsSent(pair, 'b')).toEqual([ReconfigResult.inProgress]);
    expect(streamLog(pair, 'b', 7)).toEqual([]);
    pair.run(5000);
    expect(streamLog(pair, 'b', 7)).toEqual(['the last one', 'RESET']);
    expect(resultsSent(pair, 'b').at(-1)).toBe(ReconfigResult.successPerformed);
    // a is done: no more requests go out.
    const requests = reconfigsSent(pair, 'a').length;
    pair.run(10_000);
    expect(reconfigsSent(pair, 'a').length).toBe(requests);
  });

  it('data sent after resetStream waits for the reset, then starts at SSN 0 (§5.1.2, §5.2.2)', () => {
    const pair = establishedPair();
    closeBack(pair, 'b');
    send(pair, 'a', 9, 'old 0');
    send(pair, 'a', 9, 'old 1');
    pair.resetStream('a', 9);
    // Queued before the reset is performed: must not go out with the old stream's SSNs.
    const from = pair.sent.a.length;
    send(pair, 'a', 9, 'new 0');
    send(pair, 'a', 9, 'new 1');
    pair.run(5000);
    expect(streamLog(pair, 'b', 9)).toEqual(['old 0', 'old 1', 'RESET', 'new 0', 'new 1']);
    const ssns = dataSent(pair, 'a', from)
      .filter((d) => d.streamId === 9)
      .map((d) => d.ssn);
    expect(ssns.slice(-2)).toEqual([0, 1]);
  });

  it('data sent after resetStream behind still queued data follows the reset (§5.1.2)', () => {
    const pair = establishedPair();
    const filler = 'y'.repeat(4000);
    for (let i = 0; i < 10; i++) send(pair, 'a', 11, `old ${i} ${filler}`);
    pair.resetStream('a', 11);
    send(pair, 'a', 11, 'new 0');
    pair.run(10_000);
    const log = streamLog(pair, 'b', 11).map((m) => m.split(' ').slice(0, 2).join(' '));
    expect(log).toEqual([...Array.from({ length: 10 }, (_, i) => `old ${i}`), 'RESET', 'new 0']);
  });

  it('a refused reset lets the held messages go on with the old sequence (§4.4 Denied)', () => {
    const pair = establishedPair();
    send(pair, 'a', 6, 'before');
    pair.run(500);
    // a's request is lost; the peer's answer, Denied, is made up here.
    pair.link = (packet, from, now) =>
      hasChunk(packet, ChunkType.reconfig) ? [] : perfectLink(packet, from, now);
    pair.resetStream('a', 6);
    send(pair, 'a', 6, 'held');
    pair.run(50);
    const request = reconfigsSent(pair, 'a')[0];
    expect(request?.type).toBe(ParameterType.outgoingSsnResetRequest);
    expect(streamLog(pair, 'b', 6)).toEqual(['before']);
    const denied = encodeReconfigChunk([
      {
        type: ParameterType.reconfigurationResponse,
        responseSequence: (request as { requestSequence: number }).requestSequence,
        result: ReconfigResult.denied,
      },
    ]);
    pair.link = perfectLink;
    pair.inject('a', pair.forge('b', [denied]));
    const requests = reconfigsSent(pair, 'a').length;
    pair.run(2000);
    expect(reconfigsSent(pair, 'a')).toHaveLength(requests);
    // Not reset: the held message follows with SSN 1.
    expect(streamLog(pair, 'b', 6)).toEqual(['before', 'held']);
    expect(
      dataSent(pair, 'a')
        .filter((d) => d.streamId === 6)
        .map((d) => d.ssn),
    ).toEqual([0, 1]);
  });

  it('resets more streams at once than one RE-CONFIG chunk can name (§4.1, RFC 8831 §6.7)', () => {
    const pair = establishedPair();
    // A page closing 1000 channels: 2 bytes a stream would need a 2 KB request (MTU 1200).
    const streams = Array.from({ length: 1000 }, (_, i) => i);
    for (const stream of streams) pair.resetStream('a', stream);
    pair.run(10_000);
    const reset = pair.events.b.flatMap((e) => (e.type === 'stream-reset' ? e.streamIds : []));
    expect([...reset].sort((x, y) => x - y)).toEqual(streams);
    expect(pair.a.state).toBe('established');
  });
});

describe('SctpAssociation partial reliability (RFC 3758)', () => {
  /** The cumulative TSN acks of the SACKs `side` sent. */
  function cumulativeAcks(pair: AssociationPair, side: Side): number[] {
    return pair.sent[side].flatMap((packet) =>
      chunksOf(packet)
        .filter((chunk) => chunk.type === ChunkType.sack)
        .map((chunk) => {
          const sack = createSackFields();
          readSackChunk(packet, chunk, sack);
          return sack.cumulativeTsnAck;
        }),
    );
  }

  it('maxRetransmits 0 over a lossy link: lost messages are skipped with FORWARD-TSN (§3.5, §3.6)', () => {
    let count = 0;
    const pair = establishedPair((packet, from, now) =>
      from === 'a' && hasChunk(packet, ChunkType.data) && ++count % 3 === 0
        ? []
        : perfectLink(packet, from, now),
    );
    const body = 'z'.repeat(1000);
    for (let i = 0; i < 30; i++) {
      pair.send('a', {
        streamId: 2,
        ppid: 51,
        data: text.encode(`u${i} ${body}`),
        unordered: false,
        maxRetransmits: 0,
      });
    }
    pair.run(3000);
    pair.link = perfectLink;
    send(pair, 'a', 2, 'reliable after');
    pair.run(3000);

    const got = streamLog(pair, 'b', 2).map((m) => m.split(' ')[0] as string);
    expect(got.at(-1)).toBe('reliable');
    const numbers = got.slice(0, -1).map((m) => Number(m.slice(1)));
    expect(numbers.length).toBeGreaterThan(10);
    expect(numbers.length).toBeLessThan(30);
    expect(numbers).toEqual([...numbers].sort((x, y) => x - y)); // still in order (§6.6)
    expect(pair.sent.a.some((p) => hasChunk(p, ChunkType.forwardTsn))).toBe(true);
    // b's cumulative ack reached a's last TSN: nothing is left waiting.
    const tsns = dataSent(pair, 'a').map((d) => d.tsn);
    expect(cumulativeAcks(pair, 'b').at(-1)).toBe(Math.max(...tsns));
    expect(pair.a.bufferedAmount(2)).toBe(0);
  });

  it('maxLifetimeMs: messages past their lifetime are abandoned; later ones get through (§3.5)', () => {
    const pair = establishedPair();
    const blackHoleUntil = pair.now + 2000;
    pair.link = (packet, from, now) =>
      from === 'a' && now < blackHoleUntil ? [] : perfectLink(packet, from, now);
    for (let i = 0; i < 5; i++) {
      pair.send('a', {
        streamId: 4,
        ppid: 51,
        data: text.encode(`short-lived ${i}`),
        unordered: false,
        maxLifetimeMs: 300,
      });
    }
    pair.run(2500);
    send(pair, 'a', 4, 'after');
    pair.run(5000);
    expect(streamLog(pair, 'b', 4)).toEqual(['after']);
    expect(pair.sent.a.some((p) => hasChunk(p, ChunkType.forwardTsn))).toBe(true);
    const tsns = dataSent(pair, 'a').map((d) => d.tsn);
    expect(cumulativeAcks(pair, 'b').at(-1)).toBe(Math.max(...tsns));
  });
});
