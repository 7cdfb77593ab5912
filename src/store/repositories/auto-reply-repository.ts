import { trusted } from 'mongoose';
import type { AutoReplyRepository, OwedAutoReply } from '../../domain/auto-reply';
import type { Models } from '../models';
import { stringKey } from './filter-values';

type Doc = { waId: string; autoReply?: { owed?: OwedAutoReply[] } };

/** The automatic replies' claims and debts, kept on the contact document (one atomic write each). */
export function createAutoReplyRepository(models: Models): AutoReplyRepository {
  const { Contact: model } = models;
  return {
    async claim(waId, owed, notBefore) {
      if (stringKey(waId) === undefined || stringKey(owed.for) === undefined) return false;
      const last = `autoReply.${owed.kind}`;
      const result = await model.updateOne(
        {
          waId: { $eq: waId },
          // None of this kind after `notBefore` (a missing one matches too), or this very message holds it.
          $or: [{ [`${last}.at`]: trusted({ $not: { $gt: notBefore } }) }, { [`${last}.for`]: { $eq: owed.for } }],
        },
        // $addToSet: a retry of the same claim does not owe the reply twice.
        { $set: { [last]: { at: owed.at, for: owed.for } }, $addToSet: { 'autoReply.owed': owed } },
      );
      return result.matchedCount === 1;
    },
    async paid(waId, forMessage) {
      if (stringKey(waId) === undefined || stringKey(forMessage) === undefined) return;
      await model.updateOne({ waId: { $eq: waId } }, { $pull: { 'autoReply.owed': { for: { $eq: forMessage } } } });
    },
    async owed(before, limit) {
      const docs = await model
        .find({ 'autoReply.owed.claimedAt': trusted({ $lt: before }) }, { waId: 1, 'autoReply.owed': 1 })
        .limit(limit)
        .lean<Doc[]>();
      return docs
        .flatMap((doc) => (doc.autoReply?.owed ?? []).filter((o) => o.claimedAt < before).map((owed) => ({ waId: doc.waId, owed })))
        .sort((a, b) => a.owed.claimedAt.getTime() - b.owed.claimedAt.getTime());
    },
  };
}
