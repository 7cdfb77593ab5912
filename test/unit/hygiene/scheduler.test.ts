import { createLogger } from '../../../src/logger';
import type { JobName, JobSlotRepository } from '../../../src/domain/hygiene';
import type { JobRunner } from '../../../src/hygiene/job-runner';
import { previousSlot } from '../../../src/hygiene/previous-slot';
import { createHygieneScheduler } from '../../../src/hygiene/scheduler';
import type { HygieneSettings } from '../../../src/hygiene/settings';

const logger = createLogger({ level: 'silent', pretty: false });

/** Slots as the MongoDB repository keeps them, in memory (its own behaviour is tested over the wire). */
function memorySlots(now: () => Date): JobSlotRepository & { claims: Map<string, { owner: string; until: number; done: boolean }> } {
  const claims = new Map<string, { owner: string; until: number; done: boolean }>();
  return {
    claims,
    async claim(key, owner, ttlMs) {
      const c = claims.get(key);
      if (c && (c.done || c.until > now().getTime())) return false;
      claims.set(key, { owner, until: now().getTime() + ttlMs, done: false });
      return true;
    },
    async renew(key, owner, ttlMs) {
      const claim = claims.get(key);
      if (claim?.owner === owner && !claim.done) claim.until = now().getTime() + ttlMs;
    },
    async complete(key, owner) {
      const claim = claims.get(key)!;
      if (claim.owner === owner) claim.done = true;
    },
    async hasHistory(job) {
      return [...claims.keys()].some((k) => k.startsWith(`${job}:`));
    },
    async isComplete(key) {
      return claims.get(key)?.done === true;
    },
  };
}

function recordingRunner(failures = 0): JobRunner & { runs: Array<{ name: JobName; trigger: string; slot?: string }> } {
  const runs: Array<{ name: JobName; trigger: string; slot?: string }> = [];
  return {
    runs,
    
    async run(name, trigger, options) {
      runs.push({ name, trigger, slot: options?.slot?.toISOString() });
      if (failures-- > 0) throw new Error('Slack is down');
      return { id: 'x', job: name, startedAt: new Date(), finishedAt: new Date(), durationMs: 0, counts: {}, outcome: 'ok' };
    },
  };
}

const settings = (schedules: Partial<Record<JobName, string>>, timezone = 'Europe/London'): HygieneSettings => ({
  timezone,
  inactiveDays: 90,
  noReplyDays: 30,
  optInExpiryDays: 7,
  // Far-off defaults keep the other jobs out of the way.
  schedules: { 'flag-inactive': '0 0 1 1 *', 'expire-opt-ins': '0 0 1 1 *', 'hygiene-report': '0 0 1 1 *', ...schedules },
});

describe('previousSlot', () => {
  it('when a daily 09:00 schedule crosses the end of summer time, then its slots stay at 09:00 local', () => {
    // London leaves BST on 2026-10-25: 09:00 is 08:00Z before, 09:00Z after.
    expect(previousSlot('0 9 * * *', 'Europe/London', new Date('2026-10-25T08:30:00Z'))).toEqual(new Date('2026-10-24T08:00:00Z'));
    expect(previousSlot('0 9 * * *', 'Europe/London', new Date('2026-10-25T09:00:30Z'))).toEqual(new Date('2026-10-25T09:00:00Z'));
  });

  it('when a slot falls in the hour skipped at the start of summer time, then that day has none', () => {
    // 2026-03-29: London's clocks jump from 01:00 to 02:00, so 01:30 never happens that day.
    expect(previousSlot('30 1 * * *', 'Europe/London', new Date('2026-03-29T12:00:00Z'))).toEqual(new Date('2026-03-28T01:30:00Z'));
  });

  it('when the schedule is weekly, then the slot is found a week back, and nothing beyond the window', () => {
    expect(previousSlot('0 9 * * 1', 'UTC', new Date('2026-11-29T10:00:00Z'))).toEqual(new Date('2026-11-23T09:00:00Z'));
    expect(previousSlot('0 9 29 2 *', 'UTC', new Date('2026-11-29T10:00:00Z'))).toBeUndefined();
    expect(previousSlot('0 9 L * *', 'UTC', new Date('2026-11-29T10:00:00Z'))).toEqual(new Date('2026-10-31T09:00:00Z'));
  });

  it('when a slot falls in the hour repeated at the end of summer time in London, then it is the later of the two, as node-cron fires it', () => {
    // 2026-10-25: 01:30 London happens at 00:30Z (BST) and again at 01:30Z (GMT); node-cron fires only the second.
    expect(previousSlot('30 1 * * *', 'Europe/London', new Date('2026-10-25T01:00:00Z'))).toEqual(new Date('2026-10-24T00:30:00Z'));
    expect(previousSlot('30 1 * * *', 'Europe/London', new Date('2026-10-25T02:00:00Z'))).toEqual(new Date('2026-10-25T01:30:00Z'));
  });

  it('when the zone is offset by half an hour, then the slot is still found', () => {
    expect(previousSlot('0 9 * * *', 'Asia/Kolkata', new Date('2026-11-25T12:00:00Z'))).toEqual(new Date('2026-11-25T03:30:00Z'));
  });
});

