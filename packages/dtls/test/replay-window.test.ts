import { SeededRandom } from '@typertc/common/testing';
import { describe, expect, it } from 'vitest';
import { MAX_SEQUENCE_NUMBER, REPLAY_WINDOW_SIZE, ReplayWindow } from '../src/record/index.js';

/** Offers `seq` as a record would: dropped if a replay, else authenticated and accepted. */
function receive(window: ReplayWindow, seq: number): boolean {
  if (window.isReplay(seq)) return false;
  window.accept(seq);
  return true;
}

/**
 * RFC 6347 §4.1.2.6 stated directly: every number accepted is remembered, and a number is a
 * replay when it was accepted or lies 64 or more below the highest accepted.
 */
class ReferenceWindow {
  readonly #seen = new Set<number>();
  #highest = -1;

  isReplay(seq: number): boolean {
    return this.#seen.has(seq) || seq <= this.#highest - REPLAY_WINDOW_SIZE;
  }

  accept(seq: number): void {
    this.#seen.add(seq);
    this.#highest = Math.max(this.#highest, seq);
  }
}

describe('ReplayWindow (RFC 6347 §4.1.2.6)', () => {
  it('has the 64-record window the RFC requires at least', () => {
    expect(REPLAY_WINDOW_SIZE).toBe(64);
  });

  it('accepts in-order records once each', () => {
    const window = new ReplayWindow();
    for (let seq = 0; seq < 200; seq++) {
      expect(window.isReplay(seq)).toBe(false);
      window.accept(seq);
      expect(window.isReplay(seq)).toBe(true);
    }
    for (let seq = 0; seq < 200; seq++) expect(window.isReplay(seq)).toBe(true);
    expect(window.isReplay(200)).toBe(false);
  });

  it('accepts records out of order within the window, and each only once', () => {
    const window = new ReplayWindow();
    expect(receive(window, 100)).toBe(true);
    for (const seq of [99, 37, 70, 50, 98, 101, 40, 38]) {
      expect(receive(window, seq), `first ${seq}`).toBe(true);
      expect(receive(window, seq), `again ${seq}`).toBe(false);
    }
    // Never-received numbers inside the window are still open.
    for (const seq of [39, 41, 69, 71, 97]) expect(window.isReplay(seq), `${seq}`).toBe(false);
  });

  it('isReplay changes nothing: only accept() (after authentication) moves the window', () => {
    const window = new ReplayWindow();
    window.accept(10);
    // A forged record far ahead is checked but never accepted: the window stays put.
    expect(window.isReplay(1_000_000)).toBe(false);
    expect(window.isReplay(5)).toBe(false);
    expect(receive(window, 5)).toBe(true);
    expect(window.isReplay(1_000_000)).toBe(false);
  });

  it('treats the window edge exactly: highest - 63 is inside, highest - 64 is too old', () => {
    const window = new ReplayWindow();
    window.accept(1000);
    expect(window.isReplay(1000 - 63)).toBe(false);
    expect(window.isReplay(1000 - 64)).toBe(true);
    expect(receive(window, 1000 - 63)).toBe(true);
    expect(window.isReplay(1000 - 63)).toBe(true);
    // One step forward pushes 937 out; 938 and 1000 stay remembered or open as they were.
    window.accept(1001);
    expect(window.isReplay(1001 - 64)).toBe(true);
    expect(window.isReplay(1001 - 63)).toBe(false);
    expect(window.isReplay(1000)).toBe(true);
    // Bits crossing from the low to the high word: 31, 32 and 33 below the top.
    const crossing = new ReplayWindow();
    crossing.accept(100);
    for (const behind of [31, 32, 33]) crossing.accept(100 - behind);
    crossing.accept(101);
    for (const behind of [31, 32, 33]) expect(crossing.isReplay(100 - behind)).toBe(true);
    for (const behind of [30, 34]) expect(crossing.isReplay(100 - behind)).toBe(false);
  });

  it('a number left of the window is refused even if never seen, and accept() ignores it', () => {
    const window = new ReplayWindow();
    window.accept(500);
    expect(window.isReplay(0)).toBe(true);
    expect(window.isReplay(436)).toBe(true);
    window.accept(436);
    expect(window.isReplay(437)).toBe(false);
    expect(window.isReplay(500)).toBe(true);
  });

  it('far jumps forget the old window entirely', () => {
    for (const jump of [32, 63, 64, 65, 1000, 2 ** 40]) {
      const window = new ReplayWindow();
      for (let seq = 0; seq < 64; seq++) window.accept(seq);
      const top = 63 + jump;
      window.accept(top);
      // Every number within the new window except the top was never received.
      for (let behind = 1; behind < 64; behind++) {
        const seq = top - behind;
        const wasReceived = seq <= 63;
        expect(window.isReplay(seq), `jump ${jump}, ${seq}`).toBe(wasReceived);
      }
      expect(window.isReplay(top - 64)).toBe(true);
    }
  });

  it('works up to the last sequence number, 2^48 - 1', () => {
    const window = new ReplayWindow();
    const last = MAX_SEQUENCE_NUMBER;
    expect(receive(window, last - 100)).toBe(true);
    expect(receive(window, last - 1)).toBe(true);
    expect(receive(window, last)).toBe(true);
    expect(receive(window, last)).toBe(false);
    expect(receive(window, last - 1)).toBe(false);
    expect(receive(window, last - 63)).toBe(true);
    expect(window.isReplay(last - 64)).toBe(true);
    expect(receive(window, last - 2)).toBe(true);
    expect(window.isReplay(last - 3)).toBe(false);
    // Distinct numbers near 2^48 must not alias (no 32-bit truncation anywhere).
    const aliased = new ReplayWindow();
    aliased.accept(2 ** 47 + 5);
    expect(aliased.isReplay(5)).toBe(true);
    expect(aliased.isReplay(2 ** 47 + 4)).toBe(false);
    expect(aliased.isReplay(2 ** 47 + 5 + 2 ** 32)).toBe(false);
  });

  it('matches the RFC rule on seeded random traffic (reordering, duplicates, jumps)', () => {
    const random = new SeededRandom(0x6347);
    for (let run = 0; run < 10; run++) {
      const window = new ReplayWindow();
      const reference = new ReferenceWindow();
      let next = random.int(0, 2 ** 47);
      for (let i = 0; i < 2000; i++) {
        let seq: number;
        const roll = random.next();
        if (roll < 0.6) seq = next++;
        else if (roll < 0.9) seq = Math.max(0, next - random.int(1, 100));
        else if (roll < 0.98) seq = next + random.int(1, 80);
        else seq = next + random.int(1, 100_000);
        seq = Math.min(seq, MAX_SEQUENCE_NUMBER);
        const expected = reference.isReplay(seq);
        expect(window.isReplay(seq), `run ${run} step ${i} seq ${seq}`).toBe(expected);
        // Some records fail authentication and are never accepted.
        if (!expected && random.chance(0.9)) {
          window.accept(seq);
          reference.accept(seq);
        }
        next = Math.max(next, seq + 1);
      }
    }
  });
});
