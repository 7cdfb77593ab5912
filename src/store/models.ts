import type { Connection } from 'mongoose';
import { broadcastRecipientSchema, broadcastSchema } from './schemas/broadcast-schema';
import { cloudWebhookSchema } from './schemas/cloud-webhook-schema';
import { contactSchema } from './schemas/contact-schema';
import { consentEventSchema } from './schemas/consent-event-schema';
import { erasureSchema } from './schemas/erasure-schema';
import { intakeSchema } from './schemas/intake-schema';
import { messageSchema } from './schemas/message-schema';
import { seenRequestSchema } from './schemas/seen-request-schema';
import { auditSchema, conversationEventSchema, jobRunSchema, jobSlotSchema, labelSchema, lockSchema, mediaSchema, quickReplySchema, settingSchema, suppressionSchema } from './schemas/misc-schemas';

/** Every model on one connection. Built per connection, never as module-level singletons. */
export function createModels(connection: Connection) {
  return {
    Contact: connection.model('Contact', contactSchema),
    ConsentEvent: connection.model('ConsentEvent', consentEventSchema),
    Message: connection.model('Message', messageSchema),
    QuickReply: connection.model('QuickReply', quickReplySchema),
    Label: connection.model('Label', labelSchema),
    Audit: connection.model('Audit', auditSchema),
    JobRun: connection.model('JobRun', jobRunSchema),
    JobSlot: connection.model('JobSlot', jobSlotSchema),
    Lock: connection.model('Lock', lockSchema),
    Setting: connection.model('Setting', settingSchema),
    Media: connection.model('Media', mediaSchema),
    Suppression: connection.model('Suppression', suppressionSchema),
    ConversationEvent: connection.model('ConversationEvent', conversationEventSchema),
    Intake: connection.model('Intake', intakeSchema),
    SeenRequest: connection.model('SeenRequest', seenRequestSchema),
    Erasure: connection.model('Erasure', erasureSchema),
    CloudWebhook: connection.model('CloudWebhook', cloudWebhookSchema),
    Broadcast: connection.model('Broadcast', broadcastSchema),
    BroadcastRecipient: connection.model('BroadcastRecipient', broadcastRecipientSchema),
  };
}

export type Models = ReturnType<typeof createModels>;

/**
 * Builds every declared index (and drops ones no longer declared) before the app relies on them:
 * a unique index that does not exist yet enforces nothing.
 */
export async function syncIndexes(models: Models): Promise<void> {
  for (const model of Object.values(models)) await model.syncIndexes();
}
