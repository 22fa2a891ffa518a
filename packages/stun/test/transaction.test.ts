import { ManualClock } from '@typertc/common';
import { describe, expect, it } from 'vitest';
import { StunError, StunTimeoutError } from '../src/errors.js';
import { StunTransaction, type StunTransactionOptions } from '../src/transaction.js';

const id = Uint8Array.from({ length: 12 }, (_, i) => i + 1);
const otherId = Uint8Array.from({ length: 12 }, (_, i) => i + 2);
const request = Uint8Array.of(0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42, ...id);

interface Trace {
  /** The times at which the request went out. */
  readonly sentAt: number[];
  /** When the transaction stopped waiting, if it did. */
  readonly endedAt: number | undefined;
}

/**
 * Drives a transaction the way an adapter would: a timer on a `ManualClock` at every
 * `pollTimeout()`, every `pollTransmit()` drained after each call.
 */
function drive(transaction: StunTransaction, clock: ManualClock): Trace {
  const sentAt: number[] = [];
  let endedAt: number | undefined;
  const flush = (): void => {
    for (let bytes = transaction.pollTransmit(); bytes; bytes = transaction.pollTransmit()) {
      expect(bytes).toBe(request);
      sentAt.push(clock.now());
    }
    const deadline = transaction.pollTimeout();
    if (deadline === undefined) endedAt ??= clock.now();
    else
      clock.setTimer(deadline, () => {
        transaction.handleTimeout(clock.now());
        flush();
      });
  };
  transaction.start(clock.now());
  flush();
  clock.runUntilIdle();
  return { sentAt, endedAt };
}

function udp(options: Partial<StunTransactionOptions> = {}): StunTransaction {
  return new StunTransaction(id, request, { reliable: false, ...options });
}

