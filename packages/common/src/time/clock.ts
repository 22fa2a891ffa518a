/**
 * Time for sans-I/O cores and their adapters.
 *
 * Cores never read a clock: they are handed `now` on every call. Adapters, which do the I/O, get
 * time and timers from a `Scheduler`: `RealClock` in production, `ManualClock` in tests, where
 * thirty seconds of retransmissions run in milliseconds and every run is reproducible.
 * All times are milliseconds on a monotonic timeline (not wall-clock time).
 */

import { TypeRtcError } from '../errors.js';
import { DeadlineQueue } from './deadline-queue.js';

export interface Clock {
  /** Monotonic milliseconds; never goes backwards. */
  now(): number;
}

export interface TimerHandle {
  cancel(): void;
}

/** A clock that can also run a callback at a time on its own timeline. */
export interface Scheduler extends Clock {
  /** Runs `callback` once at `at` (ms on this clock's timeline), or at once if `at` has passed. */
  setTimer(at: number, callback: () => void): TimerHandle;
}

/** Node's monotonic clock (`performance.now()`) and `setTimeout`. */
export class RealClock implements Scheduler {
  now(): number {
    return performance.now();
  }

  setTimer(at: number, callback: () => void): TimerHandle {
    // setTimeout waits at most 2^31-1 ms, and it counts whole milliseconds on libuv's loop clock,
    // so it can wake up to a couple of milliseconds before `at` on performance.now()'s timeline.
    // Either way the timer re-arms for what is left, so the callback never sees now() < at.
    const maxDelay = 0x7fffffff;
    let timeout: NodeJS.Timeout;
    const arm = (): void => {
      const delay = Math.min(Math.max(0, Math.ceil(at - this.now())), maxDelay);
      timeout = setTimeout(wake, delay);
    };
    const wake = (): void => {
      if (this.now() < at) arm();
      else callback();
    };
    arm();
    return { cancel: () => clearTimeout(timeout) };
  }
}

class ManualTimer implements TimerHandle {
  constructor(
    private readonly owner: DeadlineQueue<ManualTimer>,
    readonly callback: () => void,
  ) {}

  cancel(): void {
    this.owner.delete(this);
  }
}

/** Raised when a simulation keeps scheduling timers past the step budget it was given. */
export class SimulationLimitError extends TypeRtcError {
  constructor(steps: number) {
    super(`simulation did not go idle within ${steps} timer steps`, 'SIMULATION_LIMIT');
  }
}

/**
 * A clock that only moves when told to. Timers fire in deadline order (ties in the order they
 * were set), with `now()` equal to each timer's deadline while its callback runs.
 */
export class ManualClock implements Scheduler {
  #now: number;
  readonly #timers = new DeadlineQueue<ManualTimer>();

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  /** How many timers are armed. */
  get pendingTimers(): number {
    return this.#timers.size;
  }

  /** The deadline of the next timer, or undefined when none is armed. */
  nextTimerAt(): number | undefined {
    return this.#timers.earliest();
  }

  setTimer(at: number, callback: () => void): TimerHandle {
    const timer = new ManualTimer(this.#timers, callback);
    this.#timers.set(timer, Math.max(at, this.#now));
    return timer;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    this.advanceTo(this.#now + ms);
  }

  /** Moves time to `time`, firing every timer due at or before it, in order. */
  advanceTo(time: number): void {
    if (time < this.#now) {
      throw new RangeError(`ManualClock cannot go back from ${this.#now} to ${time}`);
    }
    while (this.#fireDue(time)) {
      // each call fires one timer
    }
    this.#now = time;
  }

  /** Jumps to the next timer and fires it (and any due at the same instant). False when none. */
  runNext(): boolean {
    const at = this.#timers.earliest();
    if (at === undefined) return false;
    this.advanceTo(at);
    return true;
  }

  /**
   * Fires timers until none is left. Guards against simulations that never settle (a keepalive
   * re-arms itself forever, or a timer re-arms itself at the same instant): throws
   * `SimulationLimitError` after `maxSteps` timer callbacks.
   */
  runUntilIdle(maxSteps = 1_000_000): void {
    // One timer per step, not one deadline: timers re-armed at the current instant would
    // otherwise keep a single step, and the test, spinning forever.
    for (let step = 0; step < maxSteps; step++) {
      const at = this.#timers.earliest();
      if (at === undefined) return;
      this.#fireDue(at);
    }
    if (this.#timers.size > 0) throw new SimulationLimitError(maxSteps);
  }

  /** Fires the earliest timer if it is due at or before `time`; false when none is. */
  #fireDue(time: number): boolean {
    const at = this.#timers.earliest();
    if (at === undefined || at > time) return false;
    const timer = this.#timers.popDue(at) as ManualTimer;
    this.#now = at;
    timer.callback();
    return true;
  }
}
