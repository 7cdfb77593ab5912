import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { AppError } from '../errors';

/**
 * Normalises a phone number typed by a person (any national or international format) to E.164.
 * Throws INVALID_PHONE, with an example of a valid number, when it is not a possible number.
 */
export function toE164(input: string, defaultCountry?: CountryCode): string {
  const trimmed = input.trim();
  const parsed = trimmed.length <= 40 ? parsePhoneNumberFromString(trimmed, defaultCountry) : undefined;
  if (!parsed || !parsed.isValid()) {
    const shown = trimmed.length > 40 ? `${trimmed.slice(0, 40)}…` : trimmed;
    throw new AppError(
      'INVALID_PHONE',
      `\`${shown}\` is not a valid phone number — try the international form, e.g. +44 20 7946 0000`,
      { input: shown },
    );
  }
  return parsed.number;
}

/**
 * The E.164 number behind a WhatsApp id. `…@c.us` ids carry the number; `…@lid` (linked device
 * privacy ids) and group ids do not, so they give undefined rather than a wrong number.
 */
export function waIdToE164(waId: string): string | undefined {
  const match = /^(\d{6,15})@c\.us$/.exec(waId);
  if (!match) return undefined;
  const parsed = parsePhoneNumberFromString(`+${match[1]}`);
  return parsed?.isPossible() ? parsed.number : undefined;
}

/** The `@c.us` WhatsApp id for an E.164 number (the form whatsapp-web.js sends to). */
export function e164ToWaId(e164: string): string {
  return `${e164.replace(/^\+/, '')}@c.us`;
}
