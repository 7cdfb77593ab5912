import type { Clock } from '../../clock';
import type { ContactRepository } from '../../domain/contact';
import type { ConversationRepository } from '../../domain/conversation';
import type { MessageRepository } from '../../domain/message';
import type { Logger } from '../../logger';
import type { MediaRepository } from '../../store/repositories/media-repository';
import type { InboundMessage, WhatsAppGateway } from '../../whatsapp/gateway';
import { holdGate } from './hold-gate';
import { keepMedia, toNewInbound } from './message-parts';

export interface PhoneSendsDeps {
  gateway: WhatsAppGateway;
  messages: MessageRepository;
  contacts: Pick<ContactRepository, 'findByWaId'>;
  conversations: Pick<ConversationRepository, 'agentReplied'>;
  media: MediaRepository;
  mediaMaxBytes: number;
  wakeSlack: (contactWaId: string) => void;
  /** The inbound recorder's lanes: a phone answer is recorded after the contact's messages before it. */
  sequence: (contact: string, job: () => Promise<void>, what: { kind: string; waMessageId: string }) => void;
  clock: Clock;
  logger: Logger;
}

/**
 * What someone wrote from the phone itself, in a conversation the app mirrors: stored (once, by its
 * WhatsApp id) and posted in the thread as sent from the phone, so agents see the whole
 * conversation. It is a reply that reached WhatsApp, so the conversation waits on the customer.
 * The Business App's own greeting and away messages, where the gateway marks them (`automated`),
 * are posted as the phone's automatic reply and answer nothing.
 * A chat the phone starts with someone who never wrote is not mirrored (no contact, no thread).
 * When the store is down these wait in memory and are retried, in order, in the contact's lane.
 */
export function startPhoneSends(deps: PhoneSendsDeps): { hold(): () => void; stop(): void } {
  const log = deps.logger.child({ component: 'phone-sends' });
  let stopped = false;
  // In the contact's lane, and held with the customers' messages while a catch-up hands over older
  // ones: an answer is never posted (or counted) before the question it answers.
  const live = holdGate<InboundMessage>((message) => {
    if (!stopped) deps.sequence(message.from, () => record(message), { kind: 'a message sent from the phone', waMessageId: message.id });
  });

  const unsubscribe = deps.gateway.on((event) => {
    if (event.type === 'sent_from_phone') live.pass(event.message);
  });

  async function record(message: InboundMessage): Promise<void> {
    if (!(await deps.contacts.findByWaId(message.from))) return log.debug({ chat: message.from }, 'sent from the phone to a chat not mirrored');
    const media = message.content.kind === 'media' ? message.content : undefined;
    // A repeat (a retry after a failure below) goes on: releasing and counting the reply are safe twice.
    const { message: stored } = await deps.messages.recordInbound({
      ...toNewInbound(message),
      fromPhone: true,
      ...(message.automated ? { automated: true } : {}),
      // Held until its file is fetched, however long that takes (a crash: the recorder's sweep finishes it).
      ...(media ? { steps: ['media' as const] } : {}),
    });
    if (media && stored.steps?.includes('media')) await deps.messages.release(stored.id, deps.clock(), { media: await keepMedia({ ...deps, logger: log }, media, message.id) });
    // The Business App's greeting or away message answers nobody: the customer still waits, and it
    // is no first response (nor does the card change, so it is not redrawn).
    if (message.automated) return deps.wakeSlack(message.from);
    await deps.conversations.agentReplied(message.from, message.at);
    // The card is redrawn after the post (now waiting on the customer, most likely). Recorded every
    // time, not only when the status changed: a retry after a failure here must still redraw it.
    await deps.messages.recordInbound({ waMessageId: `notice:${message.id}`, contactWaId: message.from, kind: 'notice', body: '', at: new Date(message.at.getTime() + 1), holdUntil: message.at });
    deps.wakeSlack(message.from);
  }

  return {
    hold: live.hold,
    stop() {
      stopped = true;
      unsubscribe();
    },
  };
}
