import type { CountryCode } from 'libphonenumber-js';
import type { Contact, ContactRepository } from '../../../domain/contact';
import { toE164 } from '../../../domain/phone';
import { AppError } from '../../../errors';
import { escapeMrkdwn } from '../../mrkdwn';

/** Something a person typed that is meant as a phone number (digits, +, spaces, dots, dashes, brackets). */
export const looksLikePhone = (text: string) => /^\d{5,}$/.test(text.replace(/[\s().+-]/g, ''));

const shown = (text: string) => escapeMrkdwn(text.length > 40 ? `${text.slice(0, 40)}…` : text);

/** The contact with this phone number, or a coded error the agent can act on. */
export async function contactByPhone(contacts: ContactRepository, input: string, country?: CountryCode): Promise<Contact> {
  const e164 = toE164(input, country);
  const contact = await contacts.findByE164(e164);
  if (!contact) throw new AppError('CONTACT_NOT_FOUND', `No contact has the number ${e164}: contacts appear once they have written to us.`, { e164 });
  return contact;
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
  const names = found.slice(0, 5).map((c) => `${escapeMrkdwn(c.name ?? '')} (${c.e164 ?? c.waId})`);
  throw new AppError('BAD_ARGUMENTS', `Several contacts match \`${shown(text)}\`: ${names.join(', ')}${found.length > 5 ? ', …' : ''}. Use the phone number.`);
}
