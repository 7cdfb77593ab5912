import type { Contact, ContactRepository } from '../domain/contact';
import type { ConsentLedger } from '../domain/consent-event';
import type { OutboundPurpose } from '../domain/message';
import { checkConsent, type GateDecision } from './consent-gate';

/**
 * One person can write from two WhatsApp ids (`…@c.us` and `…@lid`), which the app first sees as
 * two contacts. Their opt-out is theirs, not an id's: it covers both. (Opting in again does not
 * carry over: consent must be given where it is used.) Every step here is safe to repeat, so a
 * crash halfway is mended when the person opts out again or first writes after a restart;
 * meanwhile {@link checkPersonConsent} refuses to message them.
 */
export interface TwinDeps {
  contacts: Pick<ContactRepository, 'twinsOf' | 'setConsent' | 'erasedAt' | 'linkAlias'>;
  ledger: Pick<ConsentLedger, 'appendOnce'>;
}

/**
 * The twin whose opt-out (or erasure) covers `contact`, and since when, if any. Links are kept both
 * ways (see {@link inheritOptOut}), so a contact without an alias has no twin to ask about.
 */
export async function twinOptedOut(deps: Pick<TwinDeps, 'contacts'>, contact: Pick<Contact, 'waId' | 'aliasWaId'>): Promise<{ waId: string; since: Date } | undefined> {
  if (!contact.aliasWaId) return undefined;
  const out = (await deps.contacts.twinsOf(contact)).find((t) => t.consent.status === 'opted_out');
  if (out) return { waId: out.waId, since: out.consent.since ?? out.updatedAt };
  const erased = contact.aliasWaId ? (await deps.contacts.erasedAt([contact.aliasWaId])).get(contact.aliasWaId) : undefined;
  return erased ? { waId: contact.aliasWaId!, since: erased } : undefined;
}

/**
 * The consent gate for a person, not just an id: {@link checkConsent}, then their other WhatsApp
 * id's opt-out. What every outbound path asks, when a message is queued and right before it is sent.
 */
export async function checkPersonConsent(deps: Pick<TwinDeps, 'contacts'>, contact: Contact, purpose: OutboundPurpose): Promise<GateDecision> {
  const gate = checkConsent(contact, purpose);
  // The opt-out's own confirmation goes to the id that opted out, whatever its twin says.
  if (!gate.allowed || purpose === 'opt_out_confirmation') return gate;
  const twin = await twinOptedOut(deps, contact);
  return twin ? { allowed: false, reason: `the same person opted out as ${twin.waId}; not sent` } : gate;
}

/**
 * Called whenever a contact with a known alias writes. A contact whose other id opted out (or was
 * erased) is opted out too, with the ledger entry that says so: on creation the store already set
 * the status (`alias:…` or erased), and this writes the entry; a link learnt later sets both.
 * Written once, keyed.
 */
export async function inheritOptOut(deps: TwinDeps, contact: Contact): Promise<void> {
  // The link both ways: the twin learns this id too, before this contact could ever opt out.
  for (const twin of await deps.contacts.twinsOf(contact)) if (twin.aliasWaId !== contact.waId) await deps.contacts.linkAlias(twin.waId, contact.waId);
  const { status, source, since } = contact.consent;
  // Set by the store when it created the contact: only the ledger entry is missing.
  const set = status === 'opted_out' && source?.startsWith('alias:') ? { waId: source.slice('alias:'.length), at: since ?? contact.createdAt } : undefined;
  const found = set || status === 'opted_out' ? undefined : await twinOptedOut(deps, contact);
  const twin = set ?? (found ? { waId: found.waId, at: found.since > contact.updatedAt ? found.since : contact.updatedAt } : undefined);
  if (!twin) return;
  await deps.ledger.appendOnce([ledgerEntry(contact.waId, twin.waId, twin.at)]);
  if (!set) await deps.contacts.setConsent(contact.waId, { status: 'opted_out', since: twin.at, source: `alias:${twin.waId}` });
}

/** Keyed on the contact and the time, so a repeat writes nothing and a later opt-out writes anew. */
function ledgerEntry(waId: string, twinWaId: string, at: Date) {
  return { key: `opt_out:alias:${waId}:${at.toISOString()}`, contact: waId, type: 'opt_out' as const, source: 'whatsapp:alias', actor: 'system', evidence: `the same person opted out as ${twinWaId}`, at };
}

/** After `contact` opted out: their twins (the same person under the other id) are opted out too, without a second confirmation. */
export async function optOutTwins(deps: TwinDeps, contact: Pick<Contact, 'waId' | 'aliasWaId'>, at: Date): Promise<void> {
  for (const twin of await deps.contacts.twinsOf(contact)) {
    if (twin.consent.status === 'opted_out') continue;
    await deps.ledger.appendOnce([ledgerEntry(twin.waId, contact.waId, at)]);
    await deps.contacts.setConsent(twin.waId, { status: 'opted_out', since: at, source: `alias:${contact.waId}` });
  }
}
