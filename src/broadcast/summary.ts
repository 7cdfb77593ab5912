import type { Broadcast, BroadcastRecipient, SkipCode } from '../domain/broadcast';
import type { BroadcastFigures } from './broadcast-runner';

/** Replies and opt-outs this long after a recipient's copy went are the broadcast's doing. */
export const ATTRIBUTION_MS = 72 * 3_600_000;
/** Above this share of the copies sent, opt-outs say something is wrong with the list or the message. */
export const OPT_OUT_WARNING_RATE = 0.02;

/** A copy WhatsApp accepted: to whom, and when. */
export interface SentCopy {
  contactWaId: string;
  sentAt: Date;
}

/** Something a contact did after their copy (wrote to us, opted out). */
export interface ContactEvent {
  contact: string;
  at: Date;
}

/**
 * What the summary reads beyond the broadcast's own figures: one query per kind, each over the
 * whole list of recipients (never one per recipient). The store implements it.
 */
export interface BroadcastOutcomeQueries {
  /** The broadcast's copies that WhatsApp accepted (they have a `sentAt`). */
  sentCopies(broadcastId: string): Promise<SentCopy[]>;
  /** The contacts' own messages (inbound, not our notices) stored after `since`. */
  inboundAfter(contactWaIds: string[], since: Date): Promise<ContactEvent[]>;
  /** The contacts' opt-out ledger entries after `since`. */
  optOutsAfter(contactWaIds: string[], since: Date): Promise<ContactEvent[]>;
}

export interface BroadcastSummary {
  /** Accepted by WhatsApp (sent, delivered or read). */
  sent: number;
  delivered: number;
  read: number;
  failed: number;
  /** Cancelled before they went. */
  withdrawn: number;
  skipped: number;
  /** Skipped recipients by the kind of reason recorded at send time (see {@link skipKind}). */
  skippedBy: Record<string, number>;
  /** Absent when the store cannot tell (no outcome queries). */
  replies?: number;
  optOuts?: number;
  /** Opt-outs ÷ copies sent. */
  optOutRate?: number;
  /** The opt-out rate is over {@link OPT_OUT_WARNING_RATE}. */
  warning: boolean;
}

/** The contacts with an event within (sentAt, sentAt + window] of their own copy. */
export function attribute(copies: SentCopy[], events: ContactEvent[], windowMs = ATTRIBUTION_MS): Set<string> {
  const sentAt = new Map(copies.map((c) => [c.contactWaId, c.sentAt.getTime()]));
  const hit = new Set<string>();
  for (const e of events) {
    const from = sentAt.get(e.contact);
    if (from !== undefined && e.at.getTime() > from && e.at.getTime() <= from + windowMs) hit.add(e.contact);
  }
  return hit;
}

/** A skip's recorded reason (a sentence naming dates and ids) as the kind it counts under. */
const SKIP_LABELS: Record<SkipCode, string> = {
  opted_out: 'opted out',
  twin_opted_out: 'opted out (under their other id)',
  not_opted_in: 'not a confirmed opt-in',
  frequency_cap: 'over the frequency cap',
  erased: 'erased',
  archived: 'archived',
};

/** What a skip counts as: its code, or for a recipient recorded before codes, its words. */
export function skipKind(reason: string | undefined, code?: SkipCode): string {
  if (code) return SKIP_LABELS[code];
  if (!reason) return 'unknown';
  if (/same person opted out/.test(reason)) return 'opted out (under their other id)';
  if (/opted out/.test(reason)) return 'opted out';
  if (/confirmed opt-ins/.test(reason)) return 'not a confirmed opt-in';
  if (/frequency cap/.test(reason)) return 'over the frequency cap';
  if (reason === 'erased' || reason === 'archived') return reason;
  return 'other';
}

export interface SummaryDeps {
  recipients: (id: string) => AsyncIterable<BroadcastRecipient>;
  outcomes?: BroadcastOutcomeQueries;
}

/** A finished (or cancelled) broadcast's results, from its figures, its skipped recipients and, when it can, replies and opt-outs. */
export async function summarize(deps: SummaryDeps, broadcast: Pick<Broadcast, 'id'>, figures: BroadcastFigures): Promise<BroadcastSummary> {
  const d = figures.delivery;
  const skippedBy: Record<string, number> = {};
  for await (const r of deps.recipients(broadcast.id)) {
    if (r.state === 'skipped') {
      const kind = skipKind(r.reason, r.reasonCode);
      skippedBy[kind] = (skippedBy[kind] ?? 0) + 1;
    }
  }
  const summary: BroadcastSummary = {
    sent: (d.sent ?? 0) + (d.delivered ?? 0) + (d.read ?? 0),
    delivered: (d.delivered ?? 0) + (d.read ?? 0),
    read: d.read ?? 0,
    failed: (d.failed ?? 0) + (d.blocked ?? 0),
    withdrawn: d.withdrawn ?? 0,
    skipped: figures.recipients.skipped ?? 0,
    skippedBy,
    warning: false,
  };
  if (!deps.outcomes) return summary;
  const copies = await deps.outcomes.sentCopies(broadcast.id);
  if (copies.length === 0) return { ...summary, replies: 0, optOuts: 0, optOutRate: 0 };
  const contacts = copies.map((c) => c.contactWaId);
  const since = new Date(Math.min(...copies.map((c) => c.sentAt.getTime())));
  const [inbound, optOutEvents] = await Promise.all([deps.outcomes.inboundAfter(contacts, since), deps.outcomes.optOutsAfter(contacts, since)]);
  const optOuts = attribute(copies, optOutEvents).size;
  const optOutRate = optOuts / copies.length;
  return { ...summary, replies: attribute(copies, inbound).size, optOuts, optOutRate, warning: optOutRate > OPT_OUT_WARNING_RATE };
}

const percent = (rate: number) => `${(Math.round(rate * 1000) / 10).toString()} %`;

/** The summary as mrkdwn lines (the progress message's body once the broadcast is over). */
export function summaryLines(s: BroadcastSummary): string[] {
  const lines = [`*Delivered* ${s.delivered} of ${s.sent} sent · *Read* ${s.read} · *Failed* ${s.failed}${s.withdrawn > 0 ? ` · *Withdrawn* ${s.withdrawn}` : ''} · *Skipped* ${s.skipped}`];
  const reasons = Object.entries(s.skippedBy).sort((a, b) => b[1] - a[1]);
  if (reasons.length > 0) lines.push(`Skipped: ${reasons.map(([why, n]) => `${why} (${n})`).join(', ')}`);
  if (s.replies !== undefined && s.optOuts !== undefined && s.optOutRate !== undefined) {
    lines.push(`*Replies* ${s.replies} · *Opt-outs* ${s.optOuts} (${percent(s.optOutRate)} of those sent, within 72 h)`);
    if (s.warning) lines.push(`:warning: The opt-out rate is over ${percent(OPT_OUT_WARNING_RATE)}: check the list or the message before the next broadcast.`);
  }
  return lines;
}
