import { Schema } from 'mongoose';

const template = new Schema(
  { name: String, language: String, category: String, params: { type: [String], default: undefined }, paramNames: { type: [String], default: undefined } },
  { _id: false },
);

export const broadcastSchema = new Schema(
  {
    name: { type: String, required: true },
    author: { type: String, required: true },
    audience: { labels: { type: [String], default: [] }, includeInactive: { type: Boolean, default: false } },
    message: {
      kind: { type: String, enum: ['text', 'template'], required: true },
      quickReply: String,
      body: String,
      template: { type: template, default: undefined },
      hasOptOutButton: Boolean,
    },
    sendAt: { type: Date, required: true },
    state: { type: String, enum: ['awaiting_approval', 'scheduled', 'sending', 'paused', 'done', 'cancelled', 'rejected'], required: true },
    gateway: { type: String, required: true },
    planned: {
      recipients: { type: Number, required: true },
      excluded: { type: Object, default: {} },
    },
    approvedBy: String,
    rejectedBy: String,
    materialized: Boolean,
    progress: { type: new Schema({ channel: String, ts: String, updatedAt: Date }, { _id: false }), default: undefined },
    createdAt: { type: Date, required: true },
    startedAt: Date,
    finishedAt: Date,
  },
  { collection: 'broadcasts', minimize: false },
);
broadcastSchema.index({ state: 1, sendAt: 1 });
broadcastSchema.index({ createdAt: -1 });

/** One person's copy of a broadcast: unique per broadcast and person, so writing the list again adds nobody twice. */
export const broadcastRecipientSchema = new Schema(
  {
    broadcastId: { type: String, required: true },
    person: { type: String, required: true },
    waId: { type: String, required: true },
    state: { type: String, enum: ['pending', 'queued', 'skipped'], required: true },
    notBefore: Date,
    messageId: String,
    reason: { type: String },
    reasonCode: { type: String, enum: ['opted_out', 'twin_opted_out', 'not_opted_in', 'frequency_cap', 'erased', 'archived'] },
    queuedAt: Date,
    updatedAt: { type: Date, required: true },
  },
  { collection: 'broadcast_recipients' },
);
broadcastRecipientSchema.index({ broadcastId: 1, person: 1 }, { unique: true });
broadcastRecipientSchema.index({ broadcastId: 1, state: 1, notBefore: 1 });
broadcastRecipientSchema.index({ waId: 1 });
// The frequency cap: who got a broadcast queued in the last seven days.
broadcastRecipientSchema.index({ state: 1, queuedAt: 1 });
