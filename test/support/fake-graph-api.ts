import { createHash, createHmac } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the fake received, whatever came of it. */
export interface GraphCall {
  method: string;
  /** Path without the version prefix and query, e.g. `/1065…/messages`. */
  path: string;
  query: URLSearchParams;
  authorization: string;
  /** JSON body, or the multipart fields of an upload (the file as its size). */
  body?: Record<string, unknown>;
  status: number;
  answer?: unknown;
  at: Date;
}

/** A message Meta accepted: what we sent and the wamid it got. */
export interface AcceptedSend {
  wamid: string;
  to: string;
  type: string;
  body: Record<string, unknown>;
}

export interface HostedMedia {
  data: Buffer;
  mimetype: string;
  filename?: string;
}

export interface ScriptedGraphError {
  code: number;
  status?: number;
  subcode?: number;
  details?: string;
  retryAfter?: string;
  /** Close the connection without an answer instead (a network failure). */
  drop?: boolean;
}

export interface FakeGraphApiOptions {
  token?: string;
  version?: string;
  phoneNumberId?: string;
  wabaId?: string;
  /** Templates per page of `message_templates` when the caller gives no `limit`. */
  templatePageSize?: number;
}

const SEND_TYPES = new Set(['text', 'image', 'audio', 'video', 'document', 'sticker', 'reaction', 'template', 'interactive', 'location', 'contacts']);
const MEDIA_TYPES = new Set(['image', 'audio', 'video', 'document', 'sticker']);

/**
 * Meta's Graph API (the WhatsApp Cloud API part of it), faked over real HTTP on 127.0.0.1: point
 * `WHATSAPP_CLOUD_API_URL` at `origin`. It checks the Bearer token (190 otherwise) and the version
 * prefix, records every call, refuses what Meta refuses in what we send (messaging_product, `to` as
 * digits, text ≤ 4,096, caption ≤ 1,024, unknown media ids), and can answer the next sends with
 * errors by code. Error bodies have Meta's shape: `{error:{message,type,code,error_subcode,error_data,fbtrace_id}}`.
 */
export class FakeGraphApi {
  readonly calls: GraphCall[] = [];
  readonly sends: AcceptedSend[] = [];
  readonly reads: string[] = [];
  readonly media = new Map<string, HostedMedia>();
  readonly downloads: Array<{ mediaId: string; authorization: string }> = [];
  templates: Array<Record<string, unknown>> = [];
  token: string;
  readonly version: string;
  readonly phoneNumberId: string;
  readonly wabaId: string;
  origin = '';
  private readonly templatePageSize: number;
  private readonly scripted: ScriptedGraphError[] = [];
  private readonly expired = new Set<string>();
  private counter = 0;
  private readonly events = new EventEmitter();
  private readonly server = createServer((req, res) => void this.handle(req, res));

  constructor(options: FakeGraphApiOptions = {}) {
    this.token = options.token ?? 'EAAG-test-token';
    this.version = options.version ?? 'v23.0';
    this.phoneNumberId = options.phoneNumberId ?? '106540352242922';
    this.wabaId = options.wabaId ?? '102290129340398';
    this.templatePageSize = options.templatePageSize ?? 25;
  }

  async start(): Promise<this> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The next `times` message sends (not mark-as-read) fail with this error; calls queue up. */
  failSends(error: ScriptedGraphError, times = 1): void {
    for (let i = 0; i < times; i++) this.scripted.push(error);
  }

  /** Media as if a customer had sent it: its id goes into an inbound webhook. */
  hostMedia(data: Buffer, mimetype: string, filename?: string): string {
    const id = String(9_000_000_000 + ++this.counter);
    this.media.set(id, { data, mimetype, ...(filename ? { filename } : {}) });
    return id;
  }

  /** Media download URLs handed out so far stop working, as Meta's do after about five minutes. */
  expireMediaUrls(): void {
    for (const id of this.media.keys()) this.expired.add(id);
  }

