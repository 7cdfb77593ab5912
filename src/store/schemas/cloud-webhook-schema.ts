import { Schema } from 'mongoose';

/**
 * Cloud API webhook bodies as received (`cloud_webhooks`), written before Meta gets its 200 so a
 * crash between the answer and the processing loses nothing. `_id` is the SHA-256 of the raw bytes:
 * a byte-identical redelivery is stored once. Kept for a week after it was processed (then the TTL
 * monitor removes it): long enough to look into a problem, short enough for the customers' words.
 */
export const cloudWebhookSchema = new Schema(
  {
    _id: { type: String, required: true },
    /** The raw body, as text (Meta sends UTF-8 JSON); dropped once processed. */
    body: String,
    receivedAt: { type: Date, required: true },
    processedAt: Date,
  },
  { collection: 'cloud_webhooks', versionKey: false },
);

export const CLOUD_WEBHOOK_KEEP_SECONDS = 7 * 86_400;

// Unprocessed ones have no processedAt, so the TTL index leaves them alone.
cloudWebhookSchema.index({ processedAt: 1 }, { expireAfterSeconds: CLOUD_WEBHOOK_KEEP_SECONDS });
// The start-up drain: unprocessed (processedAt missing, indexed as null) in receivedAt order.
cloudWebhookSchema.index({ processedAt: 1, receivedAt: 1 });
