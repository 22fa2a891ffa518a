import { describe, expect, it } from 'vitest';
import { ManualClock, RealClock, SimulationLimitError } from '../src/time/clock.js';

describe('ManualClock', () => {
  it('starts at the given time and only moves when told', () => {
    expect(new ManualClock().now()).toBe(0);
    const clock = new ManualClock(1000);
    expect(clock.now()).toBe(1000);
    clock.advance(250);
    expect(clock.now()).toBe(1250);
    clock.advanceTo(2000);
    expect(clock.now()).toBe(2000);
  });

  it('fires timers in deadline order with now() equal to each deadline', () => {
    const clock = new ManualClock();
    const fired: [string, number][] = [];
    const record = (name: string) => () => fired.push([name, clock.now()]);
    clock.setTimer(30, record('c'));
    clock.setTimer(10, record('a'));
    clock.setTimer(20, record('b'));
    clock.setTimer(50, record('late'));
    expect(clock.pendingTimers).toBe(4);
    expect(clock.nextTimerAt()).toBe(10);
    clock.advance(40);
    expect(fired).toEqual([
      ['a', 10],
      ['b', 20],
      ['c', 30],
    ]);
    expect(clock.now()).toBe(40);
    expect(clock.pendingTimers).toBe(1);
    expect(clock.nextTimerAt()).toBe(50);
  });

  it('fires timers with equal deadlines in the order they were set', () => {
    const clock = new ManualClock();
    const fired: number[] = [];
    for (let i = 0; i < 10; i++) clock.setTimer(5, () => fired.push(i));
    clock.advance(5);
    expect(fired).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('fires a timer set in the past at the current time, on the next advance', () => {
    const clock = new ManualClock(100);
    let firedAt: number | undefined;
    clock.setTimer(50, () => {
      firedAt = clock.now();
    });
    expect(firedAt).toBeUndefined();
    expect(clock.nextTimerAt()).toBe(100);
    clock.advance(0);
    expect(firedAt).toBe(100);
  });

  it('runs timers set inside callbacks when they fall within the advance', () => {
    const clock = new ManualClock();
    const fired: [string, number][] = [];
    clock.setTimer(10, () => {
      fired.push(['first', clock.now()]);
      clock.setTimer(clock.now() + 5, () => fired.push(['chained', clock.now()]));
      clock.setTimer(clock.now(), () => fired.push(['same instant', clock.now()]));
      clock.setTimer(clock.now() + 100, () => fired.push(['beyond', clock.now()]));
    });
    clock.setTimer(12, () => fired.push(['second', clock.now()]));
    clock.advanceTo(20);
    expect(fired).toEqual([
      ['first', 10],
      ['same instant', 10],
      ['second', 12],
      ['chained', 15],
    ]);
    expect(clock.pendingTimers).toBe(1);
    expect(clock.nextTimerAt()).toBe(110);
  });

  it('cancels timers, also from inside another timer at the same instant', () => {
    const clock = new ManualClock();
    const fired: string[] = [];
    const a = clock.setTimer(10, () => fired.push('a'));
    clock.setTimer(20, () => {
      fired.push('b');
      c.cancel();
    });
    const c = clock.setTimer(20, () => fired.push('c'));
    a.cancel();
    a.cancel();
    expect(clock.pendingTimers).toBe(2);
    clock.advance(100);
    expect(fired).toEqual(['b']);
    expect(clock.pendingTimers).toBe(0);
  });

  it('runNext jumps to the next timer and fires everything due then', () => {
    const clock = new ManualClock();
    const fired: string[] = [];
    clock.setTimer(7, () => fired.push('x'));
    clock.setTimer(7, () => fired.push('y'));
    clock.setTimer(9, () => fired.push('z'));
    expect(clock.runNext()).toBe(true);
    expect(clock.now()).toBe(7);
    expect(fired).toEqual(['x', 'y']);
    expect(clock.runNext()).toBe(true);
    expect(clock.now()).toBe(9);
    expect(clock.runNext()).toBe(false);
    expect(clock.now()).toBe(9);
  });

  it('runUntilIdle runs a finite chain of timers to the end', () => {
    const clock = new ManualClock();
    const times: number[] = [];
    // An exponential-backoff retransmission that gives up after 7 tries (RFC 8489 §6.2.1 style).
    let rto = 500;
    const retransmit = (): void => {
      times.push(clock.now());
      if (times.length < 7) {
        clock.setTimer(clock.now() + rto, retransmit);
        rto *= 2;
      }
    };
    clock.setTimer(0, retransmit);
    clock.runUntilIdle();
    expect(times).toEqual([0, 500, 1500, 3500, 7500, 15500, 31500]);
    expect(clock.now()).toBe(31500);
    expect(clock.pendingTimers).toBe(0);
  });

  it('runUntilIdle throws SimulationLimitError on a timer that re-arms forever', () => {
    const clock = new ManualClock();
    let ticks = 0;
    const keepalive = (): void => {
      ticks++;
      clock.setTimer(clock.now() + 15_000, keepalive);
    };
    clock.setTimer(0, keepalive);
    expect(() => clock.runUntilIdle(100)).toThrow(SimulationLimitError);
    expect(ticks).toBe(100);
    expect(() => clock.runUntilIdle(3)).toThrow(
      expect.objectContaining({
        code: 'SIMULATION_LIMIT',
        message: 'simulation did not go idle within 3 timer steps',
      }),
    );
    expect(ticks).toBe(103);
    expect(clock.now()).toBe(102 * 15_000);
  });

  it('runUntilIdle throws, rather than hanging, on a timer that re-arms at the same instant', () => {
    const clock = new ManualClock(5);
    let ticks = 0;
    const spin = (): void => {
      ticks++;
      clock.setTimer(clock.now(), spin);
    };
    clock.setTimer(5, spin);
    expect(() => clock.runUntilIdle(1000)).toThrow(SimulationLimitError);
    expect(ticks).toBe(1000);
    expect(clock.now()).toBe(5);
  });

  it('runUntilIdle within its limit does not throw', () => {
    const clock = new ManualClock();
    for (let i = 1; i <= 3; i++) clock.setTimer(i, () => {});
    expect(() => clock.runUntilIdle(3)).not.toThrow();
    expect(clock.now()).toBe(3);
  });

  it('refuses to go back in time', () => {
    const clock = new ManualClock(10);
    expect(() => clock.advanceTo(9)).toThrow(RangeError);
    expect(() => clock.advance(-1)).toThrow(RangeError);
    expect(clock.now()).toBe(10);
  });
});

describe('RealClock', () => {
  it('reads a monotonic clock', () => {
    const clock = new RealClock();
    let previous = clock.now();
    for (let i = 0; i < 10_000; i++) {
      const now = clock.now();
      expect(now).toBeGreaterThanOrEqual(previous);
      previous = now;
    }
  });

  it('fires a timer on time, never before its deadline', async () => {
    const clock = new RealClock();
    const lateness: number[] = [];
    for (let i = 0; i < 5; i++) {
      const at = clock.now() + 20 + i * 0.3;
      const firedAt = await new Promise<number>((resolve) => {
        clock.setTimer(at, () => resolve(clock.now()));
      });
      lateness.push(firedAt - at);
    }
    for (const late of lateness) {
      expect(late).toBeGreaterThanOrEqual(0);
      // Generous: a loaded CI machine may be slow, but not by this much.
      expect(late).toBeLessThan(200);
    }
  });

  it('fires a timer whose time has passed asynchronously, at once', async () => {
    const clock = new RealClock();
    let fired = false;
    const done = new Promise<void>((resolve) => {
      clock.setTimer(clock.now() - 1000, () => {
        fired = true;
        resolve();
      });
    });
    expect(fired).toBe(false);
    await done;
    expect(fired).toBe(true);
  });

  it('cancel prevents the callback', async () => {
    const clock = new RealClock();
    let fired = false;
    const handle = clock.setTimer(clock.now() + 5, () => {
      fired = true;
    });
    handle.cancel();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(fired).toBe(false);
  });
});
