import type { ReportBroadcast } from '../hygiene/report-broadcasts';
import type { Contact } from './contact';

/** The scheduled jobs, by the names they have in config, `job_runs` and the run coordinator. */
export const JOB_NAMES = ['flag-inactive', 'expire-opt-ins', 'hygiene-report'] as const;
export type JobName = (typeof JOB_NAMES)[number];

/** What a flagging run changed. */
export interface FlagCounts {
  /** No inbound message for the inactive-days threshold. */
  noMessage: number;
  /** Opted in, then never wrote again within the no-reply threshold. */
  noReply: number;
}

export interface FlagRules {
  /** A contact whose last inbound message is older than this is inactive. */
  inactiveBefore: Date;
  inactiveDays: number;
  /** An opt-in older than this with no message since makes a contact inactive. */
  optedInBefore: Date;
  noReplyDays: number;
  now: Date;
}

/** Where a report's numbers come from; also stored with each report run as its `counts`. */
export interface ReportFigures {
  total: number;
  active: number;
  inactive: number;
  archived: number;
  optedIn: number;
  optedOut: number;
  pending: number;
  /** Became inactive within the period (periods are (from, to]). */
  newlyInactive: number;
  /** Opt-outs recorded in the ledger within the period. */
  optedOutInPeriod: number;
  /** Opt-in requests that expired within the period. */
  expiredInPeriod: number;
  /** Opted-in share of the contacts not archived, in percent (one decimal). */
  consentRate: number;
  /** Broadcast copies sent by the broadcasts started within the period (absent in reports from before broadcasts). */
  broadcastsSent?: number;
}

export interface ReportData {
  period: { from: Date; to: Date };
  figures: ReportFigures;
  topLabels: Array<{ label: string; count: number }>;
  /** The previous period's figures, for the trend; absent on the first report. */
  previous?: ReportFigures;
  /** How fast the team answered and resolved within the period (medians, ms; absent without any). */
  conversations: { firstResponseMs?: number; resolutionMs?: number };
  /** Earlier reports, oldest first, for the chart. */
  history: Array<{ at: Date; figures: ReportFigures }>;
  /** Broadcasts started within the period, with their opt-out rate (absent when not asked for). */
  broadcasts?: ReportBroadcast[];
}

/** Set-based hygiene over the contacts: every method costs a fixed number of round trips. */
export interface HygieneRepository {
  flagInactive(rules: FlagRules): Promise<FlagCounts>;
  /**
   * Ends pending opt-in requests made before `requestedBefore`: one ledger entry each (idempotent,
   * so a run that crashed half-way is completed by the next), then the contact goes back to the
   * consent it had before the request.
   */
  expirePendingOptIns(requestedBefore: Date, now: Date): Promise<{ expired: number }>;
  /** Inactive → archived: they stay in the store but leave segments and broadcasts. */
  archiveInactive(now: Date, actor: string): Promise<number>;
  countInactive(): Promise<number>;
  streamInactive(): AsyncIterable<Contact>;
  figures(period: { from: Date; to: Date }): Promise<{ figures: ReportFigures; topLabels: ReportData['topLabels'] }>;
}

/** One claim per job slot, shared by every instance (node-cron's run coordinator). */
export interface JobSlotRepository {
  /** True if this caller may run the slot: nobody claimed it, or a claim lapsed unfinished (a crash). */
  claim(key: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Extends `owner`'s claim while its run goes on, so no other instance takes a long run over. */
  renew(key: string, owner: string, ttlMs: number): Promise<void>;
  /** Marks the slot run to the end, if `owner` still holds it (a taken-over claim is the new owner's). */
  complete(key: string, owner: string): Promise<void>;
  /** Whether the job ever had a slot claimed (a first start has nothing to catch up). */
  hasHistory(job: string): Promise<boolean>;
  /** Whether the slot was run to the end. */
  isComplete(key: string): Promise<boolean>;
}
