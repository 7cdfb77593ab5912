import type { Consent } from '../domain/contact';

/**
 * The consent of a contact an opt-in request goes to now. What it replaces is kept whole (status,
 * date and how it came about): if the request expires unanswered it is restored exactly, so a
 * refusal keeps quoting the real opt-out, not the day the request lapsed.
 */
export function pendingConsent(current: Consent, since: Date, source: string): Consent {
  return {
    status: 'pending',
    since,
    source,
    before: current.status,
    ...(current.since ? { beforeSince: current.since } : {}),
    ...(current.source ? { beforeSource: current.source } : {}),
  };
}
