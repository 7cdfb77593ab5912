import fc from 'fast-check';
import { createTask } from 'node-cron';
import { previousSlot } from '../../../src/hygiene/previous-slot';

/** The end of summer time in 2026 (the repeated hour), in zones on either side of Greenwich. */
const FALL_BACK = [
  { zone: 'Europe/London', at: Date.parse('2026-10-25T01:00:00Z') },
  { zone: 'America/New_York', at: Date.parse('2026-11-01T06:00:00Z') },
  { zone: 'Australia/Sydney', at: Date.parse('2026-04-04T16:00:00Z') },
];
const HOUR = 3_600_000;

/** The slots node-cron itself fires, from its public API, walked forward from `from`. */
function nodeCronSlots(schedule: string, timezone: string, from: number, count: number): Date[] {
  jest.setSystemTime(from);
  const task = createTask(schedule, () => undefined, { timezone });
  try {
    return task.getNextRuns(count);
  } finally {
    void task.destroy();
  }
}

describe('previousSlot agrees with node-cron', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('when the clocks go back, then the previous slot is always the latest slot node-cron fired (one definition of a slot)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...FALL_BACK),
        fc.integer({ min: 0, max: 59 }),
        fc.oneof(fc.constant('*'), fc.integer({ min: 0, max: 4 }).map(String)),
        // Anywhere from two days before the change to two days after it, to the second.
        fc.integer({ min: -48 * 3600, max: 48 * 3600 }),
        ({ zone, at }, minute, hour, offsetSeconds) => {
          const schedule = `${minute} ${hour} * * *`;
          const now = at + offsetSeconds * 1000;
          const fired = nodeCronSlots(schedule, zone, now - 4 * 24 * HOUR, 200).filter((s) => s.getTime() <= now);
          expect(previousSlot(schedule, zone, new Date(now))).toEqual(fired.at(-1));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('when New York leaves summer time, then 01:30 is the first 01:30 (as node-cron fires it), not the repeated one', () => {
    // 01:30 EDT is 05:30Z; 01:30 EST an hour later is 06:30Z. node-cron fires the first only.
    expect(previousSlot('30 1 * * *', 'America/New_York', new Date('2026-11-01T07:00:00Z'))).toEqual(new Date('2026-11-01T05:30:00Z'));
  });
});
