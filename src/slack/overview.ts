import type { AppDeps } from '../app-deps';
import type { ConsentStatus } from '../domain/contact';
import type { JobRun } from '../domain/job-run';
import type { DeliveryState } from '../domain/message';
import type { ReadinessReport } from '../health';

type Counts = Partial<Record<DeliveryState, number>>;

/** Everything `/wa status` and App Home show, read once. Store figures are absent when the store is down. */
export interface Overview {
  report: ReadinessReport;
  queues?: { inbound: Counts; outbound: Counts };
  consent?: Partial<Record<ConsentStatus, number>>;
  lastHygiene?: JobRun | null;
}

/** The hygiene job's name in `job_runs` (the hygiene issue's jobs record themselves under it). */
export const HYGIENE_JOB = 'flag-inactive';

export async function readOverview(deps: Pick<AppDeps, 'health' | 'repos'>): Promise<Overview> {
  const report = await deps.health.readiness();
  if (!report.store.ok) return { report };
  const [inbound, outbound, consent, lastHygiene] = await Promise.all([
    deps.repos.messages.countByState('inbound'),
    deps.repos.messages.countByState('outbound'),
    deps.repos.contacts.consentTotals(),
    deps.repos.jobRuns.latest(HYGIENE_JOB),
  ]);
  return { report, queues: { inbound, outbound }, consent, lastHygiene };
}

/** "3 waiting · 1 failed": what is still to do on one side, and what will not happen by itself. */
export function queueLine(counts: Counts): string {
  return `${(counts.pending ?? 0) + (counts.sending ?? 0)} waiting · ${counts.failed ?? 0} failed`;
}

export function consentLine(totals: Partial<Record<ConsentStatus, number>>): string {
  return `${totals.opted_in ?? 0} opted in · ${totals.pending ?? 0} pending · ${totals.opted_out ?? 0} opted out · ${totals.unknown ?? 0} not asked`;
}
