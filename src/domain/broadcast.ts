import type { OutboundTemplate } from './message';

/** Who a broadcast is for: contacts with all these labels; flagged-inactive ones only when ticked. */
export interface BroadcastAudience {
  labels: string[];
  includeInactive: boolean;
}

/** What it says: a quick reply's text (variables filled per recipient), or an approved template (Cloud API). */
export type BroadcastMessage =
  | { kind: 'text'; quickReply: string; body: string }
  | { kind: 'template'; template: OutboundTemplate; hasOptOutButton: boolean };

/**
 * `awaiting_approval`: over the approval threshold, waiting for a second lead. `scheduled`: waits
 * for `sendAt`. `sending` (or `paused` by a lead) until every recipient is done; then `done`.
 */
export type BroadcastState = 'awaiting_approval' | 'scheduled' | 'sending' | 'paused' | 'done' | 'cancelled' | 'rejected';

/** Why a contact in the audience does not get the broadcast (the preview counts each). */
export const EXCLUSION_REASONS = [
  'opted_out',
  'never_opted_in',
  'opt_in_pending',
  'suppressed',
  'archived',
  'inactive',
  'frequency_cap',
  'same_person',
  'never_wrote',
  'over_limit',
] as const;
export type ExclusionReason = (typeof EXCLUSION_REASONS)[number];

export const EXCLUSION_LABELS: Record<ExclusionReason, string> = {
  opted_out: 'opted out',
  never_opted_in: 'never opted in',
  opt_in_pending: 'opt-in pending (no YES yet)',
  suppressed: 'erased or suppressed',
  archived: 'archived',
  inactive: 'flagged inactive',
  frequency_cap: 'over the frequency cap',
  same_person: 'the same person under another WhatsApp id',
  never_wrote: 'never wrote to the business (WhatsApp Web sends only to people who did)',
  over_limit: "over the gateway's per-broadcast limit",
};

export interface Broadcast {
  id: string;
  name: string;
  /** The lead who composed it (Slack user id). */
  author: string;
  audience: BroadcastAudience;
  message: BroadcastMessage;
  /** Not before this. */
  sendAt: Date;
  state: BroadcastState;
  /** The gateway it was planned for (its limits applied). */
  gateway: string;
  /** The counts the preview showed when it was created. */
  planned: { recipients: number; excluded: Partial<Record<ExclusionReason, number>> };
  approvedBy?: string;
  rejectedBy?: string;
  /** Recipients are written (once, at start); until then a restart writes them again (idempotent). */
  materialized?: boolean;
  /** The progress message in the leads' channel, updated in place. */
  progress?: { channel: string; ts: string; updatedAt?: Date };
  createdAt: Date;
  startedAt?: Date;
  finishedAt?: Date;
}

/** One person's copy: `pending` until queued to WhatsApp (then the outbound message tracks delivery), or `skipped` at send time with why. */
export type RecipientState = 'pending' | 'queued' | 'skipped';

/** Why a recipient was skipped at send time, as a code (the summary counts by it) beside the words. */
export type SkipCode = 'opted_out' | 'twin_opted_out' | 'not_opted_in' | 'frequency_cap' | 'erased' | 'archived';

export interface BroadcastRecipient {
  broadcastId: string;
  /** The person (one per broadcast): their WhatsApp id, or the smaller of their two ids. */
  person: string;
  waId: string;
  state: RecipientState;
  /** Quiet hours in their local time: not before this. */
  notBefore?: Date;
  /** The outbound message that carries it, once queued. */
  messageId?: string;
  reason?: string;
  reasonCode?: SkipCode;
  updatedAt: Date;
}
