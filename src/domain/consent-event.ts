export type ConsentEventType =
  | 'opt_in_requested'
  | 'opt_in_confirmed'
  | 'opt_in_expired'
  | 'opt_out'
  | 'erased'
  /** The contact stopped, or resumed, marketing messages in WhatsApp itself (Cloud API). Marketing only: consent status unchanged. */
  | 'marketing_stopped'
  | 'marketing_resumed';

/** One entry of the append-only consent ledger. */
export interface ConsentEvent {
  id: string;
  /** The contact's WhatsApp id; after erasure, a hash that keeps the suppression. */
  contact: string;
  type: ConsentEventType;
  /** Channel of the change: `whatsapp:keyword`, `slack:command`, `slack:button`, `job:expiry`, … */
  source: string;
  /** Who: a Slack user id, `contact` for the person themselves, or `system`. */
  actor: string;
  /** The exact words shown or received, or other evidence. */
  evidence: string;
  at: Date;
  /** Idempotency key of entries a retry may write again: jobs', opt-outs', YES answers' (see {@link ConsentLedger.appendOnce}). */
  key?: string;
}

export type NewConsentEvent = Omit<ConsentEvent, 'id'>;

/**
 * The consent ledger. Append-only by construction: there is deliberately no update or delete
 * here, and the store implementation offers none either.
 */
export interface ConsentLedger {
  append(event: NewConsentEvent): Promise<ConsentEvent>;
  /** Appends each entry whose `key` is not in the ledger yet; returns how many were new. One round trip. */
  appendOnce(events: Array<NewConsentEvent & { key: string }>): Promise<number>;
  /** Entries of one type within (from, to]. */
  countByType(type: ConsentEventType, from: Date, to: Date): Promise<number>;
  /** Newest first. */
  listForContact(contact: string, limit?: number): Promise<ConsentEvent[]>;
}
