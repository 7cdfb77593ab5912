import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock';
import { AppError } from '../errors';
import type { JobName } from '../domain/hygiene';
import type { JobRun, JobRunRepository } from '../domain/job-run';
import type { LeaseRepository } from '../domain/lease';
import type { Logger } from '../logger';
import type { SettingsRepository } from '../store/repositories/settings-repository';
import { busyMessage, runningNote, type RunningNote } from './running-note';

/** How a run was asked for: its "now", its schedule slot (scheduled runs), and for reports where to post (else the configured channel). */
export interface RunRequest {
  now: Date;
  slot?: Date;
  channel?: string;
}

/** A job's work: it returns what it counted. */
export type JobWork = (run: RunRequest) => Promise<Record<string, number>>;

export interface JobRunner {
  /** Runs the job and records a `job_runs` entry either way; a failure is rethrown after recording. */
  run(name: JobName, trigger: NonNullable<JobRun['trigger']>, options?: { slot?: Date; channel?: string }): Promise<JobRun>;
}

/** How long a run holds its job without renewing: a crashed instance's run frees the job after this. */
export const RUN_LEASE_MS = 30 * 60_000;

export interface JobRunnerDeps {
  work: Record<JobName, JobWork>;
  jobRuns: JobRunRepository;
  /** The shared "this job is running" lock, one lease per job, held by one run on any instance. */
  leases: LeaseRepository;
  /** Where a run notes when and why it started, for the refusal another run gets. */
  notes: Pick<SettingsRepository, 'get' | 'set'>;
  /** The team's time zone, for the start time in a refusal. */
  timezone: () => Promise<string>;
  clock: Clock;
  logger: Logger;
}

const lockName = (name: JobName) => `hygiene-run:${name}`;

/**
 * Runs jobs one at a time per job across every instance (a lead's `/wa hygiene run` cannot overlap
 * a scheduled run elsewhere; node-cron's `noOverlap` covers only its own ticks and the slot claims
 * only one slot) and records each run. The lock is a lease renewed while the run goes on.
 */
export function createJobRunner(deps: JobRunnerDeps): JobRunner {

  async function refuse(name: JobName): Promise<never> {
    const note = runningNote.safeParse(await deps.notes.get(lockName(name)).catch(() => undefined));
    const timezone = await deps.timezone().catch(() => 'UTC');
    throw new AppError('JOB_BUSY', busyMessage(name, note.success ? note.data : undefined, timezone));
  }

  return {
    async run(name, trigger, { slot, channel } = {}) {
      const holder = randomUUID();
      if (!(await deps.leases.acquire(lockName(name), holder, RUN_LEASE_MS))) return refuse(name);
      const startedAt = deps.clock();
      const started = performance.now();
      const log = deps.logger.child({ job: name, trigger, slot });
      const renew = async () => {
        // Lost (a store outage longer than the lease): another run may start meanwhile; said, not hidden.
        if (!(await deps.leases.acquire(lockName(name), holder, RUN_LEASE_MS))) log.warn('the job lock lapsed while the run went on: another instance may start the job meanwhile');
      };
      const renewal = setInterval(() => void renew().catch((err: unknown) => log.warn({ err }, 'could not renew the job lock')), RUN_LEASE_MS / 3);
      renewal.unref();
      try {
        const note: RunningNote = { holder, startedAt, trigger };
        await deps.notes.set(lockName(name), note);
        const counts = await deps.work[name]({ now: startedAt, slot, channel });
        const run = await deps.jobRuns.record({ job: name, trigger, slot, startedAt, finishedAt: deps.clock(), durationMs: Math.round(performance.now() - started), counts, outcome: 'ok' });
        log.info({ counts, durationMs: run.durationMs }, 'job finished');
        return run;
      } catch (err) {
        log.error({ err }, 'job failed');
        await deps.jobRuns
          .record({ job: name, trigger, slot, startedAt, finishedAt: deps.clock(), durationMs: Math.round(performance.now() - started), counts: {}, outcome: 'failed', error: String((err as Error)?.message ?? err).slice(0, 500) })
          .catch((recordErr: unknown) => log.warn({ err: recordErr }, 'could not record the failed run'));
        throw err;
      } finally {
        clearInterval(renewal);
        // The note first: a refusal must not quote a finished run's start.
        await deps.notes.set(lockName(name), null).catch((err: unknown) => log.warn({ err }, 'could not clear the running note'));
        await deps.leases.release(lockName(name), holder).catch((err: unknown) => log.warn({ err }, 'could not release the job lock: it lapses on its own'));
      }
    },
  };
}
