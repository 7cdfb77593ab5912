import { Schema } from 'mongoose';

/**
 * An erasure under way (or done), under the contact's keyed pseudonym: which Slack threads it must
 * clean and whether that part is finished, so `/wa forget` run again can finish what Slack refused.
 * Slack ids only: nothing here names the person.
 */
export const erasureSchema = new Schema(
  {
    _id: { type: String, required: true },
    threads: { type: [new Schema({ channel: String, threadTs: String }, { _id: false })], default: [] },
    by: { type: String, required: true },
    startedAt: { type: Date, required: true },
    slackDone: { type: Boolean, default: false },
  },
  { collection: 'erasures', versionKey: false },
);
