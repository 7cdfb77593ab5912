import type { BlockAction, ButtonAction, MessageShortcut, webApi } from '@slack/bolt';
import type { AppDeps } from '../../../app-deps';
import { fillQuickReply } from '../../../bridge/outbound/quick-reply-text';
import { windowRefusal } from '../../../bridge/outbound/reply-window';
import { checkPersonConsent } from '../../../consent/twins';
import { recordOptOut } from '../../../consent/record-opt-out';
import type { Contact } from '../../../domain/contact';
import { agentName } from '../../../workflow/agent-name';
import { CARD_ACTIONS, contactDisplayName, contactPlainName } from '../../blocks/contact-card';
import { modal } from '../../blocks/modal';
import { escapeMrkdwn } from '../../mrkdwn';
import type { Logger } from '../../../logger';
import { requestLog } from '../../request-context';
import { queueReplyFromModal } from '../../reply-from-modal';
import type { Listeners } from '../listener-table';

const LABELS_MODAL = 'card_labels_modal';
const OPT_OUT_MODAL = 'shortcut_opt_out_modal';
/** Message shortcuts (declared in manifest.yml). */
export const SHORTCUTS = { quickReply: 'send_quick_reply', label: 'label_contact', optOut: 'opt_out_contact' } as const;

/** Who asked, and where to answer them. */
interface Asker {
  userId: string;
  channel: string;
  threadTs?: string;
  triggerId: string;
}
const QUICK_REPLY_MODAL = 'card_quick_reply_modal';
/** Slack's limits: 100 options per select, 75 characters per option text. */
const MAX_OPTIONS = 100;
const clip = (text: string, max = 75) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

type Deps = Pick<AppDeps, 'config' | 'repos' | 'clock' | 'logger' | 'bridge' | 'cards' | 'signature' | 'replyIntake'>;

/**
 * The contact card's buttons, usable inside the thread where slash commands are not: set labels,
 * send a quick reply (through the consent gate, like every outbound path), opt the contact out.
 */
