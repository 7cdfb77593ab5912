import { createTask, parse } from 'node-cron';
import { offsetAt, wallClockIn } from '../time-zone';

const MINUTE = 60_000;
const DAY = 86_400_000;
/** Catch-up looks back this far: a monthly job's last slot is always within it. */
export const CATCH_UP_WINDOW_DAYS = 32;

/**
 * The latest slot of a 5-field schedule at or before `now`, in `timezone`, as node-cron fires it
 * (so its key matches node-cron's `name:ISO`). node-cron has no "previous run": this walks back
 * through the schedule's own hours and minutes, day by day in local time, and lets node-cron's
 * matcher decide each candidate — so days of month and week, `L`, `1#2`, the hour skipped when
 * summer time starts (no slot) and the hour repeated when it ends (the later one) all behave as
 * node-cron does. Undefined when the schedule had no slot in the window.
 */
export function previousSlot(schedule: string, timezone: string, now: Date): Date | undefined {
  const task = createTask(schedule, () => undefined, { timezone });
  try {
    const fields = parse(schedule);
    const hours = [...fields.hour].sort((a, b) => b - a);
    const minutes = [...fields.minute].sort((a, b) => b - a);
    const wallClock = wallClockIn(timezone);
    const today = wallClock(now.getTime());
    for (let back = 0; back <= CATCH_UP_WINDOW_DAYS; back++) {
      const dayStart = Date.UTC(today.year, today.month - 1, today.day - back);
      for (const hour of hours) {
        for (const minute of minutes) {
          // A wall-clock time, written as if it were UTC; each offset around it gives one instant.
          const wall = dayStart + hour * 3_600_000 + minute * MINUTE;
          const offsets = new Set([wall - DAY, wall + DAY].map((t) => offsetAt(wallClock, t)));
          const hits = [...offsets].map((offset) => wall - offset).filter((t) => t <= now.getTime() && task.match(new Date(t)));
          if (hits.length) return new Date(Math.max(...hits));
        }
      }
    }
    return undefined;
  } finally {
    void task.destroy();
  }
}
