import { offsetAt, wallClockIn } from '../time-zone';

/**
 * "Tomorrow at 9:00" in the team's time zone, as an instant. Found by reading the zone's offset
 * around that wall-clock time (twice: the offset may change overnight, as summer time does).
 */
export function tomorrowAt(hour: number, timezone: string, now: Date): Date {
  const clock = wallClockIn(timezone);
  const today = clock(now.getTime());
  const wall = Date.UTC(today.year, today.month - 1, today.day + 1, hour, 0, 0);
  const guess = wall - offsetAt(clock, wall);
  return new Date(wall - offsetAt(clock, guess));
}
