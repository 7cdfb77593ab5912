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
import { ChatMemory } from './chat-memory';
import { ingestItems } from './cloud-ingest';
import { CloudSender } from './cloud-send';
import { GraphCallError, GraphClient } from './graph-client';
import { SendRate } from './send-rate';
import { TemplateCatalog } from './template-catalog';
import { readWebhook, type WebhookItem, type WebhookReadResult } from './webhook-payload';

export { MEDIA_LIMITS, mediaTypeOf } from './cloud-send';

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

const MB = 1024 * 1024;
/** What an inbound file may weigh here; the bridge applies its own (smaller) limit after. */
const MAX_DOWNLOAD_BYTES = 100 * MB;

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
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly log: Logger;
  private current: GatewayStatus;
  private retry: NodeJS.Timeout | undefined;
  private attempt = 0;
  private stopped = true;
  private readonly startedHooks = new Set<() => Promise<void>>();
  private readonly memory = new ChatMemory();
  private readonly sender: CloudSender;
  /** The WABA's approved templates (read at start and on each template status webhook). */
  readonly templates: TemplateCatalog;

  constructor(private readonly deps: CloudGatewayDeps) {
    const { config, clock } = deps;
    this.graph = deps.graph ?? new GraphClient({ apiUrl: config.apiUrl, apiVersion: config.apiVersion, token: config.token, clock });
    this.sleep = deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    const rate = new SendRate(config.sendPerSecond, clock, this.sleep);
    this.sender = new CloudSender({ graph: this.graph, rate, clock, sleep: this.sleep, phoneNumberId: config.phoneNumberId, memory: this.memory, emit: (event) => this.emit(event) });
    this.log = deps.logger;
    this.templates = new TemplateCatalog({ graph: this.graph, wabaId: config.wabaId, log: this.log });
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
      // Read once connected; a failure is logged and the next template status webhook reads again.
      await this.templates.refresh().catch((err: unknown) => this.log.warn({ err }, 'could not read the WhatsApp templates; the picker offers none until they are read'));
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

  /** Turns a webhook's items into the port's events, in order (cloud-ingest.ts). */
  ingest(items: WebhookItem[]): void {
    ingestItems(items, {
      emit: (event) => this.emit(event),
      memory: this.memory,
      log: this.log,
      onTemplateStatus: () => void this.templates.refresh().catch((err: unknown) => this.log.warn({ err }, 'could not read the WhatsApp templates again after a status change')),
    });
  }

  // ---- outbound (cloud-send.ts) ----

  sendText(chatId: string, text: string, options?: SendOptions): Promise<SentMessage> {
    return this.sender.sendText(chatId, text, options);
  }

  sendMedia(chatId: string, media: OutboundMedia, options?: SendOptions): Promise<SentMessage> {
    return this.sender.sendMedia(chatId, media, options);
  }

  react(messageId: string, emoji: string): Promise<void> {
    return this.sender.react(messageId, emoji);
  }

  async edit(): Promise<void> {
    throw new GatewaySendError('rejected', 'the WhatsApp Cloud API cannot edit a sent message: the contact keeps the original');
  }

  async revoke(): Promise<void> {
    throw new GatewaySendError('rejected', 'the WhatsApp Cloud API cannot delete a sent message: the contact keeps it');
  }

  markRead(chatId: string): Promise<void> {
    return this.sender.markRead(chatId);
  }

  /** An approved template, its body parameters in order (`names` when the template names them); `options.check` as for any send. */
  sendTemplate(chatId: string, template: { name: string; language: string; params: string[]; paramNames?: string[] }, options?: SendOptions): Promise<SentMessage> {
    const parameters = template.params.map((text, i) => ({ type: 'text', text, ...(template.paramNames?.[i] ? { parameter_name: template.paramNames[i] } : {}) }));
    // `deterministic`: the named language exactly, never a fallback translation (as Chatwoot sends).
    const body = { name: template.name, language: { code: template.language, policy: 'deterministic' }, ...(parameters.length > 0 ? { components: [{ type: 'body', parameters }] } : {}) };
    return this.sender.sendParts(chatId, [{ type: 'template', template: body }], options);
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
