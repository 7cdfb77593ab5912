import type { webApi } from '@slack/bolt';
import type { Logger } from '../logger';

/** What cleaning one thread did. */
export interface ThreadCleanup {
  /** The app's own posts deleted (the card included) and files the app had shared there. */
  deletedPosts: number;
  deletedFiles: number;
  /** Messages people wrote in the thread: a bot may not delete them; the lead gets their links. */
  othersLeft: string[];
  /** The app's posts and files Slack would not delete, or the thread could not be read: run again to finish. */
  failed: number;
  /** Slack's reason for the first failure. */
  error?: string;
}

interface ListedMessage {
  ts: string;
  user?: string;
  bot_id?: string;
  files?: Array<{ id?: string }>;
}

/**
 * Deletes everything the app posted in a contact's thread (every post about a contact goes into
 * their thread: the card, mirrored messages, notices, Reply-modal texts, shared files), reading the
 * thread from Slack rather than from our own records, so a post made by any path is found. The
 * card (the thread's root) goes last: a failure midway leaves the thread findable.
 */
export async function cleanThread(client: webApi.WebClient, thread: { channel: string; threadTs: string }, log: Logger): Promise<ThreadCleanup> {
  const result: ThreadCleanup = { deletedPosts: 0, deletedFiles: 0, othersLeft: [], failed: 0 };
  const fail = (err: unknown) => {
    result.failed++;
    result.error ??= (err as { data?: { error?: string } }).data?.error ?? (err instanceof Error ? err.message : String(err));
    log.warn({ err, channel: thread.channel }, 'erasure: Slack would not delete part of a thread');
  };
  try {
    const me = await client.auth.test();
    const ours = (m: ListedMessage) => (m.bot_id !== undefined && m.bot_id === me.bot_id) || (m.user !== undefined && m.user === me.user_id);
    let root: ListedMessage | undefined;
    for await (const m of listThread(client, thread)) {
      // The root is the card, ours; one that is not is the tombstone Slack leaves of a deleted card.
      if (m.ts === thread.threadTs) root = m;
      else if (ours(m)) await deleteOurs(client, thread.channel, m, result, fail);
      else result.othersLeft.push(await permalink(client, thread.channel, m.ts));
    }
    if (!root || ours(root)) await deleteOurs(client, thread.channel, root ?? { ts: thread.threadTs }, result, fail);
  } catch (err) {
    // The thread could not be read: everything in it is left for the next run.
    fail(err);
  }
  return result;
}

/** One post and its files; a refusal is counted and the rest goes on (a long thread is not lost to one error). */
async function deleteOurs(client: webApi.WebClient, channel: string, m: ListedMessage, result: ThreadCleanup, fail: (err: unknown) => void): Promise<void> {
  for (const file of m.files ?? []) {
    if (!file.id) continue;
    try {
      if (await client.files.delete({ file: file.id }).then(() => true, gone)) result.deletedFiles++;
    } catch (err) {
      fail(err);
    }
  }
  try {
    if (await client.chat.delete({ channel, ts: m.ts }).then(() => true, gone)) result.deletedPosts++;
  } catch (err) {
    fail(err);
  }
}

/** Already gone (deleted by an earlier, interrupted run) is done, not counted again; anything else is a failure. */
function gone(err: unknown): false {
  const code = (err as { data?: { error?: string } }).data?.error;
  if (code !== 'message_not_found' && code !== 'file_deleted' && code !== 'file_not_found') throw err;
  return false;
}

async function* listThread(client: webApi.WebClient, thread: { channel: string; threadTs: string }): AsyncGenerator<ListedMessage> {
  let cursor: string | undefined;
  do {
    const page = await client.conversations.replies({ channel: thread.channel, ts: thread.threadTs, limit: 200, ...(cursor ? { cursor } : {}) });
    // Slack heads every page with the parent: yield it once.
    for (const m of (page.messages ?? []) as ListedMessage[]) if (m.ts !== thread.threadTs || !cursor) yield m;
    cursor = page.response_metadata?.next_cursor || undefined;
  } while (cursor);
}

async function permalink(client: webApi.WebClient, channel: string, ts: string): Promise<string> {
  const res = await client.chat.getPermalink({ channel, message_ts: ts });
  return res.permalink ?? `${channel}/${ts}`;
}
