/**
 * The bot-token scopes each Slack Web API method needs, as Slack's method reference states them
 * (https://api.slack.com/methods/<method>, "Required scopes → Bot tokens"). The fake Slack API
 * refuses a call whose scope the manifest does not grant, and the manifest test derives the scopes
 * the app must ask for from this table and the methods `src/` calls — so the table is the one
 * place a scope is decided. A method not listed here is refused as unknown (a test fails).
 *
 * `confirmed` says whether the entry was checked against Slack's reference (or a copy of it) while
 * writing this table; unconfirmed entries follow Slack's scope naming and should be checked when
 * touched.
 */

/** Slack's conversation types; several methods need a different scope for each. */
export type ChannelKind = 'public' | 'private' | 'im' | 'mpim';

export type ScopeNeed =
  /** Any bot token may call it. */
  | { kind: 'none' }
  /** Any one of these scopes is enough; the first is the one this app asks for. */
  | { kind: 'anyOf'; scopes: readonly string[] }
  /** The scope depends on the type of the conversation named by `arg`. */
  | { kind: 'byChannel'; arg: string; scopes: Readonly<Record<ChannelKind, string>> };

export interface MethodScopes {
  need: ScopeNeed;
  source: string;
  confirmed: boolean;
  /** Only an app-level token (`xapp-…`) may call it; a bot token gets `not_allowed_token_type`. */
  appToken?: boolean;
  note?: string;
}

const ref = (method: string) => `https://api.slack.com/methods/${method}`;
const none = (method: string, confirmed: boolean, note?: string): MethodScopes => ({ need: { kind: 'none' }, source: ref(method), confirmed, ...(note ? { note } : {}) });
const anyOf = (method: string, scopes: string[], confirmed: boolean, note?: string): MethodScopes => ({ need: { kind: 'anyOf', scopes }, source: ref(method), confirmed, ...(note ? { note } : {}) });
const byChannel = (method: string, arg: string, scopes: Record<ChannelKind, string>, confirmed: boolean): MethodScopes => ({ need: { kind: 'byChannel', arg, scopes }, source: ref(method), confirmed });

const READ: Record<ChannelKind, string> = { public: 'channels:read', private: 'groups:read', im: 'im:read', mpim: 'mpim:read' };
const HISTORY: Record<ChannelKind, string> = { public: 'channels:history', private: 'groups:history', im: 'im:history', mpim: 'mpim:history' };

export const METHOD_SCOPES: Readonly<Record<string, MethodScopes>> = {
  'auth.test': none('auth.test', false),
  // Socket Mode: an app-level token with connections:write, never the bot token.
  'apps.connections.open': { ...none('apps.connections.open', false, 'app-level token with connections:write'), appToken: true },

  // chat:write replaces chat:write:bot for Slack apps (api.slack.com/scopes/chat:write, confirmed).
  'chat.postMessage': anyOf('chat.postMessage', ['chat:write'], true, 'username/icon_* are honoured only with chat:write.customize'),
  'chat.postEphemeral': anyOf('chat.postEphemeral', ['chat:write'], true),
  'chat.update': anyOf('chat.update', ['chat:write'], true),
  'chat.delete': anyOf('chat.delete', ['chat:write'], true),
  'chat.scheduleMessage': anyOf('chat.scheduleMessage', ['chat:write'], true),
  'chat.getPermalink': none('chat.getPermalink', true),

  'conversations.info': byChannel('conversations.info', 'channel', READ, true),
  'conversations.members': byChannel('conversations.members', 'channel', READ, true),
  'conversations.replies': byChannel('conversations.replies', 'channel', HISTORY, true),
  'conversations.history': byChannel('conversations.history', 'channel', HISTORY, true),
  // Bot tokens: channels:join only (user tokens: channels:write); private channels cannot be joined.
  'conversations.join': anyOf('conversations.join', ['channels:join'], true),
  // A 1:1 DM needs im:write (confirmed); that Slack also accepts the other conversation-write scopes is not.
  'conversations.open': anyOf('conversations.open', ['im:write', 'mpim:write', 'channels:manage', 'groups:write'], true),

  'reactions.add': anyOf('reactions.add', ['reactions:write'], true),
  'reactions.remove': anyOf('reactions.remove', ['reactions:write'], false),
  'reactions.get': anyOf('reactions.get', ['reactions:read'], true),

  'users.info': anyOf('users.info', ['users:read'], true),
  'usergroups.users.list': anyOf('usergroups.users.list', ['usergroups:read'], true),

  // filesUploadV2 calls these two; files.delete removes the bot's own uploads.
  'files.getUploadURLExternal': anyOf('files.getUploadURLExternal', ['files:write'], false),
  'files.completeUploadExternal': anyOf('files.completeUploadExternal', ['files:write'], false),
  'files.delete': anyOf('files.delete', ['files:write'], false),
  'files.info': anyOf('files.info', ['files:read'], false),

  // Views answer a trigger_id or a user's Home; they need no scope.
  'views.open': none('views.open', true),
  'views.push': none('views.push', false),
  'views.update': none('views.update', false),
  'views.publish': none('views.publish', false),
};

