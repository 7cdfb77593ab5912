import type { BlockAction, ButtonAction } from '@slack/bolt';
import type { AppDeps } from '../../../app-deps';
import { HYGIENE_ACTIONS } from '../../blocks/hygiene-report';
import { contactsCsv } from '../../contacts-csv';
import { modal } from '../../blocks/modal';
import type { Listeners } from '../listener-table';

type Deps = Pick<AppDeps, 'repos' | 'clock' | 'config' | 'logger'>;
export const ARCHIVE_CONFIRM = 'hygiene_archive_confirm';

/**
 * The hygiene report's buttons. The report sits in a channel anyone may read, so both buttons are
 * for leads (checked by the listener table, the confirmation's submission too): archiving changes
 * every inactive contact, and the export holds personal data.
 */
export function registerHygieneReportActions(on: Listeners, deps: Deps): void {
  const archive = { role: 'lead', action: 'hygiene_archive', what: 'archive inactive contacts' } as const;

  on.action<BlockAction<ButtonAction>>(HYGIENE_ACTIONS.archive, async ({ ack, body, client }) => {
    await ack();
    const inactive = await deps.repos.hygiene.countInactive();
    await client.views.open({
      trigger_id: body.trigger_id,
      view: modal({
        callbackId: ARCHIVE_CONFIRM,
        metadata: { channel: body.channel?.id, ts: body.message?.ts },
        title: 'Archive inactive',
        ...(inactive > 0 ? { submit: `Archive ${inactive}` } : {}),
        blocks: [
          {
            type: 'section',
            text: {
              type: 'mrkdwn',
              text:
                inactive > 0
                  ? `Archive *${inactive}* inactive contacts? They stay on record (consent ledger included) but leave segments and broadcasts, and stay archived if they write again.`
                  : 'No contact is inactive right now: nothing to archive.',
            },
          },
        ],
      }),
    });
  }, archive);

  on.view(ARCHIVE_CONFIRM, async ({ ack, body, client, view }) => {
    const at = deps.clock();
    const archived = await deps.repos.hygiene.archiveInactive(at, body.user.id);
    await deps.repos.audit.record({ actor: body.user.id, action: 'hygiene_archive', args: { archived }, outcome: 'ok', at });
    await ack();
    const report = JSON.parse(view.private_metadata || '{}') as { channel?: string; ts?: string };
    if (report.channel && report.ts) {
      await client.chat.postMessage({ channel: report.channel, thread_ts: report.ts, text: `<@${body.user.id}> archived ${archived} inactive contacts.` });
    }
  }, archive);

  on.action<BlockAction<ButtonAction>>(HYGIENE_ACTIONS.export, async ({ ack, body, client }) => {
    await ack();
    const count = await deps.repos.hygiene.countInactive();
    await deps.repos.audit.record({ actor: body.user.id, action: 'hygiene_export', args: { count }, outcome: 'ok', at: deps.clock() });
    const dm = await client.conversations.open({ users: body.user.id });
    if (count === 0) return void (await client.chat.postMessage({ channel: dm.channel!.id!, text: 'No contact is inactive right now: nothing to export.' }));
    await client.filesUploadV2({
      channel_id: dm.channel!.id!,
      file: await contactsCsv(deps.repos.hygiene.streamInactive()),
      filename: 'inactive-contacts.csv',
      title: 'Inactive contacts',
      initial_comment: `${count} inactive contacts, with the reason each was flagged.`,
    });
  }, { role: 'lead', action: 'hygiene_export', what: 'export contacts' });
}
