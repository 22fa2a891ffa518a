/**
 * The association handshake (RFC 9260 §5) and the checks every received packet passes first:
 * the CRC-32c (§6.8), the ports and the verification tag (§8.5, §8.5.1).
 */

import { SeededRandom } from '@typertc/common/testing';
import { describe, expect, it } from 'vitest';
import {
  CHUNK_FLAG_T,
  ChunkType,
  encodeAbortChunk,
  encodeInitChunk,
  findParameter,
  forwardTsnSupportedParameter,
  type InitChunk,
  ParameterType,
  parseInitChunk,
  writeChecksum,
} from '../src/packet/index.js';
import {
  AssociationPair,
  chunksOf,
  craftPacket,
  hasChunk,
  type Link,
  perfectLink,
  verificationTagOf,
} from './association-pair.js';

const text = new TextEncoder();
const decode = (data: Uint8Array) => new TextDecoder().decode(data);

/** A link that drops the first `count` packets holding a chunk of `type`, and logs their times. */
function dropFirst(type: number, count: number, times: number[] = []): Link {
  let dropped = 0;
  return (packet, from, now) => {
    if (!hasChunk(packet, type)) return perfectLink(packet, from, now);
    times.push(now);
    return dropped++ < count ? [] : [{ packet, delayMs: 1 }];
  };
}

/** The INIT or INIT-ACK chunk of a packet. */
function initOf(packet: Uint8Array): InitChunk {
  const chunk = chunksOf(packet).find(
    (c) => c.type === ChunkType.init || c.type === ChunkType.initAck,
  );
  if (chunk === undefined) throw new Error('no INIT or INIT-ACK in the packet');
  return parseInitChunk(packet, chunk);
}

/** An established pair with one message already carried each way. */
function establishedPair(): AssociationPair {
  const pair = new AssociationPair();
  pair.a.connect(0);
  pair.run(1000);
  pair.send('a', { streamId: 1, ppid: 51, data: text.encode('ping'), unordered: false });
  pair.send('b', { streamId: 1, ppid: 51, data: text.encode('pong'), unordered: false });
  pair.run(1000);
  return pair;
}

