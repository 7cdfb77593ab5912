export interface JobRun {
  id: string;
  job: string;
  /** Why it ran: its schedule, a catch-up after downtime, or a lead's command. */
  trigger?: 'schedule' | 'catch-up' | 'command';
  /** The schedule slot it ran for (scheduled and catch-up runs). */
  slot?: Date;
  startedAt: Date;
  finishedAt: Date;
  durationMs: number;
  counts: Record<string, number>;
  outcome: 'ok' | 'failed';
  error?: string;
}

export interface JobRunRepository {
  record(run: Omit<JobRun, 'id'>): Promise<JobRun>;
  latest(job: string): Promise<JobRun | null>;
  /** The job's successful runs, newest first. */
  recentOk(job: string, limit: number): Promise<JobRun[]>;
}
