import type { types } from '@slack/bolt';
import type { JobName } from '../../domain/hygiene';
import type { HygieneSettings } from '../../hygiene/settings';
import { slackDate } from './gateway-state';
import { modal } from './modal';

export const HYGIENE_SETTINGS_MODAL = 'hygiene_settings';
/** Block ids, which are also the keys a validation error is reported under. */
export const SETTINGS_FIELDS = { inactiveDays: 'inactive_days', flagSchedule: 'flag_schedule', reportSchedule: 'report_schedule', reportChannel: 'report_channel' } as const;
const FIELD_LABELS: Record<keyof typeof SETTINGS_FIELDS, string> = { inactiveDays: 'Inactive after', flagSchedule: 'Flagging schedule', reportSchedule: 'Report schedule', reportChannel: 'Report channel' };

/** `/wa hygiene settings`: what leads may change without a restart, with the current values filled in. */
export function hygieneSettingsModal(settings: HygieneSettings, nextRuns: Partial<Record<JobName, Date | null>>): types.ModalView {
  const text = (blockId: string, label: string, initial: string, hint: string) => ({
    type: 'input' as const,
    block_id: blockId,
    label: { type: 'plain_text' as const, text: label },
    hint: { type: 'plain_text' as const, text: hint },
    element: { type: 'plain_text_input' as const, action_id: 'value', initial_value: initial },
  });
  const next = (job: JobName) => (nextRuns[job] ? slackDate(nextRuns[job]) : 'not scheduled');
  const ignored = (settings.ignored ?? []).map((name) => `*${FIELD_LABELS[name]}*`);
  // A stored value that fails validation is ignored field by field (settings.ts); say which, since the form shows another.
  const ignoredNote = ignored.length
    ? [{ type: 'context' as const, elements: [{ type: 'mrkdwn' as const, text: `:warning: The saved ${ignored.length === 1 ? 'value' : 'values'} of ${ignored.join(', ')} ${ignored.length === 1 ? 'was' : 'were'} invalid and ${ignored.length === 1 ? 'is' : 'are'} ignored (the configured one is shown): saving stores it again.` }] }]
    : [];
  return modal({
    callbackId: HYGIENE_SETTINGS_MODAL,
    title: 'List hygiene',
    submit: 'Save',
    blocks: [
      ...ignoredNote,
      {
        type: 'input',
        block_id: SETTINGS_FIELDS.inactiveDays,
        label: { type: 'plain_text', text: 'Inactive after (days without a message)' },
        element: { type: 'number_input', action_id: 'value', is_decimal_allowed: false, min_value: '7', max_value: '3650', initial_value: String(settings.inactiveDays) },
      },
      text(SETTINGS_FIELDS.flagSchedule, 'Flagging schedule (cron)', settings.schedules['flag-inactive'], `Minute hour day month weekday, in ${settings.timezone}; at most once an hour. "0 3 * * *" is 03:00 daily.`),
      text(SETTINGS_FIELDS.reportSchedule, 'Report schedule (cron)', settings.schedules['hygiene-report'], `In ${settings.timezone}; at most once an hour. "0 9 * * 1" is Mondays at 09:00.`),
      {
        type: 'input',
        block_id: SETTINGS_FIELDS.reportChannel,
        optional: true,
        label: { type: 'plain_text', text: 'Report channel' },
        element: {
          type: 'conversations_select',
          action_id: 'value',
          filter: { include: ['public', 'private'], exclude_bot_users: true },
          ...(settings.reportChannel ? { initial_conversation: settings.reportChannel } : {}),
        },
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `Next flagging run ${next('flag-inactive')} · next report ${next('hygiene-report')}. Changes apply at once, on every instance within a minute.` }] },
    ],
  });
}
