import { Schema } from 'mongoose';

export const quickReplySchema = new Schema(
  {
    shortcut: { type: String, required: true },
    body: { type: String, required: true },
    author: { type: String, required: true },
    usageCount: { type: Number, default: 0 },
  },
  { collection: 'quick_replies', timestamps: true },
);
quickReplySchema.index({ shortcut: 1 }, { unique: true });

export const labelSchema = new Schema(
  {
    name: { type: String, required: true },
    emoji: String,
    routeChannel: String,
    routePriority: Number,
  },
  { collection: 'labels', timestamps: { createdAt: true, updatedAt: false } },
);
labelSchema.index({ name: 1 }, { unique: true });

export const auditSchema = new Schema(
  {
    actor: { type: String, required: true },
    action: { type: String, required: true },
    args: { type: Schema.Types.Mixed, default: {} },
    outcome: { type: String, enum: ['ok', 'refused', 'failed'], required: true },
    at: { type: Date, required: true },
  },
  { collection: 'audit', versionKey: false, minimize: false },
);
auditSchema.index({ at: -1 });

export const jobRunSchema = new Schema(
  {
    job: { type: String, required: true },
    trigger: { type: String, enum: ['schedule', 'catch-up', 'command'] },
    slot: Date,
    startedAt: { type: Date, required: true },
    finishedAt: { type: Date, required: true },
    durationMs: { type: Number, required: true },
    counts: { type: Schema.Types.Mixed, default: {} },
    outcome: { type: String, enum: ['ok', 'failed'], required: true },
    error: String,
  },
  { collection: 'job_runs', versionKey: false, minimize: false },
);
jobRunSchema.index({ job: 1, startedAt: -1 });
// Runs are kept 13 months: a year of reports to compare, then they go.
jobRunSchema.index({ startedAt: 1 }, { expireAfterSeconds: 400 * 86_400 });

/** One document per job slot claimed: `_id` is node-cron's `name:slotISO`, so a slot is claimed once. */
export const jobSlotSchema = new Schema(
  {
    _id: { type: String, required: true },
    job: { type: String, required: true },
    owner: { type: String, required: true },
    claimedAt: { type: Date, required: true },
    leaseUntil: { type: Date, required: true },
    finishedAt: Date,
  },
  { collection: 'job_slots', versionKey: false },
);
jobSlotSchema.index({ job: 1 });
// Old slots are only history; a quarter is plenty for "did this slot run?".
jobSlotSchema.index({ claimedAt: 1 }, { expireAfterSeconds: 90 * 86_400 });

export const lockSchema = new Schema(
  {
    _id: { type: String, required: true },
    holder: { type: String, required: true },
    token: { type: Number, required: true },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'locks', versionKey: false },
);
// Abandoned leases disappear a day after they lapse; live ones are renewed long before.
lockSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 86_400 });

/** Small named values the app keeps between restarts (the admin status message, hygiene settings). */
export const settingSchema = new Schema(
  {
    _id: { type: String, required: true },
    value: { type: Schema.Types.Mixed, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'settings', versionKey: false, minimize: false },
);

/** Media bytes between WhatsApp and Slack: kept until the file is posted (BSON caps a document at 16 MB). */
export const mediaSchema = new Schema(
  {
    mimetype: { type: String, required: true },
    filename: String,
    size: { type: Number, required: true },
    data: { type: Buffer, required: true },
    createdAt: { type: Date, required: true },
  },
  { collection: 'media', versionKey: false },
);

/**
 * Numbers that must stay opted out with no contact behind them (erased, or opted out before they
 * ever wrote): only a keyed hash of the WhatsApp id (docs/consent.md → Erasure).
 */
export const suppressionSchema = new Schema(
  {
    _id: { type: String, required: true },
    reason: { type: String, required: true },
    at: { type: Date, required: true },
    by: String,
  },
  { collection: 'suppressions', versionKey: false },
);

/** A conversation's history (status and assignee changes) and its timing figures. Append-only. */
export const conversationEventSchema = new Schema(
  {
    contact: { type: String, required: true },
    type: { type: String, enum: ['status', 'assignee', 'first_response', 'resolution'], required: true },
    from: String,
    to: String,
    actor: { type: String, required: true },
    at: { type: Date, required: true },
    ms: Number,
  },
  { collection: 'conversation_events', versionKey: false },
);
conversationEventSchema.index({ contact: 1, at: -1 });
conversationEventSchema.index({ type: 1, at: -1 });
// History and timing figures are kept 13 months, like the job runs.
conversationEventSchema.index({ at: 1 }, { expireAfterSeconds: 400 * 86_400 });