describe('StunTransaction over UDP (RFC 8489 §6.2.1)', () => {
  it('with RTO 500 sends at 0, 500, 1500, 3500, 7500, 15500, 31500 and times out at 39500', () => {
    const transaction = udp();
    const trace = drive(transaction, new ManualClock());
    expect(trace.sentAt).toEqual([0, 500, 1500, 3500, 7500, 15500, 31500]);
    expect(trace.endedAt).toBe(39_500);
    expect(transaction.state).toBe('timed-out');
    expect(transaction.transmissions).toBe(7);
    expect(transaction.error).toBeInstanceOf(StunTimeoutError);
    expect(transaction.error?.transmissions).toBe(7);
    expect(transaction.error?.elapsedMs).toBe(39_500);
    expect(transaction.error?.code).toBe('STUN_TIMEOUT');
    expect(transaction.rtt).toBeUndefined();
  });

  it('follows a custom RTO, Rc and Rm, from any start time', () => {
    const transaction = udp({ rto: 100, maxTransmissions: 3, lastWaitFactor: 4 });
    const trace = drive(transaction, new ManualClock(10_000));
    expect(trace.sentAt).toEqual([10_000, 10_100, 10_300]);
    expect(trace.endedAt).toBe(10_700);
    expect(transaction.error?.elapsedMs).toBe(700);
  });

  it('with Rc 1 sends once and waits Rm * RTO', () => {
    const transaction = udp({ rto: 250, maxTransmissions: 1 });
    const trace = drive(transaction, new ManualClock());
    expect(trace.sentAt).toEqual([0]);
    expect(trace.endedAt).toBe(4000);
  });

  it('does nothing when the timeout comes early', () => {
    const transaction = udp();
    transaction.start(0);
    expect(transaction.pollTransmit()).toBe(request);
    expect(transaction.pollTransmit()).toBeUndefined();
    transaction.handleTimeout(499);
    expect(transaction.pollTransmit()).toBeUndefined();
    expect(transaction.transmissions).toBe(1);
    expect(transaction.pollTimeout()).toBe(500);
    transaction.handleTimeout(500);
    expect(transaction.pollTransmit()).toBe(request);
    expect(transaction.pollTimeout()).toBe(1500);
  });

  it('sends once on a late tick and counts the next interval from that transmission', () => {
    const transaction = udp();
    transaction.start(0);
    transaction.pollTransmit();
    // 1.1 s late for the retransmission due at 500, past the one that was due at 1500 too.
    transaction.handleTimeout(1600);
    expect(transaction.pollTransmit()).toBe(request);
    expect(transaction.pollTransmit()).toBeUndefined();
    expect(transaction.transmissions).toBe(2);
    // No burst to catch up: the next interval is 2 * RTO after the transmission just made.
    expect(transaction.pollTimeout()).toBe(2600);
    transaction.handleTimeout(1600);
    expect(transaction.pollTransmit()).toBeUndefined();
    transaction.handleTimeout(2600);
    expect(transaction.pollTransmit()).toBe(request);
    expect(transaction.pollTimeout()).toBe(4600);
  });

  it('gives the last transmission its full Rm * RTO even when it went out late', () => {
    const transaction = udp({ maxTransmissions: 2 });
    transaction.start(0);
    transaction.handleTimeout(5000);
    expect(transaction.transmissions).toBe(2);
    expect(transaction.pollTimeout()).toBe(13_000);
    transaction.handleTimeout(12_999);
    expect(transaction.state).toBe('waiting');
    transaction.handleTimeout(20_000);
    expect(transaction.state).toBe('timed-out');
    expect(transaction.error?.elapsedMs).toBe(20_000);
  });

  it('hands out one transmission when two fall due before the caller polls', () => {
    const transaction = udp();
    transaction.start(0);
    transaction.handleTimeout(500);
    expect(transaction.transmissions).toBe(2);
    expect(transaction.pollTransmit()).toBe(request);
    expect(transaction.pollTransmit()).toBeUndefined();
  });

  it('stops retransmitting once the response matches, and records the RTT', () => {
    const transaction = udp();
    transaction.start(1000);
    transaction.pollTransmit();
    expect(transaction.handleResponse(otherId, 1040)).toBe(false);
    expect(transaction.state).toBe('waiting');
    expect(transaction.handleResponse(id, 1042)).toBe(true);
    expect(transaction.state).toBe('done');
    expect(transaction.rtt).toBe(42);
    expect(transaction.pollTimeout()).toBeUndefined();
    transaction.handleTimeout(100_000);
    expect(transaction.pollTransmit()).toBeUndefined();
    expect(transaction.transmissions).toBe(1);
    expect(transaction.error).toBeUndefined();
    // A duplicate response is not a second match.
    expect(transaction.handleResponse(id, 1050)).toBe(false);
    expect(transaction.rtt).toBe(42);
  });

  it('takes no RTT sample after a retransmission (Karn)', () => {
    const transaction = udp();
    transaction.start(0);
    transaction.handleTimeout(500);
    expect(transaction.handleResponse(id, 510)).toBe(true);
    expect(transaction.state).toBe('done');
    expect(transaction.rtt).toBeUndefined();
  });

  it('drops a transmission not yet polled when the response arrives', () => {
    const transaction = udp();
    transaction.start(0);
    transaction.pollTransmit();
    transaction.handleTimeout(500);
    expect(transaction.handleResponse(id, 501)).toBe(true);
    expect(transaction.pollTransmit()).toBeUndefined();
  });

  it('matches an id held in a larger buffer, and compares all 12 bytes', () => {
    const transaction = udp();
    transaction.start(0);
    const nearly = id.slice();
    nearly[11] = 0xff;
    expect(transaction.handleResponse(nearly, 10)).toBe(false);
    expect(transaction.handleResponse(id.subarray(0, 11), 10)).toBe(false);
    const message = new Uint8Array(20);
    message.set(id, 8);
    expect(transaction.handleResponse(message.subarray(8, 20), 10)).toBe(true);
  });

  it('keeps its own copy of the transaction id', () => {
    const mine = id.slice();
    const transaction = new StunTransaction(mine, request, { reliable: false });
    mine[0] = 0xaa;
    transaction.start(0);
    expect(transaction.handleResponse(id, 1)).toBe(true);
  });

  it('is not reopened by a response after it timed out', () => {
    const transaction = udp({ maxTransmissions: 1, lastWaitFactor: 1 });
    transaction.start(0);
    transaction.handleTimeout(500);
    expect(transaction.state).toBe('timed-out');
    expect(transaction.handleResponse(id, 501)).toBe(false);
    expect(transaction.state).toBe('timed-out');
    expect(transaction.rtt).toBeUndefined();
  });

  it('cancels: no more transmissions or deadlines, and no match afterwards', () => {
    const transaction = udp();
    transaction.start(0);
    transaction.cancel();
    expect(transaction.state).toBe('cancelled');
    expect(transaction.pollTransmit()).toBeUndefined();
    expect(transaction.pollTimeout()).toBeUndefined();
    transaction.handleTimeout(40_000);
    expect(transaction.state).toBe('cancelled');
    expect(transaction.error).toBeUndefined();
    expect(transaction.handleResponse(id, 40_001)).toBe(false);
    expect(transaction.state).toBe('cancelled');
  });

  it('leaves a finished transaction as it is on cancel', () => {
    const transaction = udp();
    transaction.start(0);
    transaction.handleResponse(id, 5);
    transaction.cancel();
    expect(transaction.state).toBe('done');
  });

  it('does nothing before start, and starts only once', () => {
    const transaction = udp();
    expect(transaction.state).toBe('new');
    expect(transaction.pollTimeout()).toBeUndefined();
    expect(transaction.pollTransmit()).toBeUndefined();
    transaction.handleTimeout(1_000_000);
    expect(transaction.handleResponse(id, 0)).toBe(false);
    expect(transaction.transmissions).toBe(0);
    transaction.start(0);
    expect(() => transaction.start(1)).toThrow(StunError);
    const cancelled = udp();
    cancelled.cancel();
    expect(() => cancelled.start(0)).toThrow(/cancelled/);
  });

  it('rejects a wrong-sized id and options out of range', () => {
    expect(() => new StunTransaction(new Uint8Array(16), request, { reliable: false })).toThrow(
      StunError,
    );
    for (const options of [
      { rto: 0 },
      { rto: Number.NaN },
      { maxTransmissions: 0 },
      { maxTransmissions: 2.5 },
      { lastWaitFactor: -1 },
      { reliableTimeout: Number.POSITIVE_INFINITY },
    ]) {
      expect(() => udp(options)).toThrow(StunError);
    }
  });
});

describe('StunTransaction over TCP/TLS (RFC 8489 §6.2.2)', () => {
  it('sends once and times out after Ti (default 39.5 s)', () => {
    const transaction = new StunTransaction(id, request, { reliable: true });
    const trace = drive(transaction, new ManualClock());
    expect(trace.sentAt).toEqual([0]);
    expect(trace.endedAt).toBe(39_500);
    expect(transaction.error?.transmissions).toBe(1);
  });

  it('ignores the UDP retransmission options and follows a custom Ti', () => {
    const transaction = new StunTransaction(id, request, {
      reliable: true,
      rto: 10,
      maxTransmissions: 9,
      reliableTimeout: 5000,
    });
    const trace = drive(transaction, new ManualClock(100));
    expect(trace.sentAt).toEqual([100]);
    expect(trace.endedAt).toBe(5100);
  });

  it('always has an RTT sample on success', () => {
    const transaction = new StunTransaction(id, request, { reliable: true });
    transaction.start(0);
    transaction.handleTimeout(30_000);
    expect(transaction.handleResponse(id, 30_000)).toBe(true);
    expect(transaction.rtt).toBe(30_000);
  });
});
