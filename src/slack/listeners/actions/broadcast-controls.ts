import type { BlockAction, ButtonAction } from '@slack/bolt';
import { stringify } from 'csv-stringify';
import type { AppDeps } from '../../../app-deps';
import { BROADCAST_CONTROLS, drawBroadcast } from '../../../broadcast/progress-message';
import type { Broadcast, BroadcastRecipient } from '../../../domain/broadcast';
import { AppError } from '../../../errors';
import { defuseCell } from '../../contacts-csv';
import type { Listeners } from '../listener-table';

type Deps = Pick<AppDeps, 'repos' | 'clock' | 'gateway' | 'bridge' | 'broadcasts' | 'logger' | 'config'>;
export const BROADCAST_EXPORT = 'broadcast_export';

/** How many recipients are looked up at once for the export (one query each for names and delivery states). */
const LOOKUP_BATCH = 500;

/**
 * The progress message's Pause / Resume / Cancel (Cancel confirmed by Slack's `confirm` dialog) and
 * `/wa broadcasts`' "Recipients (CSV)". All for leads: they change what customers get, or hand out
 * personal data. The message is redrawn at once: a paused or cancelled broadcast gets no more passes.
 */
export function registerBroadcastControls(on: Listeners, deps: Deps): void {
  const verbs = [
    ['pause', BROADCAST_CONTROLS.pause, 'paused', (id: string) => deps.broadcasts.pause(id)],
    ['resume', BROADCAST_CONTROLS.resume, 'resumed', (id: string) => deps.broadcasts.resume(id)],
    ['cancel', BROADCAST_CONTROLS.cancel, 'cancelled', (id: string) => deps.broadcasts.cancel(id)],
  ] as const;
  for (const [verb, actionId, done, act] of verbs) {
    on.action<BlockAction<ButtonAction>>(
      actionId,
      async ({ ack, body, action, client }) => {
        await ack();
        const user = body.user.id;
        let broadcast: Broadcast;
        try {
          broadcast = await act(action.value ?? '');
        } catch (err) {
          if (!(err instanceof AppError) || !body.channel?.id) throw err;
          return void (await client.chat.postEphemeral({ channel: body.channel.id, user, text: `:warning: ${err.message}` }));
        }
        await deps.repos.audit.record({ actor: user, action: `broadcast_${verb}`, args: { broadcast: broadcast.id }, outcome: 'ok', at: deps.clock() });
        deps.logger.info({ broadcast: broadcast.id, by: user }, `broadcast ${done}`);
        const where = broadcast.progress ?? (body.channel?.id && body.message?.ts ? { channel: body.channel.id, ts: body.message.ts } : undefined);
        if (!where) return;
        const figures = await deps.bridge.broadcasts.figures(broadcast.id);
        const drawn = await drawBroadcast({ broadcasts: deps.repos.broadcasts, outcomes: deps.repos.broadcastOutcomes, connected: () => deps.gateway.status().state === 'connected' }, broadcast, figures, deps.clock());
        await client.chat.update({ channel: where.channel, ts: where.ts, text: `${drawn.text} (by <@${user}>)`, blocks: drawn.blocks as never });
      },
      { role: 'lead', action: `broadcast_${verb}`, what: `${verb} broadcasts` },
    );
  }

  on.action<BlockAction<ButtonAction>>(
    BROADCAST_EXPORT,
    async ({ ack, body, action, client }) => {
      await ack();
      const broadcast = await deps.repos.broadcasts.get(action.value ?? '');
      const dm = await client.conversations.open({ users: body.user.id });
      if (!broadcast) return void (await client.chat.postMessage({ channel: dm.channel!.id!, text: 'No such broadcast (it may have been removed).' }));
      const { csv, count } = await recipientsCsv(deps, broadcast.id);
      await deps.repos.audit.record({ actor: body.user.id, action: 'broadcast_export', args: { broadcast: broadcast.id, count }, outcome: 'ok', at: deps.clock() });
      await client.filesUploadV2({
        channel_id: dm.channel!.id!,
        file: csv,
        filename: `broadcast-${broadcast.id}-recipients.csv`,
        title: `Recipients of “${broadcast.name}”`,
        initial_comment: `${count} recipients of the broadcast “${broadcast.name}”, with what became of each.`,
      });
    },
    { role: 'lead', action: BROADCAST_EXPORT, what: 'export broadcast recipients' },
  );
}

/** `447911123456@c.us` → `+447911123456`; other ids (`@lid`) do not reveal a number. */
const phoneOf = (waId: string) => (/^\d+@c\.us$/.test(waId) ? `+${waId.split('@')[0]}` : '');

/** A broadcast's recipients as a CSV (formulas defused as in the segment export). It holds personal data: DM only. */
async function recipientsCsv(deps: Deps, id: string): Promise<{ csv: Buffer; count: number }> {
  const out = stringify({ header: true, columns: ['phone', 'whatsapp_id', 'name', 'state', 'reason', 'delivery'], quoted: true, quoted_empty: true });
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => out.on('end', resolve).on('error', reject));
  let count = 0;
  let batch: BroadcastRecipient[] = [];
  const flush = async () => {
    const [names, states] = await Promise.all([
      deps.repos.broadcastOutcomes.namesOf(batch.map((r) => r.waId)),
      deps.repos.broadcastOutcomes.deliveryStates(batch.flatMap((r) => (r.messageId ? [r.messageId] : []))),
    ]);
    for (const r of batch) {
      const delivery = r.messageId ? (states.get(r.messageId) ?? '') : '';
      out.write([phoneOf(r.waId), defuseCell(r.waId), defuseCell(names.get(r.waId) ?? ''), r.state, defuseCell(r.reason ?? ''), delivery]);
    }
    count += batch.length;
    batch = [];
  };
  for await (const r of deps.repos.broadcasts.recipients(id)) {
    batch.push(r);
    if (batch.length >= LOOKUP_BATCH) await flush();
  }
  await flush();
  out.end();
  await ended;
  return { csv: Buffer.concat(chunks), count };
}
