import type { Clock } from '../clock';
import { AppError } from '../errors';
import type { JobName } from '../domain/hygiene';
import type { JobRun, JobRunRepository } from '../domain/job-run';
import type { Logger } from '../logger';

/** How a run was asked for: its "now", and for reports where to post (else the configured channel). */
export interface RunRequest {
  now: Date;
  channel?: string;
}

/** A job's work: it returns what it counted. */
export type JobWork = (run: RunRequest) => Promise<Record<string, number>>;

export interface JobRunner {
  /** Runs the job and records a `job_runs` entry either way; a failure is rethrown after recording. */
  run(name: JobName, trigger: NonNullable<JobRun['trigger']>, options?: { slot?: Date; channel?: string }): Promise<JobRun>;
  isBusy(name: JobName): boolean;
}

/**
 * Runs jobs one at a time per job in this process (a lead's `/wa hygiene run` cannot overlap the
 * scheduled run; node-cron's `noOverlap` covers only its own ticks) and records each run.
 */
export function createJobRunner(deps: { work: Record<JobName, JobWork>; jobRuns: JobRunRepository; clock: Clock; logger: Logger }): JobRunner {
  const busy = new Set<JobName>();
  return {
    isBusy: (name) => busy.has(name),
    async run(name, trigger, { slot, channel } = {}) {
      if (busy.has(name)) throw new AppError('JOB_BUSY', `The \`${name}\` job is already running; try again when it has finished.`);
      busy.add(name);
      const startedAt = deps.clock();
      const started = performance.now();
      const log = deps.logger.child({ job: name, trigger, slot });
      try {
        const counts = await deps.work[name]({ now: startedAt, channel });
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
        busy.delete(name);
      }
    },
  };
}
