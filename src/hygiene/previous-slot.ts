import { createTask, type ScheduledTask } from 'node-cron';

const DAY = 86_400_000;
/** Catch-up looks back this far: a monthly job's last slot is always within it. */
export const CATCH_UP_WINDOW_DAYS = 32;

/** node-cron's own "next slot after" (the walk its timer uses). */
type NextMatch = (after: Date) => Date;

/**
 * node-cron has no public "next slot after a given instant" (getNextRuns starts from the real
 * clock), but its tasks carry the matcher their timer walks. Using that one function, rather than
 * a copy of its rules, is what keeps our slots and node-cron's identical: which of the two 01:30s
 * fires when the clocks go back differs by zone (London the later, New York the earlier), and in
 * London an hourly job skips the first 01:00 altogether. A test pins this down against node-cron's
 * public API, so an upgrade that moves it fails there rather than in production.
 */
function nextMatchOf(task: ScheduledTask): NextMatch {
  const matcher = (task as unknown as { timeMatcher?: { getNextMatch?: (date: Date) => Date } }).timeMatcher;
  if (typeof matcher?.getNextMatch !== 'function') throw new Error('node-cron no longer exposes its time matcher: update src/hygiene/previous-slot.ts');
  return (after) => matcher.getNextMatch!(after);
}

/** The slots node-cron would fire after `from` up to `now`: the latest, if any. */
function lastSlotBetween(next: NextMatch, from: number, now: number): Date | undefined {
  let last: Date | undefined;
  for (let slot = next(new Date(from)); slot.getTime() <= now; slot = next(slot)) last = slot;
  return last;
}

/**
 * The latest slot of a 5-field schedule at or before `now`, in `timezone`, exactly as node-cron
 * fires it (so its key matches node-cron's `name:ISO`): node-cron's own sequence of slots is walked
 * forward from a little before `now`, looking further back (up to the window) only when that finds
 * none. Starting a day or more back means any quirk at the start of the walk (a start inside the
 * repeated hour) has settled before the slots that matter. Undefined when the schedule had no slot
 * in the window.
 */
export function previousSlot(schedule: string, timezone: string, now: Date): Date | undefined {
  const task = createTask(schedule, () => undefined, { timezone });
  try {
    const next = nextMatchOf(task);
    for (let days = 1; ; days = Math.min(days * 2, CATCH_UP_WINDOW_DAYS)) {
      let last: Date | undefined;
      try {
        last = lastSlotBetween(next, now.getTime() - days * DAY, now.getTime());
      } catch {
        return undefined; // node-cron found no slot at all (a date that never comes, like 30 February)
      }
      if (last || days === CATCH_UP_WINDOW_DAYS) return last;
    }
  } finally {
    void task.destroy();
  }
}
