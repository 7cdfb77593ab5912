import type { Logger } from 'pino';
import type { Clock } from '../clock';
import { GatewaySendError, type ConnectionState, type GatewayEvent, type GatewayStatus, type MissedMessages, type OutboundMedia, type SendOptions, type SentMessage, type WhatsAppGateway } from './gateway';
import type { WwebjsClient } from './wwebjs-client';
import { wireMessageEvents } from './wwebjs-events';
import { WwebjsActions } from './wwebjs-actions';
import { OwnSends } from './own-sends';
import { WwebjsAliases } from './wwebjs-aliases';

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface WwebjsGatewayOptions {
  createClient: () => WwebjsClient;
  /** Builds the library's MessageMedia (injected so only the client factory loads whatsapp-web.js). */
  toMedia: (media: OutboundMedia) => unknown;
  clock: Clock;
  logger: Logger;
  allowGroups: boolean;
  /** `ready` must follow `authenticated` within this time, or the client is rebuilt. */
  readyTimeoutMs: number;
  /** A new client must show a QR or authenticate within this time, or it counts as unreachable. */
  startTimeoutMs: number;
  /** How often a connected client's `getState()` is asked; two bad answers in a row rebuild it. */
  statePollMs: number;
  backoff: { baseMs: number; maxMs: number };
  random?: () => number;
  timers?: Timers;
}

/** How long stop() waits for a browser that is still launching (shutdown must finish within 10 s). */
const STOP_WAIT_MS = 5_000;

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/**
 * The whatsapp-web.js client behind the gateway interface, kept alive: a watchdog rebuilds a client
 * stuck between `authenticated` and `ready`; after a disconnect or a failed start a new client is
 * built with exponential backoff plus jitter. Errors become states, never crashes.
 */
export class WwebjsGateway implements WhatsAppGateway {
  private client: WwebjsClient | undefined;
  private current: GatewayStatus;
  private readonly listeners = new Set<(event: GatewayEvent) => void>();
  private attempts = 0;
  private watchdog: unknown;
  private retry: unknown;
  private poll: unknown;
  private badPolls = 0;
  private connecting: Promise<void> = Promise.resolve();
  private stopped = true;
  private readonly timers: Timers;
  private readonly random: () => number;
  private readonly ownSends: OwnSends;
  private readonly actions: WwebjsActions;
  private readonly aliases: WwebjsAliases;

  constructor(private readonly options: WwebjsGatewayOptions) {
    this.current = { state: 'stopped', since: options.clock() };
    this.timers = options.timers ?? realTimers;
    this.random = options.random ?? Math.random;
    this.ownSends = new OwnSends(this.timers, options.logger);
    // Asked of whichever client is up; a mapping outlives the client that found it.
    this.aliases = new WwebjsAliases((ids) => (this.client ? this.client.getContactLidAndPhone(ids) : Promise.resolve([])), this.timers, () => options.clock().getTime());
    this.actions = new WwebjsActions({
      // Only a connected client is acted on; otherwise the caller hears why not.
      client: () => {
        if (!this.client || this.current.state !== 'connected') throw new GatewaySendError('not_connected', `WhatsApp is ${this.current.state}`);
        return this.client;
      },
      ownSends: this.ownSends,
      toMedia: options.toMedia,
      clock: options.clock,
      allowGroups: options.allowGroups,
    });
  }

  /**
   * Starts connecting and returns at once: `initialize()` can take minutes (or hang on a stuck page),
   * and nothing — app start-up, the lease renewal that called this — may wait on it.
   */
  async start(): Promise<void> {
    this.stopped = false;
    this.connecting = this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timers.clearTimeout(this.watchdog);
    this.timers.clearTimeout(this.retry);
    this.timers.clearTimeout(this.poll);
    await this.dropClient();
    // A browser still launching is closed when its initialize() settles; wait for that, within bounds.
    let giveUp: unknown;
    await Promise.race([this.connecting, new Promise<void>((resolve) => (giveUp = this.timers.setTimeout(resolve, STOP_WAIT_MS)))]);
    this.timers.clearTimeout(giveUp);
    this.setState('stopped');
  }

  status(): GatewayStatus {
    return this.current;
  }