  /** Resolves with the first accepted send (made or arriving) that matches. */
  waitForSend(match: (send: AcceptedSend) => boolean = () => true, timeoutMs = 3000): Promise<AcceptedSend> {
    const found = this.sends.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = this.sends.find(match);
        if (!hit) return;
        clearTimeout(timer);
        this.events.off('send', check);
        resolve(hit);
      };
      const timer = setTimeout(() => {
        this.events.off('send', check);
        reject(new Error(`fake Graph API: no matching send within ${timeoutMs} ms`));
      }, timeoutMs);
      this.events.on('send', check);
    });
  }

  reset(): void {
    this.calls.length = 0;
    this.sends.length = 0;
    this.reads.length = 0;
    this.downloads.length = 0;
    this.scripted.length = 0;
    this.media.clear();
    this.expired.clear();
    this.templates = [];
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin);
    const call: GraphCall = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, authorization: String(req.headers.authorization ?? ''), status: 0, at: new Date() };
    this.calls.push(call);
    const answer = (status: number, body: unknown) => {
      call.status = status;
      call.answer = body;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    try {
      const raw = await readBody(req);
      if (url.pathname === '/whatsapp_business/attachments/') return this.download(url, call, res, answer);
      if (call.authorization !== `Bearer ${this.token}`) return answer(401, graphError(190, 'Invalid OAuth access token - Cannot parse access token'));
      const prefix = `/${this.version}/`;
      if (!url.pathname.startsWith(prefix)) return answer(400, graphError(2500, `Unknown path components: ${url.pathname} (this fake serves ${this.version})`));
      call.path = url.pathname.slice(prefix.length - 1);
      const [, node, edge, ...more] = call.path.split('/');
      if (more.length > 0 || !node) return answer(400, graphError(2500, `Unknown path components: ${call.path}`));
      if (call.method === 'POST' && edge === 'messages') {
        call.body = JSON.parse(raw.toString() || '{}') as Record<string, unknown>;
        if (node !== this.phoneNumberId) return answer(400, graphError(100, `Unsupported post request. Object with ID '${node}' does not exist`, { subcode: 33 }));
        return this.message(call.body, res, answer);
      }
      if (call.method === 'POST' && edge === 'media') {
        if (node !== this.phoneNumberId) return answer(400, graphError(100, `Unsupported post request. Object with ID '${node}' does not exist`, { subcode: 33 }));
        return this.upload(raw, String(req.headers['content-type'] ?? ''), call, answer);
      }
      if (call.method === 'GET' && edge === 'message_templates' && node === this.wabaId) return answer(200, this.templatePage(url));
      if (call.method === 'GET' && edge === undefined && node === this.phoneNumberId) {
        // The phone number node (the gateway's start check).
        return answer(200, { display_phone_number: '15550783881', verified_name: 'Test Business', quality_rating: 'GREEN', id: node });
      }
      if (call.method === 'GET' && edge === undefined) {
        const media = this.media.get(node);
        if (!media) return answer(400, graphError(100, `Unsupported get request. Object with ID '${node}' does not exist`, { subcode: 33 }));
        const sha256 = createHash('sha256').update(media.data).digest('hex');
        return answer(200, { messaging_product: 'whatsapp', url: `${this.origin}/whatsapp_business/attachments/?mid=${node}`, mime_type: media.mimetype, sha256, file_size: media.data.length, id: node });
      }
      return answer(400, graphError(2500, `Unknown path components: ${call.path}`));
    } catch (err) {
      if (!res.headersSent) answer(400, graphError(100, `Invalid request: ${String(err)}`));
    }
  }

  private message(body: Record<string, unknown>, res: ServerResponse, answer: (status: number, body: unknown) => void): void {
    if (body.messaging_product !== 'whatsapp') return answer(400, graphError(100, 'The parameter messaging_product is required.'));
    if (body.status === 'read') {
      if (typeof body.message_id !== 'string') return answer(400, graphError(100, 'The parameter message_id is required.'));
      this.reads.push(body.message_id);
      return answer(200, { success: true });
    }
    const scripted = this.scripted.shift();
    if (scripted?.drop) {
      res.destroy();
      return;
    }
    if (scripted) {
      if (scripted.retryAfter) res.setHeader('retry-after', scripted.retryAfter);
      return answer(scripted.status ?? 400, graphError(scripted.code, `(#${scripted.code}) scripted error`, scripted));
    }
    const invalid = invalidSend(body, this.media);
    if (invalid) return answer(400, graphError(100, '(#100) Invalid parameter', { details: invalid }));
    const to = String(body.to);
    const wamid = `wamid.${Buffer.from(`${to}:${++this.counter}`).toString('base64url')}`;
    this.sends.push({ wamid, to, type: String(body.type), body });
    this.events.emit('send');
    answer(200, { messaging_product: 'whatsapp', contacts: [{ input: to, wa_id: to }], messages: [{ id: wamid }] });
  }

  private async upload(raw: Buffer, contentType: string, call: GraphCall, answer: (status: number, body: unknown) => void): Promise<void> {
    if (!contentType.startsWith('multipart/form-data')) return answer(400, graphError(100, 'Uploads must be multipart/form-data.'));
    const form = await new Request('http://fake/', { method: 'POST', headers: { 'content-type': contentType }, body: raw }).formData();
    const file = form.get('file');
    call.body = { messaging_product: form.get('messaging_product'), type: form.get('type'), file: file instanceof Blob ? file.size : file };
    if (form.get('messaging_product') !== 'whatsapp') return answer(400, graphError(100, 'The parameter messaging_product is required.'));
    if (!(file instanceof Blob)) return answer(400, graphError(100, 'The parameter file is required.'));
    const type = String(form.get('type') ?? file.type);
    const id = String(8_000_000_000 + ++this.counter);
    const filename = (file as Blob & { name?: string }).name;
    this.media.set(id, { data: Buffer.from(await file.arrayBuffer()), mimetype: type, ...(filename ? { filename } : {}) });
    answer(200, { id });
  }

  private download(url: URL, call: GraphCall, res: ServerResponse, answer: (status: number, body: unknown) => void): void {
    const id = url.searchParams.get('mid') ?? '';
    this.downloads.push({ mediaId: id, authorization: call.authorization });
    // The download URL needs the same Bearer token as the API (Meta's media download reference).
    if (call.authorization !== `Bearer ${this.token}`) return answer(401, graphError(190, 'Invalid OAuth access token'));
    const media = this.media.get(id);
    if (!media || this.expired.has(id)) return answer(404, graphError(100, 'URL expired or media not found'));
    call.status = 200;
    res.writeHead(200, { 'content-type': media.mimetype, 'content-length': media.data.length });
    res.end(media.data);
  }

  private templatePage(url: URL): Record<string, unknown> {
    const limit = Number(url.searchParams.get('limit') ?? this.templatePageSize);
    const start = Number(Buffer.from(url.searchParams.get('after') ?? '', 'base64url').toString() || '0');
    const data = this.templates.slice(start, start + limit);
    const end = start + data.length;
    const cursor = (n: number) => Buffer.from(String(n)).toString('base64url');
    const paging: Record<string, unknown> = { cursors: { before: cursor(start), after: cursor(end) } };
    if (end < this.templates.length) {
      const next = new URL(url);
      next.searchParams.set('after', cursor(end));
      next.searchParams.set('limit', String(limit));
      paging.next = next.toString();
    }
    return { data, paging };
  }
}

