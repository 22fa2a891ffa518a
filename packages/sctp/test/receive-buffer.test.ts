import { describe, expect, it } from 'vitest';
import {
  MAX_REPORTED_DUPLICATES,
  MAX_TSN_AHEAD,
  type ReceivedChunk,
} from '../src/association/receive/index.js';
import {
  buffer,
  type ChunkOptions,
  chunk,
  decoded,
  duplicates,
  fragments,
  gaps,
  takeAll,
  text,
  unordered,
} from './receive-helpers.js';

describe('ReceiveBuffer: TSNs and SACK information (RFC 9260 §6.2)', () => {
  it('starts with the cumulative TSN one before the peer initial TSN', () => {
    expect(buffer(100).cumulativeTsn).toBe(99);
    expect(buffer(0).cumulativeTsn).toBe(0xffff_ffff);
  });

  it('delivers in-order single-fragment messages and copies what it keeps', () => {
    const receiver = buffer(100);
    const payloads = ['one', 'two', 'three'].map(text);
    payloads.forEach((bytes, i) => {
      expect(receiver.receiveData(chunk(100 + i, { streamId: 1, ssn: i, ppid: 51, bytes }))).toBe(
        'new',
      );
    });
    expect(receiver.cumulativeTsn).toBe(102);
    expect(gaps(receiver)).toEqual([]);
    // The packet buffer is reused by the caller: the message must not see that.
    for (const bytes of payloads) bytes.fill(0);
    const messages = takeAll(receiver);
    expect(messages.map(decoded)).toEqual(['one', 'two', 'three']);
    expect(messages[0]).toEqual({ streamId: 1, ppid: 51, data: text('one'), unordered: false });
    expect(receiver.takeMessage()).toBeUndefined();
  });

  it('reports gap ack blocks as in the RFC 9260 §3.3.4 example', () => {
    // TSNs 10, 11, 12, 14, 15 and 17 received: cumulative 12, blocks 2-3 and 5-5.
    const receiver = buffer(10);
    for (const tsn of [17, 10, 14, 12, 15, 11]) {
      expect(receiver.receiveData(unordered(tsn))).toBe('new');
    }
    expect(receiver.cumulativeTsn).toBe(12);
    expect(gaps(receiver)).toEqual([
      [2, 3],
      [5, 5],
    ]);
    expect(gaps(receiver, 1)).toEqual([[2, 3]]);
    expect(gaps(receiver, 0)).toEqual([]);
    receiver.receiveData(unordered(13));
    expect(receiver.cumulativeTsn).toBe(15);
    expect(gaps(receiver)).toEqual([[2, 2]]);
  });

  it('reports each duplicate arrival once, in order, then forgets them', () => {
    const receiver = buffer(10);
    receiver.receiveData(unordered(10));
    receiver.receiveData(unordered(11));
    receiver.receiveData(unordered(14));
    expect(receiver.receiveData(unordered(11))).toBe('duplicate');
    expect(receiver.receiveData(unordered(14))).toBe('duplicate'); // held beyond the gap
    expect(receiver.receiveData(unordered(9))).toBe('duplicate'); // below the initial TSN
    expect(receiver.receiveData(unordered(11))).toBe('duplicate');
    expect(duplicates(receiver)).toEqual([11, 14, 9, 11]);
    expect(duplicates(receiver)).toEqual([]);
    // A duplicate is not delivered twice.
    expect(takeAll(receiver)).toHaveLength(3);
  });

  it(`remembers at most ${MAX_REPORTED_DUPLICATES} duplicates per SACK`, () => {
    const receiver = buffer(1);
    receiver.receiveData(chunk(1));
    for (let i = 0; i < MAX_REPORTED_DUPLICATES + 8; i++) {
      expect(receiver.receiveData(chunk(1))).toBe('duplicate');
    }
    expect(duplicates(receiver)).toEqual(new Array(MAX_REPORTED_DUPLICATES).fill(1));
  });

  it('answers a DATA chunk without user data with invalid (RFC 9260 §6.2 No User Data)', () => {
    const receiver = buffer(1);
    expect(receiver.receiveData(chunk(1, { bytes: 0 }))).toBe('invalid');
  });
});

