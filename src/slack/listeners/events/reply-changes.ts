import type { webApi } from '@slack/bolt';
import type { AppDeps } from '../../../app-deps';
import { expandQuickReply } from '../../../bridge/outbound/quick-reply-text';
import { slackToWhatsApp } from '../../../bridge/outbound/slack-to-whatsapp';
import type { GateDecision } from '../../../consent/consent-gate';
import { checkPersonConsent } from '../../../consent/twins';
import { channelMode } from '../../../workflow/channel-mode';
import type { StoredMessage } from '../../../domain/message';
import { GatewaySendError } from '../../../whatsapp/gateway';
import { contactPlainName } from '../../blocks/contact-card';
import { escapeMrkdwn } from '../../mrkdwn';
import { requestLog } from '../../request-context';
import { signed } from '../../../workflow/agent-signature';
import type { Listeners } from '../listener-table';

/** WhatsApp lets a sender edit a message for 15 minutes and delete it for everyone for about 60 hours. */
export const WHATSAPP_EDIT_WINDOW_MS = 15 * 60_000;
export const WHATSAPP_DELETE_WINDOW_MS = 60 * 3600_000;

interface ChangeEvent {
  subtype?: string;
  channel: string;
  message?: { ts: string; thread_ts?: string; user?: string; text?: string; bot_id?: string };
  previous_message?: { ts: string; thread_ts?: string; user?: string; text?: string; bot_id?: string };
}

const SENT = new Set(['sent', 'delivered', 'read']);

/**
 * An agent edits or deletes their reply in Slack. Not sent yet: the queued text is replaced, or the
 * reply withdrawn — it is never sent. Sent: the edit or delete is carried to WhatsApp within
 * WhatsApp's windows; outside them the agent is told, privately, that the contact still has it.
 */
