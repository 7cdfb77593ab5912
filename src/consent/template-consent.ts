import type { ConsentLedger } from '../domain/consent-event';
import type { Contact } from '../domain/contact';
import type { GateDecision } from './consent-gate';
import { checkPersonConsent, type TwinDeps } from './twins';

/** Meta's template categories; anything else (a new one) is treated as marketing: the strict rule. */
export type TemplateCategory = 'MARKETING' | 'UTILITY' | 'AUTHENTICATION' | (string & {});

/** Ledger entries read to judge a marketing stop (the newest first is enough for any real contact). */
const LEDGER_LOOKBACK = 200;

export interface TemplateConsentDeps extends Pick<TwinDeps, 'contacts'> {
  ledger: Pick<ConsentLedger, 'listForContact'>;
}

/**
 * The consent gate for a template, by its category (Meta policy, notes §4): nothing to anyone opted
 * out (the person's gate, both WhatsApp ids); UTILITY and AUTHENTICATION to anyone else;
 * MARKETING only to a contact who confirmed opt-in and has not stopped marketing messages in
 * WhatsApp since (a `marketing_stopped` ledger entry newer than any `marketing_resumed`). Asked
 * when the template is queued and again in the send slot.
 */
export async function checkTemplateConsent(deps: TemplateConsentDeps, contact: Contact, category: TemplateCategory): Promise<GateDecision> {
  const gate = await checkPersonConsent(deps, contact, 'reply');
  if (!gate.allowed) return gate;
  if (category === 'UTILITY' || category === 'AUTHENTICATION') return gate;
  if (contact.consent.status !== 'opted_in') {
    return { allowed: false, reason: `marketing templates go only to contacts who confirmed their opt-in, and this contact's consent is ${contact.consent.status.replace('_', ' ')}; not sent` };
  }
  const entries = await deps.ledger.listForContact(contact.waId, LEDGER_LOOKBACK);
  const newest = (type: string) => Math.max(-Infinity, ...entries.filter((e) => e.type === type).map((e) => e.at.getTime()));
  if (newest('marketing_stopped') > newest('marketing_resumed')) {
    return { allowed: false, reason: 'the contact stopped marketing messages from this business in WhatsApp; not sent' };
  }
  return gate;
}
