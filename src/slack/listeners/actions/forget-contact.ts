import type { BlockAction, ButtonAction, MessageShortcut, webApi } from '@slack/bolt';
import type { AppDeps } from '../../../app-deps';
import type { Contact } from '../../../domain/contact';
import { eraseContact } from '../../../privacy/erase-contact';
import { CARD_ACTIONS, contactDisplayName } from '../../blocks/contact-card';
import { modal } from '../../blocks/modal';
import { requestLog } from '../../request-context';
import { erasureText } from '../commands/forget';
import type { Listeners } from '../listener-table';

/** The message shortcut (declared in manifest.yml) and its confirmation modal. */
export const FORGET_SHORTCUT = 'forget_contact';
const FORGET_MODAL = 'forget_contact_modal';

type Deps = Pick<AppDeps, 'repos' | 'clock' | 'privacy' | 'logger'>;

const lead = { role: 'lead', what: 'erase a contact' } as const;

/**
 * "Forget contact" from the contact card (a confirmed button) and as a message shortcut on any
 * message of a conversation thread (a confirmation modal): the way to erase a contact WhatsApp
 * shows no number for, without typing its id. Leads only, checked on the button and again on the
 * modal's submission (the table does both).
 */
export function registerForgetContact(on: Listeners, deps: Deps): void {
  on.action<BlockAction<ButtonAction>>(
    CARD_ACTIONS.forget,
    async ({ ack, action, body, client, context }) => {
      await ack();
      const contact = await deps.repos.contacts.findByWaId(action.value ?? '');
      await forget(client, contact, { userId: body.user.id, channel: body.channel?.id ?? '' }, requestLog(context, deps.logger));
    },
    lead,
  );

  on.shortcut<MessageShortcut>(
    FORGET_SHORTCUT,
    async ({ ack, shortcut, client }) => {
      await ack();
      const contact = await deps.repos.contacts.findBySlackThread(shortcut.channel.id, shortcut.message.thread_ts ?? shortcut.message.ts);
      if (!contact) {
        await client.chat.postEphemeral({ channel: shortcut.channel.id, user: shortcut.user.id, text: 'Use this on a message in a WhatsApp conversation thread.' });
        return;
      }
      await client.views.open({
        trigger_id: shortcut.trigger_id,
        view: modal({
          callbackId: FORGET_MODAL,
          metadata: { waId: contact.waId, channel: shortcut.channel.id },
          title: 'Forget contact?',
          submit: 'Erase',
          blocks: [{ type: 'section', text: { type: 'mrkdwn', text: confirmText(contact) } }],
        }),
      });
    },
    lead,
  );

  on.view(
    FORGET_MODAL,
    async ({ ack, view, body, client, context }) => {
      await ack();
      const meta = JSON.parse(view.private_metadata || '{}') as { waId?: unknown; channel?: unknown };
      const contact = typeof meta.waId === 'string' ? await deps.repos.contacts.findByWaId(meta.waId) : null;
      await forget(client, contact, { userId: body.user.id, channel: typeof meta.channel === 'string' ? meta.channel : '' }, requestLog(context, deps.logger));
    },
    lead,
  );

  async function forget(client: webApi.WebClient, contact: Contact | null, who: { userId: string; channel: string }, log: AppDeps['logger']): Promise<void> {
    // The thread is deleted by the erasure: the answer goes to the channel, seen by the lead only.
    const tell = (text: string) => client.chat.postEphemeral({ channel: who.channel, user: who.userId, text });
    if (!contact) return void (await tell('That contact no longer exists (already erased?).'));
    const name = contactDisplayName(contact);
    const report = await eraseContact(deps, client, contact, who.userId, log);
    await tell(erasureText(name, report));
  }
}

/** What erasing deletes and keeps, said before it happens. */
export function confirmText(contact: Contact): string {
  return (
    `Erase *${contactDisplayName(contact)}*? Their profile, messages, files, history and the app's posts in this thread are deleted for good. ` +
    'The consent ledger keeps a pseudonym, and the number stays opted out.'
  );
}
