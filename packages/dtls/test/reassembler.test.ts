import { toHex } from '@typertc/common';
import { SeededRandom } from '@typertc/common/testing';
import { describe, expect, it } from 'vitest';
import {
  fragmentMessage,
  type HandshakeFragment,
  type HandshakeMessage,
  HandshakeReassembler,
  HandshakeType,
  readHandshakeFragment,
} from '../src/handshake/index.js';

interface Message {
  readonly msgType: number;
  readonly messageSeq: number;
  readonly body: Uint8Array;
}

function message(msgType: number, messageSeq: number, length: number): Message {
  const random = new SeededRandom(messageSeq + 1);
  return { msgType, messageSeq, body: random.bytes(length) };
}

/** A server's second flight: ServerHello, Certificate, ServerKeyExchange, CertificateRequest, ServerHelloDone. */
const FLIGHT: readonly Message[] = [
  message(HandshakeType.serverHello, 1, 90),
  message(HandshakeType.certificate, 2, 1500),
  message(HandshakeType.serverKeyExchange, 3, 150),
  message(HandshakeType.certificateRequest, 4, 10),
  message(HandshakeType.serverHelloDone, 5, 0),
];

function fragmentsOf(messages: readonly Message[], limit: number): HandshakeFragment[] {
  return messages.flatMap((m) =>
    fragmentMessage(m.msgType, m.messageSeq, m.body, limit).map(
      (bytes) => readHandshakeFragment(bytes).fragment,
    ),
  );
}

/** A fragment covering bytes start..end-1 of `m`. */
function slice(m: Message, start: number, end: number): HandshakeFragment {
  return {
    msgType: m.msgType,
    length: m.body.length,
    messageSeq: m.messageSeq,
    fragmentOffset: start,
    fragmentLength: end - start,
    body: m.body.subarray(start, end),
  };
}

function drain(reassembler: HandshakeReassembler): HandshakeMessage[] {
  const out: HandshakeMessage[] = [];
  for (let next = reassembler.takeMessage(); next; next = reassembler.takeMessage()) {
    out.push(next);
  }
  return out;
}

function summary(messages: readonly Message[]): string[] {
  return messages.map((m) => `${m.msgType}/${m.messageSeq}/${toHex(m.body)}`);
}

function shuffle<T>(items: readonly T[], random: SeededRandom): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

