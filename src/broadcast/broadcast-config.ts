import { z } from 'zod';

const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

const QUIET = /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/;

/** The broadcasts' environment keys, part of config.ts's one schema. */
export const broadcastEnv = {
  BROADCAST_MAX_PER_WEEK: optional(z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(50, 'must be at most 50')),
  BROADCAST_QUIET_HOURS: optional(z.string().regex(QUIET, 'must be HH:MM-HH:MM, like 21:00-08:00').refine((v) => v.slice(0, 5) !== v.slice(6), 'must be a span, not one time')),
  BROADCAST_OPT_OUT_LINE: optional(z.string().trim().min(1).max(200, 'must be at most 200 characters')),
  BROADCAST_APPROVAL_OVER: optional(z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(0, 'must be at least 0')),
};

/** Broadcasts to confirmed opt-ins (see broadcast/). */
export interface BroadcastConfig {
  /** No contact gets more than this many broadcasts in any seven days. */
  maxPerWeek: number;
  /** Nothing is sent between these wall times ('HH:MM') in the contact's local time. */
  quietHours: { from: string; to: string };
  /** Ends every text broadcast (a template must carry an opt-out button instead). */
  optOutLine: string;
  /** More recipients than this need a second lead's approval. */
  approvalOver: number;
}

type BroadcastEnv = { [K in keyof typeof broadcastEnv]?: z.infer<(typeof broadcastEnv)[K]> };

export function broadcastConfig(e: BroadcastEnv): BroadcastConfig {
  const quiet = e.BROADCAST_QUIET_HOURS ?? '21:00-08:00';
  return {
    maxPerWeek: e.BROADCAST_MAX_PER_WEEK ?? 2,
    quietHours: { from: quiet.slice(0, 5), to: quiet.slice(6) },
    optOutLine: e.BROADCAST_OPT_OUT_LINE ?? 'Reply STOP to stop these messages.',
    approvalOver: e.BROADCAST_APPROVAL_OVER ?? 50,
  };
}
