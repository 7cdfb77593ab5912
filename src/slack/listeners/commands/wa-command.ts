import type { Context, RespondFn, SlashCommand, webApi } from '@slack/bolt';
import type { AppDeps } from '../../../app-deps';
import { isAppError } from '../../../errors';
import { escapeMrkdwn } from '../../mrkdwn';
import { requestLog } from '../../request-context';
import { leadCheck } from '../../roles';
import { helpText } from './help';
import type { Subcommand } from './subcommand';
import type { Listeners } from '../listener-table';

/**
 * `/wa <subcommand> …`: acknowledged on arrival (Slack allows 3 s; see early-ack-app.ts), then
 * runs the subcommand and answers through `respond()`. Known errors are shown to the caller; the
 * rest are logged with the request id, and the caller gets that id to quote.
 */
export function registerWaCommand(on: Listeners, deps: Pick<AppDeps, 'logger' | 'config' | 'repos' | 'clock'>, subcommands: readonly Subcommand[]): void {
  const byName = new Map(subcommands.map((s) => [s.name, s]));
  const isLead = leadCheck(deps);
  on.command('/wa', async ({ command, ack, respond, context, client }) => {
    await ack();
    await answer(command, respond, context, client);
  });

  async function answer(command: SlashCommand, respond: RespondFn, context: Context, client: webApi.WebClient): Promise<void> {
    const log = requestLog(context, deps.logger);
    const [name = 'help', ...args] = command.text.trim().split(/\s+/).filter(Boolean);
    const subcommand = byName.get(name.toLowerCase());
    log.info({ subcommand: subcommand?.name ?? null }, 'command received');
    if (!subcommand) {
      const shown = name.length > 30 ? `${name.slice(0, 30)}…` : name;
      await respond({ response_type: 'ephemeral', text: `Unknown subcommand \`${shown}\`.\n\n${helpText(subcommands)}` });
      return;
    }
    const rest = command.text.trim().slice(name.length).trim();
    const leadOnly = typeof subcommand.leadOnly === 'function' ? subcommand.leadOnly(args) : subcommand.leadOnly;
    if (leadOnly && !(await isLead(client, command.user_id))) {
      log.info({ outcome: 'refused' }, 'lead-only command refused');
      await deps.repos.audit.record({ actor: command.user_id, action: `/wa ${subcommand.name}`, args: { text: command.text.slice(0, 200) }, outcome: 'refused', at: deps.clock() });
      await respond({ response_type: 'ephemeral', text: `:lock: \`/wa ${escapeMrkdwn(name)}${args[0] && typeof subcommand.leadOnly === 'function' ? ` ${escapeMrkdwn(args[0].slice(0, 20))}` : ''}\` is for team leads. Ask one of them, or your admin to add you to SLACK_LEADS.` });
      return;
    }
    try {
      await subcommand.run({
        args,
        rest,
        userId: command.user_id,
        teamId: command.team_id,
        channelId: command.channel_id,
        triggerId: command.trigger_id,
        respond,
        client,
        log,
      });
      log.info({ outcome: 'ok' }, 'command answered');
    } catch (err) {
      if (isAppError(err)) {
        log.info({ outcome: 'rejected', code: err.code }, 'command answered');
        await respond({ response_type: 'ephemeral', text: `${err.message}\nUsage: \`${subcommand.usage}\`` });
        return;
      }
      log.error({ err }, 'command failed');
      await respond({ response_type: 'ephemeral', text: `Sorry, that failed. Quote this reference to your admin: ${log.bindings().reqId}` });
    }
  }
}
