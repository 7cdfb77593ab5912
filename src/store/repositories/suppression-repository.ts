import { trusted } from 'mongoose';
import type { Suppression, SuppressionReason } from '../../domain/suppression';
import type { Privacy } from '../../privacy/privacy';
import type { Models } from '../models';
import { stringKey } from './filter-values';

/**
 * Numbers that stay opted out with no contact behind them. Each entry's id is a keyed hash of the
 * WhatsApp id (PRIVACY_KEY): the collection alone cannot tell which numbers it holds.
 */
export function createSuppressionRepository(models: Models, privacy: Privacy) {
  const model = models.Suppression;
  type Doc = { _id: string; reason: SuppressionReason; at?: Date; by?: string };

  return {
    /** Keeps `waId` opted out. An erasure is never replaced by a later opt-out entry (it says more). */
    async suppress(waId: string, entry: Suppression): Promise<void> {
      if (stringKey(waId) === undefined) return;
      const [_id, ...older] = privacy.suppressionKeys(waId);
      const set = { reason: entry.reason, at: entry.at, ...(entry.by ? { by: entry.by } : {}) };
      if (entry.reason === 'erased') await model.updateOne({ _id: { $eq: _id } }, { $set: set }, { upsert: true });
      else await model.updateOne({ _id: { $eq: _id } }, { $setOnInsert: set }, { upsert: true });
      // Entries under older keys (or the old unkeyed hash) are what could be brute-forced: gone once replaced.
      await model.deleteMany({ _id: trusted({ $in: older }) });
    },

    /**
     * The suppression of each of these ids that has one. An entry met under a rotated-out key (or
     * the old unkeyed hash) is moved to the current key on the way.
     */
    async lookup(waIds: string[]): Promise<Map<string, Suppression>> {
      const byKey = new Map<string, { waId: string; rank: number }>();
      for (const waId of waIds) {
        if (stringKey(waId) === undefined) continue;
        privacy.suppressionKeys(waId).forEach((key, rank) => byKey.set(key, { waId, rank }));
      }
      if (byKey.size === 0) return new Map();
      // Hex digests only reach the $in, so it may pass the filter sanitizer.
      const docs = await model.find({ _id: trusted({ $in: [...byKey.keys()] }) }).lean<Doc[]>();
      const found = new Map<string, Suppression>();
      for (const doc of docs.sort((a, b) => byKey.get(a._id)!.rank - byKey.get(b._id)!.rank)) {
        const { waId, rank } = byKey.get(doc._id)!;
        if (found.has(waId)) continue;
        // An entry without a time (none is written so) counts as erased for ever: the safe reading
        // (a catch-up brings back nothing older than an erasure).
        const entry: Suppression = { reason: doc.reason, at: doc.at ?? new Date(8.64e15), ...(doc.by ? { by: doc.by } : {}) };
        found.set(waId, entry);
        if (rank > 0) await rekey(doc._id, privacy.suppressionKey(waId), entry);
      }
      return found;
    },
  };

  async function rekey(from: string, to: string, entry: Suppression): Promise<void> {
    await model.updateOne({ _id: { $eq: to } }, { $setOnInsert: entry }, { upsert: true });
    await model.deleteOne({ _id: { $eq: from } });
  }
}

export type SuppressionRepository = ReturnType<typeof createSuppressionRepository>;
