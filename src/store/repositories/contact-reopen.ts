import { trusted } from 'mongoose';
import type { Contact } from '../../domain/contact';
import type { ConversationChange, OwedNotice } from '../../domain/conversation';
import type { Models } from '../models';

type ContactDoc = Omit<Contact, 'id'> & { _id: { toString(): string } };

/** How often a reopen is tried again when a claim or assignment keeps landing between its read and write. */
const REOPEN_ATTEMPTS = 3;

/** What a customer's message does to the conversation it lands in (see `reopen` below). */
export function contactReopener(models: Models) {
  const { Contact: model } = models;

  /**
   * A message on a pending, resolved or snoozed conversation opens it again (the rare case; the
   * common one cost nothing beyond the upsert). A conversation resolved in this cycle (resolved, or
   * snoozed or woken since) starts a new cycle for the timing figures.
   */
  async function reopen(doc: ContactDoc | null, at: Date): Promise<{ doc: ContactDoc | null; change?: ConversationChange }> {
    // The write is conditional on the status and assignee read: a claim or assignment landing in
    // between makes it miss, and it is done again from a fresh read, so the notice names who has it now.
    for (let attempt = 0; doc && attempt < REOPEN_ATTEMPTS; attempt++) {
      const result = await reopenOnce(doc, at);
      if (result !== 'changed_meanwhile') return result;
      doc = await model.findOne({ waId: { $eq: doc.waId } }).lean<ContactDoc>();
    }
    return { doc }; // changed again and again by others: theirs stands
  }

  async function reopenOnce(doc: ContactDoc, at: Date): Promise<{ doc: ContactDoc | null; change?: ConversationChange } | 'changed_meanwhile'> {
    const conversation = doc.conversation;
    const waId = { $eq: doc.waId };
    const resolvedInCycle = conversation?.resolvedAt !== undefined && conversation.resolvedAt !== null;
    if (conversation?.status === 'open') {
      if (!resolvedInCycle) return { doc };
      // Open again after its snooze ended, though resolved in this cycle: the customer writing is a new cycle.
      const updated = await model
        .findOneAndUpdate(
          { waId, 'conversation.status': 'open', 'conversation.resolvedAt': trusted({ $exists: true }) },
          { $set: { 'conversation.openedAt': at }, $unset: { 'conversation.firstResponseAt': 1, 'conversation.resolvedAt': 1 } },
          { returnDocument: 'after' },
        )
        .lean<ContactDoc>();
      return { doc: updated ?? doc };
    }
    if (!conversation?.status) {
      // A contact from before conversations had a status.
      const updated = await model
        .findOneAndUpdate({ waId, 'conversation.status': trusted({ $exists: false }) }, { $set: { 'conversation.status': 'open', 'conversation.openedAt': at } }, { returnDocument: 'after' })
        .lean<ContactDoc>();
      return { doc: updated ?? doc };
    }
    const from = conversation.status;
    const newCycle = from === 'resolved' || resolvedInCycle;
    const assignee = conversation.assignee;
    // Reopening owes the thread a notice, recorded in this same write so a crash cannot lose it.
    // (Pending → open only redraws the card: not worth a write per customer turn.)
    const owedNotice: OwedNotice | undefined = from === 'pending' ? undefined : { event: 'reopened', from, ...(assignee ? { assignee } : {}), at };
    const updated = await model
      .findOneAndUpdate(
        { waId, 'conversation.status': { $eq: from }, 'conversation.assignee': assignee ? { $eq: assignee } : trusted({ $exists: false }) },
        {
          $set: { 'conversation.status': 'open', ...(newCycle ? { 'conversation.openedAt': at } : {}), ...(owedNotice ? { 'conversation.owedNotice': owedNotice } : {}) },
          $unset: { 'conversation.snoozedUntil': 1, ...(newCycle ? { 'conversation.firstResponseAt': 1, 'conversation.resolvedAt': 1 } : {}) },
        },
        { returnDocument: 'after' },
      )
      .lean<ContactDoc>();
    if (!updated) return 'changed_meanwhile';
    await models.ConversationEvent.create({ contact: doc.waId, type: 'status', from, to: 'open', actor: 'contact', at });
    return { doc: updated, change: { from, ...(assignee ? { assignee } : {}) } };
  }

  return reopen;
}
