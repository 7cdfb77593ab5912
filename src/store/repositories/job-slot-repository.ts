import { trusted } from 'mongoose';
import type { Clock } from '../../clock';
import type { JobSlotRepository } from '../../domain/hygiene';
import type { Models } from '../models';
import { isDuplicateKey } from './mongo-errors';

/** node-cron's slot keys are `name:ISO date`; the job is the part before the last colon-free date. */
const jobOf = (key: string) => key.slice(0, key.indexOf(':'));

/**
 * Job slots as documents keyed by node-cron's slot key. The insert is the election: the unique
 * `_id` lets exactly one instance have a slot. A claim that lapsed without finishing (its instance
 * crashed mid-run) may be taken over, once, by a conditional update.
 */
export function createJobSlotRepository(models: Models, clock: Clock): JobSlotRepository {
  const { JobSlot: model } = models;
  return {
    async claim(key, owner, ttlMs) {
      const now = clock();
      const leaseUntil = new Date(now.getTime() + ttlMs);
      try {
        await model.create({ _id: key, job: jobOf(key), owner, claimedAt: now, leaseUntil });
        return true;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
      const takenOver = await model.updateOne(
        { _id: { $eq: key }, finishedAt: trusted({ $exists: false }), leaseUntil: trusted({ $lte: now }) },
        { $set: { owner, leaseUntil } },
      );
      return takenOver.modifiedCount === 1;
    },
    async renew(key, owner, ttlMs) {
      await model.updateOne({ _id: { $eq: key }, owner: { $eq: owner }, finishedAt: trusted({ $exists: false }) }, { $set: { leaseUntil: new Date(clock().getTime() + ttlMs) } });
    },
    async complete(key, owner) {
      await model.updateOne({ _id: { $eq: key }, owner: { $eq: owner } }, { $set: { finishedAt: clock() } });
    },
    async hasHistory(job) {
      return (await model.exists({ job: { $eq: job } })) !== null;
    },
    async isComplete(key) {
      return (await model.exists({ _id: { $eq: key }, finishedAt: trusted({ $exists: true }) })) !== null;
    },
  };
}
