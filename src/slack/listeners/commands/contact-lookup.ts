import type { CountryCode } from 'libphonenumber-js';
import type { Contact, ContactRepository } from '../../../domain/contact';
import { e164ToWaId, toE164 } from '../../../domain/phone';
import type { Suppression } from '../../../domain/suppression';
import { AppError } from '../../../errors';
import { contactDisplayName } from '../../blocks/contact-card';
import { escapeMrkdwn } from '../../mrkdwn';

/** Something a person typed that is meant as a phone number (digits, +, spaces, dots, dashes, brackets). */
export const looksLikePhone = (text: string) => /^\d{5,}$/.test(text.replace(/[\s().+-]/g, ''));

const shown = (text: string) => escapeMrkdwn(text.length > 40 ? `${text.slice(0, 40)}…` : text);

/** A WhatsApp id as typed: `447911123456@c.us`, or a linked-device id `190000000000001@lid` (no number behind it). */
const WA_ID = /^\d{5,20}@(?:c\.us|lid|s\.whatsapp\.net)$/i;

/** A typed WhatsApp id as the app keeps it: lower case, and the phone form as `@c.us` (whatsapp-web.js's). */
const canonicalWaId = (text: string) => text.toLowerCase().replace(/@s\.whatsapp\.net$/, '@c.us');

/** The contact with this phone number, or a coded error the agent can act on (saying so when the number was erased). */
export async function contactByPhone(contacts: ContactRepository, input: string, country?: CountryCode): Promise<Contact> {
  const e164 = toE164(input, country);
  const contact = await contacts.findByE164(e164);
  if (contact) return contact;
  const suppression = await contacts.suppressionOf(e164ToWaId(e164));
  if (suppression) throw suppressedError(e164, suppression);
  throw new AppError('CONTACT_NOT_FOUND', `No contact has the number ${e164}: contacts appear once they have written to us.`, { e164 });
}

/** The WhatsApp id a person typed as a phone number or as an id, and how to show it back. */
export function typedWaId(input: string, country?: CountryCode): { waId: string; shown: string } {
  const text = input.trim();
  if (WA_ID.test(text)) return { waId: canonicalWaId(text), shown: `\`${canonicalWaId(text)}\`` };
  const e164 = toE164(text, country);
  return { waId: e164ToWaId(e164), shown: e164 };
}

/** By phone number or by WhatsApp id (`…@c.us`, `…@lid`): the only way to name a contact WhatsApp shows no number for. */
export async function contactByPhoneOrWaId(contacts: ContactRepository, input: string, country?: CountryCode): Promise<Contact> {
  const text = input.trim();
  if (!WA_ID.test(text)) return contactByPhone(contacts, text, country);
  const waId = canonicalWaId(text);
  const contact = await contacts.findByWaId(waId);
  if (contact) return contact;
  const suppression = await contacts.suppressionOf(waId);
  if (suppression) throw suppressedError(`\`${waId}\``, suppression);
  throw new AppError('CONTACT_NOT_FOUND', `No contact has the WhatsApp id \`${waId}\`.`);
}

/**
 * A number kept opted out with no contact: said plainly, so "no contact" never reads as a fresh
 * start for someone who was erased or opted out before writing.
 */
export function suppressedError(shownId: string, s: Suppression): AppError {
  const when = s.at.toISOString().slice(0, 10);
  const by = s.by ? ` by <@${s.by}>` : '';
  return s.reason === 'erased'
    ? new AppError('CONTACT_ERASED', `${shownId} was erased on ${when}${by}. It stays opted out: nothing is sent to it.`)
    : new AppError('CONTACT_SUPPRESSED', `${shownId} has never written to us; it was recorded as opted out on ${when}${by}. It starts opted out if it writes.`);
}

/** By phone number, or by the start of the name when exactly one contact matches. */
export async function contactByPhoneOrName(contacts: ContactRepository, input: string, country?: CountryCode): Promise<Contact> {
  const text = input.trim();
  if (!text) throw new AppError('BAD_ARGUMENTS', 'Say which contact: a phone number or the start of a name.');
  if (looksLikePhone(text)) return contactByPhone(contacts, text, country);
  if (text.length > 100) throw new AppError('BAD_ARGUMENTS', `\`${shown(text)}\` is too long for a name (100 characters at most).`);
  const found = await contacts.findByNamePrefix(text, 6);
  if (found.length === 1) return found[0]!;
  if (found.length === 0) throw new AppError('CONTACT_NOT_FOUND', `No contact's name starts with \`${shown(text)}\`.`);
  const names = found.slice(0, 5).map((c) => `${contactDisplayName(c)} (${c.e164 ?? c.waId})`);
  throw new AppError('BAD_ARGUMENTS', `Several contacts match \`${shown(text)}\`: ${names.join(', ')}${found.length > 5 ? ', …' : ''}. Use the phone number.`);
}
