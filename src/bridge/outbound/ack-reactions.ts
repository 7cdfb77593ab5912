import type { webApi } from '@slack/bolt';
import type { ContactRepository } from '../../domain/contact';
import type { MessageRepository } from '../../domain/message';
import type { Logger } from '../../logger';
import { escapeMrkdwn } from '../../slack/mrkdwn';
import type { AckLevel, WhatsAppGateway } from '../../whatsapp/gateway';
import { DELIVERY_REACTIONS } from './delivery-reactions';

const STATE_OF: Partial<Record<AckLevel, 'delivered' | 'read' | 'failed'>> = { device: 'delivered', read: 'read', played: 'read', error: 'failed' };

export interface AckReactionsDeps {
  gateway: WhatsAppGateway;
  messages: MessageRepository;
  client: webApi.WebClient;
  logger: Logger;
  /** Finds the conversation thread for a failure's reason; without it only the ❌ reaction shows. */
  contacts?: Pick<ContactRepository, 'findByWaId'>;
}

/**
 * WhatsApp's acks move a reply's delivery state forward, shown as a reaction on the agent's message.
 * A failure that comes with a reason (the Cloud API's `failed` status, long after the send was
 * accepted) is also said in the thread, as a refused send is. Both happen only for the ack that
 * moved the state (advanceAck is conditional), so a status Meta delivers twice is told once.
 */
export function startAckReactions(deps: AckReactionsDeps): () => void {
  return deps.gateway.on((event) => {
    if (event.type !== 'ack') return;
    const state = STATE_OF[event.ack];
    if (!state) return;
    void (async () => {
      const message = await deps.messages.advanceAck(event.messageId, state);
      if (!message?.slack) return;
      await deps.client.reactions.add({ channel: message.slack.channel, timestamp: message.slack.ts, name: DELIVERY_REACTIONS[state] });
      if (state !== 'failed' || !event.reason || !deps.contacts) return;
      const thread = (await deps.contacts.findByWaId(message.contactWaId))?.slack;
      if (!thread) return;
      await deps.client.chat.postMessage({ channel: thread.channel, thread_ts: thread.threadTs, text: `:warning: Not delivered to WhatsApp: ${escapeMrkdwn(event.reason)}`, unfurl_links: false });
    })().catch((err: unknown) => deps.logger.warn({ err, messageId: event.messageId }, 'could not show a delivery ack'));
  });
}
