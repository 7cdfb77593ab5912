import type { webApi } from '@slack/bolt';
import { checkPersonConsent } from '../../consent/twins';
import type { ContactRepository } from '../../domain/contact';
import type { ConversationRepository } from '../../domain/conversation';
import type { Cards } from '../../slack/card-refresh';
import type { MessageRepository, StoredMessage } from '../../domain/message';
import type { Logger } from '../../logger';
import type { MediaRepository } from '../../store/repositories/media-repository';
import { escapeMrkdwn } from '../../slack/mrkdwn';
import { GatewaySendError, type WhatsAppGateway } from '../../whatsapp/gateway';
import { failPermanently, retryLater } from '../dispatch/delivery-error';
import type { Deliverer } from '../dispatch/dispatcher';
import { DELIVERY_REACTIONS } from './delivery-reactions';

export interface WhatsAppDelivererDeps {
  gateway: WhatsAppGateway;
  contacts: ContactRepository;
  messages: MessageRepository;
  media: MediaRepository;
  client: webApi.WebClient;
  conversations: ConversationRepository;
  cards: Cards;
  clock: () => Date;
  logger: Logger;
}

const WITHDRAWN = 'deleted in Slack before it was sent';

/** While WhatsApp is not connected, queued replies are looked at again this often (and on reconnect). */
const OFFLINE_RETRY_MS = 15_000;

/**
 * Sends queued replies to WhatsApp. The consent gate is asked again right before sending: a
 * contact may have opted out while the reply waited. The gateway paces and fences every send.
 */
export function whatsappDeliverer(deps: WhatsAppDelivererDeps): Deliverer {
  const { gateway, contacts, messages, client } = deps;
  const react = async (message: StoredMessage, name: string) => {
    if (!message.slack) return;
    await client.reactions
      .add({ channel: message.slack.channel, timestamp: message.slack.ts, name })
      .catch((err: unknown) => deps.logger.warn({ err, name }, 'could not add a delivery reaction'));
  };

  /**
   * Our message with the same text in the chat, sent no earlier than this one was queued (WhatsApp
   * counts whole seconds). Nothing overtakes a queued reply, so a match is this reply, already out.
   */
  async function alreadySent(chatId: string, message: StoredMessage): Promise<{ id: string; at: Date } | undefined> {
    const text = message.body ?? '';
    if (!text) return undefined; // a file without caption cannot be recognised; sent again (README)
    const since = Math.floor(message.createdAt.getTime() / 1000) * 1000;
    const match = (await gateway.recentOwnMessages(chatId, 20)).find((m) => m.text === text && m.at.getTime() >= since);
    if (match) deps.logger.warn({ messageId: message.id, waMessageId: match.id }, 'a reply sent before a crash was found in the chat; not sending it again');
    return match;
  }

  /** The conversation's queue state after an agent's reply; sent is sent, so a failure here is only logged. */
  async function answered(waId: string, at: Date): Promise<void> {
    try {
      if (!(await deps.conversations.agentReplied(waId, at))) return;
      const updated = await contacts.findByWaId(waId);
      if (updated) await deps.cards.refresh(client, updated);
    } catch (err) {
      deps.logger.warn({ err, contact: waId }, 'reply sent, but the conversation state could not be updated');
    }
  }

  return {
    async deliver(message, { reclaimed }) {
      const contact = await contacts.findByWaId(message.contactWaId);
      if (!contact) throw failPermanently('the contact no longer exists');
      const gate = await checkPersonConsent({ contacts }, contact, message.purpose ?? 'reply');
      if (!gate.allowed) throw failPermanently(gate.reason);
      // Deleted in Slack while this attempt was getting ready: it must not go out.
      if (message.slack && (await messages.isWithdrawn(message.id))) throw failPermanently(WITHDRAWN);
      const file = message.media?.storedId ? await deps.media.load(message.media.storedId) : null;
      if (message.media?.storedId && !file) throw failPermanently('the attached file was lost before it could be sent');
      const caption = message.body || undefined;
      let sent;
      try {
        // A claim that lapsed means a crash may have come right after the send, and a failed attempt
        // may have failed after WhatsApp took the message: either way, look before sending again.
        sent = (reclaimed || message.delivery.attempts > 0 ? await alreadySent(contact.waId, message) : undefined) ??
          (file
            ? await gateway.sendMedia(contact.waId, { mimetype: file.mimetype, filename: file.filename, data: file.data, ...(caption ? { caption } : {}) })
            : await gateway.sendText(contact.waId, message.body ?? ''));
      } catch (err) {
        if (!(err instanceof GatewaySendError)) throw err;
        if (err.kind === 'not_connected') throw retryLater(err.message, { afterMs: OFFLINE_RETRY_MS, countAttempt: false });
        if (err.kind === 'rejected') throw failPermanently(err.message);
        throw retryLater(err.message);
      }
      await messages.markSent(message.id, sent.id, sent.at);
      if (message.media?.storedId) await deps.media.remove(message.media.storedId);
      // The queue state first: the reaction is a Slack call that may be slow to succeed.
      if ((message.purpose ?? 'reply') === 'reply') await answered(contact.waId, sent.at);
      await react(message, DELIVERY_REACTIONS.sent);
    },
    async onPermanentFailure(message, reason) {
      if (reason === WITHDRAWN) return; // the agent deleted it and has been told
      await react(message, DELIVERY_REACTIONS.failed);
      if (!message.slack) return;
      const contact = await contacts.findByWaId(message.contactWaId);
      const thread = contact?.slack;
      if (!thread) return;
      await client.chat.postMessage({
        channel: thread.channel,
        thread_ts: thread.threadTs,
        text: `:warning: Not delivered to WhatsApp: ${escapeMrkdwn(reason)}`,
        unfurl_links: false,
      });
    },
  };
}
