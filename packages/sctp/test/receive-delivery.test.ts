import { describe, expect, it } from 'vitest';
import type { ReceivedChunk } from '../src/association/receive/index.js';
import {
  buffer,
  chunk,
  decoded,
  fragments,
  gaps,
  takeAll,
  text,
  unordered,
} from './receive-helpers.js';

describe('ReceiveBuffer: delivery order (RFC 9260 §6.5, §6.6)', () => {
  it('delivers unordered messages at once and ordered ones by SSN on the same stream', () => {
    const receiver = buffer(1);
    // TSN 1 (SSN 0) is lost for now.
    receiver.receiveData(chunk(2, { ssn: 1, bytes: text('ordered 1') }));
    receiver.receiveData(chunk(3, { ssn: 0, unordered: true, bytes: text('unordered') }));
    receiver.receiveData(chunk(4, { ssn: 2, bytes: text('ordered 2') }));
    expect(takeAll(receiver).map(decoded)).toEqual(['unordered']);
    receiver.receiveData(chunk(1, { ssn: 0, bytes: text('ordered 0') }));
    expect(takeAll(receiver).map(decoded)).toEqual(['ordered 0', 'ordered 1', 'ordered 2']);
  });

  it('does not let a stream waiting for a lost message block another stream', () => {
    const receiver = buffer(1);
    receiver.receiveData(chunk(2, { streamId: 1, ssn: 1 }));
    receiver.receiveData(chunk(3, { streamId: 2, ssn: 0 }));
    receiver.receiveData(chunk(4, { streamId: 2, ssn: 1 }));
    receiver.receiveData(chunk(5, { streamId: 1, ssn: 2 }));
    expect(takeAll(receiver).map((m) => [m.streamId, m.data[0]])).toEqual([
      [2, 3],
      [2, 4],
    ]);
    receiver.receiveData(chunk(1, { streamId: 1, ssn: 0 }));
    expect(takeAll(receiver).map((m) => [m.streamId, m.data[0]])).toEqual([
      [1, 1],
      [1, 2],
      [1, 5],
    ]);
  });

  it('follows the SSN through 65535 to 0', () => {
    const receiver = buffer(7);
    const count = 0x1_0000 + 5;
    const results = new Set<string>();
    const order: number[] = [];
    for (let i = 0; i < count; i++) {
      // The message with SSN 65535 arrives after the next one, SSN 0, which must wait for it.
      const index = i === 0xffff ? 0x1_0000 : i === 0x1_0000 ? 0xffff : i;
      const bytes = new Uint8Array(4);
      new DataView(bytes.buffer).setUint32(0, index);
      results.add(receiver.receiveData(chunk(7 + index, { ssn: index & 0xffff, bytes })));
      if (i === 0xffff) expect(receiver.takeMessage()).toBeUndefined();
      for (const m of takeAll(receiver)) order.push(new DataView(m.data.buffer).getUint32(0));
    }
    expect([...results]).toEqual(['new']);
    expect(order).toEqual(Array.from({ length: count }, (_, i) => i));
  });

  it('returns the SSN of reset streams to 0 and drops nothing (RFC 6525 §5.2.2)', () => {
    const receiver = buffer(1);
    receiver.receiveData(chunk(1, { streamId: 4, ssn: 0 }));
    receiver.receiveData(chunk(2, { streamId: 4, ssn: 1 }));
    receiver.receiveData(chunk(3, { streamId: 5, ssn: 0 }));
    // The stream's new first message arrives before the reset is performed: it waits.
    receiver.receiveData(chunk(4, { streamId: 4, ssn: 0, bytes: text('after reset') }));
    expect(takeAll(receiver)).toHaveLength(3);
    expect(receiver.bufferedBytes).toBe(11);
    receiver.resetStreams([4]);
    expect(takeAll(receiver).map(decoded)).toEqual(['after reset']);
    receiver.receiveData(chunk(5, { streamId: 5, ssn: 1 }));
    expect(takeAll(receiver).map((m) => m.streamId)).toEqual([5]);
  });
});

