import { Schema } from 'mongoose';

export const consentEventSchema = new Schema(
  {
    contact: { type: String, required: true },
    type: {
      type: String,
      enum: ['opt_in_requested', 'opt_in_confirmed', 'opt_in_expired', 'opt_out', 'erased', 'marketing_stopped', 'marketing_resumed'],
      required: true,
    },
    source: { type: String, required: true },
    actor: { type: String, required: true },
    evidence: { type: String, required: true },
    at: { type: Date, required: true },
    /** Set on entries a job writes, so a rerun after a crash cannot write them twice. */
    key: String,
  },
  { collection: 'consent_events', versionKey: false },
);

consentEventSchema.index({ contact: 1, at: -1 });
consentEventSchema.index({ key: 1 }, { unique: true, sparse: true });
consentEventSchema.index({ type: 1, at: -1 });