describe('SctpAssociation handshake (RFC 9260 §5)', () => {
  it('retransmits a lost INIT on T1-init with a doubling RTO and still establishes (§5.1 A, §6.3.3 E2)', () => {
    const times: number[] = [];
    const pair = new AssociationPair({}, dropFirst(ChunkType.init, 3, times));
    pair.a.connect(0);
    pair.run(20_000);
    // RTO.Initial 1 s, then 2 s, 4 s between the retransmissions.
    expect(times).toEqual([0, 1000, 3000, 7000]);
    expect([pair.a.state, pair.b.state]).toEqual(['established', 'established']);
  });

  it('retransmits a lost COOKIE-ECHO on T1-cookie (§5.1 C)', () => {
    const times: number[] = [];
    const pair = new AssociationPair({}, dropFirst(ChunkType.cookieEcho, 2, times));
    pair.a.connect(0);
    pair.run(20_000);
    // Sent when the INIT-ACK arrives (t = 2), then after 1 s and 2 s more.
    expect(times).toEqual([2, 1002, 3002]);
    expect(pair.a.state).toBe('established');
    expect(pair.events.b.filter((e) => e.type === 'established')).toHaveLength(1);
  });

  it('keeps no state between INIT-ACK and COOKIE-ECHO: a flood of INITs (§5.1.3)', () => {
    const pair = new AssociationPair();
    const random = new SeededRandom(7);
    for (let i = 0; i < 1000; i++) {
      const init = encodeInitChunk({
        initiateTag: random.nextUint32() || 1,
        advertisedReceiverWindow: 65536,
        outboundStreams: 10,
        inboundStreams: 10,
        initialTsn: random.nextUint32(),
        parameters: [forwardTsnSupportedParameter()],
      });
      const packet = craftPacket(0, [init]);
      pair.b.handleDatagram(packet, i);
      const answer = pair.b.pollTransmit();
      expect(answer).toBeDefined();
      // The INIT-ACK goes to the tag the INIT named (§8.5.1).
      expect(verificationTagOf(answer as Uint8Array)).toBe(initOf(packet).initiateTag);
      // Everything the server needs later travels in the cookie.
      const initAck = initOf(answer as Uint8Array);
      expect(findParameter(initAck.parameters, ParameterType.stateCookie)).toBeDefined();
      expect(pair.b.pollTransmit()).toBeUndefined();
    }
    expect(pair.b.state).toBe('closed');
    expect(pair.b.pollEvent()).toBeUndefined();
    expect(pair.b.pollTimeout()).toBeUndefined();
    // And a real peer still gets in.
    pair.now = 1000;
    pair.a.connect(pair.now);
    pair.run(1000);
    expect([pair.a.state, pair.b.state]).toEqual(['established', 'established']);
  });

  it('silently drops a COOKIE-ECHO whose cookie was altered (§5.1.5 step 1)', () => {
    let forged = 0;
    const pair = new AssociationPair({}, (packet, from, now) => {
      if (forged === 0 && hasChunk(packet, ChunkType.cookieEcho)) {
        forged++;
        const copy = packet.slice();
        copy[40] = (copy[40] as number) ^ 0x01; // inside the cookie (after 12 + 4 bytes)
        writeChecksum(copy); // passes the CRC: only the cookie's MAC can tell
        return [{ packet: copy, delayMs: 1 }];
      }
      return perfectLink(packet, from, now);
    });
    pair.a.connect(0);
    pair.run(500);
    expect(pair.b.state).toBe('closed');
    expect(pair.b.stats.droppedPackets).toBe(1);
    expect(pair.sent.b).toHaveLength(1); // the INIT-ACK, and no answer to the forgery
    expect(pair.events.b).toEqual([]);
    // T1-cookie resends the genuine cookie.
    pair.run(2000);
    expect([pair.a.state, pair.b.state]).toEqual(['established', 'established']);
  });

  it('does not accept a cookie older than Valid.Cookie.Life, 60 s (§5.1.5 step 3, §16)', () => {
    const cookieEcho = (delayMs: number) => {
      const pair = new AssociationPair({}, (packet, from, now) =>
        hasChunk(packet, ChunkType.cookieEcho) ? [] : perfectLink(packet, from, now),
      );
      pair.a.connect(0);
      pair.run(10);
      const echo = pair.sent.a.find((p) => hasChunk(p, ChunkType.cookieEcho)) as Uint8Array;
      pair.now += delayMs;
      const before = pair.sent.b.length;
      pair.inject('b', echo);
      return { pair, answers: pair.sentSince('b', before) };
    };
    const late = cookieEcho(61_000);
    expect(late.pair.b.state).toBe('closed');
    expect(late.pair.events.b).toEqual([]);
    expect(late.pair.b.stats.droppedPackets).toBe(1);
    expect(late.answers.some((p) => hasChunk(p, ChunkType.cookieAck))).toBe(false);
    // Just within the lifetime it is accepted.
    const inTime = cookieEcho(59_000);
    expect(inTime.pair.b.state).toBe('established');
    expect(inTime.answers.some((p) => hasChunk(p, ChunkType.cookieAck))).toBe(true);
  });

  it.fails('answers a stale cookie with a Stale Cookie ERROR (§5.1.5 step 3, §3.3.10.3)', () => {
    // §5.1.5 step 3 has the receiver of a stale cookie send an ERROR with a Stale Cookie cause
    // (a MUST). Not implemented: the cookie is dropped silently and the peer's T1-cookie runs
    // out; §5.2.6 (the peer's re-INIT with a Cookie Preservative) is missing as well.
    const pair = new AssociationPair({}, (packet, from, now) =>
      hasChunk(packet, ChunkType.cookieEcho) ? [] : perfectLink(packet, from, now),
    );
    pair.a.connect(0);
    pair.run(10);
    const echo = pair.sent.a.find((p) => hasChunk(p, ChunkType.cookieEcho)) as Uint8Array;
    pair.now += 61_000;
    const before = pair.sent.b.length;
    pair.inject('b', echo);
    expect(pair.sentSince('b', before).some((p) => hasChunk(p, ChunkType.error))).toBe(true);
  });

  it('simultaneous open with crossing INITs makes exactly one association (§5.2.1, §5.2.4 D)', () => {
    const pair = new AssociationPair({}, (packet) => [{ packet, delayMs: 50 }]);
    pair.a.connect(0);
    pair.b.connect(0);
    pair.run(2000);
    expect([pair.a.state, pair.b.state]).toEqual(['established', 'established']);
    for (const side of ['a', 'b'] as const) {
      // Each got the other's INIT while waiting for its own INIT-ACK, and answered it.
      expect(pair.sent[side].some((p) => hasChunk(p, ChunkType.initAck))).toBe(true);
      expect(pair.events[side].filter((e) => e.type === 'established')).toHaveLength(1);
    }
    // Each side's tag is the Initiate Tag of its own INIT, and the other side uses it.
    const initA = initOf(pair.sent.a[0] as Uint8Array);
    const initB = initOf(pair.sent.b[0] as Uint8Array);
    const from = { a: pair.sent.a.length, b: pair.sent.b.length };
    pair.send('a', { streamId: 3, ppid: 51, data: text.encode('from a'), unordered: false });
    pair.send('b', { streamId: 3, ppid: 51, data: text.encode('from b'), unordered: false });
    pair.run(2000);
    expect(new Set(pair.sentSince('a', from.a).map(verificationTagOf))).toEqual(
      new Set([initB.initiateTag]),
    );
    expect(new Set(pair.sentSince('b', from.b).map(verificationTagOf))).toEqual(
      new Set([initA.initiateTag]),
    );
    expect(pair.messages('b').map((m) => decode(m.data))).toEqual(['from a']);
    expect(pair.messages('a').map((m) => decode(m.data))).toEqual(['from b']);
    expect(pair.a.stats.droppedPackets + pair.b.stats.droppedPackets).toBe(0);
  });

  it('gives up after Max.Init.Retransmits with an aborted event (§5.1 A, §16)', () => {
    const times: number[] = [];
    const pair = new AssociationPair({ maxInitRetransmissions: 8 }, (_packet, _from, now) => {
      times.push(now);
      return [];
    });
    pair.a.connect(0);
    pair.run(600_000);
    // The first INIT and 8 retransmissions, the RTO doubling up to RTO.Max (60 s).
    expect(times).toEqual([0, 1, 3, 7, 15, 31, 63, 123, 183].map((s) => s * 1000));
    expect(pair.a.state).toBe('closed');
    expect(pair.events.a).toEqual([{ type: 'aborted', reason: expect.any(String) }]);
    expect(pair.a.pollTimeout()).toBeUndefined();
  });
});

