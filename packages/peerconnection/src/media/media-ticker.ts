/**
 * One 20 ms timer for the RTP sessions of every peer connection in the process, rather than a
 * timer each: NACKs are paced at that granularity (libwebrtc checks every 20 ms too), reports
 * and transport-cc feedback at multiples of it. The timer runs only while a session is
 * registered, so a process whose peer connections are closed has no timer left.
 */

const TICK_MS = 20;

export interface Tickable {
  tick(now: number): void;
}

const sessions = new Set<Tickable>();
let timer: NodeJS.Timeout | undefined;

function tickAll(): void {
  const now = performance.now();
  for (const session of sessions) {
    try {
      session.tick(now);
    } catch (error) {
      // One session's failure must not stop the others' RTCP.
      queueMicrotask(() => {
        throw error;
      });
    }
  }
}

export const MediaTicker = {
  add(session: Tickable): void {
    sessions.add(session);
    timer ??= setInterval(tickAll, TICK_MS);
  },

  remove(session: Tickable): void {
    sessions.delete(session);
    if (sessions.size === 0 && timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
    }
  },
};
