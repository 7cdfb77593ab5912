import { validate } from 'node-cron';
import { z } from 'zod';

/**
 * The rules hygiene settings obey, shared by the environment (config.ts) and the settings modal,
 * so a value is accepted or refused the same way in both places.
 */
export const cronSchedule = z
  .string()
  .trim()
  // Five fields (minute precision): slot keys and the catch-up search work per minute.
  .refine((s) => s.split(/\s+/).length === 5 && validate(s), 'must be a cron expression with 5 fields, like "0 3 * * *" (03:00 daily)');

export function dayCount(min: number, max: number) {
  return z.coerce.number({ error: 'must be a number of days' }).int('must be whole days').min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);
}

export const inactiveDays = dayCount(7, 3650);
export const noReplyDays = dayCount(1, 365);
export const optInExpiryDays = dayCount(1, 90);
