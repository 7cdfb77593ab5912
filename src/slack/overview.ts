import type { AppDeps } from '../app-deps';
import type { ConsentStatus } from '../domain/contact';
import type { JobRun } from '../domain/job-run';
import type { DeliveryState } from '../domain/message';
import type { ReadinessReport } from '../health';
import { slackDate } from './blocks/gateway-state';
import { escapeMrkdwn } from './mrkdwn';

type Counts = Partial<Record<DeliveryState, number>>;

/** Everything `/wa status` and App Home show, read once. Store figures are absent when the store is down. */
export interface Overview {
  report: ReadinessReport;
  queues?: { inbound: Counts; outbound: Counts };
  consent?: Partial<Record<ConsentStatus, number>>;
  lastHygiene?: JobRun | null;
  /** The last run that succeeded, read only when the latest one failed. */
  lastHygieneOk?: JobRun | null;
  /** The team's queue, and the median first response of the last 7 days (ms; absent without replies). */
  conversations?: { open: number; unassigned: number; pending: number; medianFirstResponseMs?: number };
}

/** The hygiene job's name in `job_runs` (the hygiene issue's jobs record themselves under it). */
export const HYGIENE_JOB = 'flag-inactive';

const WEEK = 7 * 86_400_000;

export async function readOverview(deps: Pick<AppDeps, 'health' | 'repos' | 'clock'>): Promise<Overview> {
  const report = await deps.health.readiness();
  if (!report.store.ok) return { report };
  const [inbound, outbound, consent, lastHygiene, counts, median] = await Promise.all([
    deps.repos.messages.countByState('inbound'),
    deps.repos.messages.countByState('outbound'),
    deps.repos.contacts.consentTotals(),
    deps.repos.jobRuns.latest(HYGIENE_JOB),
    deps.repos.conversations.counts(),
    deps.repos.conversations.medianMs('first_response', new Date(deps.clock().getTime() - WEEK)),
  ]);
  // A failed latest run is shown as such, with when the job last worked.
  const lastHygieneOk = lastHygiene?.outcome === 'failed' ? ((await deps.repos.jobRuns.recentOk(HYGIENE_JOB, 1))[0] ?? null) : undefined;
  return { report, queues: { inbound, outbound }, consent, lastHygiene, ...(lastHygieneOk !== undefined ? { lastHygieneOk } : {}), conversations: { ...counts, ...(median !== undefined ? { medianFirstResponseMs: median } : {}) } };
}

/** "12 open · 3 unassigned · 5 pending" */
export function conversationsLine(c: NonNullable<Overview['conversations']>): string {
  return `${c.open} open · ${c.unassigned} unassigned · ${c.pending} pending`;
}

/** "4 min" / "1 h 20 min" / "45 s": a duration as a person reads it. */
export function durationText(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
}

/** "3 waiting · 1 failed": what is still to do on one side, and what will not happen by itself. */
export function queueLine(counts: Counts): string {
  return `${(counts.pending ?? 0) + (counts.sending ?? 0)} waiting · ${counts.failed ?? 0} failed`;
}

/** "<date>", or ":warning: failed <date> — <error> · last successful <date>": a failed run never passes for a good one. */
export function hygieneRunLine(latest: JobRun | null | undefined, lastOk?: JobRun | null): string {
  if (!latest) return 'not yet';
  if (latest.outcome !== 'failed') return slackDate(latest.finishedAt);
  const error = latest.error ? ` — ${escapeMrkdwn(latest.error.length > 200 ? `${latest.error.slice(0, 199)}…` : latest.error)}` : '';
  return `:warning: failed ${slackDate(latest.finishedAt)}${error} · ${lastOk ? `last successful ${slackDate(lastOk.finishedAt)}` : 'no successful run yet'}`;
}

export function consentLine(totals: Partial<Record<ConsentStatus, number>>): string {
  return `${totals.opted_in ?? 0} opted in · ${totals.pending ?? 0} pending · ${totals.opted_out ?? 0} opted out · ${totals.unknown ?? 0} not asked`;
}
