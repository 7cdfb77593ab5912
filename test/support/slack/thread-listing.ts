import type { Document } from 'bson';

/** A message as Slack keeps it in a thread (text cut after 40,000 characters). */
export interface KeptMessage {
  ts: string;
  text?: string;
  blocks?: unknown;
  username?: string;
  metadata?: Document;
  /** Who posted it when it was not the bot (an agent's own message). */
  user?: string;
  /** Files shared with the message: `{ id }` as Slack lists them. */
  files?: Array<{ id: string }>;
}

/** Slack's largest page; its documentation recommends asking for 200 at most. */
const MAX_LIMIT = 1000;

/**
 * One page of `conversations.replies` over a thread (parent first, then replies by ts), the way Slack
 * pages it: the parent heads every page whatever the time range; replies are those after `oldest`
 * and before `latest` (each included only with `inclusive`), at most `limit` per page; `has_more`
 * and `response_metadata.next_cursor` (empty at the end) lead to the next page.
 */
export function repliesPage(parent: KeptMessage | undefined, replies: KeptMessage[], threadTs: string, args: Record<string, unknown>): Document {
  const inclusive = args.inclusive === true || args.inclusive === 'true' || args.inclusive === '1';
  const oldest = args.oldest === undefined ? undefined : String(args.oldest);
  const latest = args.latest === undefined ? undefined : String(args.latest);
  const limit = Math.min(MAX_LIMIT, Math.max(1, Number(args.limit ?? MAX_LIMIT) || MAX_LIMIT));
  let from: string | undefined;
  if (args.cursor !== undefined && args.cursor !== '') {
    from = decodeCursor(String(args.cursor));
    if (from === undefined) return { ok: false, error: 'invalid_cursor' };
  }
  const inRange = [...replies]
    .sort((a, b) => compareTs(a.ts, b.ts))
    .filter((m) => (oldest === undefined || (inclusive ? compareTs(m.ts, oldest) >= 0 : compareTs(m.ts, oldest) > 0)))
    .filter((m) => (latest === undefined || (inclusive ? compareTs(m.ts, latest) <= 0 : compareTs(m.ts, latest) < 0)))
    .filter((m) => from === undefined || compareTs(m.ts, from) >= 0);
  const page = inRange.slice(0, limit);
  const next = inRange[limit];
  const shown = (m: KeptMessage) => ({
    type: 'message',
    ts: m.ts,
    thread_ts: threadTs,
    text: m.text,
    ...(m.user ? { user: m.user } : { bot_id: 'B0BOT', user: 'U0BOT' }),
    ...(m.metadata ? { metadata: m.metadata } : {}),
    ...(m.files ? { files: m.files } : {}),
  });
  return {
    ok: true,
    messages: [...(parent ? [shown(parent)] : []), ...page.map(shown)],
    has_more: next !== undefined,
    response_metadata: { next_cursor: next ? encodeCursor(next.ts) : '' },
  };
}

/** Slack timestamps in order: seconds, then the six-digit sequence after the dot. */
export function compareTs(a: string, b: string): number {
  const [as, af = ''] = a.split('.');
  const [bs, bf = ''] = b.split('.');
  return Number(as) - Number(bs) || Number(af.padEnd(6, '0')) - Number(bf.padEnd(6, '0'));
}

// Opaque to the client, as Slack's are.
function encodeCursor(ts: string): string {
  return Buffer.from(`ts:${ts}`).toString('base64');
}

function decodeCursor(cursor: string): string | undefined {
  const raw = Buffer.from(cursor, 'base64').toString();
  return /^ts:\d+\.\d+$/.test(raw) ? raw.slice(3) : undefined;
}
