import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { minutesOf } from '../hours/business-hours';
import { offsetAt, wallClockIn } from '../time-zone';

// The package ships CommonJS for require() but declares its types only beside its ES module, which
// TypeScript then refuses to import from CommonJS: required, with the one signature used.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { getCountry } = require('countries-and-timezones') as { getCountry(id: string): { timezones: string[] } | null };

export interface QuietHours {
  /** 'HH:MM' wall times; `from` after `to` spans midnight (21:00–08:00). */
  from: string;
  to: string;
}

/**
 * The contact's time zone where their number tells it: a country whose zones all keep the same
 * time at `at` (the UK, Germany, India…). A number from a country spanning several (the US,
 * Brazil…), an `@lid` id without a number, or an unknown country: `fallback` (TZ_REPORTS).
 */
export function contactZone(waId: string, at: Date, fallback: string): string {
  const digits = /^(\d{6,15})@c\.us$/.exec(waId)?.[1];
  const country = digits ? parsePhoneNumberFromString(`+${digits}`)?.country : undefined;
  const zones = country ? (getCountry(country)?.timezones ?? []) : [];
  if (zones.length === 0) return fallback;
  const offsets = new Set(zones.map((zone) => offsetAt(wallClockIn(zone), at.getTime())));
  return offsets.size === 1 ? zones[0]! : fallback;
}

/** When the quiet hours around `at` end in `zone`, or null when `at` is not in them. */
export function quietUntil(quiet: QuietHours, at: Date, zone: string): Date | null {
  const wall = wallClockIn(zone)(at.getTime());
  const now = wall.hour * 60 + wall.minute;
  const from = minutesOf(quiet.from);
  const to = minutesOf(quiet.to);
  const inside = from < to ? now >= from && now < to : now >= from || now < to;
  if (!inside) return null;
  // Minutes left to `to`, less the seconds already gone in this minute. A summer-time change in
  // the quiet night shifts this by an hour at most; the send is checked again when it comes due.
  const minutes = (to - now + 1440) % 1440;
  const ms = minutes * 60_000 - (wall.second * 1000 + (at.getTime() % 1000));
  return new Date(at.getTime() + ms);
}
