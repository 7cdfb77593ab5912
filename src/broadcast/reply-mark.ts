import type { Contact } from '../domain/contact';
import { escapeMrkdwn } from '../slack/mrkdwn';

/** Opt-outs and replies this soon after a broadcast are put down to it. */
export const BROADCAST_ATTRIBUTION_MS = 72 * 3_600_000;

/**
 * The line under a contact's message written within 72 hours after the last broadcast they were
 * sent: a reply to it, as far as anyone can tell, and the agent should know what they answer.
 */
export function broadcastReplyNote(contact: Pick<Contact, 'lastBroadcast'>, writtenAt: Date): string | undefined {
  const last = contact.lastBroadcast;
  if (!last) return undefined;
  const after = writtenAt.getTime() - last.at.getTime();
  if (after < 0 || after > BROADCAST_ATTRIBUTION_MS) return undefined;
  return `:leftwards_arrow_with_hook: Reply to the broadcast “${escapeMrkdwn(last.name ?? 'unnamed')}”, sent <!date^${Math.floor(last.at.getTime() / 1000)}^{date_short_pretty} {time}|${last.at.toISOString()}>.`;
}
