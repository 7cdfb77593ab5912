import type { ConsentStatus } from '../domain/contact';
import type { AutoReplyKind, AutoReplySettings } from './auto-reply-settings';

/** A message this much older than now came in late (the catch-up after downtime): no automatic reply. */
export const AUTO_REPLY_STALE_MS = 3_600_000;

/** What the decision needs to know about one inbound message (the last of its burst) and its contact. */
export interface AutoReplyCase {
  /** The message's text; undefined for media, a location and the like. */
  text?: string;
  /** When the contact wrote it (WhatsApp's time). */
  at: Date;
  /** The first message of the burst it ends: where the silence before it ended. */
  burstSince: Date;
  now: Date;
  /** The contact was created by this message: their first message ever. */
  created: boolean;
  /** Their message before this burst, when known. */
  previousInboundAt?: Date;
  consentStatus: ConsentStatus;
  /** Whether the team is open at `at`; null when no business hours are set. */
  open: boolean | null;
  settings: AutoReplySettings;
  greetingAfterMs: number;
  isConsentKeyword: (text: string) => boolean;
  isHelpKeyword: (text: string) => boolean;
}

/**
 * Greeting, away, HELP or nothing — pure and cheap: it runs on every inbound message. One reply per
 * message at most: HELP answers the question asked; while closed the away message says when the
 * team is back (a greeting would promise an answer that is not coming yet); otherwise the greeting
 * for a first message, or a first after `greetingAfterMs` of silence. Whether it is actually sent
 * (once per so many hours, once across instances) is the claim's business (auto-replier.ts).
 */
export function decideAutoReply(c: AutoReplyCase): AutoReplyKind | null {
  // An opted-out contact gets nothing but their one confirmation; the send-time gate checks again.
  if (c.consentStatus === 'opted_out') return null;
  if (c.now.getTime() - c.at.getTime() > AUTO_REPLY_STALE_MS) return null;
  const text = c.text;
  // STOP, START and YES have answers of their own (or none): an automatic reply would muddle them.
  if (text !== undefined && c.isConsentKeyword(text)) return null;
  if (text !== undefined && c.settings.help.enabled && c.isHelpKeyword(text)) return 'help';
  if (c.open === false && c.settings.away.enabled) return 'away';
  if (c.settings.greeting.enabled && (c.created || silentSince(c))) return 'greeting';
  return null;
}

function silentSince(c: AutoReplyCase): boolean {
  // A contact stored before the previous time was kept is not taken for a new one.
  if (!c.previousInboundAt) return false;
  return c.burstSince.getTime() - c.previousInboundAt.getTime() >= c.greetingAfterMs;
}
