import type { webApi } from '@slack/bolt';
import type { Clock } from '../clock';
import type { Config } from '../config';
import type { JobName } from '../domain/hygiene';
import type { Logger } from '../logger';
import type { Repositories } from '../store/repositories';
import { createJobRunner, type JobRunner, type JobWork } from './job-runner';
import { buildReport, postReport } from './report';
import { findPostedReport } from './report-posted';
import { loadHygieneSettings, saveHygieneSettings, type HygieneSettings, type StoredHygieneSettings } from './settings';

const DAY = 86_400_000;
const daysBefore = (now: Date, days: number) => new Date(now.getTime() - days * DAY);

export interface Hygiene {
  runner: JobRunner;
  settings(): Promise<HygieneSettings>;
  /** Stores a lead's settings (validated again here) and tells the scheduler. */
  saveSettings(value: StoredHygieneSettings): Promise<void>;
  /** Called after settings change (the scheduler reschedules). */
  onSettingsChanged(listener: () => Promise<void>): void;
  /** The report for now, posted to `channel` but not recorded: the period reports stay the scheduled ones. */
  report(channel: string): Promise<{ channel: string; ts: string }>;
}

export interface HygieneDeps {
  config: Config;
  repos: Repositories;
  clock: Clock;
  logger: Logger;
  /** The Slack client, known once the Slack app is built. */
  slack: () => webApi.WebClient;
}

/**
 * List hygiene: the three jobs' work, the settings in force, and the report. Scheduling lives in
 * scheduler.ts; Slack commands and buttons call into this.
 */
export function createHygiene(deps: HygieneDeps): Hygiene {
  const { repos, logger } = deps;
  const settings = () => loadHygieneSettings(deps.config, repos.settings, logger, deps.clock);
  const listeners: Array<() => Promise<void>> = [];

  const work: Record<JobName, JobWork> = {
    async 'flag-inactive'({ now }) {
      const s = await settings();
      const counts = await repos.hygiene.flagInactive({
        inactiveBefore: daysBefore(now, s.inactiveDays),
        inactiveDays: s.inactiveDays,
        optedInBefore: daysBefore(now, s.noReplyDays),
        noReplyDays: s.noReplyDays,
        now,
      });
      return { ...counts, flagged: counts.noMessage + counts.noReply };
    },
    async 'expire-opt-ins'({ now }) {
      const s = await settings();
      return repos.hygiene.expirePendingOptIns(daysBefore(now, s.optInExpiryDays), now);
    },
    async 'hygiene-report'({ now, slot, channel: asked }) {
      const s = await settings();
      const data = await buildReport(repos, now);
      const channel = asked ?? s.reportChannel;
      // The figures are recorded either way: they are the next report's trend and chart.
      if (!channel) {
        logger.warn({ job: 'hygiene-report' }, 'no report channel (HYGIENE_REPORT_CHANNEL or SLACK_ADMIN_CHANNEL): report not posted');
        return { ...data.figures, posted: 0 };
      }
      // The slot's claim is the intent: a slot run again (its instance died after posting and
      // before the run was recorded, or the record failed) first looks for its own post. What is
      // left: a report channel changed in between, or a history Slack would not show (logged).
      const slotKey = slot ? `hygiene-report:${slot.toISOString()}` : undefined;
      const earlier = slotKey && slot ? await findPostedReport(deps.slack(), channel, slotKey, slot, logger) : undefined;
      if (earlier) logger.info({ job: 'hygiene-report', channel, ts: earlier, slot: slotKey }, 'this slot\'s report was already posted: recording it, not posting again');
      else await postReport(deps.slack(), channel, data, s, logger, slotKey);
      return { ...data.figures, posted: 1 };
    },
  };
  const runner = createJobRunner({ work, jobRuns: repos.jobRuns, leases: repos.leases, notes: repos.settings, timezone: async () => (await settings()).timezone, clock: deps.clock, logger });

  return {
    runner,
    settings,
    async saveSettings(value) {
      await saveHygieneSettings(repos.settings, value);
      for (const listener of listeners) await listener();
    },
    onSettingsChanged(listener) {
      listeners.push(listener);
    },
    async report(channel) {
      const s = await settings();
      return postReport(deps.slack(), channel, await buildReport(repos, deps.clock()), s, logger);
    },
  };
}
