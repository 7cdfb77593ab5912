import { Schema } from 'mongoose';

/**
 * An agent's reply as it arrived from Slack, stored before anything else is done with it, so a
 * store failure while it is processed leaves it owed instead of lost. `key` is "channel:ts" of the
 * agent's message (a repeated event changes nothing), "modal:view:<view id>" for a reply written in
 * a modal (the same view submitted twice is one reply), or "modal:<uuid>" for one whose view is not known.
 * `_id` (an ObjectId) orders a thread's replies. The text is dropped once the intake is finished:
 * from then on the outbox holds what is sent.
 */
export const intakeSchema = new Schema(
  {
    key: { type: String, required: true },
    kind: { type: String, enum: ['thread', 'modal'], required: true },
    channel: { type: String, required: true },
    threadTs: { type: String, required: true },
    user: { type: String, required: true },
    // Thread replies: the agent's message, as the event carried it.
    ts: String,
    subtype: String,
    text: String,
    files: { type: [Schema.Types.Mixed], default: undefined },
    // Modal replies: who it goes to, what the thread shows, and the app's post once it is made.
    contactWaId: String,
    shown: String,
    postTs: String,
    // The files once downloaded (kept in `media`): a retry uses these instead of downloading again.
    attachments: { type: [Schema.Types.Mixed], default: undefined },
    receivedAt: { type: Date, required: true },
    state: { type: String, enum: ['owed', 'done', 'failed'], required: true },
    // Due time while owed: a claim moves it ahead (a crashed holder's claim lapses), a failure backs it off.
    nextAttemptAt: { type: Date, required: true },
    attempts: { type: Number, default: 0 },
    // How many times it was claimed: more than once means an earlier attempt may have posted already.
    claims: { type: Number, default: 0 },
    // The agent was told it has not gone out yet (once, not per retry).
    notified: Boolean,
    lastError: String,
    outcome: String,
    finishedAt: Date,
  },
  { collection: 'reply_intakes', versionKey: false },
);

intakeSchema.index({ key: 1 }, { unique: true });
// The sweeper's scan, and a thread's owed replies in order.
intakeSchema.index({ state: 1, nextAttemptAt: 1 });
intakeSchema.index({ channel: 1, threadTs: 1, state: 1 });
// Finished intakes are only a trace: a week is enough to answer "what happened to this reply?".
intakeSchema.index({ finishedAt: 1 }, { expireAfterSeconds: 7 * 86_400 });
