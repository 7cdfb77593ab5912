import type { Document } from 'bson';

/** One recorded Web API call. */
export interface SlackCall {
  method: string;
  token?: string;
  /** The arguments, with JSON-typed fields (blocks, attachments, view…) parsed back to objects. */
  args: Record<string, unknown>;
  at: Date;
  /** The fake's answer to a successful post (chat.postMessage), for thread listings. */
  result?: Document;
}

/** A scripted answer: a body, optionally with an HTTP status, headers or a delay. */
export interface ScriptedResponse {
  body: Document;
  status?: number;
  headers?: Record<string, string>;
  delayMs?: number;
  /**
   * Slack did the work before answering this: the post is kept (it shows in `conversations.replies`)
   * although the caller hears a failure — a 5xx or a lost answer after Slack took the message.
   */
  accepted?: boolean;
}

export const TEAM = { team_id: 'T0TEAM', team: 'Test Team' };
export const BOT = { user_id: 'U0BOT', bot_id: 'B0BOT', user: 'switchboard' };

/** Slack keeps at most this much of a message's `text`; the rest is cut. */
export const MESSAGE_TEXT_LIMIT = 40_000;

let lastMicros = 0;
/**
 * Unique, increasing message timestamps in Slack's format, read off the real clock as Slack's are
 * (the app bounds its thread look-ups by time: a fixed epoch would put every post in the past).
 */
export function nextTs(): string {
  lastMicros = Math.max(Date.now() * 1000, lastMicros + 1);
  return `${Math.floor(lastMicros / 1e6)}.${String(lastMicros % 1e6).padStart(6, '0')}`;
}

/** What the fake answers when nothing was scripted: Slack's success shapes. */
export function defaultResponse(call: SlackCall, baseUrl: string): Document {
  const a = call.args;
  switch (call.method) {
    case 'auth.test':
      return { ok: true, url: 'https://test.slack.com/', ...TEAM, ...BOT };
    case 'chat.postMessage': {
      const ts = nextTs();
      const text = typeof a.text === 'string' ? a.text.slice(0, MESSAGE_TEXT_LIMIT) : a.text;
      return { ok: true, channel: a.channel, ts, message: { type: 'message', text, blocks: a.blocks, ts, bot_id: BOT.bot_id, thread_ts: a.thread_ts } };
    }
    case 'chat.update':
      return { ok: true, channel: a.channel, ts: a.ts, text: a.text };
    case 'chat.delete':
      return { ok: true, channel: a.channel, ts: a.ts };
    case 'chat.postEphemeral':
      return { ok: true, message_ts: nextTs() };
    case 'chat.getPermalink':
      return { ok: true, channel: a.channel, permalink: `https://test.slack.com/archives/${String(a.channel)}/p${String(a.message_ts).replace('.', '')}` };
    case 'reactions.add':
    case 'reactions.remove':
    case 'conversations.join':
    case 'files.delete':
      return { ok: true };
    case 'views.open':
    case 'views.update':
    case 'views.push':
    case 'views.publish':
      return { ok: true, view: { id: `V${nextTs().replace('.', '')}`, ...(a.view as Document | undefined) } };
    case 'conversations.info':
      // As with Slack's older ids: `G…` is a private channel, anything else public (script it for a private `C…`).
      return { ok: true, channel: { id: a.channel, name: `channel-${String(a.channel).toLowerCase()}`, is_member: true, is_private: String(a.channel).startsWith('G') } };
    case 'conversations.members':
      return { ok: true, members: [BOT.user_id], response_metadata: { next_cursor: '' } };
    case 'users.info':
      return { ok: true, user: { id: a.user, name: `user-${String(a.user)}`, real_name: `User ${String(a.user)}`, profile: { display_name: `user-${String(a.user)}`, real_name: `User ${String(a.user)}`, first_name: 'User' } } };
    case 'conversations.open':
      return { ok: true, channel: { id: `D${String(a.users).replace(/^U/, '')}` } };
    case 'usergroups.users.list':
      return { ok: true, users: [] };
    case 'files.getUploadURLExternal': {
      const id = `F${nextTs().replace('.', '')}`;
      return { ok: true, upload_url: `${baseUrl}upload/${id}`, file_id: id };
    }
    case 'files.completeUploadExternal':
      return { ok: true, files: ((a.files as Document[] | undefined) ?? []).map((f) => ({ id: f.id, title: f.title })) };
    default:
      return { ok: false, error: 'unknown_method' };
  }
}