/** The WebClient's own helpers, and the Web API methods each one calls. */
export const WEB_CLIENT_HELPERS: Readonly<Record<string, readonly string[]>> = {
  filesUploadV2: ['files.getUploadURLExternal', 'files.completeUploadExternal'],
};

/** The conversation types the app meets in the channels it posts and reads in (never a DM it reads). */
export const APP_CHANNEL_KINDS: readonly ChannelKind[] = ['public', 'private'];

/** Slack's older id prefixes: `G…` a private channel, `D…` a DM; anything else public. */
export function channelKindOf(id: string): ChannelKind {
  if (id.startsWith('G')) return 'private';
  if (id.startsWith('D')) return 'im';
  return 'public';
}

export type ScopeCheck = { ok: true } | { ok: false; error: 'unknown_method' | 'not_allowed_token_type' } | { ok: false; error: 'missing_scope'; needed: string };

/** Slack's scope check for one call, given the scopes the token carries. */
export function checkScopes(method: string, args: Record<string, unknown>, token: string | undefined, granted: ReadonlySet<string>, kindOf: (id: string) => ChannelKind = channelKindOf): ScopeCheck {
  const entry = METHOD_SCOPES[method];
  if (!entry) return { ok: false, error: 'unknown_method' };
  if (entry.appToken) return token?.startsWith('xapp-') ? { ok: true } : { ok: false, error: 'not_allowed_token_type' };
  const need = entry.need;
  if (need.kind === 'none') return { ok: true };
  if (need.kind === 'anyOf') return need.scopes.some((s) => granted.has(s)) ? { ok: true } : { ok: false, error: 'missing_scope', needed: need.scopes[0]! };
  const scope = need.scopes[kindOf(String(args[need.arg] ?? ''))];
  return granted.has(scope) ? { ok: true } : { ok: false, error: 'missing_scope', needed: scope };
}

/** The scopes an app calling `methods` must ask for (a method's preferred scope; per-channel ones for `kinds`). */
export function scopesFor(methods: Iterable<string>, kinds: readonly ChannelKind[] = APP_CHANNEL_KINDS): Set<string> {
  const out = new Set<string>();
  for (const method of methods) {
    const entry = METHOD_SCOPES[method];
    if (!entry) throw new Error(`method-scopes: ${method} is not in the table`);
    const need = entry.need;
    if (need.kind === 'anyOf') out.add(need.scopes[0]!);
    if (need.kind === 'byChannel') for (const k of kinds) out.add(need.scopes[k]);
  }
  return out;
}

/**
 * Scopes a bot needs for something other than a Web API call. The manifest test asks, for each,
 * whether the app still does that thing, so a scope stays only while something needs it.
 */
export const NON_METHOD_SCOPES: Readonly<Record<string, string>> = {
  commands: 'the /wa slash command (manifest features.slash_commands)',
  'channels:history': 'message.channels events: agents’ thread replies in public channels',
  'groups:history': 'message.groups events: agents’ thread replies in private channels',
  'files:read': 'downloading an agent’s attachment from its url_private_download',
  'chat:write.customize': 'posting a customer’s message under their name (chat.postMessage username/icon_emoji)',
};
