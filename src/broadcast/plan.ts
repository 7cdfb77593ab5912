import type { BroadcastAudience, ExclusionReason } from '../domain/broadcast';
import type { ConsentStatus } from '../domain/contact';

/** What planning reads of a contact (a projection: 100,000 of them are read for one preview). */
export interface AudienceContact {
  waId: string;
  aliasWaId?: string;
  name?: string;
  consent: { status: ConsentStatus; source?: string };
  activity: { status: 'active' | 'inactive' | 'archived' };
  lastInboundAt?: Date;
}

export interface PlanRules {
  audience: BroadcastAudience;
  /** At most this many recipients (256 on whatsapp-web.js: the Business App's own limit); none on the Cloud API. */
  limit?: number;
  /** whatsapp-web.js may only message people who wrote to the business before. */
  onlyWhoWrote: boolean;
  maxPerWeek: number;
  /** Broadcasts each person got in the last seven days (by person key). */
  weekCounts: ReadonlyMap<string, number>;
  /** WhatsApp ids whose other id (not in the audience, maybe) opted out: the person opted out. */
  twinOptedOut: ReadonlySet<string>;
}

export interface PlannedRecipient {
  person: string;
  waId: string;
  name?: string;
}

export interface Plan {
  recipients: PlannedRecipient[];
  excluded: Partial<Record<ExclusionReason, number>>;
}

/** The person behind a contact: one key for both of their WhatsApp ids. */
export function personOf(contact: Pick<AudienceContact, 'waId' | 'aliasWaId'>): string {
  return contact.aliasWaId && contact.aliasWaId < contact.waId ? contact.aliasWaId : contact.waId;
}

/** Why a contact is left out by consent and state alone (before the per-person rules), or null. */
function ruledOut(c: AudienceContact, rules: PlanRules): ExclusionReason | null {
  if (c.activity.status === 'archived') return 'archived';
  if (c.consent.status === 'opted_out') return c.consent.source?.startsWith('suppressed:') ? 'suppressed' : 'opted_out';
  if (rules.twinOptedOut.has(c.waId)) return 'opted_out';
  if (c.consent.status === 'pending') return 'opt_in_pending';
  // Only a confirmed opt-in: a YES to the request (status opted_in is reached no other way).
  if (c.consent.status !== 'opted_in') return 'never_opted_in';
  if (c.activity.status === 'inactive' && !rules.audience.includeInactive) return 'inactive';
  if (rules.onlyWhoWrote && !c.lastInboundAt) return 'never_wrote';
  return null;
}

/**
 * Who receives a broadcast and who does not, by reason — the preview a lead sees, and the list
 * written as recipients at start. Each contact counts once, under the first reason that applies;
 * one person (two WhatsApp ids) is one recipient, the id they wrote from last.
 */
export function planBroadcast(contacts: Iterable<AudienceContact>, rules: PlanRules): Plan {
  const excluded: Partial<Record<ExclusionReason, number>> = {};
  const exclude = (reason: ExclusionReason) => void (excluded[reason] = (excluded[reason] ?? 0) + 1);
  const chosen = new Map<string, AudienceContact>();
  for (const contact of contacts) {
    const reason = ruledOut(contact, rules);
    if (reason) {
      exclude(reason);
      continue;
    }
    const person = personOf(contact);
    const other = chosen.get(person);
    if (other) {
      exclude('same_person');
      if ((contact.lastInboundAt?.getTime() ?? 0) > (other.lastInboundAt?.getTime() ?? 0)) chosen.set(person, contact);
      continue;
    }
    chosen.set(person, contact);
  }
  const recipients: PlannedRecipient[] = [];
  for (const [person, contact] of chosen) {
    if ((rules.weekCounts.get(person) ?? 0) >= rules.maxPerWeek) {
      exclude('frequency_cap');
      continue;
    }
    if (rules.limit !== undefined && recipients.length >= rules.limit) {
      exclude('over_limit');
      continue;
    }
    recipients.push({ person, waId: contact.waId, ...(contact.name ? { name: contact.name } : {}) });
  }
  return { recipients, excluded };
}
