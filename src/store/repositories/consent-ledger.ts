import type { ConsentEvent, ConsentLedger } from '../../domain/consent-event';
import type { Models } from '../models';

/**
 * The append-only consent ledger. It exposes exactly two operations on purpose: the code has no
 * path that edits or removes an entry (a test asserts this object's shape).
 */
export function createConsentLedger(models: Models): ConsentLedger {
  const { ConsentEvent: model } = models;
  const ledger: ConsentLedger = {
    async append(event) {
      const doc = await model.create(event);
      return { ...event, id: doc._id.toString() };
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
