import type { Clock } from '../../clock';
import type { Logger } from '../../logger';
import {
  GatewaySendError,
  type ConnectionState,
  type GatewayCapabilities,
  type GatewayEvent,
  type GatewayStatus,
  type MissedMessages,
  type OutboundMedia,
  type SendOptions,
  type SentMessage,
  type WhatsAppGateway,
} from '../gateway';
import type { CloudConfig } from './cloud-config';
import { GraphCallError, GraphClient } from './graph-client';
import { SendRate } from './send-rate';
import { splitText } from './text-parts';
import { readWebhook, type WebhookItem, type WebhookReadResult } from './webhook-payload';

export interface CloudGatewayDeps {
  config: CloudConfig;
  clock: Clock;
  logger: Logger;
  /** Tests may pass their own; by default one built from `config`. */
  graph?: GraphClient;
  /** Start-check retries: `baseMs` doubling up to `maxMs`. */
  backoff?: { baseMs: number; maxMs: number };
  /** Waits of the send rate and of a later part's retry (tests may shorten them). */
  sleep?: (ms: number) => Promise<void>;
}

/** Meta's media size limits by message type (Cloud API notes §2, via AWS's copy of Meta's table). */
const MB = 1024 * 1024;
export const MEDIA_LIMITS = { image: 5 * MB, audio: 16 * MB, video: 16 * MB, document: 100 * MB, sticker: 500 * 1024 } as const;
type MediaType = keyof typeof MEDIA_LIMITS;
const TYPE_WORD: Record<MediaType, string> = { image: 'images', audio: 'audio files', video: 'videos', document: 'documents', sticker: 'stickers' };
const MAX_CAPTION = 1024;
/** What an inbound file may weigh here; the bridge applies its own (smaller) limit after. */
const MAX_DOWNLOAD_BYTES = 100 * MB;
/** A later part of a long text that meets a rate limit is retried here this many times (see sendParts). */
const LATER_PART_TRIES = 4;
/** Chats whose last inbound message id is kept for markRead (the oldest forgotten first). */
const REMEMBERED_CHATS = 10_000;

const digitsOf = (chatId: string): string => chatId.replace(/@.*$/, '');

/**
 * The WhatsApp Business Platform Cloud API (Meta's Graph API) behind the port. Nothing to log in
 * to: `start()` checks the phone number id with the token, and inbound traffic arrives as
 * webhooks, which the webhook routes store and hand to {@link ingest}.
 */
export class CloudGateway implements WhatsAppGateway {
  /** The Cloud API cannot edit or delete a sent message, nor read a chat's history. */
  readonly capabilities: GatewayCapabilities = Object.freeze({ edit: false, revoke: false, history: false });
  private readonly listeners = new Set<(event: GatewayEvent) => void>();
  private readonly graph: GraphClient;
  private readonly rate: SendRate;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly log: Logger;
  private current: GatewayStatus;
  private retry: NodeJS.Timeout | undefined;
  private attempt = 0;
  private stopped = true;
  private readonly startedHooks = new Set<() => Promise<void>>();
  /** The last inbound message id per chat (markRead) and the chat of each message id we know (react). */
  private readonly lastInbound = new Map<string, string>();
  private readonly chatOf = new Map<string, string>();

  constructor(private readonly deps: CloudGatewayDeps) {
    const { config, clock } = deps;
    this.graph = deps.graph ?? new GraphClient({ apiUrl: config.apiUrl, apiVersion: config.apiVersion, token: config.token, clock });
    this.sleep = deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.rate = new SendRate(config.sendPerSecond, clock, this.sleep);
    this.log = deps.logger;
    this.current = { state: 'stopped', since: clock() };
  }

  // ---- lifecycle ----

  /** Never throws: a wrong token or an unreachable Graph API is a state with a one-line detail (Slack keeps working). */
  async start(): Promise<void> {
    this.stopped = false;
    this.setState('starting');
    await this.check();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    this.setState('stopped');
  }

  status(): GatewayStatus {
    return this.current;
  }

