import type { Clock } from '../clock';
import type { OutboundMedia, SendOptions, SentMessage, WhatsAppGateway } from './gateway';

export interface SendThrottleOptions {
  /** Least time between two sends to the same chat. */
  perChatIntervalMs: number;
  /** Most sends per minute across all chats. */
  globalPerMinute: number;
  /** Up to this much random extra delay per send, so the rhythm does not look scripted. */
  jitterMs: number;
  clock: Clock;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/**
 * Paces sends the way a careful human operator would. WhatsApp bans numbers that send in bursts;
 * the defaults (docs/whatsapp.md → Sending limits) are deliberately conservative.
 *
 * Slots are reserved synchronously when a send arrives, so concurrent callers queue up in arrival
 * order and no interleaving can let two sends share a slot.
 */
export class SendThrottle {
  private readonly lastPerChat = new Map<string, number>();
  private nextGlobal = 0;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(private readonly options: SendThrottleOptions) {
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
  }

  /** Waits for the chat's next slot, then runs `send`. */
  async run<T>(chatId: string, send: () => Promise<T>): Promise<T> {
    const now = this.options.clock().getTime();
    const chatReady = (this.lastPerChat.get(chatId) ?? -Infinity) + this.options.perChatIntervalMs;
    const at = Math.max(now, chatReady, this.nextGlobal) + Math.floor(this.random() * this.options.jitterMs);
    this.lastPerChat.set(chatId, at);
    this.nextGlobal = at + 60_000 / this.options.globalPerMinute;
    if (at > now) await this.sleep(at - now);
    return send();
  }
}

/**
 * The send, with its `check` run first, inside the slot: a reply that waited minutes for its turn
 * is judged as things are when it goes out. The check is not passed further in (it ran).
 */
function checked<T>(options: SendOptions | undefined, send: (rest: SendOptions | undefined) => Promise<T>): () => Promise<T> {
  if (!options?.check) return () => send(options);
  const { check, ...rest } = options;
  return async () => {
    await check();
    return send(Object.keys(rest).length ? rest : undefined);
  };
}

/** The gateway with every outgoing action paced by `throttle`; nothing can reach WhatsApp around it. */
export function withSendThrottle(gateway: WhatsAppGateway, throttle: SendThrottle): WhatsAppGateway {
  const chatOf = (messageId: string) => messageId.split('_')[1] ?? messageId;
  return {
    start: () => gateway.start(),
    stop: () => gateway.stop(),
    status: () => gateway.status(),
    on: (listener) => gateway.on(listener),
    sendText: (chatId: string, text: string, options?: SendOptions): Promise<SentMessage> =>
      throttle.run(chatId, checked(options, (rest) => gateway.sendText(chatId, text, rest))),
    sendMedia: (chatId: string, media: OutboundMedia, options?: SendOptions) => throttle.run(chatId, checked(options, (rest) => gateway.sendMedia(chatId, media, rest))),
    react: (messageId, emoji) => throttle.run(chatOf(messageId), () => gateway.react(messageId, emoji)),
    edit: (messageId, text, options) => throttle.run(chatOf(messageId), checked(options, (rest) => gateway.edit(messageId, text, rest))),
    revoke: (messageId) => throttle.run(chatOf(messageId), () => gateway.revoke(messageId)),
    markRead: (chatId) => gateway.markRead(chatId),
    // A read, not a send: no pacing needed.
    recentOwnMessages: (chatId, limit) => gateway.recentOwnMessages(chatId, limit),
    messagesSince: (since, perChat) => gateway.messagesSince(since, perChat),
    browserPid: () => gateway.browserPid(),
  };
}
