import { trusted } from 'mongoose';
import type { ConsentEvent, ConsentLedger } from '../../domain/consent-event';
import type { Models } from '../models';

/**
 * The append-only consent ledger. It only appends and reads, on purpose: the code has no
 * path that edits or removes an entry (a test asserts this object's shape).
 */
export function createConsentLedger(models: Models): ConsentLedger {
  const { ConsentEvent: model } = models;
  const ledger: ConsentLedger = {
    async append(event) {
      const doc = await model.create(event);
      return { ...event, id: doc._id.toString() };
    },
    async appendOnce(events) {
      if (events.length === 0) return 0;
      try {
        const res = await model.collection.insertMany(events, { ordered: false });
        return res.insertedCount;
      } catch (err) {
        // Entries already written by an earlier, interrupted run: the rest went in.
        const bulk = err as { code?: number; writeErrors?: Array<{ code: number }>; insertedCount?: number; result?: { insertedCount?: number } };
        const errors = bulk.writeErrors ?? (bulk.code === 11000 ? [{ code: 11000 }] : []);
        if (errors.length === 0 || errors.some((e) => e.code !== 11000)) throw err;
        return bulk.insertedCount ?? bulk.result?.insertedCount ?? events.length - errors.length;
      }
    },
    async countByType(type, from, to) {
      return model.countDocuments({ type: { $eq: type }, at: trusted({ $gt: from, $lte: to }) });
    },
    async listForContact(contact, limit = 50) {
      const docs = await model
        .find({ contact: { $eq: contact } })
        .sort({ at: -1, _id: -1 })
        .limit(limit)
        .lean();
      return docs.map(({ _id, ...rest }) => ({ ...rest, id: _id.toString() }) as ConsentEvent);
    },
  };
  return Object.freeze(ledger);
}