describe('SctpAssociation packet checks (RFC 9260 §6.8, §8.5)', () => {
  /**
   * A DATA packet of a's, held back from b; `alter` changes a copy, which b gets first. Returns
   * what b did with the copy, then hands b the genuine packet, which must get through.
   */
  function deliverAltered(alter: (packet: Uint8Array) => void) {
    const pair = establishedPair();
    const before = pair.sent.a.length;
    pair.link = () => [];
    pair.send('a', { streamId: 2, ppid: 51, data: text.encode('payload'), unordered: false });
    pair.collect();
    pair.link = perfectLink;
    const genuine = pair.sentSince('a', before).find((p) => hasChunk(p, ChunkType.data));
    const altered = (genuine as Uint8Array).slice();
    alter(altered);
    const dropped = pair.b.stats.droppedPackets;
    const sent = pair.sent.b.length;
    pair.inject('b', altered);
    const outcome = {
      dropped: pair.b.stats.droppedPackets - dropped,
      answers: pair.sent.b.length - sent,
      messages: pair.messages('b').length,
    };
    pair.inject('b', genuine as Uint8Array);
    pair.run(500);
    expect(pair.messages('b').map((m) => decode(m.data))).toEqual(['ping', 'payload']);
    return outcome;
  }

  it('drops and counts a packet with a bad CRC-32c, unanswered (§6.8)', () => {
    const outcome = deliverAltered((packet) => {
      packet[packet.length - 1] = (packet[packet.length - 1] as number) ^ 0x80;
    });
    expect(outcome).toEqual({ dropped: 1, answers: 0, messages: 1 });
  });

  it('drops and counts a packet with the wrong verification tag, unanswered (§8.5)', () => {
    const outcome = deliverAltered((packet) => {
      packet[7] = (packet[7] as number) ^ 0x01;
      writeChecksum(packet);
    });
    expect(outcome).toEqual({ dropped: 1, answers: 0, messages: 1 });
  });

  for (const [offset, port] of [
    [1, 'source'],
    [3, 'destination'],
  ] as const) {
    it(`drops and counts a packet for another ${port} port (§8.5, §8.4)`, () => {
      const outcome = deliverAltered((packet) => {
        packet[offset] = (packet[offset] as number) ^ 0x01;
        writeChecksum(packet);
      });
      expect(outcome).toEqual({ dropped: 1, answers: 0, messages: 1 });
    });
  }

  it('accepts an ABORT with the T bit and its own peer tag (§8.5.1 B)', () => {
    const pair = establishedPair();
    // With the T bit the sender reflects the tag b itself puts on packets to a.
    const peerTagOfB = verificationTagOf(pair.sent.b.at(-1) as Uint8Array);
    const abort = encodeAbortChunk({ tagReflected: true, causes: [] });
    expect((abort[1] as number) & CHUNK_FLAG_T).toBe(CHUNK_FLAG_T);
    pair.inject('b', craftPacket(peerTagOfB, [abort]));
    expect(pair.b.state).toBe('closed');
    expect(pair.events.b.at(-1)).toEqual({ type: 'aborted', reason: expect.any(String) });
  });

  it('accepts an ABORT without the T bit carrying its own tag (§8.5.1 B)', () => {
    const pair = establishedPair();
    const tagOfB = verificationTagOf(pair.sent.a.at(-1) as Uint8Array);
    pair.inject('b', craftPacket(tagOfB, [encodeAbortChunk({ tagReflected: false, causes: [] })]));
    expect(pair.b.state).toBe('closed');
  });

  it('ignores an ABORT with a wrong tag, either way (§8.5.1 B)', () => {
    const pair = establishedPair();
    const tagOfB = verificationTagOf(pair.sent.a.at(-1) as Uint8Array);
    const peerTagOfB = verificationTagOf(pair.sent.b.at(-1) as Uint8Array);
    const abort = (reflected: boolean) => encodeAbortChunk({ tagReflected: reflected, causes: [] });
    // The T bit with b's own tag (that one needs it clear), no T bit with b's peer tag (that one
    // needs it set), and a tag that is neither.
    pair.inject('b', craftPacket(tagOfB, [abort(true)]));
    pair.inject('b', craftPacket(peerTagOfB, [abort(false)]));
    pair.inject('b', craftPacket((tagOfB ^ 1) >>> 0, [abort(false)]));
    expect(pair.b.state).toBe('established');
    expect(pair.b.stats.droppedPackets).toBe(3);
    pair.send('a', { streamId: 1, ppid: 51, data: text.encode('still here'), unordered: false });
    pair.run(500);
    expect(pair.messages('b').map((m) => decode(m.data))).toEqual(['ping', 'still here']);
  });
});