describe('ReceiveBuffer: reassembly (RFC 9260 §6.9)', () => {
  it('joins fragments that arrive shuffled, delivering only when complete', () => {
    const receiver = buffer(10);
    const parts = ['He', 'llo', ', ', 'wor', 'ld'].map(text);
    const chunks = fragments(10, parts, { streamId: 3, ppid: 51 });
    for (const index of [3, 0, 4, 2]) {
      expect(receiver.receiveData(chunks[index] as ReceivedChunk)).toBe('new');
      expect(receiver.takeMessage()).toBeUndefined();
    }
    expect(receiver.bufferedBytes).toBe(2 + 2 + 3 + 2);
    expect(receiver.receiveData(chunks[1] as ReceivedChunk)).toBe('new');
    const message = receiver.takeMessage();
    expect(decoded(message)).toBe('Hello, world');
    expect(message).toMatchObject({ streamId: 3, ppid: 51, unordered: false });
    expect(receiver.bufferedBytes).toBe(0);
    expect(receiver.cumulativeTsn).toBe(14);
  });

  it('keeps messages apart when their fragments arrive interleaved', () => {
    const receiver = buffer(1);
    const first = fragments(1, ['a1', 'a2', 'a3'].map(text), { streamId: 1, ssn: 0 });
    const second = fragments(4, ['b1', 'b2'].map(text), { streamId: 1, ssn: 1 });
    for (const c of [second[1], first[2], second[0], first[0], first[1]]) {
      receiver.receiveData(c as ReceivedChunk);
    }
    expect(takeAll(receiver).map(decoded)).toEqual(['a1a2a3', 'b1b2']);
  });

  it('answers invalid for a message over the maximum message size', () => {
    const receiver = buffer(1, 1 << 20, 1000);
    expect(receiver.receiveData(chunk(1, { bytes: 1001 }))).toBe('invalid');

    const fragmented = buffer(1, 1 << 20, 1000);
    const [a, b, c] = fragments(
      1,
      [600, 300, 200].map((n) => new Uint8Array(n)),
    );
    expect(fragmented.receiveData(a as ReceivedChunk)).toBe('new');
    expect(fragmented.receiveData(c as ReceivedChunk)).toBe('new');
    // 1100 bytes once the middle joins the two held fragments.
    expect(fragmented.receiveData(b as ReceivedChunk)).toBe('invalid');
  });

  it('drops a partial message whose next TSN turned out to be another message', () => {
    // A PR-SCTP sender abandoned the rest of the message before sending it (RFC 3758 §3.5):
    // TSN 2 begins a new message, so the fragment at TSN 1 can never be completed.
    const receiver = buffer(1);
    receiver.receiveData(chunk(1, { ssn: 0, ending: false, bytes: 100 }));
    expect(receiver.bufferedBytes).toBe(100);
    receiver.receiveData(chunk(2, { ssn: 1, bytes: 10 }));
    expect(receiver.bufferedBytes).toBe(10);
    // SSN 1 waits for SSN 0 until a FORWARD-TSN says it was abandoned.
    expect(receiver.takeMessage()).toBeUndefined();
    receiver.forwardTsn(1, [{ streamId: 0, ssn: 0 }]);
    expect(takeAll(receiver).map((m) => m.data.length)).toEqual([10]);
  });

  it('never joins consecutive fragments of different streams, SSNs or U flags', () => {
    const mismatches: [ChunkOptions, ChunkOptions][] = [
      [{ ssn: 0 }, { ssn: 1 }],
      [{ streamId: 1 }, { streamId: 2 }],
      [{ unordered: true }, { unordered: false }],
    ];
    for (const [first, second] of mismatches) {
      const receiver = buffer(1);
      receiver.receiveData(chunk(1, { ...first, ending: false }));
      expect(receiver.bufferedBytes).toBe(4);
      receiver.receiveData(chunk(2, { ...second, beginning: false }));
      // Neither can be completed by anything that arrives later: both are dropped.
      expect(receiver.takeMessage()).toBeUndefined();
      expect(receiver.bufferedBytes).toBe(0);
    }
  });

  it('answers invalid when a stream sequence number is used twice', () => {
    const receiver = buffer(1);
    receiver.receiveData(chunk(2, { ssn: 1 }));
    expect(receiver.receiveData(chunk(3, { ssn: 1 }))).toBe('invalid');
  });
});

describe('ReceiveBuffer: receiver window', () => {
  it('advertises the window less the bytes held and opens it as messages are taken', () => {
    const receiver = buffer(1, 1000);
    expect(receiver.advertisedWindow).toBe(1000);
    receiver.receiveData(chunk(1, { bytes: 300 }));
    expect(receiver.advertisedWindow).toBe(700);
    // A fragment held for reassembly counts too.
    receiver.receiveData(chunk(2, { ssn: 1, ending: false, bytes: 200 }));
    expect(receiver.advertisedWindow).toBe(500);
    expect(receiver.bufferedBytes).toBe(500);
    // No room for 600 bytes: dropped and not acknowledged.
    expect(receiver.receiveData(chunk(3, { ssn: 1, beginning: false, bytes: 600 }))).toBe(
      'dropped',
    );
    expect(receiver.cumulativeTsn).toBe(2);
    expect(gaps(receiver)).toEqual([]);
    expect(receiver.takeMessage()?.data.length).toBe(300);
    expect(receiver.advertisedWindow).toBe(800);
    // The retransmission fits now and completes the message.
    expect(receiver.receiveData(chunk(3, { ssn: 1, beginning: false, bytes: 600 }))).toBe('new');
    expect(receiver.advertisedWindow).toBe(200);
    expect(receiver.takeMessage()?.data.length).toBe(800);
    expect(receiver.advertisedWindow).toBe(1000);
  });

  it('fills the window exactly and never goes negative', () => {
    const receiver = buffer(1, 1000);
    expect(receiver.receiveData(chunk(1, { bytes: 1000 }))).toBe('new');
    expect(receiver.advertisedWindow).toBe(0);
    expect(receiver.receiveData(chunk(2, { ssn: 1, bytes: 1 }))).toBe('dropped');
    expect(receiver.advertisedWindow).toBe(0);
  });

  it(`drops TSNs more than ${MAX_TSN_AHEAD} ahead of the cumulative point`, () => {
    const receiver = buffer(1);
    expect(receiver.receiveData(chunk(1 + MAX_TSN_AHEAD, { unordered: true }))).toBe('dropped');
    expect(receiver.receiveData(chunk(MAX_TSN_AHEAD, { unordered: true }))).toBe('new');
    expect(gaps(receiver)).toEqual([[MAX_TSN_AHEAD, MAX_TSN_AHEAD]]);
    expect(receiver.receiveData(chunk(1))).toBe('new');
    expect(receiver.receiveData(chunk(1 + MAX_TSN_AHEAD, { unordered: true }))).toBe('new');
  });

  it('rejects options that are not positive integers', () => {
    expect(() => buffer(-1)).toThrow(RangeError);
    expect(() => buffer(2 ** 32)).toThrow(RangeError);
    expect(() => buffer(1, 0)).toThrow(RangeError);
    expect(() => buffer(1, 1000, 1.5)).toThrow(RangeError);
  });
});
