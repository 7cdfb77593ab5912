import { Schema } from 'mongoose';
import { CONSENT_STATUSES } from '../../domain/contact';
import { CONVERSATION_STATUSES } from '../../domain/conversation';

export const contactSchema = new Schema(
  {
    waId: { type: String, required: true },
    e164: { type: String },
    aliasWaId: String,
    /** Created by the simulator (contact.ts). */
    simulated: Boolean,
    name: { type: String },
    labels: { type: [String], default: [] },
    consent: {
      status: { type: String, enum: CONSENT_STATUSES, default: 'unknown', required: true },
      since: Date,
      source: String,
      before: { type: String, enum: CONSENT_STATUSES },
      beforeSince: Date,
      beforeSource: String,
    },
    // An opt-out's ledger entry and confirmation, owed until both are stored (set in the opt-out's own write).
    owedOptOut: {
      type: new Schema({ at: { type: Date, required: true }, source: String, actor: String, evidence: String }, { _id: false }),
      default: undefined,
    },
    lastInboundAt: Date,
    // The last two message times recorded (one per burst): the one before tells the silence a greeting follows.
    recentInboundAt: { type: [Date], default: undefined },
    // The last automatic reply of each kind (once per so many hours, across instances), and those owed
    // since their claim until their message is stored (the claim and the debt are one write).
    autoReply: {
      type: new Schema(
        {
          greeting: { type: new Schema({ at: Date, for: String }, { _id: false }), default: undefined },
          away: { type: new Schema({ at: Date, for: String }, { _id: false }), default: undefined },
          help: { type: new Schema({ at: Date, for: String }, { _id: false }), default: undefined },
          owed: { type: [new Schema({ kind: String, for: String, at: Date, claimedAt: Date }, { _id: false })], default: undefined },
        },
        { _id: false },
      ),
      default: undefined,
    },
    // The broadcasts this contact was sent lately, newest first: the frequency cap, claimed in one write.
    broadcastLog: { type: [new Schema({ at: Date, b: String, n: String }, { _id: false })], default: undefined },
    inboundSeq: Number,
    lastOutboundAt: Date,
    activity: {
      status: { type: String, enum: ['active', 'inactive', 'archived'], default: 'active', required: true },
      reason: String,
      since: Date,
    },
    slack: { type: new Schema({ channel: String, threadTs: String }, { _id: false }), default: undefined },
    conversation: {
      type: new Schema(
        {
          status: { type: String, enum: CONVERSATION_STATUSES, required: true },
          assignee: String,
          snoozedUntil: Date,
          openedAt: { type: Date, required: true },
          waitingSince: Date,
          firstResponseAt: Date,
          resolvedAt: Date,
          owedNotice: {
            type: new Schema({ event: { type: String, enum: ['reopened', 'snooze_ended'], required: true }, from: String, assignee: String, at: { type: Date, required: true } }, { _id: false }),
            default: undefined,
          },
        },
        { _id: false },
      ),
      default: undefined,
    },
  },
  { collection: 'contacts', timestamps: true, minimize: false },
);

// One index per query the app runs against contacts.
contactSchema.index({ waId: 1 }, { unique: true });
contactSchema.index({ e164: 1 }, { sparse: true });
contactSchema.index({ aliasWaId: 1 }, { sparse: true });
contactSchema.index({ lastInboundAt: 1 });
contactSchema.index({ labels: 1 });
contactSchema.index({ 'consent.status': 1 });
contactSchema.index({ 'activity.status': 1, lastInboundAt: 1 });
contactSchema.index({ 'slack.channel': 1, 'slack.threadTs': 1 }, { sparse: true });
contactSchema.index({ 'conversation.status': 1, 'conversation.waitingSince': 1 });
contactSchema.index({ 'conversation.assignee': 1 }, { sparse: true });
contactSchema.index({ 'conversation.owedNotice.at': 1 }, { sparse: true });
contactSchema.index({ 'owedOptOut.at': 1 }, { sparse: true });
contactSchema.index({ 'autoReply.owed.claimedAt': 1 }, { sparse: true });
