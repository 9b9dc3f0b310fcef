/** A clock whose time moves only when a test moves it. */
import type { Clock } from '../ports/clock.js';

export interface ManualClock extends Clock {
  /** Moves time forward by `ms` (0 or more); returns the new time. */
  advance(ms: number): number;
  /** Moves time forward to `time` (epoch ms, or a Date); never back. Returns the new time. */
  advanceTo(time: number | Date): number;
}

/** @param start epoch ms or a Date. @defaultValue the real time now */
export function manualClock(start: number | Date = Date.now()): ManualClock {
  let now = epoch(start, 'start');
  const clock: ManualClock = {
    now: () => now,
    advance(ms) {
      if (!Number.isFinite(ms) || ms < 0) throw new Error(`advance: ms must be a number of milliseconds, 0 or more, got ${ms}`);
      return clock.advanceTo(now + ms);
    },
    advanceTo(time) {
      const to = epoch(time, 'advanceTo');
      if (to < now) throw new Error(`advanceTo: time only moves forward; ${new Date(to).toISOString()} is before ${new Date(now).toISOString()}`);
      now = to;
      return now;
    },
  };
  return clock;
}

function epoch(time: number | Date, what: string): number {
  const ms = time instanceof Date ? time.getTime() : time;
  if (!Number.isFinite(ms)) throw new Error(`${what}: expected epoch milliseconds or a valid Date, got ${String(time)}`);
  return ms;
}
