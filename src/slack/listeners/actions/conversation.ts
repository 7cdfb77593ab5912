import type { BlockAction, ButtonAction, StaticSelectAction, UsersSelectAction, webApi } from '@slack/bolt';
import type { AppDeps } from '../../../app-deps';
import { windowRefusal } from '../../../bridge/outbound/reply-window';
import { checkPersonConsent } from '../../../consent/twins';
import type { Contact } from '../../../domain/contact';
import { resolveConversation } from '../../../workflow/resolve-conversation';
import { tomorrowAt } from '../../../workflow/team-time';
import { CONVERSATION_ACTIONS, SNOOZE_CHOICES, contactPlainName } from '../../blocks/contact-card';
import { UNDO_CANCEL, cancelOutcome, cancelledPost } from '../../blocks/undo-notice';
import { queueReplyFromModal } from '../../reply-from-modal';
import { modal } from '../../blocks/modal';
import { escapeMrkdwn } from '../../mrkdwn';
import { requestLog } from '../../request-context';
import type { Listeners } from '../listener-table';

const SNOOZE_MODAL = 'conv_snooze_modal';
const REPLY_MODAL = 'conv_reply_modal';
const HOUR = 3_600_000;
/** WhatsApp's own limit on one text message. */
const MAX_REPLY = 4096;

type Deps = Pick<AppDeps, 'config' | 'repos' | 'clock' | 'logger' | 'bridge' | 'cards' | 'signature' | 'replyIntake'>;

/**
 * The conversation controls on the card: claim, assign, resolve/reopen, snooze, and Reply (the way
 * to answer from a notes-only channel). Every change is one conditional write, the card is redrawn
 * in place, and the person who pressed is told privately when their press changed nothing.
 */
