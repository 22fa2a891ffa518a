/**
 * Polling with a deadline: media numbers (frames decoded, PLIs counted) exist only in stats,
 * which nothing announces, so the tests ask again until the answer is right or time is up.
 */

/** How long one condition may take: a fresh connection, an encoder warming up, a PLI answered. */
export const WAIT_MS = 15_000;
const INTERVAL_MS = 250;

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Calls `probe` until `done` accepts its value, and returns that value; after `timeoutMs`,
 * throws with the last value seen (so a failure shows the numbers it was waiting on).
 */
export async function pollUntil<T>(
  probe: () => T | Promise<T>,
  done: (value: T) => boolean,
  what: string,
  timeoutMs = WAIT_MS,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() >= deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}; last seen:\n${show(value)}`,
      );
    }
    await sleep(INTERVAL_MS);
  }
}

function show(value: unknown): string {
  try {
    return JSON.stringify(
      value,
      (_, v: unknown) => {
        if (v instanceof Set) return [...v];
        if (v instanceof Map) return Object.fromEntries(v);
        return v;
      },
      1,
    );
  } catch {
    return String(value);
  }
}