export function registerContactCardActions(on: Listeners, deps: Deps): void {
  /** The card is the thread root: redrawn in place after every change it shows. */
  const refreshCard = (client: webApi.WebClient, contact: Contact) => deps.cards.refresh(client, contact);
  const contactOf = async (waId: unknown) => (typeof waId === 'string' ? deps.repos.contacts.findByWaId(waId) : null);
  const cardAsker = (body: BlockAction): Asker => ({ userId: body.user.id, channel: body.channel?.id ?? '', threadTs: body.message?.thread_ts, triggerId: body.trigger_id });
  const tell = (client: webApi.WebClient, who: Asker, text: string) =>
    client.chat.postEphemeral({ channel: who.channel, user: who.userId, text, ...(who.threadTs ? { thread_ts: who.threadTs } : {}) });

  on.action<BlockAction<ButtonAction>>(CARD_ACTIONS.optOut, async ({ ack, action, body, client, context }) => {
    await ack();
    await optOut(client, await contactOf(action.value), cardAsker(body), 'card', requestLog(context, deps.logger));
  });

  /** Opt-out from the card's button or the message shortcut (both confirmed first). */
  async function optOut(client: webApi.WebClient, contact: Contact | null, who: Asker, via: string, log: Logger): Promise<void> {
    if (!contact) return void (await tell(client, who, 'That contact no longer exists.'));
    const at = deps.clock();
    const done = await recordOptOut(
      { contacts: deps.repos.contacts, ledger: deps.repos.consentLedger, messages: deps.repos.messages, confirmation: deps.config.bridge.optOutConfirmation },
      contact,
      { source: `slack:${via === 'card' ? 'button' : 'shortcut'}`, actor: who.userId, evidence: via === 'card' ? 'Opt out button on the contact card' : 'Opt out contact message shortcut', statusSource: `slack:${via}`, at },
    );
    if (!done) {
      const since = contact.consent.since?.toISOString().slice(0, 10) ?? 'an unknown date';
      return void (await tell(client, who, `${contactDisplayName(contact)} is already opted out (since ${since}, via ${escapeMrkdwn(contact.consent.source ?? 'unknown')}).`));
    }
    await deps.repos.audit.record({ actor: who.userId, action: 'opt_out', args: { contact: contact.waId, via }, outcome: 'ok', at });
    log.info({ contact: contact.waId, via }, 'contact opted out from Slack');
    deps.bridge.wakeOutbound(contact.waId);
    const updated = (await deps.repos.contacts.findByWaId(contact.waId)) ?? contact;
    await refreshCard(client, updated);
    if (updated.slack) {
      await client.chat.postMessage({
        channel: updated.slack.channel,
        thread_ts: updated.slack.threadTs,
        text: `:no_entry: *Opted out* by <@${who.userId}>. Nothing more will be sent to this contact; they were told how to subscribe again.`,
      });
    }
  }

  on.action<BlockAction<ButtonAction>>(CARD_ACTIONS.labels, async ({ ack, action, body, client }) => {
    await ack();
    await openLabels(client, await contactOf(action.value), cardAsker(body));
  });

  async function openLabels(client: webApi.WebClient, contact: Contact | null, who: Asker): Promise<void> {
    if (!contact) return void (await tell(client, who, 'That contact no longer exists.'));
    const labels = (await deps.repos.labels.list()).slice(0, MAX_OPTIONS);
    if (labels.length === 0) return void (await tell(client, who, 'There are no labels yet: a team lead creates them with `/wa label create <name>`.'));
    const option = (name: string) => ({ text: { type: 'plain_text' as const, text: clip(name) }, value: name });
    const current = labels.filter((l) => contact.labels.includes(l.name)).map((l) => option(l.name));
    await client.views.open({
      trigger_id: who.triggerId,
      view: modal({
        callbackId: LABELS_MODAL,
        metadata: { waId: contact.waId },
        title: 'Labels',
        submit: 'Save',
        blocks: [
          {
            type: 'input',
            block_id: 'labels',
            optional: true,
            label: { type: 'plain_text', text: clip(`Labels for ${contactPlainName(contact)}`) },
            element: { type: 'multi_static_select', action_id: 'pick', options: labels.map((l) => option(l.name)), ...(current.length ? { initial_options: current } : {}) },
          },
        ],
      }),
    });
  }

  on.view(LABELS_MODAL, async ({ ack, view, body, client }) => {
    const contact = await contactOf(metadataWaId(view.private_metadata));
    if (!contact) return void (await ack({ response_action: 'errors', errors: { labels: 'That contact no longer exists.' } }));
    await ack();
    const known = new Set((await deps.repos.labels.list()).map((l) => l.name));
    const wanted = new Set((view.state.values.labels?.pick?.selected_options ?? []).map((o) => o.value).filter((v) => known.has(v)));
    const add = [...wanted].filter((l) => !contact.labels.includes(l));
    const remove = contact.labels.filter((l) => known.has(l) && !wanted.has(l));
    if (add.length) await deps.repos.contacts.addLabels(contact.waId, add);
    if (remove.length) await deps.repos.contacts.removeLabels(contact.waId, remove);
    await deps.repos.audit.record({ actor: body.user.id, action: 'label', args: { contact: contact.waId, add, remove, via: 'card' }, outcome: 'ok', at: deps.clock() });
    const updated = await deps.repos.contacts.findByWaId(contact.waId);
    if (updated) await refreshCard(client, updated);
  });

  on.action<BlockAction<ButtonAction>>(CARD_ACTIONS.quickReply, async ({ ack, action, body, client }) => {
    await ack();
    await openQuickReply(client, await contactOf(action.value), cardAsker(body));
  });

  async function openQuickReply(client: webApi.WebClient, contact: Contact | null, who: Asker): Promise<void> {
    if (!contact) return void (await tell(client, who, 'That contact no longer exists.'));
    const gate = await checkPersonConsent({ contacts: deps.repos.contacts }, contact, 'reply');
    if (!gate.allowed) return void (await tell(client, who, `:no_entry_sign: ${escapeMrkdwn(gate.reason)}.`));
    const replies = (await deps.repos.quickReplies.list()).slice(0, MAX_OPTIONS);
    if (replies.length === 0) return void (await tell(client, who, 'There are no quick replies yet: a team lead adds them with `/wa qr add`.'));
    await client.views.open({
      trigger_id: who.triggerId,
      view: modal({
        callbackId: QUICK_REPLY_MODAL,
        metadata: { waId: contact.waId },
        title: 'Quick reply',
        submit: 'Send',
        blocks: [
          {
            type: 'input',
            block_id: 'qr',
            label: { type: 'plain_text', text: clip(`Send to ${contactPlainName(contact)} on WhatsApp`) },
            // A static select filters as you type: the search the picker needs.
            element: {
              type: 'static_select',
              action_id: 'pick',
              placeholder: { type: 'plain_text', text: 'Type to search' },
              options: replies.map((r) => ({ text: { type: 'plain_text', text: clip(`${r.shortcut} — ${r.body}`) }, value: r.shortcut })),
            },
          },
        ],
      }),
    });
  }

  // Message shortcuts: the same three actions from any message in a conversation thread.
  const shortcutAsker = (body: MessageShortcut): Asker => ({ userId: body.user.id, channel: body.channel.id, threadTs: body.message.thread_ts ?? body.message.ts, triggerId: body.trigger_id });
  const threadContact = (body: MessageShortcut) => deps.repos.contacts.findBySlackThread(body.channel.id, body.message.thread_ts ?? body.message.ts);
  const notAConversation = 'Use this on a message in a WhatsApp conversation thread.';
  on.shortcut<MessageShortcut>(SHORTCUTS.quickReply, async ({ ack, shortcut, client }) => {
    await ack();
    const contact = await threadContact(shortcut);
    if (!contact) return void (await tell(client, shortcutAsker(shortcut), notAConversation));
    await openQuickReply(client, contact, shortcutAsker(shortcut));
  });
  on.shortcut<MessageShortcut>(SHORTCUTS.label, async ({ ack, shortcut, client }) => {
    await ack();
    const contact = await threadContact(shortcut);
    if (!contact) return void (await tell(client, shortcutAsker(shortcut), notAConversation));
    await openLabels(client, contact, shortcutAsker(shortcut));
  });
  // A shortcut cannot ask "are you sure?" itself: a small modal does.
  on.shortcut<MessageShortcut>(SHORTCUTS.optOut, async ({ ack, shortcut, client }) => {
    await ack();
    const who = shortcutAsker(shortcut);
    const contact = await threadContact(shortcut);
    if (!contact) return void (await tell(client, who, notAConversation));
    await client.views.open({
      trigger_id: who.triggerId,
      view: modal({
        callbackId: OPT_OUT_MODAL,
        metadata: { waId: contact.waId, channel: who.channel, threadTs: who.threadTs },
        title: 'Opt out?',
        submit: 'Opt out',
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `Nothing more will be sent to *${contactDisplayName(contact)}*, except one message confirming it. They can opt in again by replying START.` } }],
      }),
    });
  });
  on.view(OPT_OUT_MODAL, async ({ ack, view, body, client, context }) => {
    await ack();
    const meta = JSON.parse(view.private_metadata || '{}') as { waId?: unknown; channel?: string; threadTs?: string };
    const who: Asker = { userId: body.user.id, channel: String(meta.channel ?? ''), threadTs: meta.threadTs, triggerId: '' };
    await optOut(client, await contactOf(meta.waId), who, 'shortcut', requestLog(context, deps.logger));
  });

  on.view(QUICK_REPLY_MODAL, async ({ ack, view, body, client, context }) => {
    const contact = await contactOf(metadataWaId(view.private_metadata));
    const shortcut = view.state.values.qr?.pick?.selected_option?.value;
    const reply = shortcut ? await deps.repos.quickReplies.findByShortcut(shortcut) : null;
    if (!contact?.slack || !reply) return void (await ack({ response_action: 'errors', errors: { qr: contact ? 'That quick reply no longer exists.' : 'That contact no longer exists.' } }));
    const at = deps.clock();
    const gate = await checkPersonConsent({ contacts: deps.repos.contacts }, contact, 'reply');
    if (!gate.allowed) {
      await deps.repos.audit.record({ actor: body.user.id, action: 'quick_reply', args: { contact: contact.waId, shortcut }, outcome: 'refused', at });
      return void (await ack({ response_action: 'errors', errors: { qr: `${gate.reason}.` } }));
    }
    // Outside WhatsApp's 24-hour window free text would only fail later: refused here, on the field.
    const closed = windowRefusal(deps.config.whatsapp.gateway, contact, at);
    if (closed) return void (await ack({ response_action: 'errors', errors: { qr: `${closed}. Use Send template on the card.` } }));
    await ack();
    const text = fillQuickReply(reply.body, { name: contactPlainName(contact), agent: await agentName(client, body.user.id) });
    await queueReplyFromModal(deps, client, { ...contact, slack: contact.slack }, body.user.id, {
      text,
      shown: `:zap: <@${body.user.id}> sent the quick reply \`${escapeMrkdwn(reply.shortcut)}\`:\n${escapeMrkdwn(text)}`,
      viewId: view.id,
    });
    await deps.repos.quickReplies.incrementUsage(reply.shortcut);
    await deps.repos.audit.record({ actor: body.user.id, action: 'quick_reply', args: { contact: contact.waId, shortcut }, outcome: 'ok', at });
    requestLog(context, deps.logger).info({ contact: contact.waId, shortcut }, 'quick reply queued');
  });
}

function metadataWaId(metadata: string): unknown {
  try {
    return (JSON.parse(metadata) as { waId?: unknown }).waId;
  } catch {
    return undefined;
  }
}