describe('HandshakeReassembler', () => {
  it('delivers in-order fragments as they complete', () => {
    const reassembler = new HandshakeReassembler({ nextMessageSeq: 1 });
    const delivered: HandshakeMessage[] = [];
    for (const fragment of fragmentsOf(FLIGHT, 100)) {
      expect(reassembler.add(fragment)).toBe('new');
      delivered.push(...drain(reassembler));
    }
    expect(summary(delivered)).toEqual(summary(FLIGHT));
    expect(reassembler.nextMessageSeq).toBe(6);
    expect(reassembler.bufferedBytes).toBe(0);
  });

  it('delivers reversed fragments in message_seq order only once all have arrived', () => {
    const reassembler = new HandshakeReassembler({ nextMessageSeq: 1 });
    const fragments = fragmentsOf(FLIGHT, 100).reverse();
    const last = fragments.pop() as HandshakeFragment;
    for (const fragment of fragments) {
      expect(reassembler.add(fragment)).toBe(fragment.messageSeq === 1 ? 'new' : 'future');
    }
    expect(reassembler.takeMessage()).toBeUndefined();
    expect(reassembler.bufferedBytes).toBeGreaterThan(1500);
    expect(reassembler.add(last)).toBe('new');
    expect(summary(drain(reassembler))).toEqual(summary(FLIGHT));
    expect(reassembler.bufferedBytes).toBe(0);
  });

  it('reassembles shuffled, duplicated and overlapping fragments of several messages', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const random = new SeededRandom(seed);
      const fragments = [...fragmentsOf(FLIGHT, 100), ...fragmentsOf(FLIGHT, 333)];
      // Random overlapping slices, as a peer retransmitting with another MTU would send.
      for (const m of FLIGHT) {
        for (let i = 0; i < 5 && m.body.length > 0; i++) {
          const start = random.int(0, m.body.length - 1);
          fragments.push(slice(m, start, random.int(start, m.body.length)));
        }
      }
      const reassembler = new HandshakeReassembler({ nextMessageSeq: 1 });
      const delivered: HandshakeMessage[] = [];
      for (const fragment of shuffle(fragments, random)) {
        expect(['new', 'future', 'duplicate']).toContain(reassembler.add(fragment));
        delivered.push(...drain(reassembler));
      }
      expect(summary(delivered)).toEqual(summary(FLIGHT));
      expect(reassembler.bufferedBytes).toBe(0);
    }
  });

  it('needs every byte: overlapping fragments with a gap do not complete a message', () => {
    const m = message(HandshakeType.certificate, 0, 100);
    const reassembler = new HandshakeReassembler();
    reassembler.add(slice(m, 0, 50));
    reassembler.add(slice(m, 10, 60));
    reassembler.add(slice(m, 61, 100));
    reassembler.add(slice(m, 0, 60));
    expect(reassembler.takeMessage()).toBeUndefined();
    reassembler.add(slice(m, 60, 61));
    expect(toHex(reassembler.takeMessage()?.body ?? new Uint8Array(0))).toBe(toHex(m.body));
  });

  it('copies fragment bytes, so a reused record buffer cannot corrupt a held message', () => {
    const m = message(HandshakeType.certificate, 0, 40);
    const buffer = m.body.slice();
    const reassembler = new HandshakeReassembler();
    reassembler.add({ ...slice(m, 0, 20), body: buffer.subarray(0, 20) });
    buffer.fill(0);
    reassembler.add(slice(m, 20, 40));
    expect(toHex(reassembler.takeMessage()?.body ?? new Uint8Array(0))).toBe(toHex(m.body));
  });

  it("reports fragments of delivered messages as 'duplicate' (RFC 6347 §4.2.4)", () => {
    const reassembler = new HandshakeReassembler({ nextMessageSeq: 1 });
    for (const fragment of fragmentsOf(FLIGHT.slice(0, 2), 1200)) reassembler.add(fragment);
    expect(drain(reassembler).length).toBe(2);
    for (const fragment of fragmentsOf(FLIGHT.slice(0, 2), 1200)) {
      expect(reassembler.add(fragment)).toBe('duplicate');
    }
    expect(reassembler.bufferedBytes).toBe(0);
    expect(reassembler.nextMessageSeq).toBe(3);
  });

  it('rejects a fragment whose msg_type or length disagrees with earlier fragments', () => {
    const m = message(HandshakeType.certificate, 0, 100);
    const reassembler = new HandshakeReassembler();
    expect(reassembler.add(slice(m, 0, 50))).toBe('new');
    const longer = { ...slice(m, 50, 100), length: 120 };
    expect(reassembler.add(longer)).toBe('rejected');
    const otherType = { ...slice(m, 50, 100), msgType: HandshakeType.finished };
    expect(reassembler.add(otherType)).toBe('rejected');
    expect(reassembler.takeMessage()).toBeUndefined();
    expect(reassembler.add(slice(m, 50, 100))).toBe('new');
    expect(toHex(reassembler.takeMessage()?.body ?? new Uint8Array(0))).toBe(toHex(m.body));
  });

  it('rejects fragments that do not fit their message or their declared length', () => {
    const m = message(HandshakeType.certificate, 0, 100);
    const reassembler = new HandshakeReassembler();
    expect(reassembler.add({ ...slice(m, 60, 100), fragmentOffset: 70 })).toBe('rejected');
    expect(reassembler.add({ ...slice(m, 0, 10), fragmentLength: 11 })).toBe('rejected');
    expect(reassembler.bufferedBytes).toBe(0);
  });

  it('rejects messages longer than maxMessageLength and seqs too far ahead', () => {
    const reassembler = new HandshakeReassembler({ maxMessageLength: 1000 });
    const big = message(HandshakeType.certificate, 0, 1001);
    expect(reassembler.add(slice(big, 0, 10))).toBe('rejected');
    expect(reassembler.add(slice(message(HandshakeType.finished, 16, 12), 0, 12))).toBe('future');
    expect(reassembler.add(slice(message(HandshakeType.finished, 17, 12), 0, 12))).toBe('rejected');
  });

  it('stays within maxBufferedBytes under a flood of huge and far-future announcements', () => {
    const reassembler = new HandshakeReassembler();
    const random = new SeededRandom(7);
    for (let i = 0; i < 10_000; i++) {
      const length = random.int(1, 0xff_ffff);
      const fragment: HandshakeFragment = {
        msgType: HandshakeType.certificate,
        length,
        messageSeq: random.int(0, 0xffff),
        fragmentOffset: 0,
        fragmentLength: 1,
        body: new Uint8Array(1),
      };
      reassembler.add(fragment);
      expect(reassembler.bufferedBytes).toBeLessThanOrEqual(256 * 1024);
    }
    // Announcements within the per-message limit fill the budget but never pass it.
    for (let seq = 1; seq <= 16; seq++) {
      const m = message(HandshakeType.certificate, seq, 65_536);
      reassembler.add(slice(m, 0, 1));
      expect(reassembler.bufferedBytes).toBeLessThanOrEqual(256 * 1024);
    }
    expect(reassembler.bufferedBytes).toBeGreaterThan(128 * 1024);
  });

  it('evicts far-ahead messages to make room for the next expected one', () => {
    const reassembler = new HandshakeReassembler({ maxBufferedBytes: 3000 });
    const ahead = [1, 2, 3].map((seq) => message(HandshakeType.certificate, seq, 800));
    for (const m of ahead) expect(reassembler.add(slice(m, 0, 800))).toBe('future');
    expect(reassembler.bufferedBytes).toBe(3 * 900);

    // A fourth message ahead must not push out nearer ones.
    const furthest = message(HandshakeType.certificate, 4, 800);
    expect(reassembler.add(slice(furthest, 0, 800))).toBe('rejected');

    const next = message(HandshakeType.clientHello, 0, 1000);
    expect(reassembler.add(slice(next, 0, 1000))).toBe('new');
    expect(reassembler.bufferedBytes).toBe(900 + 900 + 1125);
    expect(summary(drain(reassembler))).toEqual(summary([next, ...ahead.slice(0, 2)]));
    // Seq 3 was evicted and is accepted again when the peer retransmits it.
    expect(reassembler.add(slice(ahead[2] as Message, 0, 800))).toBe('new');
    expect(reassembler.takeMessage()?.messageSeq).toBe(3);
  });

  it('reset() drops everything and starts at the given message_seq', () => {
    const reassembler = new HandshakeReassembler({ nextMessageSeq: 1 });
    reassembler.add(slice(FLIGHT[1] as Message, 0, 100));
    expect(reassembler.bufferedBytes).toBeGreaterThan(0);
    reassembler.reset(0);
    expect(reassembler.bufferedBytes).toBe(0);
    expect(reassembler.nextMessageSeq).toBe(0);
    const hello = message(HandshakeType.clientHello, 0, 10);
    expect(reassembler.add(slice(hello, 0, 10))).toBe('new');
    expect(reassembler.takeMessage()?.messageSeq).toBe(0);
  });
});
