import type { Clock } from '../clock';
import { CONSENT_STATUSES, type Contact, type ContactRepository } from '../domain/contact';
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

/** Every status an opt-out may change: all but opted out. */
const NOT_OPTED_OUT = CONSENT_STATUSES.filter((status) => status !== 'opted_out');
/** A debt younger than this may still be being paid by the opt-out that made it. */
const SWEEP_GRACE_MS = 60_000;
const SWEEP_BATCH = 100;

/**
 * Opts a contact out, however it came about (their keyword, an agent's button or command): the
 * contact's status, the ledger entry, and the single confirmation they are sent; the same person
 * under their other WhatsApp id is opted out too. Returns false, changing nothing, when they were
 * already opted out.
 *
 * The status changes in one conditional write (it matches only a contact not opted out yet), so of
 * two opt-outs at once — a STOP and an agent's button, two instances — exactly one changes it, and
 * only that one writes the entry and queues the confirmation. That same write records both as owed
 * on the contact; each is then stored under a key of the contact and the opt-out's time (a repeat
 * stores nothing), and the debt is cleared. A crash anywhere in between is finished by the next
 * opt-out attempt on the contact (a retried or repeated STOP, the button again) or by
 * {@link settleOwedOptOuts}: nothing lost, nothing twice.
 */
export async function recordOptOut(
  deps: OptOutDeps,
  contact: Contact,
  how: { source: string; actor: string; evidence: string; statusSource: string; at: Date },
): Promise<boolean> {
  const owed = { at: how.at, source: how.source, actor: how.actor, evidence: how.evidence };
  const changed = await deps.contacts.changeConsent(contact.waId, NOT_OPTED_OUT, { status: 'opted_out', since: how.at, source: how.statusSource }, owed);
  if (changed) {
    await settleOptOut(deps, changed);
    await optOutTwins(deps, changed, how.at);
    return true;
  }
  // Already out — by an opt-out racing this one, or one a crash left half done: what it still owes
  // is finished here (keyed, so finishing it alongside its writer stores nothing twice); twins follow.
  const current = (await deps.contacts.findByWaId(contact.waId)) ?? contact;
  await settleOptOut(deps, current);
  await optOutTwins(deps, current, current.consent.since ?? how.at);
  return false;
}

/** Stores what the contact's opt-out still owes, if anything: its ledger entry, then its confirmation; then clears the debt. */
async function settleOptOut(deps: OptOutDeps, contact: Contact): Promise<void> {
  const owed = contact.owedOptOut;
  if (!owed) return;
  const key = `opt_out:${contact.waId}:${owed.at.toISOString()}`;
  await deps.ledger.appendOnce([{ key, contact: contact.waId, type: 'opt_out', source: owed.source, actor: owed.actor, evidence: owed.evidence, at: owed.at }]);
  // Subscribed again before a crash was mended: telling them they are unsubscribed would be wrong now.
  if (contact.consent.status === 'opted_out') {
    await deps.messages.recordOutboundOnce({ contactWaId: contact.waId, body: deps.confirmation, purpose: 'opt_out_confirmation', at: owed.at, state: 'pending' }, key);
  }
  await deps.contacts.optOutSettled(contact.waId, owed.at);
}

/**
 * Finishes opt-outs a crash left owing their ledger entry or confirmation (owed for over a minute:
 * younger debts are still being paid by their writer). Run by a periodic pass on any instance;
 * returns how many it finished. The dispatcher's own polling then sends the confirmations.
 */
export async function settleOwedOptOuts(deps: OptOutDeps & { clock: Clock }): Promise<number> {
  const owed = await deps.contacts.owedOptOuts(new Date(deps.clock().getTime() - SWEEP_GRACE_MS), SWEEP_BATCH);
  for (const contact of owed) await settleOptOut(deps, contact);
  return owed.length;
}
