import fc from 'fast-check';
import type { JobSlotRepository } from '../../../src/domain/hygiene';
import type { JobRunner } from '../../../src/hygiene/job-runner';
import { createHygieneScheduler, type HygieneScheduler } from '../../../src/hygiene/scheduler';
import type { HygieneSettings } from '../../../src/hygiene/settings';
import { createLogger } from '../../../src/logger';

const logger = createLogger({ level: 'silent', pretty: false });
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** The 2026 summer-time changes (both ways) of zones on either side of Greenwich. */
const CHANGES = [
  { zone: 'Europe/London', at: '2026-03-29T01:00:00Z' },
  { zone: 'Europe/London', at: '2026-10-25T01:00:00Z' },
  { zone: 'America/New_York', at: '2026-03-08T07:00:00Z' },
  { zone: 'America/New_York', at: '2026-11-01T06:00:00Z' },
  { zone: 'Australia/Sydney', at: '2026-04-04T16:00:00Z' },
  { zone: 'Australia/Sydney', at: '2026-10-03T16:00:00Z' },
];

/**
 * The oracle, independent of node-cron: an instant's wall-clock minute in the zone (Intl), and
 * whether a `m h * * *` schedule names it. A slot is a wall-clock minute; in the repeated hour one
 * wall-clock minute is two instants, in the skipped hour none.
 */
