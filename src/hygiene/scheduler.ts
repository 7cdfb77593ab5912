import { isAppError } from '../errors';
import { schedule, type Logger as CronLogger, type RunCoordinator, type ScheduledTask } from 'node-cron';
import type { Clock } from '../clock';
import { JOB_NAMES, type JobName, type JobSlotRepository } from '../domain/hygiene';
import type { Logger } from '../logger';
import type { JobRunner } from './job-runner';
import { previousSlot } from './previous-slot';
import type { HygieneSettings } from './settings';

export interface HygieneScheduler {
  /** Schedules every job, then runs each job's missed slot once (see {@link HygieneScheduler.catchUp}). */
  start(): Promise<void>;
  /** Re-reads the settings and reschedules the jobs whose schedule or time zone changed. */
  refresh(): Promise<void>;
  /**
   * If a job's latest slot before now never ran to the end — the app was down, its run failed, or
   * its instance crashed mid-run and the claim lapsed — run it once now. A job that never ran
   * before has nothing to catch up. Runs at start and every minute; returns the jobs that ran.
   */
  catchUp(): Promise<JobName[]>;
  /** When each job runs next (App Home, `/wa hygiene settings`). */
  nextRuns(): Partial<Record<JobName, Date | null>>;
  stop(): Promise<void>;
}

export interface SchedulerDeps {
  runner: JobRunner;
  slots: JobSlotRepository;
  settings: () => Promise<HygieneSettings>;
  clock: Clock;
  logger: Logger;
  /** This instance, as recorded on the slots it claims. */
  owner: string;
  /** How long a claimed slot is held before another instance may take it over (a crashed run). */
  leaseMs: number;
  /** How often other instances' setting changes are picked up. */
  refreshEveryMs: number;
}

/**
 * node-cron tasks for the hygiene jobs. Every task is `distributed` with a MongoDB-backed run
 * coordinator, so with several instances each slot runs once; `noOverlap` keeps a slow run from
 * being joined by the next tick in the same process.
 */
export function createHygieneScheduler(deps: SchedulerDeps): HygieneScheduler {
  const log = deps.logger.child({ component: 'scheduler' });
  // No onComplete: node-cron calls it even when the run failed. A slot is completed by runSlot,
  // only when its run succeeded; a failed one lapses and is retried by the catch-up below.
  const coordinator: RunCoordinator = { shouldRun: (key, ttlMs) => deps.slots.claim(key, deps.owner, ttlMs) };
  const cronLogger: CronLogger = {
    info: (m) => log.info(m),
    warn: (m) => log.warn(m),
    error: (m, err) => log.error({ err: err ?? m }, typeof m === 'string' ? m : 'cron error'),
    debug: (m) => log.debug(typeof m === 'string' ? m : { err: m }, 'cron'),
  };
  const tasks = new Map<JobName, { task: ScheduledTask; expression: string; timezone: string }>();
  let poll: NodeJS.Timeout | undefined;
  let stopped = false;

  /** Runs a claimed slot; true when it succeeded (the runner records and logs failures). */
  const runSlot = async (name: JobName, slot: Date, trigger: 'schedule' | 'catch-up'): Promise<boolean> => {
    const key = `${name}:${slot.toISOString()}`;
    // A run longer than the claim keeps it: another instance must not take a live run over.
    const renewal = setInterval(() => void deps.slots.renew(key, deps.owner, deps.leaseMs).catch((err: unknown) => log.warn({ err, key }, 'could not renew a job claim')), deps.leaseMs / 3);
    renewal.unref();
    try {
      await deps.runner.run(name, trigger, { slot });
    } catch (err) {
      // Failures are recorded and logged by the runner; a job running elsewhere is not a failure:
      // the slot's claim lapses and the catch-up runs it afterwards.
      if (isAppError(err, 'JOB_BUSY')) log.info({ key }, 'the job is running elsewhere: this slot runs when its claim lapses (at most 30 minutes)');
      return false;
    } finally {
      clearInterval(renewal);
    }
    await deps.slots.complete(key, deps.owner);
    return true;
  };

  async function apply(): Promise<void> {
    const settings = await deps.settings();
    if (stopped) return;
    for (const name of JOB_NAMES) {
      const expression = settings.schedules[name];
      const current = tasks.get(name);
      if (current && current.expression === expression && current.timezone === settings.timezone) continue;
      await current?.task.destroy();
      const task = schedule(expression, (ctx) => runSlot(name, ctx.date, 'schedule'), {
        name,
        timezone: settings.timezone,
        noOverlap: true,
        distributed: true,
        runCoordinator: coordinator,
        distributedLease: deps.leaseMs,
        logger: cronLogger,
        unref: true,
      });
      tasks.set(name, { task, expression, timezone: settings.timezone });
      log.info({ job: name, schedule: expression, timezone: settings.timezone, next: task.getNextRun() }, current ? 'job rescheduled' : 'job scheduled');
    }
  }

  return {
    async start() {
      await apply();
      await this.catchUp();
      // Every minute: settings other instances saved, and slots whose run failed or whose
      // instance died (their claim has lapsed) are run again.
      poll = setInterval(() => void apply().then(() => this.catchUp()).catch((err: unknown) => log.warn({ err }, 'could not refresh the hygiene schedules')), deps.refreshEveryMs);
      poll.unref();
    },
    refresh: apply,
    async catchUp() {
      const settings = await deps.settings();
      const ran: JobName[] = [];
      for (const name of JOB_NAMES) {
        if (!(await deps.slots.hasHistory(name))) continue;
        const slot = previousSlot(settings.schedules[name], settings.timezone, deps.clock());
        if (!slot) continue;
        // A slot from before this schedule took effect never existed: the old schedule was in force then.
        const since = settings.schedulesSince?.[name];
        if (since && slot.getTime() < since.getTime()) continue;
        const key = `${name}:${slot.toISOString()}`;
        if (await deps.slots.isComplete(key)) continue;
        if (!(await coordinator.shouldRun(key, deps.leaseMs))) continue;
        log.info({ job: name, slot }, 'catching up a missed slot');
        if (await runSlot(name, slot, 'catch-up')) ran.push(name);
      }
      return ran;
    },
    nextRuns() {
      return Object.fromEntries([...tasks].map(([name, { task }]) => [name, task.getNextRun()]));
    },
    async stop() {
      stopped = true;
      clearInterval(poll);
      for (const { task } of tasks.values()) await task.destroy();
      tasks.clear();
    },
  };
}
