import type { webApi } from '@slack/bolt';
import type { ContactRepository } from '../../domain/contact';
import type { MessageRepository, StoredMessage } from '../../domain/message';
import type { Logger } from '../../logger';
import { contactDisplayName } from '../../slack/blocks/contact-card';
import { escapeMrkdwn } from '../../slack/mrkdwn';
import type { GatewayEvent, WhatsAppGateway } from '../../whatsapp/gateway';
import { formatInbound } from './format-inbound';

/** WhatsApp's quick reactions (and a few more) as Slack reaction names; anything else is shown as text. */
const REACTION_NAMES: Record<string, string> = {
  '👍': '+1',
  '❤️': 'heart',
  '❤': 'heart',
  '😂': 'joy',
  '😮': 'open_mouth',
  '😢': 'cry',
  '🙏': 'pray',
  '👎': '-1',
  '🔥': 'fire',
  '🎉': 'tada',
  '👏': 'clap',
  '😍': 'heart_eyes',
  '😊': 'blush',
  '✅': 'white_check_mark',
};

export interface ContactChangesDeps {
  gateway: WhatsAppGateway;
  messages: MessageRepository;
  contacts: ContactRepository;
  client: webApi.WebClient;
  logger: Logger;
}

/**
 * What a contact does to messages after sending them: an edit updates the mirrored message and
 * marks it "(edited)", a delete for everyone replaces it with a note, a reaction becomes a reaction
 * on the mirrored message (or on the agent's reply it was aimed at). A message not yet in Slack
 * just changes in the store, and is posted as it now is.
 */
export function startContactChanges(deps: ContactChangesDeps): () => void {
  const log = deps.logger.child({ component: 'contact-changes' });
  return deps.gateway.on((event) => {
    if (event.type !== 'edit' && event.type !== 'revoke' && event.type !== 'reaction') return;
    apply(event).catch((err: unknown) => log.warn({ err, type: event.type, messageId: event.messageId }, 'could not mirror a change'));
  });

  async function apply(event: Extract<GatewayEvent, { type: 'edit' | 'revoke' | 'reaction' }>): Promise<void> {
    const message = await deps.messages.findByWaMessageId(event.messageId);
    if (!message) return log.debug({ messageId: event.messageId }, 'change to a message we never saw');
    if (event.type === 'reaction') return react(message, event.emoji, event.from);
    if (message.direction !== 'inbound') return;
    const changed = await deps.messages.recordChange(message.id, event.type === 'edit' ? { body: event.newText, edited: true } : { revoked: true });
    if (!changed?.slack) return; // not posted yet: it will be posted as it now is
    await deps.client.chat.update({ channel: changed.slack.channel, ts: changed.slack.ts, text: formatInbound(changed) });
  }

  async function react(message: StoredMessage, emoji: string, from: string): Promise<void> {
    if (!message.slack) return;
    const { channel, ts } = message.slack;
    const previous = message.contactReaction;
    if (previous && REACTION_NAMES[previous]) {
      await deps.client.reactions.remove({ channel, timestamp: ts, name: REACTION_NAMES[previous] }).catch(() => undefined);
    }
    await deps.messages.recordChange(message.id, { contactReaction: emoji || null });
    if (!emoji) return; // the reaction was taken back
    const name = REACTION_NAMES[emoji];
    if (name) {
      await deps.client.reactions.add({ channel, timestamp: ts, name });
      return;
    }
    // Slack has no reaction for this emoji (or we do not know its name): say it in the thread.
    const contact = await deps.contacts.findByWaId(from);
    const thread = contact?.slack;
    if (!contact || !thread) return;
    await deps.client.chat.postMessage({
      channel: thread.channel,
      thread_ts: thread.threadTs,
      text: `${contactDisplayName(contact)} reacted ${escapeMrkdwn(emoji)} to <${await permalink(channel, ts)}|this message>`,
      unfurl_links: false,
    });
  }

  async function permalink(channel: string, ts: string): Promise<string> {
    const res = (await deps.client.chat.getPermalink({ channel, message_ts: ts })) as { permalink?: string };
    return res.permalink ?? '';
  }
}
