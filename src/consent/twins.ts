import type { Contact, ContactRepository } from '../domain/contact';
import type { ConsentLedger } from '../domain/consent-event';

/**
 * One person can write from two WhatsApp ids (`…@c.us` and `…@lid`), which the app first sees as
 * two contacts. Their opt-out is theirs, not an id's: it covers both. (Opting in again does not
 * carry over: consent must be given where it is used.)
 */
export interface TwinDeps {
  contacts: Pick<ContactRepository, 'twinsOf' | 'setConsent'>;
  ledger: Pick<ConsentLedger, 'appendOnce'>;
}

/** A new contact that starts opted out because its other id had: the ledger entry that says so (written once). */
export async function recordInheritedOptOut(deps: TwinDeps, contact: Contact & { optOutInherited?: string }): Promise<void> {
  const twin = contact.optOutInherited?.replace(/^alias:/, '') ?? '';
  await deps.ledger.appendOnce([
    {
      key: `opt_out:inherited:${contact.waId}`,
      contact: contact.waId,
      type: 'opt_out',
      source: 'whatsapp:alias',
      actor: 'system',
      evidence: `the same person opted out as ${twin}`,
      at: contact.consent.since ?? contact.createdAt,
    },
  ]);
}

/** After `contact` opted out: their twins (the same person under the other id) are opted out too, without a second confirmation. */
export async function optOutTwins(deps: TwinDeps, contact: Pick<Contact, 'waId' | 'aliasWaId'>, at: Date): Promise<void> {
  for (const twin of await deps.contacts.twinsOf(contact)) {
    if (twin.consent.status === 'opted_out') continue;
    await deps.ledger.appendOnce([
      { key: `opt_out:twin:${twin.waId}:${at.toISOString()}`, contact: twin.waId, type: 'opt_out', source: 'whatsapp:alias', actor: 'system', evidence: `the same person opted out as ${contact.waId}`, at },
    ]);
    await deps.contacts.setConsent(twin.waId, { status: 'opted_out', since: at, source: `alias:${contact.waId}` });
  }
}
