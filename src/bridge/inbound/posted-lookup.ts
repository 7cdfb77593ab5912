import type { StoredMessage } from '../../domain/message';
import { DeliveryError } from '../dispatch/delivery-error';

/** Marks our posts so a retry can find the copies that did get through. */
export const METADATA_EVENT = 'switchboard_wa_message';

/**
 * How far before a message's own time its posts are looked for. Slack's clock and ours agree to
 * seconds under NTP; ten minutes covers far worse and still skips a long thread's history.
 */
const CLOCK_MARGIN_MS = 10 * 60_000;

/** Slack recommends pages of at most 200. */
export const LOOKUP_PAGE = 200;

/** One page of `conversations.replies`, as far as the look-up reads it. */
export interface RepliesPage {
  messages?: Array<{ ts?: string; metadata?: { event_type?: string; event_payload?: { wa_message_id?: string; part?: number; parts?: number } } }>;
  response_metadata?: { next_cursor?: string };
}

/** Our posts of one message found in its thread: the ts of each part (1-based), and whether that is all of them. */
export interface PostedParts {
  tsByPart: Map<number, string>;
  complete: boolean;
}

/**
 * The metadata a post of the message carries (`key`: its WhatsApp id). A message that needs
 * several posts numbers them, so a retry after part 1 of 2 posts only part 2.
 */
export function postMetadata(key: string, part: number, parts: number) {
  return { event_type: METADATA_EVENT, event_payload: { wa_message_id: key, ...(parts > 1 ? { part, parts } : {}) } };
}

/**
 * Whether an earlier attempt may have reached Slack, so the thread must be read before posting:
 * a claim that lapsed (its holder crashed), or a counted failed attempt — Slack taking the post
 * while its answer was lost (a 5xx, a timeout), the store failing to record the post afterwards
 * (any error that is not a DeliveryError counts), a long message failing after some of its parts
 * were posted (`partlyPosted` makes that count). Waits that do not count (a 429, a revoked token)
 * mean Slack refused that very post: no look-up, so a rate-limited queue does not add a
 * `conversations.replies` call (itself rate limited) per message.
 */
export function mayHavePosted(message: StoredMessage, reclaimed: boolean): boolean {
  return reclaimed || message.delivery.attempts > 0;
}

/**
 * A failure after some of a message's parts were posted: counted as an attempt even when it is a
 * wait (a 429 on part 2), so the retry looks for those parts instead of posting them again.
 */
export function partlyPosted(err: unknown): unknown {
  if (!(err instanceof DeliveryError) || err.failure.kind !== 'retry' || err.failure.countAttempt) return err;
  return new DeliveryError({ ...err.failure, countAttempt: true });
}

/**
 * Slack's `oldest` for the look-up: no post of the message can be older than the message itself.
 * Its own time (`createdAt`, WhatsApp's timestamp — a phone's clock may run ahead) and the moment
 * it was stored (an ObjectId's first four bytes: this process's clock, the one Slack's agrees with)
 * are both bounds; the earlier one, less the margin, holds when either is off.
 */
export function lookupOldest(message: StoredMessage): string {
  const storedAt = /^[0-9a-f]{24}$/i.test(message.id) ? parseInt(message.id.slice(0, 8), 16) * 1000 : Infinity;
  const from = Math.min(message.createdAt.getTime(), storedAt) - CLOCK_MARGIN_MS;
  return (Math.max(0, from) / 1000).toFixed(6);
}

/**
 * Reads the thread page by page (`list` fetches the page at a cursor) until every part of the
 * message is found or the thread is exhausted.
 */
export async function findPostedParts(list: (cursor: string | undefined) => Promise<RepliesPage>, key: string): Promise<PostedParts> {
  const tsByPart = new Map<number, string>();
  let parts: number | undefined;
  let cursor: string | undefined;
  do {
    const page = await list(cursor);
    for (const m of page.messages ?? []) {
      const payload = m.metadata?.event_type === METADATA_EVENT ? m.metadata.event_payload : undefined;
      if (!m.ts || payload?.wa_message_id !== key) continue;
      tsByPart.set(payload.part ?? 1, m.ts);
      parts = payload.parts ?? 1;
    }
    if (parts !== undefined && tsByPart.size >= parts) return { tsByPart, complete: true };
    cursor = page.response_metadata?.next_cursor || undefined;
  } while (cursor);
  return { tsByPart, complete: false };
}
