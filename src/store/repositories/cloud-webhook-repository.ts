import { trusted } from 'mongoose';
import type { Models } from '../models';

export interface StoredWebhook {
  id: string;
  body: string;
  receivedAt: Date;
}

/** Cloud API webhook bodies, stored before they are answered and processed (`cloud_webhooks`). */
export interface CloudWebhookRepository {
  /**
   * Stores bodies under their hashes, in one round trip: per body, true if new, false if the same
   * bytes were stored already (a redelivery; whoever stored it first processes it), or the error
   * that kept the store from saying (Meta's retry finds out).
   */
  storeMany(bodies: StoredWebhook[]): Promise<Array<boolean | Error>>;
  /** Marks them processed and drops their bodies (the hashes are kept to recognise a redelivery). */
  markProcessed(ids: string[], at: Date): Promise<void>;
  /** The body stored under this hash, if it is not processed yet. */
  findUnprocessed(id: string): Promise<StoredWebhook | null>;
  /** Stored and not processed yet, oldest first. */
  unprocessed(limit: number): Promise<StoredWebhook[]>;
}

export function createCloudWebhookRepository(models: Models): CloudWebhookRepository {
  const model = models.CloudWebhook;
  return {
    async storeMany(bodies) {
      if (bodies.length === 0) return [];
      try {
        // Unordered: a redelivery among them does not keep the others out.
        await model.collection.insertMany(bodies.map((b) => ({ _id: b.id as never, body: b.body, receivedAt: b.receivedAt })), { ordered: false });
        return bodies.map(() => true);
      } catch (err) {
        const refused = writeErrorsOf(err);
        // Not a per-document answer (the server or the network failed): nothing can be said of any.
        if (!refused) return bodies.map(() => asError(err));
        return bodies.map((_, i) => {
          const code = refused.get(i);
          if (code === undefined) return true;
          return code === 11000 ? false : asError(err);
        });
      }
    },
    async markProcessed(ids, at) {
      if (ids.length === 0) return;
      // The body goes once processed: it holds customers' numbers and words, which erasure must be
      // able to remove; the hash stays (7 days) to recognise a redelivery.
      await model.updateMany({ _id: trusted({ $in: ids.map(String) }) }, { $set: { processedAt: at }, $unset: { body: 1 } });
    },
    async findUnprocessed(id) {
      const doc = await model.findOne({ _id: { $eq: id }, processedAt: trusted({ $exists: false }) }).lean<{ _id: string; body: string; receivedAt: Date }>();
      return doc ? { id: doc._id, body: doc.body, receivedAt: doc.receivedAt } : null;
    },
    async unprocessed(limit) {
      const docs = await model
        .find({ processedAt: trusted({ $exists: false }) })
        .sort({ receivedAt: 1, _id: 1 })
        .limit(limit)
        .lean<Array<{ _id: string; body: string; receivedAt: Date }>>();
      return docs.map((d) => ({ id: d._id, body: d.body, receivedAt: d.receivedAt }));
    },
  };
}

/** The bulk write's per-document refusals (index → code), or undefined when it failed as a whole. */
function writeErrorsOf(err: unknown): Map<number, number> | undefined {
  const e = err as { writeErrors?: unknown; code?: number };
  if (!e || !('writeErrors' in e) || e.writeErrors === undefined) return undefined;
  const list = (Array.isArray(e.writeErrors) ? e.writeErrors : [e.writeErrors]) as Array<{ index: number; code: number }>;
  return new Map(list.map((w) => [w.index, w.code]));
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