describe('hygiene scheduler (real node-cron, fake timers)', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  async function started(schedules: Partial<Record<JobName, string>>, slots: JobSlotRepository, owner = 'a', timezone?: string) {
    const runner = recordingRunner();
    const scheduler = createHygieneScheduler({
      runner,
      slots,
      settings: async () => settings(schedules, timezone),
      clock: () => new Date(),
      logger,
      owner,
      leaseMs: 30 * 60_000,
      refreshEveryMs: 60_000,
    });
    await scheduler.start();
    return { runner, scheduler };
  }

  it('when days pass across the end of summer time, then the daily job runs at 09:00 London time each day, once', async () => {
    jest.useFakeTimers({ now: new Date('2026-10-23T12:00:00Z') });
    const slots = memorySlots(() => new Date());
    const { runner, scheduler } = await started({ 'flag-inactive': '0 9 * * *' }, slots);
    await jest.advanceTimersByTimeAsync(3 * 86_400_000);
    await scheduler.stop();
    expect(runner.runs).toEqual([
      { name: 'flag-inactive', trigger: 'schedule', slot: '2026-10-24T08:00:00.000Z' },
      { name: 'flag-inactive', trigger: 'schedule', slot: '2026-10-25T09:00:00.000Z' },
      { name: 'flag-inactive', trigger: 'schedule', slot: '2026-10-26T09:00:00.000Z' },
    ]);
    expect([...slots.claims.values()].every((c) => c.done)).toBe(true);
  });

  it.each([
    ['America/New_York', '2026-10-31T12:00:00Z', ['2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z']],
    ['Europe/London', '2026-10-24T12:00:00Z', ['2026-10-25T01:30:00.000Z', '2026-10-26T01:30:00.000Z']],
    ['Australia/Sydney', '2026-04-03T12:00:00Z', ['2026-04-03T15:30:00.000Z', '2026-04-04T16:30:00.000Z']],
  ])('when the clocks go back in %s, then a job in the repeated hour runs once that day, and the catch-up does not run it again', async (zone, start, expected) => {
    jest.useFakeTimers({ now: new Date(start) });
    const slots = memorySlots(() => new Date());
    const { runner, scheduler } = await started({ 'flag-inactive': zone === 'Australia/Sydney' ? '30 2 * * *' : '30 1 * * *' }, slots, 'a', zone);
    await jest.advanceTimersByTimeAsync(2 * 86_400_000);
    await scheduler.stop();
    expect(runner.runs.map((r) => `${r.trigger} ${r.slot}`)).toEqual(expected.map((slot) => `schedule ${slot}`));
  });

  it('when two instances schedule the same job, then each slot runs on one of them only', async () => {
    jest.useFakeTimers({ now: new Date('2026-11-25T08:59:00Z') });
    const slots = memorySlots(() => new Date());
    const a = await started({ 'flag-inactive': '*/10 * * * *' }, slots, 'a');
    const b = await started({ 'flag-inactive': '*/10 * * * *' }, slots, 'b');
    await jest.advanceTimersByTimeAsync(60 * 60_000);
    await a.scheduler.stop();
    await b.scheduler.stop();
    const slotsRun = [...a.runner.runs, ...b.runner.runs].map((r) => r.slot).sort();
    expect(slotsRun).toHaveLength(6);
    expect(new Set(slotsRun).size).toBe(6);
  });

  it('when the app starts after missing slots, then only the latest missed slot is caught up, once, and a first start catches up nothing', async () => {
    jest.useFakeTimers({ now: new Date('2026-11-25T12:00:00Z') });
    const slots = memorySlots(() => new Date());
    const first = await started({ 'flag-inactive': '0 3 * * *' }, slots);
    expect(first.runner.runs).toEqual([]); // never ran before: nothing to catch up
    await first.scheduler.stop();

    // It ran on the 22nd, then the app was down until the 25th at noon.
    await slots.claim('flag-inactive:2026-11-22T03:00:00.000Z', 'a', 1);
    await slots.complete('flag-inactive:2026-11-22T03:00:00.000Z', 'a');
    const second = await started({ 'flag-inactive': '0 3 * * *' }, slots);
    expect(second.runner.runs).toEqual([{ name: 'flag-inactive', trigger: 'catch-up', slot: '2026-11-25T03:00:00.000Z' }]);
    expect(await second.scheduler.catchUp()).toEqual([]);
    await second.scheduler.stop();
  });

  it('when an instance crashed mid-run, then after its claim lapses the slot is caught up on restart', async () => {
    jest.useFakeTimers({ now: new Date('2026-11-25T03:00:00Z') });
    const slots = memorySlots(() => new Date());
    await slots.claim('flag-inactive:2026-11-25T03:00:00.000Z', 'crashed', 30 * 60_000); // never completed
    jest.setSystemTime(new Date('2026-11-25T04:00:00Z'));
    const { runner, scheduler } = await started({ 'flag-inactive': '0 3 * * *' }, slots);
    expect(runner.runs).toEqual([{ name: 'flag-inactive', trigger: 'catch-up', slot: '2026-11-25T03:00:00.000Z' }]);
    await scheduler.stop();
  });

  it('when a scheduled run fails, then its slot stays open and is run again once the claim lapses', async () => {
    jest.useFakeTimers({ now: new Date('2026-11-25T08:59:00Z') });
    const slots = memorySlots(() => new Date());
    const runner = recordingRunner(1);
    const scheduler = createHygieneScheduler({ runner, slots, settings: async () => settings({ 'flag-inactive': '0 9 * * *' }), clock: () => new Date(), logger, owner: 'a', leaseMs: 30 * 60_000, refreshEveryMs: 60_000 });
    await scheduler.start();
    await jest.advanceTimersByTimeAsync(2 * 60_000);
    expect(runner.runs).toEqual([{ name: 'flag-inactive', trigger: 'schedule', slot: '2026-11-25T09:00:00.000Z' }]);
    expect(await slots.isComplete('flag-inactive:2026-11-25T09:00:00.000Z')).toBe(false);
    await jest.advanceTimersByTimeAsync(31 * 60_000); // the claim lapses; the minute's catch-up runs it
    expect(runner.runs.slice(1)).toEqual([{ name: 'flag-inactive', trigger: 'catch-up', slot: '2026-11-25T09:00:00.000Z' }]);
    expect(await slots.isComplete('flag-inactive:2026-11-25T09:00:00.000Z')).toBe(true);
    await jest.advanceTimersByTimeAsync(10 * 60_000);
    expect(runner.runs).toHaveLength(2);
    await scheduler.stop();
  });

  it('when a run outlasts its claim, then the claim is renewed and no other instance runs the slot again', async () => {
    jest.useFakeTimers({ now: new Date('2026-11-25T08:59:00Z') });
    const slots = memorySlots(() => new Date());
    let finish!: () => void;
    const long: JobRunner & { runs: string[] } = {
      runs: [],
      
      async run(name, trigger) {
        this.runs.push(`a:${trigger}`);
        await new Promise<void>((resolve) => (finish = resolve));
        return { id: 'x', job: name, startedAt: new Date(), finishedAt: new Date(), durationMs: 0, counts: {}, outcome: 'ok' };
      },
    };
    const other = recordingRunner();
    const deps = { slots, settings: async () => settings({ 'flag-inactive': '0 9 * * *' }), clock: () => new Date(), logger, leaseMs: 30 * 60_000, refreshEveryMs: 60_000 };
    const a = createHygieneScheduler({ ...deps, runner: long, owner: 'a' });
    await slots.claim('flag-inactive:2026-11-24T09:00:00.000Z', 'a', 1); // it ran before: b catches up
    await slots.complete('flag-inactive:2026-11-24T09:00:00.000Z', 'a');
    await a.start();
    await jest.advanceTimersByTimeAsync(2 * 60_000); // a starts the 09:00 run, which goes on and on
    const b = createHygieneScheduler({ ...deps, runner: other, owner: 'b' });
    await b.start();
    await jest.advanceTimersByTimeAsync(90 * 60_000); // three claim lifetimes; b looks every minute
    expect(long.runs).toEqual(['a:schedule']);
    expect(other.runs).toEqual([]);
    finish();
    await jest.advanceTimersByTimeAsync(1);
    expect(await slots.isComplete('flag-inactive:2026-11-25T09:00:00.000Z')).toBe(true);
    await a.stop();
    await b.stop();
  });

  it('when the settings change, then refresh reschedules the job', async () => {
    jest.useFakeTimers({ now: new Date('2026-11-25T12:00:00Z') });
    let schedule = '0 3 * * *';
    const runner = recordingRunner();
    const scheduler = createHygieneScheduler({
      runner,
      slots: memorySlots(() => new Date()),
      settings: async () => settings({ 'flag-inactive': schedule }),
      clock: () => new Date(),
      logger,
      owner: 'a',
      leaseMs: 60_000,
      refreshEveryMs: 60_000,
    });
    await scheduler.start();
    expect(scheduler.nextRuns()['flag-inactive']).toEqual(new Date('2026-11-26T03:00:00Z'));
    schedule = '30 12 * * *';
    await scheduler.refresh();
    expect(scheduler.nextRuns()['flag-inactive']).toEqual(new Date('2026-11-25T12:30:00Z'));
    await jest.advanceTimersByTimeAsync(31 * 60_000);
    expect(runner.runs).toEqual([{ name: 'flag-inactive', trigger: 'schedule', slot: '2026-11-25T12:30:00.000Z' }]);
    await scheduler.stop();
  });
});
