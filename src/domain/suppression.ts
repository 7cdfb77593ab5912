/** Why a number is kept opted out with no contact behind it: it was erased, or it opted out before it ever wrote. */
export type SuppressionReason = 'erased' | 'opted_out';

/** A number kept opted out with no contact behind it (stored under a keyed hash of its WhatsApp id). */
export interface Suppression {
  reason: SuppressionReason;
  at: Date;
  /** The Slack user who erased the contact or recorded the opt-out. */
  by?: string;
}
