import { trusted } from 'mongoose';
import type { Clock } from '../../clock';
import type { Lease, LeaseRepository } from '../../domain/lease';
import type { Models } from '../models';
import { isDuplicateKey } from './mongo-errors';

type LockDoc = { _id: string; holder: string; token: number; expiresAt: Date };
const toLease = (doc: LockDoc): Lease => ({ name: doc._id, holder: doc.holder, token: doc.token, expiresAt: doc.expiresAt });

/**
 * Leases as single documents keyed by name. Every transition is one atomic write whose filter
 * states the precondition (still mine / lapsed / absent), so two instances can never both win.
 */
export function createLeaseRepository(models: Models, clock: Clock): LeaseRepository {
  const { Lock: model } = models;
  return {
    async acquire(name, holder, ttlMs) {
      const now = clock();
      const expiresAt = new Date(now.getTime() + ttlMs);
      const renewed = await model
        .findOneAndUpdate(
          { _id: { $eq: name }, holder: { $eq: holder }, expiresAt: trusted({ $gt: now }) },
          { $set: { expiresAt } },
          { returnDocument: 'after' },
        )
        .lean<LockDoc>();
      if (renewed) return toLease(renewed);
      // A new holder (or the old one after lapsing) gets a larger fencing token.
      const taken = await model
        .findOneAndUpdate(
          { _id: { $eq: name }, expiresAt: trusted({ $lte: now }) },
          { $set: { holder, expiresAt }, $inc: { token: 1 } },
          { returnDocument: 'after' },
        )
        .lean<LockDoc>();
      if (taken) return toLease(taken);
      try {
        const created = await model.create({ _id: name, holder, token: 1, expiresAt });
        return toLease(created.toObject() as LockDoc);
      } catch (err) {
        if (isDuplicateKey(err)) return null;
        throw err;
      }
    },
    async release(name, holder) {
      // Lapse it rather than delete it, so the next holder's token keeps growing.
      await model.updateOne({ _id: { $eq: name }, holder: { $eq: holder } }, { $set: { expiresAt: clock() } });
    },
    async isCurrent(name, holder, token) {
      const count = await model.countDocuments({
        _id: { $eq: name },
        holder: { $eq: holder },
        token: { $eq: token },
        expiresAt: trusted({ $gt: clock() }),
      });
      return count === 1;
    },
  };
}
