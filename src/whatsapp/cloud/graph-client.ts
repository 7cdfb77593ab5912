import { classifyNetworkError, classifySendError, type SendDecision } from './send-errors';

/** A Graph API call that did not succeed, already classified by code (send-errors.ts). */
export class GraphCallError extends Error {
  constructor(
    readonly decision: SendDecision,
    /** The HTTP status, or undefined when no answer came (network, timeout). */
    readonly status?: number,
  ) {
    super(decision.reason);
    this.name = 'GraphCallError';
  }
}

export interface GraphClientOptions {
  apiUrl: string;
  apiVersion: string;
  /** Sent as a Bearer header only; never put in an error message or a log line. */
  token: string;
  /** Per call; a media download counts as one call. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  clock?: () => Date;
}

const DEFAULT_TIMEOUT_MS = 20_000;

/**
 * The few Graph API calls the Cloud API gateway makes, over plain `fetch` (Meta's Node SDK is
 * archived; our surface is small): JSON in and out under `<apiUrl>/<apiVersion>`, the token as a
 * Bearer header, a timeout per call. Every failure becomes a {@link GraphCallError} decided by
 * Meta's error code, so callers never read Meta's message text.
 */
export class GraphClient {
  private readonly base: string;
  private readonly timeoutMs: number;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: GraphClientOptions) {
    this.base = `${options.apiUrl.replace(/\/+$/, '')}/${options.apiVersion}`;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  get<T>(path: string): Promise<T> {
    return this.json<T>('GET', path);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.json<T>('POST', path, JSON.stringify(body), { 'content-type': 'application/json' });
  }

  /** Uploads a file to `/<phone-number-id>/media` (multipart); resolves with the media id. */
  async upload(phoneNumberId: string, file: { data: Buffer; mimetype: string; filename?: string }): Promise<string> {
    const form = new FormData();
    form.set('messaging_product', 'whatsapp');
    form.set('type', file.mimetype);
    form.set('file', new Blob([new Uint8Array(file.data)], { type: file.mimetype }), file.filename ?? 'file');
    const answer = await this.json<{ id?: unknown }>('POST', `/${phoneNumberId}/media`, form);
    if (typeof answer.id !== 'string') throw new GraphCallError({ kind: 'retry', reason: 'WhatsApp answered the upload without a media id; it will be tried again.' }, 200);
    return answer.id;
  }

  /**
   * A media id's bytes: its URL first (it lives about five minutes), then the file itself, which
   * needs the same Bearer token. `maxBytes` stops a download that says or turns out to be larger.
   */
  async download(mediaId: string, maxBytes: number): Promise<{ data: Buffer; mimetype?: string }> {
    const meta = await this.get<{ url?: unknown; mime_type?: unknown; file_size?: unknown }>(`/${encodeURIComponent(mediaId)}`);
    if (typeof meta.url !== 'string') throw new GraphCallError({ kind: 'rejected', reason: 'WhatsApp gave no download address for the file.' }, 200);
    if (typeof meta.file_size === 'number' && meta.file_size > maxBytes) throw new GraphCallError({ kind: 'rejected', reason: `The file is larger than ${maxBytes} bytes.` }, 200);
    const res = await this.call('GET', meta.url);
    if (!res.ok) throw await this.failure(res);
    const data = Buffer.from(await res.arrayBuffer());
    if (data.length > maxBytes) throw new GraphCallError({ kind: 'rejected', reason: `The file is larger than ${maxBytes} bytes.` }, 200);
    return { data, ...(typeof meta.mime_type === 'string' ? { mimetype: meta.mime_type } : {}) };
  }

  private async json<T>(method: string, path: string, body?: string | FormData, headers: Record<string, string> = {}): Promise<T> {
    const res = await this.call(method, `${this.base}${path}`, body, headers);
    if (!res.ok) throw await this.failure(res);
    try {
      return (await res.json()) as T;
    } catch {
      throw new GraphCallError({ kind: 'retry', reason: 'WhatsApp sent an answer that could not be read; it will be tried again.' }, res.status);
    }
  }

  private async call(method: string, url: string, body?: string | FormData, headers: Record<string, string> = {}): Promise<Response> {
    try {
      return await this.fetch(url, {
        method,
        headers: { ...headers, authorization: `Bearer ${this.options.token}` },
        ...(body !== undefined ? { body } : {}),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new GraphCallError(classifyNetworkError(err));
    }
  }

  private async failure(res: Response): Promise<GraphCallError> {
    const text = await res.text().catch(() => '');
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: classified by HTTP status
    }
    const now = this.options.clock?.() ?? new Date();
    return new GraphCallError(classifySendError({ status: res.status, body, retryAfter: res.headers.get('retry-after'), now }), res.status);
  }
}
