import type { AppDeps } from '../../../app-deps';
import { AppError } from '../../../errors';
import { storedHygieneSettings } from '../../../hygiene/settings';
import { channelArg } from '../../channel-arg';
import { HYGIENE_SETTINGS_MODAL, SETTINGS_FIELDS, hygieneSettingsModal } from '../../blocks/hygiene-settings-modal';
import { slackErrorCode } from '../../slack-errors';
import type { Subcommand } from './subcommand';
import type { Listeners } from '../listener-table';

type Deps = Pick<AppDeps, 'hygiene' | 'scheduler' | 'repos' | 'clock' | 'config' | 'logger'>;
const VERBS = ['run', 'report', 'settings'];
const LEAD_VERBS = ['run', 'settings'];

/**
 * `/wa hygiene run|report [#channel]|settings`. Leads run the jobs now and change the settings; anyone
 * may post the current report (it holds counts, no personal data).
 */
export function hygieneSubcommand(deps: Deps): Subcommand {
  return {
    name: 'hygiene',
    usage: '/wa hygiene report [#channel]  ·  leads: /wa hygiene run, /wa hygiene settings',
    summary: 'list hygiene: the report now; leads run the jobs and change the settings',
    leadOnly: (args) => LEAD_VERBS.includes(args[0]?.toLowerCase() ?? ''),
    async run({ args, respond, userId, channelId, triggerId, client }) {
      const verb = args[0]?.toLowerCase() ?? '';
      if (!VERBS.includes(verb)) throw new AppError('BAD_ARGUMENTS', 'Say `run`, `report` or `settings`.');
      const say = (text: string) => respond({ response_type: 'ephemeral', text });
      const audit = (action: string, extra: Record<string, unknown> = {}) => deps.repos.audit.record({ actor: userId, action, args: extra, outcome: 'ok', at: deps.clock() });

      if (verb === 'settings') {
        const view = hygieneSettingsModal(await deps.hygiene.settings(), deps.scheduler.nextRuns());
        return void (await client.views.open({ trigger_id: triggerId, view }));
      }
      const target = args[1] === undefined ? channelId : channelArg(args[1]);
      if (!target) throw new AppError('BAD_ARGUMENTS', `\`${args[1]!.slice(0, 40)}\` is not a channel: type \`#\` and pick one.`);
      const posted = async (post: () => Promise<unknown>) => {
        try {
          await post();
        } catch (err) {
          const code = slackErrorCode(err);
          if (!code) throw err;
          throw new AppError('BAD_ARGUMENTS', `I could not post in <#${target}> (${code}). Invite me there, or name another channel: \`/wa hygiene report #channel\`.`);
        }
      };
      if (verb === 'report') {
        await posted(() => deps.hygiene.report(target));
        await audit('hygiene_report', { channel: target });
        return void (await say(`Hygiene report posted in <#${target}>.`));
      }
      // run: flag and expire now (recorded like scheduled runs), then report into the channel.
      const flagged = await deps.hygiene.runner.run('flag-inactive', 'command');
      const expired = await deps.hygiene.runner.run('expire-opt-ins', 'command');
      await audit('hygiene_run', { flagged: flagged.counts.flagged, expired: expired.counts.expired, channel: target });
      await posted(() => deps.hygiene.report(target));
      await say(`Hygiene run done: ${flagged.counts.flagged ?? 0} newly inactive, ${expired.counts.expired ?? 0} opt-in requests expired. The report is in <#${target}>.`);
    },
  };
}

/**
 * The settings modal's submission: validated with the same rules as the environment, then applied.
 * For leads, checked when it comes (by the listener table), not only when the modal was opened.
 */
export function registerHygieneSettingsModal(on: Listeners, deps: Deps): void {
  on.view(HYGIENE_SETTINGS_MODAL, async ({ ack, view, body }) => {
    const values = view.state.values;
    const field = (block: string) => values[block]?.value;
    const parsed = storedHygieneSettings.safeParse({
      inactiveDays: field(SETTINGS_FIELDS.inactiveDays)?.value ?? '',
      flagSchedule: field(SETTINGS_FIELDS.flagSchedule)?.value ?? '',
      reportSchedule: field(SETTINGS_FIELDS.reportSchedule)?.value ?? '',
      reportChannel: field(SETTINGS_FIELDS.reportChannel)?.selected_conversation ?? undefined,
    });
    if (!parsed.success) {
      const errors = Object.fromEntries(parsed.error.issues.map((i) => [SETTINGS_FIELDS[i.path[0] as keyof typeof SETTINGS_FIELDS], `This ${i.message}.`]));
      return void (await ack({ response_action: 'errors', errors }));
    }
    // Saved before the modal closes, so a closed modal means the settings are in force.
    await deps.hygiene.saveSettings(parsed.data);
    await deps.repos.audit.record({ actor: body.user.id, action: 'hygiene_settings', args: { ...parsed.data }, outcome: 'ok', at: deps.clock() });
    await ack();
  }, { role: 'lead', action: 'hygiene_settings', what: 'change these settings' });
}