function wallClock(zone: string) {
  const format = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  return (t: number) => {
    const p = Object.fromEntries(format.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
    return { label: `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`, hourLabel: `${p.year}-${p.month}-${p.day} ${p.hour}`, hour: Number(p.hour), minute: Number(p.minute) };
  };
}
type Schedule = { minute: number; hour: '*' | '*/2' | number };
const cron = (s: Schedule) => `${s.minute} ${s.hour} * * *`;
const names = (s: Schedule, hour: number, minute: number) => minute === s.minute && (s.hour === '*' || (s.hour === '*/2' ? hour % 2 === 0 : hour === s.hour));

function memorySlots(now: () => Date): JobSlotRepository {
  const claims = new Map<string, { owner: string; until: number; done: boolean }>();
  return {
    async claim(key, owner, ttlMs) {
      const c = claims.get(key);
      if (c && (c.done || c.until > now().getTime())) return false;
      claims.set(key, { owner, until: now().getTime() + ttlMs, done: false });
      return true;
    },
    async renew(key, owner, ttlMs) {
      const c = claims.get(key);
      if (c?.owner === owner && !c.done) c.until = now().getTime() + ttlMs;
    },
    async complete(key, owner) {
      const c = claims.get(key)!;
      if (c.owner === owner) c.done = true;
    },
    hasHistory: async (job) => [...claims.keys()].some((k) => k.startsWith(`${job}:`)),
    isComplete: async (key) => claims.get(key)?.done === true,
  };
}

const schedule = fc.record({ minute: fc.integer({ min: 0, max: 59 }), hour: fc.oneof(fc.constantFrom<'*' | '*/2'>('*', '*/2'), fc.integer({ min: 0, max: 4 })) });
/** What happens after some minutes: nothing, a restart (after some downtime), or a lead saving a new schedule. */
const step = fc.record({
  after: fc.integer({ min: 5, max: 240 }),
  event: fc.oneof(fc.constant({ kind: 'none' as const }), fc.record({ kind: fc.constant('restart' as const), down: fc.integer({ min: 0, max: 180 }) }), fc.record({ kind: fc.constant('change' as const), to: schedule })),
});

describe('the hygiene scheduler around summer-time changes (property, independent wall-clock oracle)', () => {
  afterEach(() => jest.useRealTimers());

  it('when the schedule changes and the app restarts at random around the clock change, then each slot runs once, none from before its schedule, at most one per hour', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...CHANGES),
        // Starts up to 6 h before the change, at 17 s past a minute: no event ever falls on a slot.
        fc.integer({ min: -360, max: 0 }),
        schedule,
        fc.array(step, { minLength: 1, maxLength: 4 }),
        async ({ zone, at }, startMinutes, first, steps) => {
          const start = Date.parse(at) + startMinutes * MINUTE + 17_000;
          jest.useFakeTimers({ now: start });
          const now = () => Date.now();
          const slots = memorySlots(() => new Date());
          const runs: Array<{ slot: number; trigger: string }> = [];
          const runner: JobRunner = {
            
            async run(name, trigger, options) {
              runs.push({ slot: options!.slot!.getTime(), trigger });
              return { id: 'x', job: name, startedAt: new Date(), finishedAt: new Date(), durationMs: 0, counts: {}, outcome: 'ok' };
            },
          };
          // The schedule in force from `from` to `to`; downtime windows (a, b] when no instance ran.
          const periods: Array<{ s: Schedule; from: number; to: number }> = [{ s: first, from: start, to: Infinity }];
          const downtime: Array<{ from: number; to: number }> = [];
          const current = (): HygieneSettings => {
            const p = periods.at(-1)!;
            return {
              timezone: zone,
              inactiveDays: 90,
              noReplyDays: 30,
              optInExpiryDays: 7,
              schedules: { 'flag-inactive': cron(p.s), 'expire-opt-ins': '0 0 1 1 *', 'hygiene-report': '0 0 1 1 *' },
              schedulesSince: { 'flag-inactive': new Date(p.from) },
            };
          };
          const boot = async () => {
            const s = createHygieneScheduler({ runner, slots, settings: async () => current(), clock: () => new Date(), logger, owner: 'a', leaseMs: 30 * MINUTE, refreshEveryMs: 15 * MINUTE });
            await s.start();
            return s;
          };
          let scheduler: HygieneScheduler = await boot();
          try {
            for (const { after, event } of steps) {
              await jest.advanceTimersByTimeAsync(after * MINUTE);
              if (event.kind === 'restart') {
                await scheduler.stop();
                downtime.push({ from: now(), to: now() + event.down * MINUTE });
                jest.setSystemTime(now() + event.down * MINUTE);
                scheduler = await boot();
              } else if (event.kind === 'change') {
                periods.at(-1)!.to = now();
                periods.push({ s: event.to, from: now(), to: Infinity });
                await scheduler.refresh();
              }
            }
            await jest.advanceTimersByTimeAsync(4 * HOUR);
          } finally {
            await scheduler.stop();
          }
          const end = now();
          periods.at(-1)!.to = end;

          const wall = wallClock(zone);
          const inDowntime = (t: number) => downtime.some((d) => t > d.from && t <= d.to);
          // Every instant of each wall-clock minute, over the run and a margin (the repeated hour's twin instants).
          const instants = new Map<string, number[]>();
          for (let t = Math.floor(start / MINUTE) * MINUTE - 3 * HOUR; t <= end + 3 * HOUR; t += MINUTE) {
            const label = wall(t).label;
            instants.set(label, [...(instants.get(label) ?? []), t]);
          }

          const byLabel = new Map<string, number>();
          const byHour = new Map<string, number>();
          for (const run of runs) {
            const w = wall(run.slot);
            byLabel.set(w.label, (byLabel.get(w.label) ?? 0) + 1);
            byHour.set(w.hourLabel, (byHour.get(w.hourLabel) ?? 0) + 1);
            // No run for a slot from before its schedule took effect, nor of a schedule no longer in force.
            const period = periods.find((p) => run.slot > p.from && run.slot <= p.to);
            expect({ slot: new Date(run.slot), ok: period !== undefined && names(period.s, w.hour, w.minute) }).toEqual({ slot: new Date(run.slot), ok: true });
            // A slot missed while down is run by the catch-up only.
            if (inDowntime(run.slot)) expect(run.trigger).toBe('catch-up');
          }
          // Never two runs for one slot (the repeated hour included), at most one run per hour.
          for (const [label, count] of byLabel) expect({ label, count }).toEqual({ label, count: 1 });
          for (const [hour, count] of byHour) expect({ hour, count }).toEqual({ hour, count: 1 });
          // Each slot whose every instant lies within one schedule's time, while an instance ran, runs exactly once.
          for (const p of periods) {
            for (const [label, ts] of instants) {
              const w = wall(ts[0]!);
              if (!names(p.s, w.hour, w.minute) || !ts.every((t) => t > p.from && t <= p.to && !inDowntime(t))) continue;
              expect({ label, runs: byLabel.get(label) ?? 0 }).toEqual({ label, runs: 1 });
            }
          }
          // At most one catch-up per downtime.
          for (const d of downtime) expect(runs.filter((r) => r.slot > d.from && r.slot <= d.to).length).toBeLessThanOrEqual(1);
        },
      ),
      { seed: 20261025, numRuns: 25 },
    );
  });
});