export function registerReplyChanges(on: Listeners, deps: Pick<AppDeps, 'config' | 'repos' | 'gateway' | 'clock' | 'logger' | 'signature' | 'privacy'>): void {
  /** The person's message the change is about, when it is one in a thread (a reply of ours, perhaps). */
  const changed = (message: unknown) => {
    const m = message as ChangeEvent;
    if (m.subtype !== 'message_changed' && m.subtype !== 'message_deleted') return undefined;
    const target = m.subtype === 'message_changed' ? m.message : m.previous_message;
    if (!target?.user || target.bot_id || !target.thread_ts) return undefined;
    return { m, target: target as typeof target & { user: string; thread_ts: string } };
  };
  const teller = (client: webApi.WebClient, m: ChangeEvent, target: { user: string; thread_ts: string }) => (text: string) =>
    client.chat.postEphemeral({ channel: m.channel, user: target.user, thread_ts: target.thread_ts, text }).then(() => undefined);

  on.message(
    async ({ message, client, context }) => {
      const change = changed(message);
      if (!change) return;
      const { m, target } = change;
      const reply = await deps.repos.messages.findBySlackMessage(m.channel, target.ts);
      if (!reply || reply.direction !== 'outbound') return;
      const log = requestLog(context, deps.logger).child({ messageId: reply.id, change: m.subtype });
      const tell = teller(client, m, target);
      const age = reply.sentAt ? deps.clock().getTime() - reply.sentAt.getTime() : Infinity;

      if (m.subtype === 'message_changed') {
        const unchanged = () => log.debug('an edit that changes nothing the contact would see; nothing to carry');
        // Slack changed the message, not its words (an unfurl, a file's preview): nothing to carry.
        if (m.previous_message?.text !== undefined && m.message?.text === m.previous_message.text) return unchanged();
        const typed = slackToWhatsApp(m.message?.text ?? '').trim();
        if (!typed) return;
        // An edit obeys the rules a new reply does: one that would now stay in Slack goes nowhere.
        const stays = typed.startsWith(deps.config.bridge.internalNotePrefix)
          ? 'it is now an internal note'
          : (await channelMode(deps.repos.settings, m.channel)) === 'notes-only'
            ? 'this channel is notes-only'
            : undefined;
        if (stays) return keepInSlack(reply, stays, `:memo: Edited so that ${stays}`, tell);
        // Expanded as a new reply is: an edited `!shortcut` reply must not become its raw shortcut.
        const contact = await deps.repos.contacts.findByWaId(reply.contactWaId);
        const expanded = await expandQuickReply(typed, {
          quickReplies: deps.repos.quickReplies,
          client,
          user: target.user,
          contactName: contact ? contactPlainName(contact) : '',
        });
        if ('unknown' in expanded) {
          return keepInSlack(reply, `there is no quick reply !${expanded.unknown}`, `:grey_question: No quick reply \`!${escapeMrkdwn(expanded.unknown)}\` (\`/wa qr list\` shows them)`, tell);
        }
        // Signed as the original was (the signature is part of what the customer sees): with the line
        // it went out with, so a profile that cannot be read now does not strip it. (Replies stored
        // before signatures were kept look it up.)
        const text = signed(expanded.text, reply.signature ?? (await deps.signature(client, target.user)));
        if (text === reply.body) return unchanged();
        if (await deps.repos.messages.rewritePending(reply.id, text)) return log.info('queued reply rewritten before sending');
        if (!SENT.has(reply.delivery.state) || !reply.waMessageId) {
          if (reply.delivery.state === 'sending') await tell(':hourglass: That reply was already on its way to WhatsApp; edit it again in a moment to change it there.');
          return;
        }
        if (age > WHATSAPP_EDIT_WINDOW_MS) return tell(':pencil2: WhatsApp allows edits for 15 minutes after sending; the contact still sees the original.');
        const gate = await editGate(reply.contactWaId);
        if (!gate.allowed) return tell(`:no_entry_sign: Not edited on WhatsApp: ${escapeMrkdwn(gate.reason)}.`);
        // Asked again in the edit's send slot: the contact may opt out while it waits for its turn.
        const check = async () => {
          const now = await editGate(reply.contactWaId);
          if (!now.allowed) throw new GatewaySendError('rejected', now.reason);
        };
        await carry(reply, () => deps.gateway.edit(reply.waMessageId!, text, { check }), { body: text, edited: true }, 'edit', tell);
        return;
      }

      const { withdrawn, inFlight } = await deps.repos.messages.cancelPendingForSlack(m.channel, target.ts, 'deleted in Slack before it was sent');
      if (withdrawn + inFlight > 0) {
        log.info({ withdrawn, inFlight }, 'queued reply withdrawn');
        return tell(
          inFlight === 0
            ? ':wastebasket: Your deleted reply was withdrawn before it reached WhatsApp.'
            : ':wastebasket: Your deleted reply was withdrawn, but WhatsApp was being handed part of it at that moment: if it shows as sent, delete it again to remove it there too.',
        );
      }
      if (!SENT.has(reply.delivery.state) || !reply.waMessageId) return;
      if (age > WHATSAPP_DELETE_WINDOW_MS) return tell(':wastebasket: Too old to delete on WhatsApp (about 60 hours); the contact still has that message.');
      await carry(reply, () => deps.gateway.revoke(reply.waMessageId!), { revoked: true }, 'delete', tell);
    },
    {
      role: 'agent',
      action: 'reply_edit',
      // Only an edit needs an agent: a delete takes back, and a reply deleted in Slack must never still go.
      actor: ({ message }) => {
        const change = changed(message);
        return change?.m.subtype === 'message_changed' ? change.target.user : undefined;
      },
      refuse: async ({ message, client }) => {
        const { m, target } = changed(message)!;
        const reply = await deps.repos.messages.findBySlackMessage(m.channel, target.ts);
        if (!reply || reply.direction !== 'outbound') return null;
        await keepInSlack(reply, 'the editor is not an agent', ':lock: Only agents’ edits reach WhatsApp', teller(client, m, target));
        return { contact: deps.privacy.pseudonym(reply.contactWaId) };
      },
    },
  );

  async function editGate(waId: string): Promise<GateDecision> {
    const contact = await deps.repos.contacts.findByWaId(waId);
    return contact ? checkPersonConsent({ contacts: deps.repos.contacts }, contact, 'reply') : { allowed: false, reason: 'the contact no longer exists' };
  }

  /**
   * The edited reply must stay in Slack (`why`; `intro` tells the editor): withdrawn if still queued,
   * since Slack no longer shows what it would send; if sent, the contact keeps the original.
   */
  async function keepInSlack(reply: StoredMessage, why: string, intro: string, tell: (text: string) => Promise<void>): Promise<void> {
    const { withdrawn, inFlight } = await deps.repos.messages.cancelPendingForSlack(reply.slack!.channel, reply.slack!.ts, `edited in Slack: ${why}`);
    if (withdrawn > 0 && inFlight === 0) return tell(`${intro}: the reply was withdrawn and will not be sent to WhatsApp.`);
    if (withdrawn + inFlight > 0) return tell(`${intro}: the reply was withdrawn, but WhatsApp was being handed it at that moment; if it shows as sent, delete it to remove it there.`);
    if (SENT.has(reply.delivery.state)) return tell(`${intro}: the edit was not carried to WhatsApp; the contact still sees the original. Delete the message to remove it there.`);
  }

  async function carry(
    reply: StoredMessage,
    act: () => Promise<void>,
    change: { body?: string; edited?: true; revoked?: true },
    what: 'edit' | 'delete',
    tell: (text: string) => Promise<void>,
  ): Promise<void> {
    try {
      await act();
      await deps.repos.messages.recordChange(reply.id, change);
    } catch (err) {
      if (!(err instanceof GatewaySendError)) throw err;
      // A rejection's message may be the consent gate's reason, which names the contact: its kind only.
      deps.logger.warn({ kind: err.kind, ...(err.kind === 'rejected' ? {} : { err }), messageId: reply.id }, `could not carry an ${what} to WhatsApp`);
      await tell(`:warning: Could not ${what} it on WhatsApp (${escapeMrkdwn(err.message)}); the contact still sees the original.`);
    }
  }
}
