import type { Contact } from '../domain/contact';
import type { MessageRepository } from '../domain/message';

/** A contact's message as the consent step judges it; it is already stored when this runs. */
export interface ConsentMessage {
  text: string;
  waMessageId: string;
  /** WhatsApp's time of the message. */
  at: Date;
  /** The WhatsApp id of the message it replies to (quotes), if any. */
  quotedId?: string;
}

export interface OptInAnswer {
  /** The WhatsApp id of the request answered: the ledger keeps it as evidence. */
  requestWaMessageId: string;
  how: 'quoted' | 'first_reply';
}

/**
 * Whether a YES answers the contact's pending opt-in request: it quotes the request, or it is the
 * contact's first message after WhatsApp accepted the request, within `answerWindowMs`. A YES to
 * anything else ("Is the parcel still with you?" "Yes") is an ordinary message — and so is one
 * quoting another message, which answers that message.
 */
export async function answeredOptInRequest(
  deps: { messages: Pick<MessageRepository, 'findByWaMessageId' | 'latestOptInRequest'>; answerWindowMs: number },
  contact: Contact,
  message: ConsentMessage,
): Promise<OptInAnswer | undefined> {
  // The current request, not one from an earlier round of asking: queued when consent became pending.
  const since = contact.consent.since ?? new Date(0);
  if (message.quotedId) {
    const quoted = await deps.messages.findByWaMessageId(message.quotedId);
    const isRequest = quoted?.direction === 'outbound' && quoted.purpose === 'opt_in_request' && quoted.contactWaId === contact.waId && quoted.createdAt >= since;
    return isRequest ? { requestWaMessageId: message.quotedId, how: 'quoted' } : undefined;
  }
  const found = await deps.messages.latestOptInRequest(contact.waId, since, message);
  if (!found || found.interrupted || !found.request.waMessageId || !found.request.sentAt) return undefined;
  if (message.at.getTime() - found.request.sentAt.getTime() > deps.answerWindowMs) return undefined;
  return { requestWaMessageId: found.request.waMessageId, how: 'first_reply' };
}
