import type { Contact, ContactRepository } from '../domain/contact';
import type { ConsentLedger } from '../domain/consent-event';
import type { MessageRepository } from '../domain/message';
import { optOutTwins } from './twins';

export interface OptOutDeps {
  contacts: ContactRepository;
  ledger: ConsentLedger;
  messages: MessageRepository;
  /** The one message an opt-out gets. */
  confirmation: string;
}

/**
 * Opts a contact out, however it came about (their keyword, an agent's button or command): the
 * ledger entry, the contact's status, and the single confirmation they are sent; the same person
 * under their other WhatsApp id is opted out too. Returns false, changing nothing, when they were
 * already opted out.
 */
export async function recordOptOut(
  deps: OptOutDeps,
  contact: Contact,
  how: { source: string; actor: string; evidence: string; statusSource: string; at: Date },
): Promise<boolean> {
  // Already out: their twins still follow (a crash may have come between the two before).
  if (contact.consent.status === 'opted_out') {
    await optOutTwins(deps, contact, contact.consent.since ?? how.at);
    return false;
  }
  await deps.ledger.append({ contact: contact.waId, type: 'opt_out', source: how.source, actor: how.actor, evidence: how.evidence, at: how.at });
  await deps.contacts.setConsent(contact.waId, { status: 'opted_out', since: how.at, source: how.statusSource });
  await deps.messages.recordOutbound({ contactWaId: contact.waId, body: deps.confirmation, purpose: 'opt_out_confirmation', at: how.at, state: 'pending' });
  await optOutTwins(deps, contact, how.at);
  return true;
}
