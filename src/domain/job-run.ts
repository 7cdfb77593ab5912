export interface JobRun {
  id: string;
  job: string;
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
}
