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
   * Stores a body under its hash: true if it is new, false if the same bytes were stored already
   * (a redelivery; whoever stored it first processes it). Throws if the store cannot say.
   */
  store(id: string, body: string, receivedAt: Date): Promise<boolean>;
  /** Marks it processed and drops its body (the hash is kept to recognise a redelivery). */
  markProcessed(id: string, at: Date): Promise<void>;
  /** Stored and not processed yet, oldest first. */
  unprocessed(limit: number): Promise<StoredWebhook[]>;
}

export function createCloudWebhookRepository(models: Models): CloudWebhookRepository {
  const model = models.CloudWebhook;
  return {
    async store(id, body, receivedAt) {
      try {
        await model.collection.insertOne({ _id: id as never, body, receivedAt });
        return true;
      } catch (err) {
        if ((err as { code?: number }).code === 11000) return false;
        throw err;
      }
    },
    async markProcessed(id, at) {
      // The body goes once processed: it holds customers' numbers and words, which erasure must be
      // able to remove; the hash stays (7 days) to recognise a redelivery.
      await model.updateOne({ _id: { $eq: id } }, { $set: { processedAt: at }, $unset: { body: 1 } });
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