  on(listener: (event: GatewayEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The settings it runs with (the webhook routes need the app secret and verify token). */
  get config(): CloudConfig {
    return this.deps.config;
  }

  /** Whether started (and not stopped): webhooks stored before that wait for {@link onStarted}'s drain. */
  get running(): boolean {
    return !this.stopped;
  }

  /** Runs `hook` each time the gateway starts, after listeners are in place (the webhook inbox drains then). */
  onStarted(hook: () => Promise<void>): () => void {
    this.startedHooks.add(hook);
    return () => this.startedHooks.delete(hook);
  }

  browserPid(): number | undefined {
    return undefined;
  }

  private async check(): Promise<void> {
    const { config } = this.deps;
    try {
      const number = await this.graph.get<{ display_phone_number?: string; verified_name?: string }>(`/${config.phoneNumberId}?fields=display_phone_number,verified_name`);
      if (this.stopped) return;
      this.attempt = 0;
      this.setState('connected', [number.verified_name, number.display_phone_number].filter(Boolean).join(' · ') || undefined);
    } catch (err) {
      if (this.stopped) return;
      this.setState('unreachable', startProblem(err));
      const { baseMs, maxMs } = this.deps.backoff ?? { baseMs: 2_000, maxMs: 300_000 };
      const wait = Math.min(maxMs, baseMs * 2 ** this.attempt++);
      this.retry = setTimeout(() => void this.check(), wait);
      this.retry.unref();
    }
    // Stored webhooks are processed even while the Graph API is unreachable: only media needs it.
    for (const hook of this.startedHooks) await hook().catch((err: unknown) => this.log.warn({ err }, 'could not process stored webhooks at start; they wait for the next start'));
  }

  private setState(state: ConnectionState, detail?: string): void {
    if (this.current.state === state && this.current.detail === detail) return;
    this.current = { state, since: this.deps.clock(), ...(detail ? { detail } : {}) };
    if (state === 'unreachable') this.log.warn({ state, detail }, 'WhatsApp Cloud API unreachable');
    else this.log.info({ state, ...(detail ? { detail } : {}) }, 'WhatsApp Cloud API state');
    this.emit({ type: 'state', status: this.current });
  }

  private emit(event: GatewayEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  // ---- inbound ----

  /** Validates a webhook body; media in it is downloaded through the Graph API when its `fetch` is called. */
  read(body: unknown): WebhookReadResult {
    return readWebhook(body, { downloadMedia: async (mediaId) => (await this.graph.download(mediaId, MAX_DOWNLOAD_BYTES)).data });
  }

  /** Turns a webhook's items into the port's events, in order. */
  ingest(items: WebhookItem[]): void {
    for (const item of items) {
      switch (item.type) {
        case 'message':
          this.remember(item.message.from, item.message.id, true);
          this.emit({ type: 'message', message: item.message });
          break;
        case 'reaction':
          this.emit({ type: 'reaction', messageId: item.messageId, chatId: item.chatId, from: item.from, emoji: item.emoji, at: item.at });
          break;
        case 'ack':
          // Statuses arrive out of order and twice; the bridge's advanceAck only moves a reply forward.
          if (item.error) this.log.warn({ messageId: item.messageId, code: item.error.code, title: item.error.title }, 'WhatsApp reports a message as failed');
          this.emit({ type: 'ack', messageId: item.messageId, ack: item.ack });
          break;
        case 'marketing_preference':
          this.emit({ type: 'marketing_preference', from: item.chatId, preference: item.preference, at: item.at });
          break;
        case 'error':
          this.log.warn({ code: item.error.code, title: item.error.title, details: item.error.details }, 'WhatsApp reported an error in a webhook');
          break;
        case 'template_status':
          this.log.info({ template: item.name, language: item.language, event: item.event, reason: item.reason }, 'WhatsApp template status changed');
          break;
        case 'ignored':
          this.log.debug({ field: item.field, reason: item.reason }, 'webhook item not acted on');
          break;
      }
    }
  }

  private remember(chatId: string, messageId: string, inbound: boolean): void {
    if (inbound) {
      this.lastInbound.delete(chatId);
      this.lastInbound.set(chatId, messageId);
      if (this.lastInbound.size > REMEMBERED_CHATS) this.lastInbound.delete(this.lastInbound.keys().next().value!);
    }
    this.chatOf.set(messageId, chatId);
    if (this.chatOf.size > REMEMBERED_CHATS * 10) this.chatOf.delete(this.chatOf.keys().next().value!);
  }

  // ---- outbound ----

  /**
   * Texts over 4,096 characters go as several messages, in order. The id returned is the LAST
   * part's: it is the one the reply's delivery state follows, and a `read` for it means the whole
   * reply was read (reading a message marks the earlier ones read). The wwebjs gateway never splits
   * (WhatsApp Web takes long texts), so there is no multi-part record to follow.
   */
  async sendText(chatId: string, text: string, options?: SendOptions): Promise<SentMessage> {
    const parts = splitText(text);
    if (parts.length === 0) throw new GatewaySendError('rejected', 'the message is empty');
    return this.sendParts(chatId, parts.map((body) => ({ type: 'text', text: { preview_url: false, body } })), options);
  }

  async sendMedia(chatId: string, media: OutboundMedia, options?: SendOptions): Promise<SentMessage> {
    const type = mediaTypeOf(media.mimetype);
    const limit = MEDIA_LIMITS[type];
    // Before the upload: a file WhatsApp would refuse is not sent to Meta at all.
    if (media.data.length > limit) {
      throw new GatewaySendError('rejected', `WhatsApp accepts ${TYPE_WORD[type]} up to ${sizeText(limit)}; this file is ${sizeText(media.data.length)}`);
    }
    let id: string;
    try {
      id = await this.graph.upload(this.deps.config.phoneNumberId, media);
    } catch (err) {
      throw sendError(err);
    }
    // Audio and stickers take no caption, and a caption holds 1,024 characters: otherwise the words follow as text.
    const captionFits = media.caption !== undefined && type !== 'audio' && type !== 'sticker' && media.caption.length <= MAX_CAPTION;
    const body: Record<string, unknown> = { id, ...(captionFits ? { caption: media.caption } : {}), ...(type === 'document' && media.filename ? { filename: media.filename } : {}) };
    const follow = media.caption && !captionFits ? splitText(media.caption).map((t) => ({ type: 'text', text: { preview_url: false, body: t } })) : [];
    return this.sendParts(chatId, [{ type, [type]: body }, ...follow], options);
  }

  /**
   * Sends the parts in order, each after the rate wait and `options.check` (consent is judged as each
   * part goes; a STOP between parts stops the rest). The first part's failure is the caller's to
   * retry. A later part's cannot be: the parts before it are out, and nothing here can tell a retry
   * which (no history), so a rate limit there is waited out in place, and anything else ends the
   * send as rejected, saying how much arrived.
   */
  private async sendParts(chatId: string, parts: Array<Record<string, unknown>>, options?: SendOptions): Promise<SentMessage> {
    let last: SentMessage | undefined;
    for (const [i, part] of parts.entries()) {
      const context = i === 0 && options?.quotedMessageId ? { context: { message_id: options.quotedMessageId } } : {};
      const payload = { messaging_product: 'whatsapp', recipient_type: 'individual', to: digitsOf(chatId), ...part, ...context };
      for (let tries = 1; ; tries++) {
        try {
          last = await this.sendOne(chatId, payload, options);
          break;
        } catch (err) {
          if (i === 0 || !(err instanceof GatewaySendError)) throw err;
          if ((err.kind === 'rate_limited' || err.kind === 'unknown') && tries < LATER_PART_TRIES) {
            await this.sleep(1000 * 2 ** tries);
            continue;
          }
          throw new GatewaySendError('rejected', `only the first ${i} of ${parts.length} parts reached WhatsApp: ${err.message}`);
        }
      }
    }
    return last!;
  }

  private async sendOne(chatId: string, payload: Record<string, unknown>, options?: SendOptions): Promise<SentMessage> {
    await this.rate.take();
    // The send-time gate: after the rate wait, immediately before the request (SendOptions.check).
    await options?.check?.();
    let answer: { messages?: Array<{ id?: string }> };
    try {
      answer = await this.graph.post(`/${this.deps.config.phoneNumberId}/messages`, payload);
    } catch (err) {
      if (err instanceof GraphCallError && err.decision.kind === 'marketing_stopped') {
        // 131050 is WhatsApp saying the contact stopped marketing messages: the same ledger entry as the webhook's.
        this.emit({ type: 'marketing_preference', from: chatId, preference: 'stop', at: this.deps.clock() });
      }
      throw sendError(err);
    }
    const id = answer.messages?.[0]?.id;
    if (!id) throw new GatewaySendError('unknown', 'WhatsApp accepted the message without giving its id');
    this.remember(chatId, id, false);
    return { id, at: this.deps.clock() };
  }

  async react(messageId: string, emoji: string): Promise<void> {
    const chatId = this.chatOf.get(messageId);
    if (!chatId) throw new GatewaySendError('rejected', 'the chat of that message is not known here (the Cloud API needs it to react)');
    await this.sendOne(chatId, { messaging_product: 'whatsapp', recipient_type: 'individual', to: digitsOf(chatId), type: 'reaction', reaction: { message_id: messageId, emoji } });
  }

  async edit(): Promise<void> {
    throw new GatewaySendError('rejected', 'the WhatsApp Cloud API cannot edit a sent message: the contact keeps the original');
  }

  async revoke(): Promise<void> {
    throw new GatewaySendError('rejected', 'the WhatsApp Cloud API cannot delete a sent message: the contact keeps it');
  }

  /** Marks the chat's last inbound message read (which marks the earlier ones too); best effort: known only since this process started. */
  async markRead(chatId: string): Promise<void> {
    const messageId = this.lastInbound.get(chatId);
    if (!messageId) return;
    try {
      await this.graph.post(`/${this.deps.config.phoneNumberId}/messages`, { messaging_product: 'whatsapp', status: 'read', message_id: messageId });
    } catch (err) {
      throw sendError(err);
    }
  }

  /**
   * The Cloud API cannot read a chat's history, so this is always empty. For the deliverer's
   * "already sent?" check after a crash it means: a reply whose send reached Meta but whose
   * `markSent` did not reach the store is sent again. That window is the length of one HTTP answer.
   */
  async recentOwnMessages(): Promise<Array<{ id: string; text: string; at: Date }>> {
    return [];
  }

  /**
   * Nothing to catch up from: Meta redelivers webhooks it got no 200 for, and every webhook we
   * answered was stored first (cloud_webhooks) and is processed after a crash.
   */
  async messagesSince(): Promise<MissedMessages> {
    return { messages: [], truncatedChats: 0 };
  }
}

/** The message type a file goes as: what WhatsApp shows inline, anything else as a document. */
export function mediaTypeOf(mimetype: string): MediaType {
  const m = mimetype.toLowerCase().split(';')[0]!.trim();
  if (m === 'image/jpeg' || m === 'image/png') return 'image';
  if (m === 'image/webp') return 'sticker';
  if (['audio/aac', 'audio/amr', 'audio/mpeg', 'audio/mp4', 'audio/ogg'].includes(m)) return 'audio';
  if (m === 'video/mp4' || m === 'video/3gpp') return 'video';
  return 'document';
}

function sizeText(bytes: number): string {
  return bytes >= MB ? `${(bytes / MB).toFixed(bytes % MB === 0 ? 0 : 1)} MB` : `${Math.round(bytes / 1024)} KB`;
}

/** The port's error for a Graph API failure, decided by code (send-errors.ts). */
function sendError(err: unknown): Error {
  if (!(err instanceof GraphCallError)) return err instanceof Error ? err : new Error(String(err));
  const { kind, reason } = err.decision;
  if (kind === 'rate_limited') return new GatewaySendError('rate_limited', reason);
  if (kind === 'retry') return new GatewaySendError('unknown', reason);
  return new GatewaySendError('rejected', reason);
}

/** One line for /readyz and the log, naming the setting to look at. */
function startProblem(err: unknown): string {
  if (err instanceof GraphCallError) {
    if (err.decision.code === 190 || err.status === 401) return 'the Graph API refused WHATSAPP_CLOUD_TOKEN (error 190): replace the token';
    if (err.status === undefined) return 'the Graph API could not be reached: check WHATSAPP_CLOUD_API_URL and the network (retrying)';
    if (err.decision.code === 100) return `the Graph API does not know WHATSAPP_CLOUD_PHONE_NUMBER_ID, or the token may not use it (${err.decision.reason})`;
    return `the Graph API refused the start check: ${err.decision.reason}`;
  }
  return `the start check failed: ${err instanceof Error ? err.message : String(err)}`;
}
