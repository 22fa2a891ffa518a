import { describe, expect, it } from 'vitest';
import { BufferedAmount } from '../src/datachannel/buffered-amount.js';
import { IncomingUserMessages, Ppid, userPayload } from '../src/datachannel/ppid.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

describe('PPIDs (RFC 8831 §8)', () => {
  it('has the registered values', () => {
    expect(Ppid).toEqual({
      dcep: 50,
      string: 51,
      stringPartial: 52,
      binary: 53,
      binaryPartial: 54,
      stringEmpty: 56,
      binaryEmpty: 57,
    });
  });

  it('sends strings as 51 and binary as 53', () => {
    expect(userPayload({ binary: false, data: bytes('hi') })).toEqual({
      ppid: 51,
      data: bytes('hi'),
    });
    expect(userPayload({ binary: true, data: Uint8Array.of(1) })).toEqual({
      ppid: 53,
      data: Uint8Array.of(1),
    });
  });

  it('sends empty messages as one byte with PPID 56 or 57 (§6.6)', () => {
    expect(userPayload({ binary: false, data: new Uint8Array(0) })).toEqual({
      ppid: 56,
      data: Uint8Array.of(0),
    });
    expect(userPayload({ binary: true, data: new Uint8Array(0) })).toEqual({
      ppid: 57,
      data: Uint8Array.of(0),
    });
  });
});

describe('IncomingUserMessages', () => {
  it('delivers complete and empty messages as they come', () => {
    const incoming = new IncomingUserMessages();
    expect(incoming.receive(51, bytes('a'), 100)).toEqual({ binary: false, data: bytes('a') });
    expect(incoming.receive(53, Uint8Array.of(9), 100)).toEqual({
      binary: true,
      data: Uint8Array.of(9),
    });
    expect(incoming.receive(56, Uint8Array.of(0xff), 100)).toEqual({
      binary: false,
      data: new Uint8Array(0),
    });
    expect(incoming.receive(57, Uint8Array.of(0), 100)).toEqual({
      binary: true,
      data: new Uint8Array(0),
    });
  });

  it('ignores PPIDs that are not user messages', () => {
    const incoming = new IncomingUserMessages();
    for (const ppid of [0, 50, 55, 58, 0xffff_ffff]) {
      expect(incoming.receive(ppid, Uint8Array.of(1), 100)).toBeUndefined();
    }
  });

  it('joins deprecated partial fragments with the completing message of their kind', () => {
    const incoming = new IncomingUserMessages();
    const fragment = bytes('hel');
    expect(incoming.receive(Ppid.stringPartial, fragment, 100)).toBeUndefined();
    fragment.fill(0); // the association may reuse the buffer: fragments are copied
    expect(incoming.receive(Ppid.stringPartial, bytes('lo '), 100)).toBeUndefined();
    const message = incoming.receive(Ppid.string, bytes('world'), 100);
    expect(message?.binary).toBe(false);
    expect(text(message?.data ?? new Uint8Array())).toBe('hello world');

    expect(incoming.receive(Ppid.binaryPartial, Uint8Array.of(1, 2), 100)).toBeUndefined();
    expect(incoming.receive(Ppid.binary, Uint8Array.of(3), 100)).toEqual({
      binary: true,
      data: Uint8Array.of(1, 2, 3),
    });
    // And the next message stands alone again.
    expect(incoming.receive(Ppid.binary, Uint8Array.of(4), 100)?.data).toEqual(Uint8Array.of(4));
  });

  it('abandons fragments of the other kind', () => {
    const incoming = new IncomingUserMessages();
    incoming.receive(Ppid.stringPartial, bytes('abc'), 100);
    expect(incoming.receive(Ppid.binary, Uint8Array.of(7), 100)).toEqual({
      binary: true,
      data: Uint8Array.of(7),
    });
    incoming.receive(Ppid.binaryPartial, Uint8Array.of(1), 100);
    incoming.receive(Ppid.stringPartial, bytes('x'), 100);
    expect(text(incoming.receive(Ppid.string, bytes('y'), 100)?.data ?? Uint8Array.of())).toBe(
      'xy',
    );
    incoming.receive(Ppid.stringPartial, bytes('x'), 100);
    expect(incoming.receive(Ppid.binaryEmpty, Uint8Array.of(0), 100)?.data.length).toBe(0);
    expect(text(incoming.receive(Ppid.string, bytes('z'), 100)?.data ?? Uint8Array.of())).toBe('z');
  });

  it('drops a fragmented message that outgrows maxMessageSize, and only that one', () => {
    const incoming = new IncomingUserMessages();
    expect(incoming.receive(Ppid.binaryPartial, new Uint8Array(6), 10)).toBeUndefined();
    expect(incoming.receive(Ppid.binaryPartial, new Uint8Array(6), 10)).toBeUndefined();
    expect(incoming.receive(Ppid.binaryPartial, new Uint8Array(1), 10)).toBeUndefined();
    expect(incoming.receive(Ppid.binary, new Uint8Array(1), 10)).toBeUndefined();
    expect(incoming.receive(Ppid.binaryPartial, new Uint8Array(9), 10)).toBeUndefined();
    expect(incoming.receive(Ppid.binary, new Uint8Array(1), 10)?.data.length).toBe(10);
  });
});

describe('BufferedAmount', () => {
  it('counts application bytes, not DCEP or empty-message bytes, through partial drains', () => {
    const amount = new BufferedAmount();
    amount.handOver(16, 0); // a DATA_CHANNEL_OPEN
    amount.add(100);
    amount.handOver(100, 100);
    amount.add(0);
    amount.handOver(1, 0); // an empty message
    amount.add(50);
    amount.handOver(50, 50);
    expect(amount.value).toBe(150);
    amount.update(167 - 10); // part of the OPEN left
    expect(amount.value).toBe(150);
    amount.update(167 - 26); // the rest of the OPEN and 10 bytes of data
    expect(amount.value).toBe(140);
    amount.update(51); // the first message and nothing more
    expect(amount.value).toBe(50);
    amount.update(50); // the empty message's byte
    expect(amount.value).toBe(50);
    amount.update(0);
    expect(amount.value).toBe(0);
  });

  it('ignores reports that count bytes it never handed over', () => {
    const amount = new BufferedAmount();
    amount.add(10);
    amount.handOver(10, 10);
    amount.update(500); // an earlier channel's data still queued on the stream id
    expect(amount.value).toBe(10);
    amount.update(4);
    expect(amount.value).toBe(4);
    amount.update(9); // never grows back from a report
    expect(amount.value).toBe(4);
  });

  it('counts bytes added but held back (a Blob being read)', () => {
    const amount = new BufferedAmount();
    amount.add(30);
    amount.update(0);
    expect(amount.value).toBe(30);
    amount.handOver(30, 30);
    amount.update(0);
    expect(amount.value).toBe(0);
  });

  it('stays exact over many overhead entries (consumed ones are dropped)', () => {
    const amount = new BufferedAmount();
    let queued = 0;
    for (let i = 0; i < 1000; i++) {
      amount.add(0);
      amount.handOver(1, 0);
      amount.add(10);
      amount.handOver(10, 10);
      queued += 11;
      queued -= 8; // the network takes 8 bytes per round
      amount.update(queued);
    }
    // 3000 bytes queued: the last 272 rounds' tails, 10 of every 11 bytes application data.
    expect(queued).toBe(3000);
    const whole = Math.floor(3000 / 11);
    const partial = 3000 - whole * 11; // the tail of a data message
    expect(amount.value).toBe(whole * 10 + partial);
  });
});
