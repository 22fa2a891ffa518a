import { SeededRandom } from '@typertc/common/testing';
import { describe, expect, it } from 'vitest';
import { MAX_TSN_AHEAD, ReceivedTsnSet } from '../src/association/receive/tsn-set.js';

/**
 * RFC 9260 §3.3.4 stated directly over offsets from the initial TSN (no wrap, no bitmap): the
 * cumulative point is the end of the received-or-skipped run from the start, and a gap ack
 * block is each further run of received offsets, relative to the cumulative point.
 */
class ReferenceSet {
  readonly #received = new Set<number>();
  /** Offset of the cumulative point from the initial TSN: -1 before anything arrived. */
  cumulative = -1;

  add(offset: number): void {
    this.#received.add(offset);
    this.#advance();
  }

  advanceTo(offset: number): void {
    if (offset > this.cumulative) this.cumulative = offset;
    this.#advance();
  }

  has(offset: number): boolean {
    return offset <= this.cumulative || this.#received.has(offset);
  }

  gapBlocks(): [number, number][] {
    const beyond = [...this.#received].filter((o) => o > this.cumulative).sort((a, b) => a - b);
    const blocks: [number, number][] = [];
    for (const offset of beyond) {
      const relative = offset - this.cumulative;
      const last = blocks.at(-1);
      if (last !== undefined && last[1] === relative - 1) last[1] = relative;
      else blocks.push([relative, relative]);
    }
    return blocks;
  }

  #advance(): void {
    while (this.#received.has(this.cumulative + 1)) this.cumulative++;
  }
}

function blocksOf(set: ReceivedTsnSet, max = 10_000): [number, number][] {
  const starts: number[] = [];
  const ends: number[] = [];
  const count = set.gapBlocks(starts, ends, max);
  return starts.slice(0, count).map((start, i) => [start, ends[i] as number]);
}

describe('ReceivedTsnSet (RFC 9260 §6.2, §3.3.4)', () => {
  for (const initialTsn of [0, 1000, 0xffff_ff00, 0xffff_ffff]) {
    it(`agrees with the reference set from initial TSN ${initialTsn.toString(16)}`, () => {
      const random = new SeededRandom(initialTsn ^ 0x5eed);
      const set = new ReceivedTsnSet(initialTsn);
      const reference = new ReferenceSet();
      const tsnAt = (offset: number) => (initialTsn + offset) >>> 0;
      for (let step = 0; step < 3000; step++) {
        const base = reference.cumulative;
        if (random.chance(0.02)) {
          const to = base + random.int(-5, 80);
          set.advanceTo(tsnAt(to));
          reference.advanceTo(to);
        } else {
          // Mostly near the cumulative point, sometimes across word boundaries far ahead.
          const offset = base + (random.chance(0.9) ? random.int(-3, 90) : random.int(1, 2000));
          const expectedHas = reference.has(offset);
          expect(set.has(tsnAt(offset))).toBe(expectedHas);
          if (!expectedHas) {
            set.add(tsnAt(offset));
            reference.add(offset);
          }
        }
        expect(set.cumulative).toBe(tsnAt(reference.cumulative));
        expect(blocksOf(set)).toEqual(reference.gapBlocks());
      }
    });
  }

  it('holds a TSN exactly MAX_TSN_AHEAD ahead, reported with a 16-bit offset', () => {
    const set = new ReceivedTsnSet(5);
    set.add(4 + MAX_TSN_AHEAD);
    set.add(4 + 40);
    expect(set.has(4 + MAX_TSN_AHEAD)).toBe(true);
    expect(set.has(4 + MAX_TSN_AHEAD + 1)).toBe(false);
    expect(blocksOf(set)).toEqual([
      [40, 40],
      [MAX_TSN_AHEAD, MAX_TSN_AHEAD],
    ]);
    expect(blocksOf(set, 1)).toEqual([[40, 40]]);
  });

  it('reports long runs spanning many bitmap words as one block', () => {
    const set = new ReceivedTsnSet(0);
    for (let tsn = 3; tsn <= 700; tsn++) set.add(tsn);
    set.add(900);
    expect(blocksOf(set)).toEqual([
      [4, 701],
      [901, 901],
    ]);
    set.add(1);
    set.add(0);
    expect(set.cumulative).toBe(1);
    set.add(2);
    expect(set.cumulative).toBe(700);
    expect(blocksOf(set)).toEqual([[200, 200]]);
  });

  it('clears the bits it passes, so ring positions reused a lap later start empty', () => {
    const set = new ReceivedTsnSet(0);
    for (let lap = 0; lap < 3; lap++) {
      for (let i = 0; i < 0x1_0000; i += 7) {
        const base = set.cumulative;
        set.add((base + 2) >>> 0);
        set.add((base + 1) >>> 0);
        expect(blocksOf(set)).toEqual([]);
      }
    }
    set.advanceTo((set.cumulative + 0x1_0000 + 3) >>> 0);
    expect(blocksOf(set)).toEqual([]);
    expect(set.has((set.cumulative + 1) >>> 0)).toBe(false);
  });
});
