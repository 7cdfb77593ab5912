import type { Context, RespondFn, SlashCommand, webApi } from '@slack/bolt';
import type { AppDeps } from '../../../app-deps';
import { isAppError } from '../../../errors';
import { createAfterAckQueue, type AfterAckQueue } from '../../after-ack-queue';
import { escapeMrkdwn } from '../../mrkdwn';
import { requestLog } from '../../request-context';
import { leadCheck } from '../../roles';
import { helpText } from './help';
import type { Subcommand } from './subcommand';
import type { Listeners } from '../listener-table';

/**
 * The after-ack queue for `/wa` (see after-ack-queue.ts). Measured with `npm run bench -- commands`
 * (200 concurrent commands): with answers giving way to arriving requests, 1 to 8 at once gave the
 * same ack times; 2 to 8 answered the whole burst in ≈0.75 s, 1 in ≈0.9 s. 4 leaves room for a
 * long command (a hygiene run) without holding up the rest. Waiting a second at most leaves a
 * modal's trigger_id (3 s) time to spare.
 */
export const AFTER_ACK = { concurrency: 4, maxWaitMs: 1000 };

/**
 * `/wa <subcommand> …`: acknowledges at once (Slack allows 3 s), then runs the subcommand in the
 * after-ack queue and answers through `respond()`. Known errors are shown to the caller; the rest
 * are logged with the request id, and the caller gets that id to quote.
 */
export function registerWaCommand(
  on: Listeners,
  deps: Pick<AppDeps, 'logger' | 'config' | 'repos' | 'clock'>,
  subcommands: readonly Subcommand[],
  afterAck: AfterAckQueue = createAfterAckQueue(AFTER_ACK),
): void {
  const byName = new Map(subcommands.map((s) => [s.name, s]));
  const isLead = leadCheck(deps);
  on.command('/wa', async ({ command, ack, respond, context, client }) => {
    await ack();
    // Everything after the ack waits its turn in the after-ack queue, so a burst of commands'
    // store reads and answers cannot delay the acks of the commands behind them.
    await afterAck.run(() => answer(command, respond, context, client));
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