function invalidSend(body: Record<string, unknown>, media: Map<string, HostedMedia>): string | undefined {
  if (typeof body.to !== 'string' || !/^\d{6,15}$/.test(body.to)) return `to must be the recipient's number in digits only, got ${JSON.stringify(body.to)}`;
  const type = String(body.type ?? 'text');
  if (!SEND_TYPES.has(type)) return `unknown message type ${type}`;
  const part = body[type] as Record<string, unknown> | undefined;
  if (typeof part !== 'object' || part === null) return `${type} object is required`;
  const context = body.context as { message_id?: unknown } | undefined;
  if (context !== undefined && typeof context?.message_id !== 'string') return 'context.message_id must be a string';
  if (type === 'text') {
    if (typeof part.body !== 'string' || part.body.length === 0) return "Param text['body'] is required";
    if (part.body.length > 4096) return "Param text['body'] must be at most 4096 characters long";
  }
  if (MEDIA_TYPES.has(type)) {
    if (typeof part.id !== 'string' && typeof part.link !== 'string') return `${type} needs id or link`;
    if (typeof part.id === 'string' && !media.has(part.id)) return `media id ${part.id} does not exist`;
    if (part.caption !== undefined && (type === 'audio' || type === 'sticker')) return `${type} messages take no caption`;
    if (typeof part.caption === 'string' && part.caption.length > 1024) return 'caption must be at most 1024 characters long';
  }
  if (type === 'reaction' && (typeof part.message_id !== 'string' || typeof part.emoji !== 'string')) return 'reaction needs message_id and emoji';
  if (type === 'reaction' && context !== undefined) return 'a reaction cannot be a contextual reply';
  if (type === 'template') {
    const language = part.language as { code?: unknown } | undefined;
    if (typeof part.name !== 'string' || typeof language?.code !== 'string') return 'template needs name and language.code';
  }
  return undefined;
}

function graphError(code: number, message: string, extra: { subcode?: number; details?: string } = {}): Record<string, unknown> {
  return {
    error: {
      message,
      type: 'OAuthException',
      code,
      ...(extra.subcode !== undefined ? { error_subcode: extra.subcode } : {}),
      ...(extra.details ? { error_data: { messaging_product: 'whatsapp', details: extra.details } } : {}),
      fbtrace_id: 'AfakeTrace',
    },
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

// --- webhook bodies -------------------------------------------------------------------------

export interface WebhookChangeSpec {
  messages?: Array<Record<string, unknown>>;
  statuses?: Array<Record<string, unknown>>;
  errors?: Array<Record<string, unknown>>;
  /** Profile names by wa_id for the `contacts[]` Meta puts beside messages. */
  names?: Record<string, string>;
  phoneNumberId?: string;
}

export interface WebhookSpec extends WebhookChangeSpec {
  wabaId?: string;
  /** Several entries, each with its changes (a messages change spec, or a raw `{field, value}`). */
  entries?: Array<{ wabaId?: string; time?: number; changes: Array<WebhookChangeSpec | { field: string; value: unknown }> }>;
}

const DEFAULT_WABA = '102290129340398';
const DEFAULT_PHONE_ID = '106540352242922';

/** A webhook body shaped like Meta's samples; one entry with one `messages` change unless `entries` says otherwise. */
export function buildWebhook(spec: WebhookSpec): { object: 'whatsapp_business_account'; entry: unknown[] } {
  const entries = spec.entries ?? [{ wabaId: spec.wabaId, changes: [spec] }];
  return {
    object: 'whatsapp_business_account',
    entry: entries.map((e) => ({
      id: e.wabaId ?? spec.wabaId ?? DEFAULT_WABA,
      ...(e.time !== undefined ? { time: e.time } : {}),
      changes: e.changes.map((c) => ('field' in c ? c : messagesChange(c))),
    })),
  };
}

function messagesChange(c: WebhookChangeSpec): { field: 'messages'; value: Record<string, unknown> } {
  const senders = [...new Set((c.messages ?? []).map((m) => String(m.from)))];
  const value: Record<string, unknown> = { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: c.phoneNumberId ?? DEFAULT_PHONE_ID } };
  if (senders.length > 0) value.contacts = senders.map((wa_id) => ({ profile: { name: c.names?.[wa_id] ?? `Customer ${wa_id.slice(-4)}` }, wa_id }));
  if (c.messages) value.messages = c.messages;
  if (c.statuses) value.statuses = c.statuses;
  if (c.errors) value.errors = c.errors;
  return { field: 'messages', value };
}

let wamidCounter = 0;
const unix = (at: Date) => String(Math.floor(at.getTime() / 1000));

/** An inbound message object; `body` is the type's own object (`{ body: 'hi' }` for text). */
export function inboundMessage(from: string, type: string, body: unknown, options: { id?: string; at?: Date; replyTo?: string } = {}): Record<string, unknown> {
  return {
    from,
    id: options.id ?? `wamid.IN${++wamidCounter}`,
    timestamp: unix(options.at ?? new Date()),
    type,
    [type]: body,
    ...(options.replyTo ? { context: { from: '15550783881', id: options.replyTo } } : {}),
  };
}

/** A status object for a message we sent; `failed` with `error` gets Meta's errors[] shape. */
export function statusUpdate(wamid: string, status: 'sent' | 'delivered' | 'read' | 'failed', recipient: string, options: { at?: Date; error?: { code: number; title: string; details?: string } } = {}): Record<string, unknown> {
  return {
    id: wamid,
    status,
    timestamp: unix(options.at ?? new Date()),
    recipient_id: recipient,
    ...(options.error ? { errors: [{ code: options.error.code, title: options.error.title, message: options.error.title, error_data: { details: options.error.details ?? options.error.title } }] } : {}),
  };
}

/** The `X-Hub-Signature-256` value Meta would send for these exact bytes. */
export function signWebhook(rawBody: Buffer | string, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}
