import type { Contact } from '../../domain/contact';

/** WhatsApp's customer service window: free text is accepted until 24 h after the customer's last message. */
export const REPLY_WINDOW_MS = 24 * 3_600_000;

export type ReplyWindow = { open: true; until: Date } | { open: false; until?: Date };

/**
 * The window as of `now`, from the customer's own last message (its WhatsApp timestamp, kept as
 * `lastInboundAt`): our replies and templates never extend it. Open up to the last millisecond
 * before 24 h; closed from 24 h on (Meta: "within 24 hours"; notes §3).
 */
export function replyWindow(contact: Pick<Contact, 'lastInboundAt'>, now: Date): ReplyWindow {
  if (!contact.lastInboundAt) return { open: false };
  const until = new Date(contact.lastInboundAt.getTime() + REPLY_WINDOW_MS);
  return now.getTime() < until.getTime() ? { open: true, until } : { open: false, until };
}

/** Only the Cloud API enforces the window; whatsapp-web.js sends free text at any time. */
export const windowEnforced = (gateway: string): boolean => gateway === 'cloud';

/** What the agent reads when free text is refused. */
export const WINDOW_CLOSED_REASON =
  'More than 24 hours have passed since the customer last wrote, so WhatsApp only accepts a template message now; nothing was sent';

/** Why free text may not go to this contact now, or undefined when it may (always, off the Cloud API). */
export function windowRefusal(gateway: string, contact: Pick<Contact, 'lastInboundAt'>, now: Date): string | undefined {
  if (!windowEnforced(gateway) || replyWindow(contact, now).open) return undefined;
  return WINDOW_CLOSED_REASON;
}
