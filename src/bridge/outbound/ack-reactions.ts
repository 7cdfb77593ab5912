import type { webApi } from '@slack/bolt';
import type { MessageRepository } from '../../domain/message';
import type { Logger } from '../../logger';
import type { AckLevel, WhatsAppGateway } from '../../whatsapp/gateway';
import { DELIVERY_REACTIONS } from './delivery-reactions';

const STATE_OF: Partial<Record<AckLevel, 'delivered' | 'read' | 'failed'>> = { device: 'delivered', read: 'read', played: 'read', error: 'failed' };

/** WhatsApp's acks move a reply's delivery state forward, shown as a reaction on the agent's message. */
export function startAckReactions(deps: { gateway: WhatsAppGateway; messages: MessageRepository; client: webApi.WebClient; logger: Logger }): () => void {
  return deps.gateway.on((event) => {
    if (event.type !== 'ack') return;
    const state = STATE_OF[event.ack];
    if (!state) return;
    void (async () => {
      const message = await deps.messages.advanceAck(event.messageId, state);
      if (!message?.slack) return;
      await deps.client.reactions.add({ channel: message.slack.channel, timestamp: message.slack.ts, name: DELIVERY_REACTIONS[state] });
    })().catch((err: unknown) => deps.logger.warn({ err, messageId: event.messageId }, 'could not show a delivery ack'));
  });
}
