import { randomUUID } from 'node:crypto';
import { trusted } from 'mongoose';
import type { DeliveryState, MessageRepository, StoredMessage } from '../../domain/message';
import type { Models } from '../models';
import { stringKey } from './filter-values';

export type MessageDoc = Omit<StoredMessage, 'id'> & { _id: { toString(): string } };

export function toStoredMessage({ _id, ...rest }: MessageDoc): StoredMessage {
  return { ...rest, id: _id.toString() } as StoredMessage;
}

/** Not yet delivered: waiting, or being delivered right now. */
export const UNFINISHED: DeliveryState[] = ['pending', 'sending'];

type QueueMethods = Pick<MessageRepository, 'dueConversations' | 'unfinished' | 'claim' | 'claimHead' | 'markSent' | 'reschedule' | 'markFailed' | 'sendSlotCheck'>;

/**
 * The delivery queue over `messages`, both directions: due work, atomic claims that carry an owner
 * token, and their outcomes — recorded only by the claim's holder, so an instance whose claim lapsed
 * and was taken over changes nothing.
 */
export function queueMethods(model: Models['Message']): QueueMethods {
  return {
    async dueConversations(direction, now, limit) {
      const rows = await model.aggregate<{ _id: string }>([
        {
          $match: {
            direction,
            $or: [
              { 'delivery.state': 'pending', 'delivery.nextAttemptAt': { $lte: now } },
              { 'delivery.state': 'sending', 'delivery.claimedUntil': { $lte: now } },
            ],
          },
        },
        { $group: { _id: '$contactWaId', first: { $min: '$_id' } } },
        { $sort: { first: 1 } },
        { $limit: limit },
      ]);
      return rows.map((r) => r._id);
    },
    unfinished,
    async claim(message, now, claimMs) {
      const d = message.delivery;
      const lapsed = d.state === 'sending' && (d.claimedUntil?.getTime() ?? 0) <= now.getTime();
      const due = d.state === 'pending' && (d.nextAttemptAt?.getTime() ?? 0) <= now.getTime();
      if (!lapsed && !due) return 'not_due';
      // Conditional on the state we read: of two claimers, exactly one matches.
      const claimed = await model
        .findOneAndUpdate(
          { _id: { $eq: message.id }, 'delivery.state': d.state, 'delivery.claimedUntil': d.claimedUntil ?? null },
          {
            $set: { 'delivery.state': 'sending', 'delivery.claimedUntil': new Date(now.getTime() + claimMs), 'delivery.claimToken': randomUUID() },
            $inc: { 'delivery.claims': 1 },
          },
          { returnDocument: 'after' },
        )
        .lean<MessageDoc>();
      return claimed ? { message: toStoredMessage(claimed), reclaimed: lapsed } : 'taken';
    },
    async claimHead(direction, contactWaId, now, claimMs) {
      const [head] = await unfinished(direction, contactWaId, 1);
      const claim = head ? await this.claim(head, now, claimMs) : 'not_due';
      return typeof claim === 'string' ? null : claim;
    },
    async markSent(id, waMessageId, at, token) {
      const res = await model.updateOne(
        { _id: { $eq: id }, 'delivery.claimToken': { $eq: token } },
        { $set: { waMessageId, 'delivery.state': 'sent', sentAt: at }, $unset: { 'delivery.claimedUntil': 1, 'delivery.nextAttemptAt': 1, 'delivery.claimToken': 1 } },
      );
      return res.modifiedCount === 1;
    },
    async reschedule(id, at, error, countAttempt, token) {
      const mine = { _id: { $eq: id }, 'delivery.state': 'sending' as const, 'delivery.claimToken': { $eq: token } };
      // Withdrawn while this attempt ran: no further attempts.
      const ended = await model.updateOne(
        { ...mine, withdrawn: true },
        { $set: { 'delivery.state': 'failed', 'delivery.lastError': 'deleted in Slack before it was sent' }, $unset: { 'delivery.claimedUntil': 1, 'delivery.claimToken': 1 } },
      );
      if (ended.modifiedCount === 1) return true;
      const res = await model.updateOne(mine, {
        $set: { 'delivery.state': 'pending', 'delivery.nextAttemptAt': at, 'delivery.lastError': error },
        $unset: { 'delivery.claimedUntil': 1, 'delivery.claimToken': 1 },
        ...(countAttempt ? { $inc: { 'delivery.attempts': 1 } } : {}),
      });
      return res.modifiedCount === 1;
    },
    async markFailed(id, error, token) {
      const res = await model.updateOne(
        { _id: { $eq: id }, 'delivery.state': 'sending', 'delivery.claimToken': { $eq: token } },
        { $set: { 'delivery.state': 'failed', 'delivery.lastError': error }, $unset: { 'delivery.claimedUntil': 1, 'delivery.nextAttemptAt': 1, 'delivery.claimToken': 1 } },
      );
      return res.modifiedCount === 1;
    },
    async sendSlotCheck(id, token, contactWaId) {
      if (stringKey(contactWaId) === undefined) return { claim: 'lost', owesConsent: false };
      // One round trip in the send slot: the message by `_id`, and the contact's few messages owing
      // a consent step by the sparse `steps` index (an OR of two index lookups).
      const docs = await model
        .find({ $or: [{ _id: { $eq: id } }, { steps: 'consent', contactWaId: { $eq: contactWaId } }] }, { 'delivery.state': 1, 'delivery.claimToken': 1, withdrawn: 1, steps: 1 })
        .lean<Array<Pick<MessageDoc, '_id' | 'delivery' | 'withdrawn' | 'steps'>>>();
      const doc = docs.find((d) => String(d._id) === id);
      const owesConsent = docs.some((d) => d.steps?.includes('consent'));
      if (!doc || doc.delivery.state !== 'sending' || doc.delivery.claimToken !== token) return { claim: 'lost', owesConsent };
      return { claim: doc.withdrawn ? 'withdrawn' : 'held', owesConsent };
    },
  };

  async function unfinished(direction: 'inbound' | 'outbound', contactWaId: string, limit: number): Promise<StoredMessage[]> {
    if (stringKey(contactWaId) === undefined) return [];
    const docs = await model
      .find({ contactWaId: { $eq: contactWaId }, direction: { $eq: direction }, 'delivery.state': trusted({ $in: UNFINISHED }) })
      .sort({ _id: 1 })
      .limit(limit)
      .lean<MessageDoc[]>();
    return docs.map(toStoredMessage);
  }
}
