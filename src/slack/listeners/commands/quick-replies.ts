import type { BlockAction, PlainTextInputAction } from '@slack/bolt';
import type { AppDeps } from '../../../app-deps';
import { fillQuickReply } from '../../../bridge/outbound/quick-reply-text';
import { AppError } from '../../../errors';
import { escapeMrkdwn } from '../../mrkdwn';
import type { Subcommand } from './subcommand';
import type { Listeners } from '../listener-table';

const MODAL = 'qr_modal';
const SHORTCUT = /^[\p{L}\p{N}_-]{1,40}$/u;
/** Who the preview pretends to write to. */
const SAMPLE = { name: 'Ana Lima', agent: 'you' };

function preview(body: string): string {
  return body.trim() ? `*Preview:* ${escapeMrkdwn(fillQuickReply(body, SAMPLE))}` : '_The preview appears as you type._';
}

/** The add/edit modal; the body input updates the preview as the lead types. */
function qrModal(existing?: { shortcut: string; body: string }) {
  return {
    type: 'modal' as const,
    callback_id: MODAL,
    private_metadata: JSON.stringify({ editing: existing?.shortcut ?? null }),
    title: { type: 'plain_text' as const, text: existing ? 'Edit quick reply' : 'New quick reply' },
    submit: { type: 'plain_text' as const, text: 'Save' },
    close: { type: 'plain_text' as const, text: 'Cancel' },
    blocks: [
      {
        type: 'input',
        block_id: 'shortcut',
        label: { type: 'plain_text', text: 'Shortcut (agents type !shortcut)' },
        element: { type: 'plain_text_input', action_id: 'value', max_length: 40, ...(existing ? { initial_value: existing.shortcut } : {}) },
      },
      {
        type: 'input',
        block_id: 'body',
        dispatch_action: true,
        label: { type: 'plain_text', text: 'Text — {{name}}, {{first_name}} and {{agent}} are filled in' },
        element: {
          type: 'plain_text_input',
          action_id: 'value',
          multiline: true,
          max_length: 3000,
          dispatch_action_config: { trigger_actions_on: ['on_character_entered'] },
          ...(existing ? { initial_value: existing.body } : {}),
        },
      },
      { type: 'context', block_id: 'preview', elements: [{ type: 'mrkdwn', text: preview(existing?.body ?? '') }] },
    ],
  };
}

/** `/wa qr list` for everyone; leads `add`, `edit <shortcut>` (a modal with a live preview), `remove <shortcut>`. */
export function quickRepliesSubcommand(deps: Pick<AppDeps, 'repos' | 'clock'>): Subcommand {
  return {
    name: 'qr',
    usage: '/wa qr list  ·  leads: /wa qr add, /wa qr edit <shortcut>, /wa qr remove <shortcut>',
    summary: 'quick replies: list them; leads add, edit and remove',
    leadOnly: (args) => ['add', 'edit', 'remove'].includes(args[0]?.toLowerCase() ?? ''),
    async run({ args, respond, client, triggerId, userId }) {
      const verb = (args[0] ?? 'list').toLowerCase();
      const say = (text: string) => respond({ response_type: 'ephemeral', text });
      if (verb === 'list') return void (await say(await quickReplyListText(deps.repos)));
      if (verb === 'add') return void (await client.views.open({ trigger_id: triggerId, view: qrModal() }));
      const shortcut = (args[1] ?? '').toLowerCase().replace(/^!/, '');
      const existing = shortcut ? await deps.repos.quickReplies.findByShortcut(shortcut) : null;
      if (!existing) throw new AppError('BAD_ARGUMENTS', shortcut ? `No quick reply \`${escapeMrkdwn(shortcut.slice(0, 40))}\`.` : 'Say which quick reply.');
      if (verb === 'edit') return void (await client.views.open({ trigger_id: triggerId, view: qrModal(existing) }));
      if (verb === 'remove') {
        await deps.repos.quickReplies.remove(shortcut);
        await deps.repos.audit.record({ actor: userId, action: 'qr_remove', args: { shortcut }, outcome: 'ok', at: deps.clock() });
        return void (await say(`Quick reply \`!${shortcut}\` removed.`));
      }
      throw new AppError('BAD_ARGUMENTS', 'Say `list` (leads: `add`, `edit`, `remove`).');
    },
  };
}

/** Every quick reply with its text and use count, as `/wa qr list` and App Home's Quick replies button show them. */
export async function quickReplyListText(repos: Pick<AppDeps['repos'], 'quickReplies'>): Promise<string> {
  const replies = await repos.quickReplies.list();
  if (replies.length === 0) return 'No quick replies yet: a team lead adds them with `/wa qr add`.';
  return ['*Quick replies* — type `!shortcut` at the start of a thread reply', ...replies.map((r) => `• \`!${r.shortcut}\` — ${escapeMrkdwn(r.body.slice(0, 120))} _(used ${r.usageCount}×)_`)].join('\n');
}

/**
 * The modal's live preview and its submission. The submission is for leads, checked when it comes
 * (by the listener table): the modal may have been opened by someone no longer a lead, or replayed.
 * The preview changes nothing but the typist's own modal, so any agent may see it.
 */
export function registerQuickReplyModal(on: Listeners, deps: Pick<AppDeps, 'repos' | 'clock'>): void {
  on.action<BlockAction<PlainTextInputAction>>({ block_id: 'body', action_id: 'value' }, async ({ ack, action, body, client }) => {
    await ack();
    const view = body.view;
    if (!view || view.callback_id !== MODAL) return;
    const blocks = view.blocks.map((b) => (b.block_id === 'preview' ? { type: 'context', block_id: 'preview', elements: [{ type: 'mrkdwn', text: preview(action.value ?? '') }] } : b));
    await client.views.update({ view_id: view.id, hash: view.hash, view: { type: 'modal', callback_id: MODAL, private_metadata: view.private_metadata, title: view.title, submit: view.submit ?? undefined, close: view.close ?? undefined, blocks } as never });
  });

  on.view(MODAL, async ({ ack, view, body }) => {
    const shortcut = (view.state.values.shortcut?.value?.value ?? '').trim().toLowerCase().replace(/^!/, '');
    const text = (view.state.values.body?.value?.value ?? '').trim();
    const editing = (JSON.parse(view.private_metadata || '{}') as { editing?: string | null }).editing ?? null;
    if (!SHORTCUT.test(shortcut)) return void (await ack({ response_action: 'errors', errors: { shortcut: 'Letters, digits, dashes or underscores, up to 40.' } }));
    if (!text) return void (await ack({ response_action: 'errors', errors: { body: 'Write the text of the quick reply.' } }));
    const at = deps.clock();
    if (editing === null) {
      if (await deps.repos.quickReplies.findByShortcut(shortcut)) return void (await ack({ response_action: 'errors', errors: { shortcut: `\`!${shortcut}\` already exists; edit it instead.` } }));
      await deps.repos.quickReplies.create({ shortcut, body: text, author: body.user.id });
    } else {
      if (shortcut !== editing) return void (await ack({ response_action: 'errors', errors: { shortcut: 'The shortcut cannot change; remove it and add a new one.' } }));
      await deps.repos.quickReplies.update(shortcut, text);
    }
    await deps.repos.audit.record({ actor: body.user.id, action: editing === null ? 'qr_add' : 'qr_edit', args: { shortcut }, outcome: 'ok', at });
    await ack();
  }, { role: 'lead', action: 'qr_save', what: 'add or change quick replies' });
}