describe('ReceiveBuffer: FORWARD-TSN (RFC 3758 §3.6)', () => {
  it('skips a partially received message and releases the ordered messages behind it', () => {
    const receiver = buffer(1);
    const abandoned = fragments(
      1,
      [100, 100, 100].map((n) => new Uint8Array(n)),
      {
        streamId: 1,
        ssn: 0,
      },
    );
    receiver.receiveData(abandoned[0] as ReceivedChunk);
    receiver.receiveData(abandoned[2] as ReceivedChunk); // TSN 2 lost, then abandoned
    receiver.receiveData(chunk(4, { streamId: 1, ssn: 1, bytes: text('next') }));
    receiver.receiveData(chunk(5, { streamId: 1, ssn: 2, bytes: text('after') }));
    expect(receiver.takeMessage()).toBeUndefined();
    expect(receiver.bufferedBytes).toBe(200 + 4 + 5);
    expect(gaps(receiver)).toEqual([[2, 4]]);

    receiver.forwardTsn(3, [{ streamId: 1, ssn: 0 }]);
    // On over TSNs 4 and 5, already received.
    expect(receiver.cumulativeTsn).toBe(5);
    expect(gaps(receiver)).toEqual([]);
    expect(takeAll(receiver).map(decoded)).toEqual(['next', 'after']);
    expect(receiver.bufferedBytes).toBe(0);
    // The abandoned fragment, arriving late, is a duplicate now.
    expect(receiver.receiveData(abandoned[1] as ReceivedChunk)).toBe('duplicate');
    receiver.receiveData(chunk(6, { streamId: 1, ssn: 3 }));
    expect(takeAll(receiver)).toHaveLength(1);
  });

  it('delivers complete messages up to the skipped SSN in order, then later ones', () => {
    const receiver = buffer(1);
    // SSNs 0 and 2 lost and abandoned; 1 and 3 arrived and wait.
    receiver.receiveData(chunk(2, { streamId: 1, ssn: 1 }));
    receiver.receiveData(chunk(4, { streamId: 1, ssn: 3 }));
    receiver.forwardTsn(3, [{ streamId: 1, ssn: 2 }]);
    expect(takeAll(receiver).map((m) => m.data[0])).toEqual([2, 4]);
  });

  it('drops fragments above the new point whose message lost its beginning', () => {
    const receiver = buffer(1);
    // An unordered message on TSNs 1-4: 3 and 4 arrived, 1 and 2 were abandoned.
    const parts = [10, 10, 10, 10].map((n) => new Uint8Array(n));
    const abandoned = fragments(1, parts, { unordered: true });
    receiver.receiveData(abandoned[3] as ReceivedChunk);
    receiver.receiveData(abandoned[2] as ReceivedChunk);
    expect(receiver.bufferedBytes).toBe(20);
    // A FORWARD-TSN to 2 (unordered messages list no stream): 3 and 4 can never complete.
    receiver.forwardTsn(2, []);
    expect(receiver.cumulativeTsn).toBe(4);
    expect(receiver.bufferedBytes).toBe(0);
    expect(receiver.advertisedWindow).toBe(1 << 20);
    expect(receiver.takeMessage()).toBeUndefined();
  });

  it('keeps a partial message missing nothing at or below the new point', () => {
    const receiver = buffer(10);
    const [b, m, e] = fragments(10, ['x', 'y', 'z'].map(text), { streamId: 2 });
    receiver.receiveData(b as ReceivedChunk);
    receiver.receiveData(m as ReceivedChunk);
    // TSN 9 and below skipped again, and 10-11 acknowledged: TSN 12 may still come.
    receiver.forwardTsn(11, []);
    expect(receiver.bufferedBytes).toBe(2);
    receiver.receiveData(e as ReceivedChunk);
    expect(decoded(receiver.takeMessage())).toBe('xyz');
  });

  it('discards a fragment arriving after its message was skipped', () => {
    const receiver = buffer(1);
    receiver.forwardTsn(2, []);
    // TSN 3 continues the message of TSNs 1-2: it can never be completed.
    expect(receiver.receiveData(chunk(3, { beginning: false, ending: false }))).toBe('new');
    expect(receiver.cumulativeTsn).toBe(3);
    expect(receiver.bufferedBytes).toBe(0);
  });

  it('ignores an old FORWARD-TSN for the cumulative point but still applies its streams', () => {
    const receiver = buffer(1);
    receiver.receiveData(chunk(1, { ssn: 0 }));
    receiver.receiveData(chunk(2, { ssn: 2 }));
    receiver.forwardTsn(0, [{ streamId: 0, ssn: 1 }]);
    expect(receiver.cumulativeTsn).toBe(2);
    expect(takeAll(receiver).map((m) => m.data[0])).toEqual([1, 2]);
    // An SSN the stream is already past changes nothing.
    receiver.forwardTsn(2, [{ streamId: 0, ssn: 0 }]);
    receiver.receiveData(chunk(3, { ssn: 3 }));
    expect(takeAll(receiver)).toHaveLength(1);
  });

  it('jumps far beyond everything held', () => {
    const receiver = buffer(1);
    receiver.receiveData(unordered(5));
    receiver.forwardTsn(200_000, []);
    expect(receiver.cumulativeTsn).toBe(200_000);
    expect(gaps(receiver)).toEqual([]);
    expect(receiver.receiveData(unordered(200_002))).toBe('new');
    expect(gaps(receiver)).toEqual([[2, 2]]);
    expect(receiver.receiveData(unordered(200_001))).toBe('new');
    expect(receiver.cumulativeTsn).toBe(200_002);
  });
});

describe('ReceiveBuffer: TSN wrap-around', () => {
  it('tracks TSNs, gaps and a fragmented message across 2^32', () => {
    const receiver = buffer(0xffff_fff0);
    for (let i = 0; i < 14; i++) receiver.receiveData(chunk(0xffff_fff0 + i, { ssn: i }));
    expect(receiver.cumulativeTsn).toBe(0xffff_fffd);
    // A message on TSNs 0xfffffffe, 0xffffffff, 0, 1; TSN 0xffffffff comes last.
    const parts = ['w', 'r', 'a', 'p'].map(text);
    const wrapped = fragments(0xffff_fffe, parts, { ssn: 14 });
    receiver.receiveData(wrapped[0] as ReceivedChunk);
    receiver.receiveData(wrapped[3] as ReceivedChunk);
    receiver.receiveData(chunk(3, { ssn: 16 }));
    expect(receiver.cumulativeTsn).toBe(0xffff_fffe);
    // TSN 0 missing: offsets 3 (TSN 1) and 5 (TSN 3) as seen from 0xfffffffe.
    receiver.receiveData(wrapped[2] as ReceivedChunk);
    expect(gaps(receiver)).toEqual([
      [2, 3],
      [5, 5],
    ]);
    expect(takeAll(receiver)).toHaveLength(14);
    receiver.receiveData(wrapped[1] as ReceivedChunk);
    expect(receiver.cumulativeTsn).toBe(1);
    expect(gaps(receiver)).toEqual([[2, 2]]);
    receiver.receiveData(chunk(2, { ssn: 15 }));
    expect(receiver.cumulativeTsn).toBe(3);
    const [message, ...rest] = takeAll(receiver);
    expect(decoded(message)).toBe('wrap');
    expect(rest.map((m) => m.data[0])).toEqual([2, 3]);
  });
});
