import { Schema } from 'mongoose';

/**
 * What Slack sent that must count once, shared by every instance: a signed request (`_id` is its
 * `x-slack-signature`, which covers its timestamp and body) or a modal's submission (`view:` and the
 * view id). Kept until `expiresAt` only: past Slack's five-minute window a copy of the request is
 * refused by its timestamp anyway.
 */
export const seenRequestSchema = new Schema(
  {
    _id: { type: String, required: true },
    seenAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'seen_requests', versionKey: false },
);

// MongoDB's TTL monitor removes each entry once its own expiry has passed.
seenRequestSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });
