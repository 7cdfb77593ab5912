import { EventEmitter, once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Document } from 'bson';
import { parse } from 'yaml';
import { blockKitViolation, responseUrlViolation } from './block-kit-limits';
import { channelKindOf, checkScopes, type ChannelKind } from './method-scopes';
import { defaultResponse, nextTs, type ScriptedResponse, type SlackCall } from './default-responses';
import { compareTs, repliesPage, type KeptMessage } from './thread-listing';

export type { SlackCall } from './default-responses';
export type { KeptMessage } from './thread-listing';

/** A `response_url` post (what Bolt's `respond()` sends). */
export interface ResponseUrlPost {
  id: string;
  body: Document;
  at: Date;
  /** Why Slack refused it (`invalid_blocks`), when it did: the user never saw it. */
  refused?: string;
}

/**
 * How to answer: a fixed (one-shot) answer, or a function consulted for every call (undefined lets
 * that call through to the usual answer).
 */
type Script = ScriptedResponse | ((call: SlackCall) => ScriptedResponse | Document | undefined);

/** HTTP details for a scripted answer given as a bare body. */
export type ScriptOptions = Omit<ScriptedResponse, 'body'>;

export interface FakeSlackApiOptions {
  /** Accept only this bot token (same as calling `setAuthToken`). */
  authToken?: string;
  /** The bot token's scopes; by default those `manifest.yml` asks for, as after installing the app. */
  scopes?: Iterable<string>;
}

let manifestScopes: readonly string[] | undefined;
/** The bot scopes `manifest.yml` (at the repository root) grants. */
export function manifestBotScopes(): readonly string[] {
  if (!manifestScopes) {
    const manifest = parse(readFileSync(path.join(__dirname, '../../../manifest.yml'), 'utf8')) as { oauth_config?: { scopes?: { bot?: string[] } } };
    manifestScopes = manifest.oauth_config?.scopes?.bot ?? [];
  }
  return manifestScopes;
}

// The WebClient JSON-encodes every non-primitive argument into the form body; these are the ones
// our app sends, parsed back so tests can assert on structures instead of strings.
const JSON_FIELDS = new Set(['blocks', 'attachments', 'view', 'files', 'metadata', 'unfurls', 'options', 'option_groups', 'user_auth_blocks']);

/**
 * Slack's Web API, faked over real HTTP on 127.0.0.1: the app's own WebClient talks to it through
 * `SLACK_API_URL`. Every call is recorded; answers are Slack's success shapes unless scripted, and
 * what Slack would refuse it refuses as Slack does: a scope the token lacks (`missing_scope`, with
 * the manifest's scopes by default — see method-scopes.ts), Block Kit limits (`invalid_blocks`).
 * A method it does not know answers `unknown_method` and fails the test (see `unknownMethods`).
 */
export class FakeSlackApi {
  readonly calls: SlackCall[] = [];
  readonly responses: ResponseUrlPost[] = [];
  readonly uploads = new Map<string, Buffer>();
  /** Files agents "attached", served at their url_private_download; and who fetched them. */
  private readonly hosted = new Map<string, Buffer>();
  readonly downloads: Array<{ id: string; authorization: string }> = [];
  /** Messages people (not the bot) posted in threads, and what was deleted: Slack's side of a thread. */
  private readonly userPosts: Array<KeptMessage & { channel: string; threadTs: string }> = [];
  private readonly deleted = new Set<string>();
  private readonly deletedFiles = new Set<string>();
  private readonly scripts = new Map<string, Script[]>();
  private readonly events = new EventEmitter();
  private authToken: string | undefined;
  private grantedDefault: readonly string[] | undefined;
  private granted = new Set<string>();
  private readonly channelKinds = new Map<string, ChannelKind>();
  /**
   * Calls to methods the scope table does not know. Slack would answer `unknown_method` (a typo, or a
   * method nobody checked the scopes of); `close()` and `useFakeSlackApi` fail the test while any is left.
   */
  readonly unknownMethods: string[] = [];
  private server = createServer((req, res) => void this.handle(req, res));

  /** Base URL for the WebClient (`slackApiUrl`), ending in `/api/`. */
  url = '';
  origin = '';

  constructor(scopes?: Iterable<string>) {
    this.grantedDefault = scopes ? [...scopes] : undefined;
    this.setScopes(undefined);
  }

  async start(): Promise<this> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.url = `${this.origin}/api/`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.failOnUnknownMethods();
  }

  /** Only this bot token is accepted; any other gets `invalid_auth`. */
  setAuthToken(token: string | undefined): void {
    this.authToken = token;
  }

  /** The bot token's scopes from now on (undefined: back to the default, the manifest's); `reset()` restores the default. */
  setScopes(scopes: Iterable<string> | undefined): void {
    this.granted = new Set(scopes ?? this.grantedDefault ?? manifestBotScopes());
  }

  /** Scopes the bot token carries. */
  scopes(): string[] {
    return [...this.granted];
  }

  /** The type of a conversation, where its id's prefix would not tell (a private `C…` channel). */
  setChannelKind(channel: string, kind: ChannelKind): void {
    this.channelKinds.set(channel, kind);
  }

  /** Hands over (and forgets) the unknown-method calls, for a test that makes one on purpose. */
  takeUnknownMethods(): string[] {
    return this.unknownMethods.splice(0);
  }

  /** Throws while a call to an unknown method is left: the app (or a test) called something Slack has no scopes for in our table. */
  failOnUnknownMethods(): void {
    const unknown = this.takeUnknownMethods();
    if (unknown.length > 0) {
      throw new Error(`fake Slack API: called ${[...new Set(unknown)].join(', ')}, not in test/support/slack/method-scopes.ts — add it with the scopes Slack's method reference lists`);
    }
  }

  /**
   * Scripts `method`. A body (`{ ok: false, error: 'invalid_auth' }`) or a full `{ body, status, headers,
   * delayMs }` answers the next call only (call again to queue more); a function answers every call
   * from then on and may return either form (or undefined: the usual answer). `options` adds HTTP details to a bare body, e.g.
   * `respond('chat.postMessage', { ok: false, error: 'ratelimited' }, { status: 429, headers: { 'retry-after': '1' } })`.
   * With `accepted: true` Slack does the work first (the post is kept) and then answers as scripted.
   */
  respond(method: string, script: Script | Document, options: ScriptOptions = {}): void {
    const s: Script =
      typeof script === 'function'
        ? (call) => {
            const answer = script(call);
            return answer === undefined ? undefined : asScripted(answer as Document, options);
          }
        : asScripted(script, options);
    const list = this.scripts.get(method) ?? [];
    list.push(s);
    this.scripts.set(method, list);
  }

  /**
   * The next call to `method` is carried out — a post is kept and shows in the thread — but answered
   * with an HTTP error, as when Slack took a message and its answer was lost (a 5xx after the fact).
   */
  acceptButFail(method: string, status = 500): void {
    this.respond(method, { body: { ok: false, error: 'internal_error' }, status, accepted: true });
  }

  /** A thread as Slack keeps it: its parent (when posted here) first, then its replies in order; deleted ones gone. */
  thread(channel: string, threadTs: string): KeptMessage[] {
    const posts = this.calls
      .filter((c) => c.method === 'chat.postMessage' && c.result && c.args.channel === channel && (c.result.ts === threadTs || c.args.thread_ts === threadTs))
      .map((c): KeptMessage => {
        const message = (c.result!.message ?? {}) as Document;
        return {
          ts: String(c.result!.ts),
          text: (message.text ?? c.args.text) as string | undefined,
          blocks: c.args.blocks,
          username: c.args.username as string | undefined,
          ...(c.args.metadata ? { metadata: c.args.metadata as Document } : {}),
        };
      });
    // A file the bot shared into the thread is a message of its own, carrying the file.
    const shares = this.calls
      .filter((c) => c.method === 'files.completeUploadExternal' && c.result && c.args.channel_id === channel && c.args.thread_ts === threadTs)
      .map((c): KeptMessage => ({ ts: String(c.result!.ts), files: ((c.result!.files as Document[]) ?? []).filter((f) => !this.deletedFiles.has(String(f.id))).map((f) => ({ id: String(f.id) })) }));
    const people = this.userPosts.filter((p) => p.channel === channel && p.threadTs === threadTs);
    const kept = [...posts, ...shares, ...people].filter((m) => !this.deleted.has(`${channel}/${m.ts}`));
    return kept.sort((a, b) => (a.ts === threadTs ? -1 : b.ts === threadTs ? 1 : compareTs(a.ts, b.ts)));
  }

  /** An agent's own message in a thread, as Slack keeps it (the app may not delete it); returns its ts. */
  userPost(channel: string, threadTs: string, user: string, text: string, files?: Array<{ id: string }>): string {
    const ts = nextTs();
    this.userPosts.push({ channel, threadTs, ts, user, text, ...(files ? { files } : {}) });
    return ts;
  }

  /** Hosts a file as if an agent had attached it; returns the `files[]` entry of its message event. */
  hostFile(bytes: Buffer, name: string, mimetype: string): { id: string; name: string; mimetype: string; size: number; url_private_download: string } {
    const id = `F${this.hosted.size + 1}HOSTED`;
    this.hosted.set(id, bytes);
    return { id, name, mimetype, size: bytes.length, url_private_download: `${this.origin}/files/${id}` };
  }

  callsTo(method: string): SlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Resolves with the first call (already made or arriving) to `method` that satisfies `match`. */
  waitFor(method: string, match: (call: SlackCall) => boolean = () => true, timeoutMs = 3000): Promise<SlackCall> {
    return this.waitUntil('call', () => this.calls.find((c) => c.method === method && match(c)), `${method} call`, timeoutMs);
  }

  waitForResponse(match: (post: ResponseUrlPost) => boolean = () => true, timeoutMs = 3000): Promise<ResponseUrlPost> {
    return this.waitUntil('response', () => this.responses.find(match), 'response_url post', timeoutMs);
  }

  /** A `response_url` on this server, as Slack puts in slash-command and interaction payloads. */
  responseUrl(id = String(Date.now())): string {
    return `${this.origin}/response/${id}`;
  }

  reset(): void {
    this.calls.length = 0;
    this.responses.length = 0;
    this.scripts.clear();
    this.uploads.clear();
    this.hosted.clear();
    this.downloads.length = 0;
    this.userPosts.length = 0;
    this.deleted.clear();
    this.deletedFiles.clear();
    this.channelKinds.clear();
    this.setScopes(undefined);
  }

  private waitUntil<T>(event: string, find: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
    const found = find();
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = find();
        if (!hit) return;
        clearTimeout(timer);
        this.events.off(event, check);
        resolve(hit);
      };
      const timer = setTimeout(() => {
        this.events.off(event, check);
        reject(new Error(`fake Slack API: no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.events.on(event, check);
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      await this.route(req, res);
    } catch (err) {
      // A malformed request must fail that request, not crash the jest worker with an unhandled rejection.
      if (!res.headersSent) send(res, { status: 400, body: { ok: false, error: 'invalid_request', detail: String(err) } });
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const path = req.url ?? '';
    if (path.startsWith('/upload/')) {
      this.uploads.set(path.slice('/upload/'.length), await uploadedBytes(raw, String(req.headers['content-type'] ?? '')));
      return send(res, { status: 200, body: { ok: true } }, 'text/plain');
    }
    if (path.startsWith('/files/')) {
      // url_private_download: only with a bot token, as Slack requires.
      const file = this.hosted.get(path.slice('/files/'.length));
      const auth = String(req.headers.authorization ?? '');
      this.downloads.push({ id: path.slice('/files/'.length), authorization: auth });
      if (!auth.startsWith('Bearer xoxb-')) return send(res, { status: 403, body: { ok: false, error: 'not_authed' } });
      // Slack serves url_private(_download) only to a token with files:read.
      if (!this.granted.has('files:read')) return send(res, { status: 403, body: { ok: false, error: 'missing_scope', needed: 'files:read', provided: this.scopes().join(',') } });
      if (!file) return send(res, { status: 404, body: { ok: false, error: 'file_not_found' } });
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(file);
      return;
    }
    if (path.startsWith('/response/')) {
      const body = JSON.parse(raw.toString() || '{}') as Document;
      const violation = responseUrlViolation(body);
      this.responses.push({ id: path.slice('/response/'.length), body, at: new Date(), ...(violation ? { refused: violation } : {}) });
      this.events.emit('response');
      // Slack refuses a response_url message it would not show, with a 4xx the caller's HTTP client throws on.
      if (violation) return send(res, { status: 400, body: { ok: false, error: 'invalid_blocks', errors: [violation] } });
      return send(res, { body: { ok: true } });
    }
    const method = path.replace(/^\/api\//, '').split('?')[0] ?? '';
    const args = await parseArgs(raw, String(req.headers['content-type'] ?? ''));
    const token = String(req.headers.authorization ?? '').replace(/^Bearer /, '') || (args.token as string | undefined);
    const call: SlackCall = { method, token, args, at: new Date() };
    this.calls.push(call);
    this.events.emit('call');
    if (this.authToken !== undefined && token !== this.authToken) return send(res, { body: { ok: false, error: 'invalid_auth' } });
    const scopeHeaders = { 'x-oauth-scopes': this.scopes().join(',') };
    const scope = checkScopes(method, args, token, this.granted, (id) => this.channelKinds.get(id) ?? channelKindOf(id));
    if (!scope.ok) {
      if (scope.error === 'unknown_method') this.unknownMethods.push(method);
      const body = scope.error === 'missing_scope' ? { ok: false, error: scope.error, needed: scope.needed, provided: this.scopes().join(',') } : { ok: false, error: scope.error };
      return send(res, { body, headers: scopeHeaders });
    }
    const scripted = this.nextScript(method, call);
    // A slow Slack: the timer must not keep the test process alive once the fake is closed.
    if (scripted?.delayMs) await new Promise((r) => setTimeout(r, scripted.delayMs).unref());
    if (scripted && !scripted.accepted) return send(res, scripted);
    const body = this.carryOut(call);
    return send(res, scripted ?? { body });
  }

  /** Does what Slack would for a call and returns its answer: checks, then keeps posts, lists threads. */
  private carryOut(call: SlackCall): Document {
    if (call.method === 'conversations.replies') {
      const threadTs = String(call.args.ts);
      const [first, ...rest] = this.thread(String(call.args.channel), threadTs);
      const parent = first?.ts === threadTs ? first : undefined;
      return repliesPage(parent, parent ? rest : [first, ...rest].filter((m): m is KeptMessage => m !== undefined), threadTs, call.args);
    }
    const violation = blockKitViolation(call.method, call.args);
    if (violation) return { ok: false, error: 'invalid_blocks', errors: [violation] };
    if (call.method === 'chat.delete') return this.deleteMessage(String(call.args.channel), String(call.args.ts));
    if (call.method === 'files.delete') return this.deleteFile(String(call.args.file));
    const body = defaultResponse(call, `${this.origin}/`);
    // Remember what a post answered, so conversations.replies can show the thread as Slack would.
    if (call.method === 'chat.postMessage' && body.ok) call.result = body;
    if (call.method === 'files.completeUploadExternal' && body.ok) call.result = { ...body, ts: nextTs() };
    return body;
  }

  /** A bot may delete only its own messages (Slack: `cant_delete_message`); a deleted one is gone. */
  private deleteMessage(channel: string, ts: string): Document {
    const key = `${channel}/${ts}`;
    if (this.deleted.has(key)) return { ok: false, error: 'message_not_found' };
    if (this.userPosts.some((p) => p.channel === channel && p.ts === ts)) return { ok: false, error: 'cant_delete_message' };
    const posted = this.calls.some(
      (c) => c.result?.ts === ts && ((c.method === 'chat.postMessage' && c.args.channel === channel) || (c.method === 'files.completeUploadExternal' && c.args.channel_id === channel)),
    );
    if (!posted) return { ok: false, error: 'message_not_found' };
    this.deleted.add(key);
    return { ok: true, channel, ts };
  }

  /** A bot may delete only files it uploaded (Slack: `cant_delete_file`). */
  private deleteFile(id: string): Document {
    if (this.deletedFiles.has(id)) return { ok: false, error: 'file_deleted' };
    if (this.hosted.has(id)) return { ok: false, error: 'cant_delete_file' };
    const ours = this.calls.some((c) => c.method === 'files.getUploadURLExternal' && c.result?.file_id === id) || this.uploadedIds().has(id);
    if (!ours) return { ok: false, error: 'file_not_found' };
    this.deletedFiles.add(id);
    return { ok: true };
  }

  private uploadedIds(): Set<string> {
    return new Set(this.calls.filter((c) => c.method === 'files.completeUploadExternal').flatMap((c) => ((c.args.files as Document[] | undefined) ?? []).map((f) => String(f.id))));
  }

  private nextScript(method: string, call: SlackCall): ScriptedResponse | undefined {
    const list = this.scripts.get(method);
    const head = list?.[0];
    if (!head) return undefined;
    if (typeof head === 'function') return head(call) as ScriptedResponse | undefined;
    list.shift();
    return head;
  }
}

/** Starts a fake on a random 127.0.0.1 port; give `api.url` to the WebClient as `slackApiUrl`. */
export async function startFakeSlackApi(options: FakeSlackApiOptions = {}): Promise<FakeSlackApi> {
  const api = await new FakeSlackApi(options.scopes).start();
  api.setAuthToken(options.authToken);
  return api;
}

/** One fake for a test file: started before its tests, closed after, its record cleared before each; a test that called an unknown method fails. */
export function useFakeSlackApi(options: Pick<FakeSlackApiOptions, 'scopes'> = {}): FakeSlackApi {
  const api = new FakeSlackApi(options.scopes);
  beforeAll(() => api.start());
  afterAll(() => api.close());
  beforeEach(() => api.reset());
  afterEach(() => api.failOnUnknownMethods());
  return api;
}

/** Slack bodies always carry `ok`; a `{ body, status… }` wrapper never does. */
function asScripted(x: Document, options: ScriptOptions): ScriptedResponse {
  return 'body' in x && !('ok' in x) ? (x as ScriptedResponse) : { ...options, body: x };
}

/** Form (the WebClient's default), JSON, or multipart (when an argument is a Buffer). */
async function parseArgs(raw: Buffer, contentType: string): Promise<Record<string, unknown>> {
  if (raw.length === 0) return {};
  if (contentType.includes('application/json')) return JSON.parse(raw.toString()) as Record<string, unknown>;
  const entries: [string, unknown][] = contentType.startsWith('multipart/')
    ? [...(await new Response(raw, { headers: { 'content-type': contentType } }).formData())]
    : [...new URLSearchParams(raw.toString())];
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) out[k] = typeof v === 'string' && JSON_FIELDS.has(k) ? tryJson(v) : v;
  return out;
}

function tryJson(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

/** The file's bytes: the WebClient uploads them as multipart form data (field `body`), or raw. */
async function uploadedBytes(raw: Buffer, contentType: string): Promise<Buffer> {
  if (!contentType.startsWith('multipart/')) return raw;
  const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
  const file = form.get('body') ?? form.get('file');
  return file instanceof Blob ? Buffer.from(await file.arrayBuffer()) : Buffer.from(String(file ?? ''));
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, r: ScriptedResponse, type = 'application/json'): void {
  res.writeHead(r.status ?? 200, { 'content-type': type === 'text/plain' ? 'text/plain' : 'application/json; charset=utf-8', ...r.headers });
  res.end(type === 'text/plain' ? 'OK' : JSON.stringify(r.body));
}
