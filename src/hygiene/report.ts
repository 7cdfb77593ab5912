import type { webApi } from '@slack/bolt';
import type { HygieneRepository, ReportData, ReportFigures } from '../domain/hygiene';
import type { ConversationRepository } from '../domain/conversation';
import type { JobRunRepository } from '../domain/job-run';
import type { Logger } from '../logger';
import { hygieneReportBlocks } from '../slack/blocks/hygiene-report';
import { slackErrorCode } from '../slack/slack-errors';
import { broadcastsInPeriod, type ReportBroadcastDeps } from './report-broadcasts';
import { renderReportChart } from './report-chart';
import { reportMetadata } from './report-posted';
import type { HygieneSettings } from './settings';

const DAY = 86_400_000;
/** Reports on the chart: this one and the seven before it (two months of weekly reports). */
const CHART_REPORTS = 8;

const FIGURE_KEYS: Array<keyof ReportFigures> = ['total', 'active', 'inactive', 'archived', 'optedIn', 'optedOut', 'pending', 'newlyInactive', 'optedOutInPeriod', 'expiredInPeriod', 'consentRate', 'broadcastsSent'];
const asFigures = (counts: Record<string, number>): ReportFigures =>
  Object.fromEntries(FIGURE_KEYS.map((k) => [k, Number(counts[k] ?? 0)])) as unknown as ReportFigures;

/**
 * The report's numbers at `now`. A period runs from the previous recorded report to now (the last
 * seven days for the first one), so each opt-out is counted in exactly one report.
 */
export async function buildReport(deps: { hygiene: HygieneRepository; jobRuns: JobRunRepository; conversations: ConversationRepository } & Partial<ReportBroadcastDeps>, now: Date): Promise<ReportData> {
  const earlier = await deps.jobRuns.recentOk('hygiene-report', CHART_REPORTS - 1);
  const last = earlier[0];
  const from = last ? last.startedAt : new Date(now.getTime() - 7 * DAY);
  const [{ figures, topLabels }, firstResponseMs, resolutionMs] = await Promise.all([
    deps.hygiene.figures({ from, to: now }),
    deps.conversations.medianMs('first_response', from, now),
    deps.conversations.medianMs('resolution', from, now),
  ]);
  const broadcasts = deps.broadcasts && deps.messages && deps.broadcastOutcomes ? await broadcastsInPeriod(deps as ReportBroadcastDeps, { from, to: now }) : undefined;
  if (broadcasts) figures.broadcastsSent = broadcasts.reduce((n, b) => n + b.sent, 0);
  return {
    period: { from, to: now },
    figures,
    ...(broadcasts ? { broadcasts } : {}),
    topLabels,
    previous: last ? asFigures(last.counts) : undefined,
    conversations: { ...(firstResponseMs !== undefined ? { firstResponseMs } : {}), ...(resolutionMs !== undefined ? { resolutionMs } : {}) },
    history: [...earlier.reverse().map((r) => ({ at: r.startedAt, figures: asFigures(r.counts) })), { at: now, figures }],
  };
}

/**
 * Posts the report to `channel`, then its chart into the report's thread. A chart that fails to
 * upload leaves the report standing (logged); a report that cannot be posted throws. A scheduled
 * report carries its slot (`slotKey`), so a retry of the slot finds it (report-posted.ts).
 */
export async function postReport(
  client: webApi.WebClient,
  channel: string,
  data: ReportData,
  settings: Pick<HygieneSettings, 'inactiveDays' | 'noReplyDays' | 'timezone'>,
  logger: Logger,
  slotKey?: string,
): Promise<{ channel: string; ts: string }> {
  const message = hygieneReportBlocks(data, settings);
  const metadata = slotKey ? { metadata: reportMetadata(slotKey) } : {};
  const post = () => client.chat.postMessage({ channel, ...message, ...metadata, unfurl_links: false });
  const posted = await post().catch(async (err: unknown) => {
    // A public channel the bot was never invited to: join it, as the mirroring does.
    if (slackErrorCode(err) !== 'not_in_channel') throw err;
    await client.conversations.join({ channel });
    return post();
  });
  const ts = posted.ts!;
  try {
    await client.filesUploadV2({
      channel_id: channel,
      thread_ts: ts,
      file: renderReportChart(data.history, settings.timezone),
      filename: 'hygiene-report.png',
      title: 'Contacts per report',
    });
  } catch (err) {
    logger.warn({ err, channel }, 'hygiene report posted, but its chart could not be uploaded');
  }
  return { channel, ts };
}
