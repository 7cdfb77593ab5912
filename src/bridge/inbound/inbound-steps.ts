import type { ConsentMessage } from '../../consent/inbound-consent';
import type { ContactRepository } from '../../domain/contact';
import type { InboundStep, MessageRepository, StoredMessage } from '../../domain/message';
import type { Logger } from '../../logger';
import type { MediaRepository } from '../../store/repositories/media-repository';
import type { InboundContent } from '../../whatsapp/gateway';
import { keepMedia } from './message-parts';

export type RecordedContact = Awaited<ReturnType<ContactRepository['recordInbound']>>;

export interface StepDeps {
  messages: Pick<MessageRepository, 'release'>;
  /** Consent keywords: returns the banner for the message, if it changed consent. */
  consent: (contact: RecordedContact, message: ConsentMessage) => Promise<string | undefined>;
  media: MediaRepository;
  mediaMaxBytes: number;
  /** Called when consent queued a WhatsApp message (a confirmation, an opt-in request). */
  wakeWhatsApp: (contactWaId: string) => void;
  clock: () => Date;
  logger: Logger;
}

/** What a message owes before it may be posted: a possible consent keyword its banner, a file its bytes. */
export function stepsOwed(content: InboundContent, isConsentKeyword: (text: string) => boolean): InboundStep[] {
  if (content.kind === 'media') return ['media'];
  return content.kind === 'text' && isConsentKeyword(content.text) ? ['consent'] : [];
}

/**
 * The steps a stored message owes, then the release (one write) that lets it be posted. Consent is
 * judged on the words as first stored: a STOP edited or deleted on the phone since still counts. A
 * file comes only with the live message (`live`); without it (a crash, or the message changed
 * meanwhile) the thread says the file could not be fetched.
 */
export async function finishSteps(deps: StepDeps, stored: StoredMessage, contact: RecordedContact, live?: InboundContent): Promise<void> {
  const owes = stored.steps ?? [];
  const waMessageId = stored.waMessageId ?? stored.id;
  const consentNotice = owes.includes('consent')
    ? await deps.consent(contact, { text: stored.body ?? '', waMessageId, at: stored.createdAt, ...(stored.quoted ? { quotedId: stored.quoted.id } : {}) })
    : undefined;
  const media = owes.includes('media') ? await keepMedia(deps, live?.kind === 'media' ? live : unfetchable(stored), waMessageId) : undefined;
  await deps.messages.release(stored.id, deps.clock(), { consentNotice, media });
  if (consentNotice) deps.wakeWhatsApp(stored.contactWaId);
}

function unfetchable(stored: StoredMessage): Extract<InboundContent, { kind: 'media' }> {
  const { mimetype = 'application/octet-stream', filename, size } = stored.media ?? {};
  const fetch = () => Promise.reject(new Error('the file is no longer held: it was not fetched before the app stopped'));
  return { kind: 'media', mimetype, ...(filename ? { filename } : {}), ...(size !== undefined ? { size } : {}), fetch };
}
