import { parse, validate } from 'node-cron';
import { z } from 'zod';

/**
 * The rules hygiene settings obey, shared by the environment (config.ts) and the settings modal,
 * so a value is accepted or refused the same way in both places.
 */
export const cronSchedule = z
  .string()
  .trim()
  .superRefine((s, ctx) => {
    // Five fields (minute precision): slot keys and the catch-up search work per minute.
    if (s.split(/\s+/).length !== 5 || !validate(s)) return void ctx.addIssue({ code: 'custom', message: 'must be a cron expression with 5 fields, like "0 3 * * *" (03:00 daily)' });
    // Every job run is a full pass over the contacts, and every report a post: "* 9 * * 1" would
    // be 60 of each in that hour. One minute value caps it at one run per hour.
    if (parse(s).minute.length !== 1) ctx.addIssue({ code: 'custom', message: 'must run at most once an hour: give one minute, like "0 9 * * 1" (Mondays at 09:00), not "*", a list, a range or a step' });
  });

export function dayCount(min: number, max: number) {
  return z.coerce.number({ error: 'must be a number of days' }).int('must be whole days').min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);
}

export const inactiveDays = dayCount(7, 3650);
export const noReplyDays = dayCount(1, 365);
export const optInExpiryDays = dayCount(1, 90);
