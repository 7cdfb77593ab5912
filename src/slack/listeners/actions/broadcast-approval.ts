import type { BlockAction, ButtonAction, webApi } from '@slack/bolt';
import type { AppDeps } from '../../../app-deps';
import type { Broadcast } from '../../../domain/broadcast';
import { isAppError } from '../../../errors';
import type { Logger } from '../../../logger';
import { BROADCAST_APPROVAL_ACTIONS, approvalMessageBlocks, broadcastSummaryBlocks } from '../../blocks/broadcast-modal';
import type { Listeners } from '../listener-table';

type Deps = Pick<AppDeps, 'repos' | 'logger' | 'clock' | 'config' | 'broadcasts'>;

const NO_ADMIN_CHANNEL = 'Approval requests go to the leads’ channel, and none is set: set SLACK_ADMIN_CHANNEL so other leads see them. Until then, forward this to another lead.';

/**
 * Asks for the second pair of eyes: the preview with Approve / Reject in the leads' channel, or,
 * without one, in the author's DM (they may reject it there; another lead must approve it).
 * Returns where it went, in words for the author's confirmation.
 */
export async function postForApproval(deps: Pick<Deps, 'config'>, client: webApi.WebClient, broadcast: Broadcast, summary: object[], log: Logger): Promise<string> {
  const channel = deps.config.slack.adminChannel;
  const note = channel ? undefined : NO_ADMIN_CHANNEL;
  const text = `${broadcast.name}: a broadcast to ${broadcast.planned.recipients} people waits for a second lead's approval.`;
  try {
    const target = channel ?? (await client.conversations.open({ users: broadcast.author })).channel!.id!;
    await client.chat.postMessage({ channel: target, text, blocks: approvalMessageBlocks(broadcast, summary, note) as never, unfurl_links: false });
  } catch (err) {
    // The broadcast waits either way; a lead can still find it (`/wa broadcasts`).
    log.warn({ err, broadcast: broadcast.id }, 'could not post the approval request');
    return channel ? `(the request could not be posted in <#${channel}>: invite me there)` : '(set SLACK_ADMIN_CHANNEL: approval requests go to the leads’ channel)';
  }
  return channel ? `in <#${channel}>` : '(the request is in your DMs: set SLACK_ADMIN_CHANNEL so other leads see such requests)';
}

/** The summary again from the stored broadcast, for a message whose blocks did not come with the press. */
function storedSummary(deps: Deps, b: Broadcast): object[] {
  return broadcastSummaryBlocks({
    name: b.name,
    labels: b.audience.labels,
    includeInactive: b.audience.includeInactive,
    planned: b.planned,
    sendAt: b.sendAt,
    timeZone: deps.config.reportsTimezone,
    approvalOver: deps.config.broadcasts.approvalOver,
  });
}

/**
 * Approve / Reject on the approval request. Leads only (the listener table checks it); the author's
 * Approve is refused by the core (four eyes). The decision is one conditional write, so a second
 * press (or a second lead at the same moment) is told it was already decided; the message is then
 * updated in place to say who decided, without buttons.
 */
export function registerBroadcastApproval(on: Listeners, deps: Deps): void {
  const decide = (verb: 'approve' | 'reject') =>
    async function ({ ack, action, body, client }: { ack: () => Promise<void>; action: ButtonAction; body: BlockAction<ButtonAction>; client: webApi.WebClient }) {
      await ack();
      const lead = body.user.id;
      const channel = body.channel?.id ?? body.container?.channel_id;
      const ts = body.message?.ts ?? body.container?.message_ts;
      const tell = (text: string) => (channel ? client.chat.postEphemeral({ channel, user: lead, text }) : Promise.resolve());
      let decided: Broadcast;
      try {
        decided = verb === 'approve' ? await deps.broadcasts.approve(action.value ?? '', lead) : await deps.broadcasts.reject(action.value ?? '', lead);
      } catch (err) {
        if (!isAppError(err)) throw err;
        if (err.code === 'FORBIDDEN') return void (await tell(`:lock: ${err.message}`));
        if (err.code === 'BROADCAST_STATE') return void (await tell(`Already decided. ${err.message}`));
        return void (await tell(err.message));
      }
      await deps.repos.audit.record({ actor: lead, action: `broadcast_${verb}`, args: { broadcast: decided.id, name: decided.name }, outcome: 'ok', at: deps.clock() });
      if (!channel || !ts) return;
      // The message's own summary (with the sample text) when Slack sent it, minus the request line and the buttons.
      const shown = (body.message?.blocks as Array<{ block_id?: string }> | undefined)?.filter((b) => b.block_id !== 'bc_request' && b.block_id !== 'bc_approval');
      const summary = shown && shown.length > 0 ? shown : storedSummary(deps, decided);
      const outcome = verb === 'approve' ? `approved by <@${lead}>` : `rejected by <@${lead}>: nothing will be sent`;
      await client.chat.update({ channel, ts, text: `${decided.name}: ${outcome}.`, blocks: approvalMessageBlocks(decided, summary) as never });
    };

  on.action<BlockAction<ButtonAction>>(BROADCAST_APPROVAL_ACTIONS.approve, decide('approve'), { role: 'lead', action: 'broadcast_approve', what: 'approve broadcasts' });
  on.action<BlockAction<ButtonAction>>(BROADCAST_APPROVAL_ACTIONS.reject, decide('reject'), { role: 'lead', action: 'broadcast_reject', what: 'reject broadcasts' });
}
