import { Schema } from 'mongoose';

const deliverySchema = new Schema(
  {
    state: {
      type: String,
      enum: ['pending', 'sending', 'sent', 'delivered', 'read', 'failed', 'blocked'],
      required: true,
    },
    attempts: { type: Number, default: 0 },
    nextAttemptAt: Date,
    claimedUntil: Date,
    // The current claim's owner: only its holder may record the outcome (a late standby cannot).
    claimToken: String,
    // How many times it was ever claimed: more than once means a send may already have gone out.
    claims: Number,
    lastError: String,
  },
  { _id: false },
);

export const messageSchema = new Schema(
  {
    direction: { type: String, enum: ['inbound', 'outbound'], required: true },
    waMessageId: String,
    contactWaId: { type: String, required: true },
    kind: { type: String, enum: ['text', 'media', 'location', 'contact_card', 'notice'], default: 'text' },
    body: String,
    media: { type: new Schema({ mimetype: String, filename: String, size: Number, storedId: String, unavailable: String, uploaded: Boolean }, { _id: false }) },
    location: { type: new Schema({ latitude: Number, longitude: Number, name: String, address: String }, { _id: false }) },
    vcards: { type: [String], default: undefined },
    quoted: { type: new Schema({ id: String, text: String }, { _id: false }) },
    pushName: String,
    fromPhone: Boolean,
    automated: Boolean,
    slack: { type: new Schema({ channel: String, ts: String }, { _id: false }) },
    // Outbound only: "channel:ts" of the agent's Slack message, the dedupe key for retried events.
    slackKey: String,
    agent: String,
    signature: String,
    purpose: { type: String, enum: ['reply', 'opt_out_confirmation', 'opt_in_request', 'auto_reply', 'broadcast'] },
    broadcastId: String,
    via: { type: String, enum: ['thread', 'modal'] },
    // Outbound: an approved template (Cloud API), sent instead of the body.
    template: { type: new Schema({ name: String, language: String, category: String, params: { type: [String], default: undefined }, paramNames: { type: [String], default: undefined } }, { _id: false }) },
    consentNotice: String,
    sentAt: Date,
    edited: Boolean,
    withdrawn: Boolean,
    revoked: Boolean,
    contactReaction: String,
    delivery: { type: deliverySchema, required: true },
    // Inbound: what is owed before it may be posted (consent keyword, media); unset once done.
    steps: { type: [String], default: undefined },
    createdAt: { type: Date, required: true },
  },
  { collection: 'messages', versionKey: false },
);

// Dedupe: WhatsApp delivers the same message more than once; outbound rows get their id late.
messageSchema.index({ waMessageId: 1 }, { unique: true, partialFilterExpression: { waMessageId: { $type: 'string' } } });
// Dispatchers claim due work per direction.
messageSchema.index({ direction: 1, 'delivery.state': 1, 'delivery.nextAttemptAt': 1 });
messageSchema.index({ slackKey: 1 }, { unique: true, partialFilterExpression: { slackKey: { $type: 'string' } } });
// A conversation's head: its unfinished items per direction, few at any time, then ordered by _id
// (arrival order). Equality on all three fields lets a server touch only those few.
messageSchema.index({ contactWaId: 1, direction: 1, 'delivery.state': 1 });
messageSchema.index({ contactWaId: 1, createdAt: 1 });
messageSchema.index({ 'slack.channel': 1, 'slack.ts': 1 }, { sparse: true });
// The recorder's sweep: the few messages whose steps a crash left owed.
messageSchema.index({ steps: 1 }, { sparse: true });
// A broadcast's copies by delivery state (its progress and summary).
messageSchema.index({ broadcastId: 1, 'delivery.state': 1 }, { sparse: true });
