/**
 * Real time whose timers never keep the process alive. The mux's expiry timer only cleans up:
 * a server that closed everything else must be able to exit while bindings are still waiting to
 * expire. `RealClock` (from `@typertc/common`) keeps its timers referenced; this is the same
 * clock with every timer `unref()`ed.
 */

import type { Scheduler, TimerHandle } from '@typertc/common';

/** `setTimeout` waits at most 2^31-1 ms. */
const MAX_DELAY_MS = 0x7fffffff;

export class BackgroundClock implements Scheduler {
  now(): number {
    return performance.now();
  }

  setTimer(at: number, callback: () => void): TimerHandle {
    let timeout: NodeJS.Timeout;
    // setTimeout counts whole milliseconds on libuv's loop clock and can wake slightly before
    // `at` on performance.now()'s timeline (or long before it, past the maximum delay): it
    // re-arms for what is left, so the callback never runs early.
    const arm = (): void => {
      const delay = Math.min(Math.max(0, Math.ceil(at - this.now())), MAX_DELAY_MS);
      timeout = setTimeout(wake, delay);
      timeout.unref();
    };
    const wake = (): void => {
      if (this.now() < at) arm();
      else callback();
    };
    arm();
    return { cancel: () => clearTimeout(timeout) };
  }
}
