import type { App } from '@slack/bolt';
import type { AppDeps } from '../../../app-deps';
import { slackToWhatsApp } from '../../../bridge/outbound/slack-to-whatsapp';
import { DELIVERY_REACTIONS } from '../../../bridge/outbound/delivery-reactions';
import { checkConsent } from '../../../consent/consent-gate';
import { requestLog } from '../../request-context';

interface ThreadMessage {
  subtype?: string;
  channel: string;
  ts: string;
  thread_ts?: string;
  user?: string;
  bot_id?: string;
  text?: string;
}

/**
 * An agent's reply in a conversation thread → the consent gate → the outbox. Retried and duplicate
 * events are harmless: the outbox is keyed on the Slack message. Replies starting with the internal
 * note prefix, bot messages and anything outside a conversation thread stay in Slack.
 */
export function registerThreadReplies(app: App, deps: Pick<AppDeps, 'config' | 'repos' | 'clock' | 'logger' | 'bridge'>): void {
  app.message(async ({ message, client, context }) => {
    const prefix = deps.config.bridge.internalNotePrefix;
    const m = message as unknown as ThreadMessage;
    // "Also send to #channel" replies arrive as thread_broadcast; edits, deletes and joins are not replies.
    if ((m.subtype !== undefined && m.subtype !== 'thread_broadcast') || m.bot_id || !m.user || !m.thread_ts || m.thread_ts === m.ts) return;
    const contact = await deps.repos.contacts.findBySlackThread(m.channel, m.thread_ts);
    if (!contact) return;
    const text = slackToWhatsApp(m.text ?? '').trim();
    if (!text || text.startsWith(prefix)) return;
    const log = requestLog(context, deps.logger).child({ contact: contact.waId, slackTs: m.ts });
    const at = deps.clock();
    const slack = { channel: m.channel, ts: m.ts };
    const gate = checkConsent(contact, 'reply');
    if (!gate.allowed) {
      const { duplicate } = await deps.repos.messages.recordOutbound({ contactWaId: contact.waId, body: text, purpose: 'reply', slack, agent: m.user, at, state: 'blocked', reason: gate.reason });
      if (duplicate) return;
      log.info({ reason: gate.reason }, 'reply refused by the consent gate');
      await deps.repos.audit.record({ actor: m.user, action: 'reply', args: { contact: contact.waId, slackTs: m.ts }, outcome: 'refused', at });
      await client.chat.postEphemeral({ channel: m.channel, user: m.user, thread_ts: m.thread_ts, text: `:no_entry_sign: ${gate.reason}.` });
      await client.reactions.add({ channel: m.channel, timestamp: m.ts, name: DELIVERY_REACTIONS.blocked });
      return;
    }
    const { duplicate } = await deps.repos.messages.recordOutbound({ contactWaId: contact.waId, body: text, purpose: 'reply', slack, agent: m.user, at, state: 'pending' });
    if (duplicate) return log.debug('duplicate reply event ignored');
    log.debug('reply queued for WhatsApp');
    deps.bridge.wakeOutbound(contact.waId);
  });
}
