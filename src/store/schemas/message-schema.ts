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
    lastError: String,
  },
  { _id: false },
);

export const messageSchema = new Schema(
  {
    direction: { type: String, enum: ['inbound', 'outbound'], required: true },
    waMessageId: String,
    contactWaId: { type: String, required: true },
    body: String,
    media: { type: new Schema({ mimetype: String, filename: String, size: Number }, { _id: false }) },
    slack: { type: new Schema({ channel: String, ts: String }, { _id: false }) },
    delivery: { type: deliverySchema, required: true },
    createdAt: { type: Date, required: true },
  },
  { collection: 'messages', versionKey: false },
);

// Dedupe: WhatsApp delivers the same message more than once; outbound rows get their id late.
messageSchema.index({ waMessageId: 1 }, { unique: true, partialFilterExpression: { waMessageId: { $type: 'string' } } });
// Dispatchers claim due work per direction.
messageSchema.index({ direction: 1, 'delivery.state': 1, 'delivery.nextAttemptAt': 1 });
messageSchema.index({ contactWaId: 1, createdAt: 1 });
messageSchema.index({ 'slack.channel': 1, 'slack.ts': 1 }, { sparse: true });
