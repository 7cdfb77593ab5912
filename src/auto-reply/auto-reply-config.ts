import { z } from 'zod';

const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

/** The automatic replies' environment keys, part of config.ts's one schema (texts and switches are the leads', stored). */
export const autoReplyEnv = {
  GREETING_AFTER_DAYS: optional(z.coerce.number({ error: 'must be a number of days' }).int('must be whole days').min(1, 'must be at least 1').max(365, 'must be at most 365')),
  AWAY_EVERY_HOURS: optional(z.coerce.number({ error: 'must be a number of hours' }).int('must be whole hours').min(1, 'must be at least 1').max(168, 'must be at most 168')),
  BUSINESS_NAME: optional(z.string().trim().min(1).max(100, 'must be at most 100 characters')),
};

/** Greeting, away and HELP replies; their texts and switches are the leads' (stored, see auto-reply-settings.ts). */
export interface AutoReplyConfig {
  /** A contact's first message after this much silence gets the greeting again. */
  greetingAfterMs: number;
  /** At most one away message per contact this often. */
  awayEveryMs: number;
  /** `{{business_name}}` in the texts. */
  businessName: string;
}

type AutoReplyEnv = { [K in keyof typeof autoReplyEnv]?: z.infer<(typeof autoReplyEnv)[K]> };

export function autoReplyConfig(e: AutoReplyEnv): AutoReplyConfig {
  return {
    greetingAfterMs: (e.GREETING_AFTER_DAYS ?? 14) * 86_400_000,
    awayEveryMs: (e.AWAY_EVERY_HOURS ?? 12) * 3_600_000,
    businessName: e.BUSINESS_NAME ?? 'our team',
  };
}
