import type { ContactRepository } from '../domain/contact';
import type { ConversationRepository, ConversationStatus } from '../domain/conversation';
import type { MessageRepository } from '../domain/message';

/** How many of the contact's unposted items are looked at (notices and phone sends are skipped over). */
const LOOK_AHEAD = 50;

/**
 * Resolve, as an agent presses it: only what they could see in the thread is resolved. A message of
 * the customer's that is stored but not in the thread yet (its post still on its way) would
 * otherwise land in a resolved conversation, in no queue, with no notice. Two checks close the gap:
 * nothing of the customer's is waiting to be posted, and the write itself is conditional on nothing
 * newer having arrived since the contact was read (a message stored between the check and the write).
 * `arriving`: the agent is to be told; nothing changed.
 */
export async function resolveConversation(
  deps: { contacts: Pick<ContactRepository, 'findByWaId'>; messages: Pick<MessageRepository, 'unfinished'>; conversations: Pick<ConversationRepository, 'resolveIfSeen'> },
  waId: string,
  actor: string,
  at: Date,
): Promise<ConversationStatus | null | 'arriving'> {
  const contact = await deps.contacts.findByWaId(waId);
  if (!contact) return null;
  const unposted = await deps.messages.unfinished('inbound', waId, LOOK_AHEAD);
  if (unposted.some((m) => m.kind !== 'notice' && !m.fromPhone)) return 'arriving';
  return deps.conversations.resolveIfSeen(waId, actor, at, contact.inboundSeq);
}
