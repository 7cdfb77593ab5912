import type { BlockAction, webApi } from '@slack/bolt';
import type { AppDeps } from '../../../app-deps';
import { AUTO_REPLY_KINDS, createAutoReplyStore } from '../../../auto-reply/auto-reply-settings';
import { WEEKDAYS, describeOpening, openState } from '../../../hours/business-hours';
import { createHoursStore } from '../../../hours/hours-store';
import { spansText } from '../../../hours/week-text';
import { HOURS_FORM_ACTION, HOURS_MODAL, hoursModal, type HoursForm } from '../../blocks/hours-modal';
import { requestLog } from '../../request-context';
import { slackErrorCode } from '../../slack-errors';
import type { Listeners } from '../listener-table';
import { checkForm, formFromState, formFromStore, previewOf } from './hours-form';

type Deps = Pick<AppDeps, 'repos' | 'logger' | 'clock' | 'config'>;

/** What the modal must remember between keystrokes (the form itself is in the view's state). */
interface Metadata {
  scheduleSet?: boolean;
}

function stores(deps: Deps) {
  const settings = { settings: deps.repos.settings, logger: deps.logger };
  return { hours: createHoursStore(settings), replies: createAutoReplyStore(settings) };
}

function modalFor(deps: Deps, form: HoursForm, meta: Metadata) {
  const timeZone = deps.config.reportsTimezone;
  const preview = previewOf(form, { now: deps.clock(), timeZone, businessName: deps.config.autoReplies.businessName });
  return { ...hoursModal(form, preview, { timeZone, scheduleSet: meta.scheduleSet ?? false }), private_metadata: JSON.stringify(meta) };
}

/** Opens the modal filled from the store; `/wa hours edit` and App Home's button (both lead-only) call it. */
export async function openHoursModal(deps: Deps, client: webApi.WebClient, triggerId: string): Promise<void> {
  const { hours, replies } = stores(deps);
  const [stored, texts] = await Promise.all([hours.load(), replies.load()]);
  await client.views.open({ trigger_id: triggerId, view: modalFor(deps, formFromStore(stored, texts), { scheduleSet: stored !== null }) });
}

/**
 * The modal's live preview and its submission. The submission is for leads, checked when it comes
 * (by the listener table), since anyone who once had the modal can still submit it. The preview
 * changes nothing and shows only what the person typed, so any agent's keystroke may update it.
 */
export function registerHoursModal(on: Listeners, deps: Deps): void {
  on.action<BlockAction>(HOURS_FORM_ACTION, async ({ ack, body, client, context }) => {
    await ack();
    const view = body.view;
    if (!view) return;
    const meta = JSON.parse(view.private_metadata || '{}') as Metadata;
    try {
      // The hash makes Slack refuse an update built from an older state than the one it holds.
      await client.views.update({ view_id: view.id, hash: view.hash, view: modalFor(deps, formFromState(view.state.values), meta) });
    } catch (err) {
      // A newer keystroke's update went first: it showed newer text, so this one is not needed.
      if (slackErrorCode(err) !== 'hash_conflict') throw err;
      requestLog(context, deps.logger).debug('hours preview skipped: a newer one was shown');
    }
  });

  on.view(
    HOURS_MODAL,
    async ({ ack, view, body, client, context }) => {
      const checked = checkForm(formFromState(view.state.values));
      if (!checked.ok) return void (await ack({ response_action: 'errors', errors: checked.errors }));
      // Both were checked above, so both saves take the same values: neither can refuse what the other keeps.
      // Saved before the modal closes, so a closed modal means both are in force.
      const { hours, replies } = stores(deps);
      await hours.save(checked.hours);
      await replies.save(checked.replies);
      const week = Object.fromEntries(WEEKDAYS.map((day) => [day, spansText(checked.hours[day])]));
      const switches = Object.fromEntries(AUTO_REPLY_KINDS.map((kind) => [kind, checked.replies[kind].enabled]));
      // The texts are the team's own words to customers: kept in settings, not copied into the audit.
      await deps.repos.audit.record({ actor: body.user.id, action: 'business_hours', args: { ...week, closedDates: checked.hours.closedDates, ...switches }, outcome: 'ok', at: deps.clock() });
      await ack();
      const zone = deps.config.reportsTimezone;
      const state = describeOpening(openState(checked.hours, deps.clock(), zone), zone);
      const on = (kind: (typeof AUTO_REPLY_KINDS)[number]) => (checked.replies[kind].enabled ? 'on' : 'off');
      try {
        const dm = await client.conversations.open({ users: body.user.id });
        await client.chat.postMessage({
          channel: dm.channel!.id!,
          text: `Business hours and automatic replies saved (${zone}): the team is ${state}. Greeting ${on('greeting')} · away ${on('away')} · HELP ${on('help')}. \`/wa hours\` shows the week.`,
        });
      } catch (err) {
        // Saved all the same: the confirmation is a courtesy, and the audit keeps the change.
        requestLog(context, deps.logger).warn({ err }, 'could not confirm the saved business hours');
      }
    },
    { role: 'lead', action: 'business_hours', what: 'change business hours and automatic replies' },
  );
}