export function registerConversationActions(on: Listeners, deps: Deps): void {
  /** The card's contact: its buttons carry the WhatsApp id; its selects are found by the card (the thread root). */
  const contactOf = async (body: BlockAction, value?: string): Promise<Contact | null> => {
    if (value) return deps.repos.contacts.findByWaId(value);
    const channel = body.channel?.id;
    const ts = body.message?.ts;
    return channel && ts ? deps.repos.contacts.findBySlackThread(channel, ts) : null;
  };
  const tell = (client: webApi.WebClient, body: BlockAction, text: string) =>
    body.channel ? client.chat.postEphemeral({ channel: body.channel.id, user: body.user.id, text, ...(body.message?.thread_ts ? { thread_ts: body.message.thread_ts } : {}) }) : undefined;
  const redraw = async (client: webApi.WebClient, waId: string) => {
    const contact = await deps.repos.contacts.findByWaId(waId);
    if (contact) await deps.cards.refresh(client, contact);
  };
  const audit = (actor: string, action: string, args: Record<string, unknown>) => deps.repos.audit.record({ actor, action, args, outcome: 'ok', at: deps.clock() });

  on.action<BlockAction<ButtonAction>>(CONVERSATION_ACTIONS.claim, async ({ ack, action, body, client }) => {
    await ack();
    const contact = await contactOf(body, action.value);
    if (!contact) return void (await tell(client, body, 'That contact no longer exists.'));
    const claimed = await deps.repos.conversations.claim(contact.waId, body.user.id, deps.clock());
    if (!claimed.ok) return void (await tell(client, body, `<@${claimed.holder}> has this conversation already.`));
    await audit(body.user.id, 'claim', { contact: contact.waId });
    await redraw(client, contact.waId);
  });

  on.action<BlockAction<UsersSelectAction>>(CONVERSATION_ACTIONS.assign, async ({ ack, action, body, client }) => {
    await ack();
    const contact = await contactOf(body);
    if (!contact) return void (await tell(client, body, 'That contact no longer exists.'));
    const user = action.selected_user ?? undefined;
    const result = await deps.repos.conversations.assign(contact.waId, user, body.user.id, deps.clock());
    if (!result || result.previous === user) return;
    await audit(body.user.id, 'assign', { contact: contact.waId, to: user ?? null, from: result.previous ?? null });
    await redraw(client, contact.waId);
    if (user && user !== body.user.id && contact.slack) {
      // In the thread, so the assignee is notified and lands in the conversation.
      await client.chat.postMessage({ channel: contact.slack.channel, thread_ts: contact.slack.threadTs, text: `<@${body.user.id}> assigned this conversation to <@${user}>.` });
    }
  });

  const setStatus = (to: 'open' | 'resolved') =>
    async ({ ack, action, body, client }: { ack: () => Promise<void>; action: ButtonAction; body: BlockAction; client: webApi.WebClient }) => {
      await ack();
      const contact = await contactOf(body, action.value);
      if (!contact) return void (await tell(client, body, 'That contact no longer exists.'));
      const from =
        to === 'resolved'
          ? await resolveConversation(deps.repos, contact.waId, body.user.id, deps.clock())
          : await deps.repos.conversations.setStatus(contact.waId, to, body.user.id, deps.clock());
      if (from === 'arriving') return void (await tell(client, body, ':incoming_envelope: A new message from the customer is arriving in the thread: read it, then resolve. Nothing changed.'));
      if (from === null) return void (await tell(client, body, `It is ${to === 'open' ? 'open' : 'resolved'} already.`));
      await audit(body.user.id, to === 'open' ? 'reopen' : 'resolve', { contact: contact.waId, from });
      await redraw(client, contact.waId);
    };
  on.action<BlockAction<ButtonAction>>(CONVERSATION_ACTIONS.resolve, setStatus('resolved'));
  on.action<BlockAction<ButtonAction>>(CONVERSATION_ACTIONS.reopen, setStatus('open'));

  async function snooze(client: webApi.WebClient, contact: Contact, user: string, until: Date): Promise<void> {
    await deps.repos.conversations.setStatus(contact.waId, 'snoozed', user, deps.clock(), until);
    await audit(user, 'snooze', { contact: contact.waId, until: until.toISOString() });
    await redraw(client, contact.waId);
  }

  on.action<BlockAction<StaticSelectAction>>(CONVERSATION_ACTIONS.snooze, async ({ ack, action, body, client }) => {
    await ack();
    const contact = await contactOf(body);
    if (!contact) return void (await tell(client, body, 'That contact no longer exists.'));
    const now = deps.clock();
    const choice = action.selected_option?.value;
    if (choice === SNOOZE_CHOICES.hour) return snooze(client, contact, body.user.id, new Date(now.getTime() + HOUR));
    if (choice === SNOOZE_CHOICES.tomorrow) return snooze(client, contact, body.user.id, tomorrowAt(9, deps.config.reportsTimezone, now));
    await client.views.open({
      trigger_id: body.trigger_id,
      view: modal({
        callbackId: SNOOZE_MODAL,
        metadata: { waId: contact.waId },
        title: 'Snooze until…',
        submit: 'Snooze',
        blocks: [
          {
            type: 'input',
            block_id: 'until',
            label: { type: 'plain_text', text: `Until (it opens again then, or when ${contactPlainName(contact, 40)} writes)` },
            element: { type: 'datetimepicker', action_id: 'value', initial_date_time: Math.floor(tomorrowAt(9, deps.config.reportsTimezone, now).getTime() / 1000) },
          },
        ],
      }),
    });
  });

  on.view(SNOOZE_MODAL, async ({ ack, view, body, client }) => {
    const contact = await deps.repos.contacts.findByWaId(String(parse(view.private_metadata).waId ?? ''));
    if (!contact) return void (await ack({ response_action: 'errors', errors: { until: 'That contact no longer exists.' } }));
    const seconds = Number(view.state.values.until?.value?.selected_date_time);
    const until = new Date(seconds * 1000);
    if (!Number.isFinite(seconds) || until.getTime() <= deps.clock().getTime()) {
      return void (await ack({ response_action: 'errors', errors: { until: 'Pick a time in the future.' } }));
    }
    await ack();
    await snooze(client, contact, body.user.id, until);
  });

  on.action<BlockAction<ButtonAction>>(CONVERSATION_ACTIONS.reply, async ({ ack, action, body, client }) => {
    await ack();
    const contact = await contactOf(body, action.value);
    if (!contact) return void (await tell(client, body, 'That contact no longer exists.'));
    const gate = await checkPersonConsent({ contacts: deps.repos.contacts }, contact, 'reply');
    if (!gate.allowed) return void (await tell(client, body, `:no_entry_sign: ${escapeMrkdwn(gate.reason)}.`));
    await client.views.open({
      trigger_id: body.trigger_id,
      view: modal({
        callbackId: REPLY_MODAL,
        metadata: { waId: contact.waId },
        title: 'Reply on WhatsApp',
        submit: 'Send',
        blocks: [
          {
            type: 'input',
            block_id: 'text',
            label: { type: 'plain_text', text: `To ${contactPlainName(contact, 60)}` },
            element: { type: 'plain_text_input', action_id: 'value', multiline: true, max_length: MAX_REPLY },
          },
        ],
      }),
    });
  });

  /** The explicit answer: shown in the thread as the app's post, then queued like a thread reply. */
  on.view(REPLY_MODAL, async ({ ack, view, body, client, context }) => {
    const contact = await deps.repos.contacts.findByWaId(String(parse(view.private_metadata).waId ?? ''));
    const typed = (view.state.values.text?.value?.value ?? '').trim();
    if (!contact?.slack) return void (await ack({ response_action: 'errors', errors: { text: 'That contact no longer exists.' } }));
    if (!typed) return void (await ack({ response_action: 'errors', errors: { text: 'Write the reply.' } }));
    const at = deps.clock();
    const gate = await checkPersonConsent({ contacts: deps.repos.contacts }, contact, 'reply');
    if (!gate.allowed) {
      await deps.repos.audit.record({ actor: body.user.id, action: 'reply', args: { contact: contact.waId, via: 'modal' }, outcome: 'refused', at });
      return void (await ack({ response_action: 'errors', errors: { text: `${gate.reason}.` } }));
    }
    // Outside WhatsApp's 24-hour window free text would only fail later: refused here, on the field.
    const closed = windowRefusal(deps.config.whatsapp.gateway, contact, at);
    if (closed) return void (await ack({ response_action: 'errors', errors: { text: `${closed}. Use Send template on the card.` } }));
    await ack();
    await queueReplyFromModal(deps, client, { ...contact, slack: contact.slack }, body.user.id, { text: typed, shown: `:outbox_tray: <@${body.user.id}> replied on WhatsApp:\n${escapeMrkdwn(typed)}`, viewId: view.id });
    await deps.repos.audit.record({ actor: body.user.id, action: 'reply', args: { contact: contact.waId, via: 'modal' }, outcome: 'ok', at });
    requestLog(context, deps.logger).info({ contact: contact.waId }, 'reply from the modal queued');
  });

  on.action<BlockAction<ButtonAction>>(UNDO_CANCEL, async ({ ack, action, respond, body, client, context }) => {
    await ack();
    const reply = parse(action.value ?? '') as { channel?: unknown; ts?: unknown; post?: unknown };
    if (typeof reply.channel !== 'string' || typeof reply.ts !== 'string') return;
    const stored = await deps.repos.messages.findBySlackMessage(reply.channel, reply.ts);
    if (!stored || stored.agent !== body.user.id) return void (await respond({ replace_original: true, text: 'Only the author can cancel a reply.' }));
    const { withdrawn, inFlight } = await deps.repos.messages.cancelPendingForSlack(reply.channel, reply.ts, 'cancelled by the agent before it was sent');
    await deps.repos.audit.record({ actor: body.user.id, action: 'reply_cancel', args: { contact: stored.contactWaId, withdrawn, inFlight }, outcome: 'ok', at: deps.clock() });
    // A modal reply is the app's post: the app marks it, since the agent cannot delete it.
    const post = reply.post === true;
    if (post && withdrawn > 0 && inFlight === 0) {
      await client.chat
        .update({ channel: reply.channel, ts: reply.ts, ...cancelledPost(body.user.id, stored.body ?? '') })
        .catch((err: unknown) => requestLog(context, deps.logger).warn({ err }, 'could not mark the cancelled reply’s post'));
    }
    await respond({ replace_original: true, text: cancelOutcome({ withdrawn, inFlight }, post) });
  });
}

function parse(json: string): Record<string, unknown> {
  try {
    return JSON.parse(json) as Record<string, unknown>;
  } catch {
    return {};
  }
}
