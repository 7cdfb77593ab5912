import type { Clock } from '../../clock';
import type { Privacy } from '../../privacy/privacy';
import type { Models } from '../models';
import { createAuditLog } from './audit-log';
import { createAutoReplyRepository } from './auto-reply-repository';
import { createBroadcastOutcomes } from './broadcast-outcomes';
import { createBroadcastRepository } from './broadcast-repository';
import { createCloudWebhookRepository } from './cloud-webhook-repository';
import { createConsentLedger } from './consent-ledger';
import { createContactRepository } from './contact-repository';
import { createConversationRepository } from './conversation-repository';
import { createErasureRepository } from './erasure-repository';
import { createHygieneRepository } from './hygiene-repository';
import { createIntakeRepository } from './intake-repository';
import { createJobRunRepository } from './job-run-repository';
import { createJobSlotRepository } from './job-slot-repository';
import { createLabelRepository } from './label-repository';
import { createLeaseRepository } from './lease-repository';
import { createMediaRepository } from './media-repository';
import { createMessageRepository } from './message-repository';
import { createQuickReplyRepository } from './quick-reply-repository';
import { createSeenRequestRepository } from './seen-request-repository';
import { createSettingsRepository } from './settings-repository';
import { createSuppressionRepository } from './suppression-repository';

/** Every repository the core uses, over one set of models. */
export function createRepositories(models: Models, clock: Clock, privacy: Privacy, options: { simulatedContacts?: boolean } = {}) {
  const consentLedger = createConsentLedger(models);
  const suppressions = createSuppressionRepository(models, privacy);
  return {
    contacts: createContactRepository(models, suppressions, { simulated: options.simulatedContacts ?? false }),
    suppressions,
    erasure: createErasureRepository(models, privacy),
    conversations: createConversationRepository(models),
    consentLedger,
    hygiene: createHygieneRepository(models, consentLedger),
    messages: createMessageRepository(models),
    quickReplies: createQuickReplyRepository(models),
    labels: createLabelRepository(models),
    audit: createAuditLog(models),
    jobRuns: createJobRunRepository(models),
    jobSlots: createJobSlotRepository(models, clock),
    leases: createLeaseRepository(models, clock),
    settings: createSettingsRepository(models, clock),
    media: createMediaRepository(models, clock),
    intakes: createIntakeRepository(models),
    seenRequests: createSeenRequestRepository(models),
    cloudWebhooks: createCloudWebhookRepository(models),
    autoReplies: createAutoReplyRepository(models),
    broadcasts: createBroadcastRepository(models),
    broadcastOutcomes: createBroadcastOutcomes(models),
  };
}

export type Repositories = ReturnType<typeof createRepositories>;
