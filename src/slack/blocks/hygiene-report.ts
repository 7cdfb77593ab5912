import type { types } from '@slack/bolt';
import type { ReportData, ReportFigures } from '../../domain/hygiene';
import { escapeMrkdwn } from '../mrkdwn';
import { durationText } from '../overview';

export const HYGIENE_ACTIONS = { archive: 'hygiene_archive_inactive', export: 'hygiene_export_inactive' } as const;

const n = (v: number) => v.toLocaleString('en-US');

/** "▲ 12" / "▼ 3" / "no change" against the previous report; nothing on the first one. */
export function trend(now: number, before: number | undefined, unit = ''): string {
  if (before === undefined) return '';
  const diff = Math.round((now - before) * 10) / 10;
  if (diff === 0) return ' (no change)';
  return ` (${diff > 0 ? '▲' : '▼'} ${n(Math.abs(diff))}${unit})`;
}

const replies = (c: ReportData['conversations']) =>
  c.firstResponseMs === undefined && c.resolutionMs === undefined
    ? 'none recorded'
    : `first response ${c.firstResponseMs === undefined ? '–' : durationText(c.firstResponseMs)} · resolution ${c.resolutionMs === undefined ? '–' : durationText(c.resolutionMs)} (medians)`;

/** Each broadcast started in the period: copies sent and its opt-out rate (within 72 h), flagged over 2 %. */
const broadcastLines = (list: NonNullable<ReportData['broadcasts']>) =>
  list.length === 0
    ? 'none'
    : list
        .slice(0, 10)
        .map((b) => `\n• “${escapeMrkdwn(b.name)}” — ${n(b.sent)} sent · opt-outs ${Math.round(b.optOutRate * 1000) / 10} %${b.warning ? ' :warning: over 2 %: check the list or the message' : ''}`)
        .join('');

const day = (at: Date) => `<!date^${Math.floor(at.getTime() / 1000)}^{date_short}|${at.toISOString().slice(0, 10)}>`;

/**
 * The hygiene report as Block Kit: figures with their trend against the previous report, the top
 * labels, and the two follow-up buttons. The chart goes into the message's thread.
 */
export function hygieneReportBlocks(data: ReportData, rules: { inactiveDays: number; noReplyDays: number }): { text: string; blocks: types.KnownBlock[] } {
  const f = data.figures;
  const p: Partial<ReportFigures> = data.previous ?? {};
  const field = (title: string, text: string) => ({ type: 'mrkdwn' as const, text: `*${title}*\n${text}` });
  const labels = data.topLabels.length ? data.topLabels.map((l) => `\`${escapeMrkdwn(l.label)}\` ${n(l.count)}`).join(' · ') : 'no labels yet';
  const text = `List hygiene report: ${n(f.total)} contacts, ${n(f.active)} active, ${n(f.newlyInactive)} newly inactive, consent rate ${f.consentRate} %.`;
  return {
    text,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: 'List hygiene report' } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `${day(data.period.from)} – ${day(data.period.to)}${data.previous ? ' · trends against the previous report' : ' · first report: no trends yet'}` }] },
      {
        type: 'section',
        fields: [
          field('Contacts', `${n(f.total)}${trend(f.total, p.total)}`),
          field('Active', `${n(f.active)}${trend(f.active, p.active)}`),
          field('Newly inactive', `${n(f.newlyInactive)}${trend(f.newlyInactive, p.newlyInactive)} · ${n(f.inactive)} inactive in all`),
          field('Opted out this period', `${n(f.optedOutInPeriod)}${trend(f.optedOutInPeriod, p.optedOutInPeriod)}`),
          field('Opt-in requests expired', `${n(f.expiredInPeriod)}${trend(f.expiredInPeriod, p.expiredInPeriod)}`),
          field('Consent rate', `${f.consentRate} %${trend(f.consentRate, p.consentRate, ' pts')} · ${n(f.optedIn)} opted in`),
        ],
      },
      { type: 'section', text: { type: 'mrkdwn', text: `*Top labels* ${labels}` } },
      { type: 'section', text: { type: 'mrkdwn', text: `*Replies this period* ${replies(data.conversations)}` } },
      ...(data.broadcasts ? [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: `*Broadcasts this period* ${broadcastLines(data.broadcasts)}` } }] : []),
      {
        type: 'actions',
        elements: [
          { type: 'button', action_id: HYGIENE_ACTIONS.archive, text: { type: 'plain_text', text: `Archive inactive (${n(f.inactive)})` }, style: 'danger', value: 'archive' },
          { type: 'button', action_id: HYGIENE_ACTIONS.export, text: { type: 'plain_text', text: 'Export CSV' }, value: 'export' },
        ],
      },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: `Inactive: no message for ${rules.inactiveDays} days, or no reply within ${rules.noReplyDays} days of opting in. Archived contacts stay on record but leave segments and broadcasts. Chart in the thread.`,
          },
        ],
      },
    ],
  };
}
