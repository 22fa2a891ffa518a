import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../src/testing/random.js';
import { DeadlineQueue } from '../src/time/deadline-queue.js';

/** Pops everything due at `now`, in order. */
function drain<K>(queue: DeadlineQueue<K>, now: number): K[] {
  const out: K[] = [];
  for (let key = queue.popDue(now); key !== undefined; key = queue.popDue(now)) out.push(key);
  return out;
}

describe('DeadlineQueue', () => {
  it('is empty to start with', () => {
    const queue = new DeadlineQueue<string>();
    expect(queue.size).toBe(0);
    expect(queue.earliest()).toBeUndefined();
    expect(queue.peek()).toBeUndefined();
    expect(queue.popDue(Number.POSITIVE_INFINITY)).toBeUndefined();
  });

  it('orders keys by deadline', () => {
    const queue = new DeadlineQueue<string>();
    queue.set('c', 30);
    queue.set('a', 10);
    queue.set('d', 40);
    queue.set('b', 20);
    expect(queue.size).toBe(4);
    expect(queue.earliest()).toBe(10);
    expect(queue.peek()).toBe('a');
    expect(drain(queue, 100)).toEqual(['a', 'b', 'c', 'd']);
    expect(queue.size).toBe(0);
  });

  it('breaks ties in insertion order', () => {
    const queue = new DeadlineQueue<number>();
    for (let i = 0; i < 20; i++) queue.set(i, 5);
    queue.set(100, 1);
    expect(drain(queue, 5)).toEqual([100, ...Array.from({ length: 20 }, (_, i) => i)]);
  });

  it('pops only what is due at or before now', () => {
    const queue = new DeadlineQueue<string>();
    queue.set('early', 10);
    queue.set('late', 20);
    expect(queue.popDue(9)).toBeUndefined();
    expect(queue.popDue(10)).toBe('early');
    expect(queue.popDue(19.999)).toBeUndefined();
    expect(queue.size).toBe(1);
    expect(queue.has('late')).toBe(true);
    expect(queue.has('early')).toBe(false);
  });

  it('moves a key earlier or later when set again, without duplicating it', () => {
    const queue = new DeadlineQueue<string>();
    queue.set('a', 10);
    queue.set('b', 20);
    queue.set('c', 30);
    queue.set('c', 5);
    expect(queue.size).toBe(3);
    expect(queue.get('c')).toBe(5);
    expect(queue.peek()).toBe('c');
    queue.set('c', 25);
    queue.set('a', 40);
    expect(queue.size).toBe(3);
    expect(drain(queue, 100)).toEqual(['b', 'c', 'a']);
  });

  it('treats a re-armed key as newest among equal deadlines', () => {
    const queue = new DeadlineQueue<string>();
    queue.set('a', 10);
    queue.set('b', 10);
    queue.set('a', 10);
    expect(drain(queue, 10)).toEqual(['b', 'a']);
  });

  it('deletes keys, wherever they sit in the heap', () => {
    const queue = new DeadlineQueue<string>();
    for (const [key, at] of [
      ['a', 1],
      ['b', 2],
      ['c', 3],
      ['d', 4],
      ['e', 5],
    ] as const) {
      queue.set(key, at);
    }
    expect(queue.delete('c')).toBe(true);
    expect(queue.delete('c')).toBe(false);
    expect(queue.delete('a')).toBe(true);
    expect(queue.delete('e')).toBe(true);
    expect(queue.delete('zz')).toBe(false);
    expect(queue.get('a')).toBeUndefined();
    expect(queue.size).toBe(2);
    expect(drain(queue, 10)).toEqual(['b', 'd']);
  });

  it('clear() forgets everything', () => {
    const queue = new DeadlineQueue<string>();
    queue.set('a', 1);
    queue.set('b', 2);
    queue.clear();
    expect(queue.size).toBe(0);
    expect(queue.has('a')).toBe(false);
    queue.set('a', 3);
    expect(drain(queue, 3)).toEqual(['a']);
  });

  it('agrees with a sorted-array model under random operations', () => {
    const random = new SeededRandom(2024);
    const queue = new DeadlineQueue<number>();
    // The model: entries sorted by (at, seq), as the queue promises.
    let model: { key: number; at: number; seq: number }[] = [];
    let seq = 0;
    let now = 0;
    const sortModel = (): void => {
      model.sort((x, y) => x.at - y.at || x.seq - y.seq);
    };
    for (let step = 0; step < 5000; step++) {
      const op = random.int(0, 9);
      const key = random.int(0, 49);
      if (op < 5) {
        // Deadlines from a small range so that ties are common.
        const at = now + random.int(0, 20);
        queue.set(key, at);
        model = model.filter((entry) => entry.key !== key);
        model.push({ key, at, seq: seq++ });
        sortModel();
      } else if (op < 7) {
        const expected = model.some((entry) => entry.key === key);
        expect(queue.delete(key)).toBe(expected);
        model = model.filter((entry) => entry.key !== key);
      } else {
        now += random.int(0, 3);
        const due = model.filter((entry) => entry.at <= now).map((entry) => entry.key);
        model = model.filter((entry) => entry.at > now);
        expect(drain(queue, now)).toEqual(due);
      }
      expect(queue.size).toBe(model.length);
      expect(queue.earliest()).toBe(model[0]?.at);
      expect(queue.peek()).toBe(model[0]?.key);
      expect(queue.get(key)).toBe(model.find((entry) => entry.key === key)?.at);
    }
  });
});