  on(listener: (event: GatewayEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    this.setState('starting');
    const client = (this.client = this.options.createClient());
    this.wire(client);
    this.arm(client, 'starting', this.options.startTimeoutMs, 'unreachable', 'WhatsApp Web did not load in time');
    let failure: { err: unknown } | undefined;
    try {
      await client.initialize();
    } catch (err) {
      failure = { err };
    }
    if (client !== this.client) {
      // Dropped while initializing (stopped, or rebuilt by a watchdog): its destroy() then ran before
      // the browser was up and could not close it, so close it now.
      await client.destroy().catch((err: unknown) => this.options.logger.debug({ err }, 'closing an abandoned WhatsApp client failed'));
      return;
    }
    if (failure) {
      // Browser failed to launch, web.whatsapp.com unreachable, "detached frame"…: a state, then retry.
      const { err } = failure;
      // The reconnect line says why in one line; the stack is for debugging only.
      this.options.logger.debug({ err }, 'WhatsApp client failed to start');
      await this.reconnectLater('unreachable', err instanceof Error ? err.message : String(err));
    }
  }

  /** Rebuilds `client` if it is still in `state` after `ms`: the cure for a browser that hangs silently. */
  private arm(client: WwebjsClient, state: ConnectionState, ms: number, next: ConnectionState, detail: string): void {
    this.timers.clearTimeout(this.watchdog);
    this.watchdog = this.timers.setTimeout(() => {
      if (client !== this.client || this.current.state !== state) return;
      this.options.logger.debug({ state, timeoutMs: ms }, `${detail}; rebuilding the client`);
      void this.reconnectLater(next, detail);
    }, ms);
  }

  /** Asks WhatsApp Web for its state while connected; a page that throws ("detached frame") or stays off twice is rebuilt. */
  private schedulePoll(client: WwebjsClient): void {
    this.timers.clearTimeout(this.poll);
    this.poll = this.timers.setTimeout(() => {
      if (client !== this.client || this.current.state !== 'connected') return;
      client.getState().then(
        (state) => {
          if (client !== this.client) return;
          this.badPolls = state === 'CONNECTED' ? 0 : this.badPolls + 1;
          if (this.badPolls >= 2) return void this.reconnectLater('disconnected', `WhatsApp Web reports ${state ?? 'no state'}`);
          this.schedulePoll(client);
        },
        (err: unknown) => {
          if (client !== this.client) return;
          this.options.logger.debug({ err }, 'WhatsApp Web page stopped answering');
          void this.reconnectLater('disconnected', err instanceof Error ? err.message : String(err));
        },
      );
    }, this.options.statePollMs);
  }

  /** The running browser's process id, if any. */
  browserPid(): number | undefined {
    try {
      return this.client?.browserPid();
    } catch {
      return undefined;
    }
  }

  private wire(client: WwebjsClient): void {
    // Events from a client already replaced (late events of a destroyed one) are ignored.
    const mine =
      <A extends unknown[]>(fn: (...args: A) => void) =>
      (...args: A) => {
        if (client === this.client) fn(...args);
      };
    client.on('qr', mine((qr: string) => {
      // A QR on screen waits for a person, so the start watchdog stands down.
      this.timers.clearTimeout(this.watchdog);
      this.setState('qr');
      this.emit({ type: 'qr', qr });
    }));
    client.on('authenticated', mine(() => {
      this.setState('authenticated');
      this.arm(client, 'authenticated', this.options.readyTimeoutMs, 'disconnected', 'authenticated but never became ready');
    }));
    client.on('ready', mine(() => {
      this.timers.clearTimeout(this.watchdog);
      this.attempts = 0;
      this.badPolls = 0;
      this.setState('connected');
      this.schedulePoll(client);
    }));
    client.on('auth_failure', mine((message: string) => void this.reconnectLater('disconnected', `authentication failed: ${message}`)));
    client.on('disconnected', mine((reason: string) => void this.reconnectLater('disconnected', String(reason))));
    wireMessageEvents(client, mine, (event) => this.emit(event), { allowGroups: this.options.allowGroups, clock: this.options.clock, isOwn: (id) => this.ownSends.isOwn(id), aliasOf: (id) => this.aliases.of(id) });
  }

  /** Drops the client and schedules a new one: base × 2^attempts, capped, times a jitter of 50–100 %. */
  private async reconnectLater(state: ConnectionState, detail: string): Promise<void> {
    this.timers.clearTimeout(this.watchdog);
    this.timers.clearTimeout(this.poll);
    await this.dropClient();
    if (this.stopped) return;
    this.setState(state, detail);
    const { baseMs, maxMs } = this.options.backoff;
    const delay = Math.round(Math.min(maxMs, baseMs * 2 ** this.attempts) * (0.5 + this.random() / 2));
    this.attempts++;
    // One line per attempt, with its reason: an outage that lasts hours must not fill the log with stacks.
    this.options.logger.warn({ state, reason: detail, delayMs: delay, attempt: this.attempts }, `reconnecting to WhatsApp later: ${detail}`);
    this.retry = this.timers.setTimeout(() => void (this.connecting = this.connect()), delay);
  }

  private async dropClient(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.destroy().catch((err: unknown) => this.options.logger.debug({ err }, 'destroying the WhatsApp client failed'));
  }

  private setState(state: ConnectionState, detail?: string): void {
    if (this.current.state === state && this.current.detail === detail) return;
    this.current = { state, since: this.options.clock(), ...(detail ? { detail } : {}) };
    this.emit({ type: 'state', status: this.current });
  }

  private emit(event: GatewayEvent): void {
    for (const l of this.listeners) l(event);
  }

  sendText(chatId: string, text: string, options?: SendOptions): Promise<SentMessage> {
    return this.actions.sendText(chatId, text, options);
  }
  sendMedia(chatId: string, media: OutboundMedia, options?: SendOptions): Promise<SentMessage> {
    return this.actions.sendMedia(chatId, media, options);
  }
  react(messageId: string, emoji: string): Promise<void> {
    return this.actions.react(messageId, emoji);
  }
  edit(messageId: string, text: string, options?: SendOptions): Promise<void> {
    return this.actions.edit(messageId, text, options);
  }
  revoke(messageId: string): Promise<void> {
    return this.actions.revoke(messageId);
  }
  markRead(chatId: string): Promise<void> {
    return this.actions.markRead(chatId);
  }
  recentOwnMessages(chatId: string, limit: number): Promise<Array<{ id: string; text: string; at: Date }>> {
    return this.actions.recentOwnMessages(chatId, limit);
  }
  messagesSince(since: Date, perChat: number): Promise<MissedMessages> {
    return this.actions.messagesSince(since, perChat);
  }
}
