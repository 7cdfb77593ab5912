import type { Message } from 'whatsapp-web.js';
import type { Clock } from '../clock';
import { GatewaySendError, type MissedMessages, type OutboundMedia, type SendOptions, type SentMessage } from './gateway';
import type { OwnSends } from './own-sends';
import type { WwebjsClient } from './wwebjs-client';
import { incomingSince } from './wwebjs-history';

export interface WwebjsActionsOptions {
  /** The connected client; throws GatewaySendError('not_connected') when there is none. */
  client: () => WwebjsClient;
  ownSends: OwnSends;
  toMedia: (media: OutboundMedia) => unknown;
  clock: Clock;
  allowGroups: boolean;
}

/**
 * What the gateway does with a connected client: sends (remembered, so their echoes are known as
 * the app's own), edits, deletions, reactions and reads. Every failure becomes a GatewaySendError
 * the caller can act on.
 */
export class WwebjsActions {
  constructor(private readonly options: WwebjsActionsOptions) {}

  private async send(chatId: string, content: unknown, options?: Record<string, unknown>): Promise<SentMessage> {
    const sent = await this.onClient(async (c) => {
      const created = await this.options.ownSends.track(() => c.sendMessage(chatId, content, options));
      // whatsapp-web.js answers undefined when the page made no message: not known to be sent.
      if (!created) throw new GatewaySendError('unknown', 'WhatsApp Web returned no message for the send');
      return created;
    });
    return { id: sent.id._serialized, at: this.options.clock() };
  }

  // `check` normally runs in the throttle's slot (send-throttle.ts) and is not passed in here; run
  // unthrottled, it still runs last thing before the send. Without one, the send starts at once
  // (own-sends tracking must see it before WhatsApp's echo of it).
  sendText(chatId: string, text: string, options?: SendOptions): Promise<SentMessage> {
    const send = () => this.send(chatId, text, options?.quotedMessageId ? { quotedMessageId: options.quotedMessageId } : undefined);
    return options?.check ? options.check().then(send) : send();
  }

  sendMedia(chatId: string, media: OutboundMedia, options?: SendOptions): Promise<SentMessage> {
    const send = () => this.send(chatId, this.options.toMedia(media), media.caption ? { caption: media.caption } : undefined);
    return options?.check ? options.check().then(send) : send();
  }

  react(messageId: string, emoji: string): Promise<void> {
    return this.onMessage(messageId, (m) => m.react(emoji));
  }

  async edit(messageId: string, text: string, options?: SendOptions): Promise<void> {
    if (options?.check) await options.check();
    return this.onMessage(messageId, async (m) => {
      if (!(await m.edit(text))) throw new GatewaySendError('rejected', 'WhatsApp refused the edit (too old, or not ours)');
    });
  }

  revoke(messageId: string): Promise<void> {
    return this.onMessage(messageId, (m) => m.delete(true));
  }

  async markRead(chatId: string): Promise<void> {
    await this.onClient((c) => c.sendSeen(chatId));
  }

  async recentOwnMessages(chatId: string, limit: number): Promise<Array<{ id: string; text: string; at: Date }>> {
    const messages = await this.onClient(async (c) => (await c.getChatById(chatId)).fetchMessages({ limit, fromMe: true }));
    return messages.map((m) => ({ id: m.id._serialized, text: m.body ?? '', at: new Date((m.timestamp || 0) * 1000) }));
  }

  messagesSince(since: Date, perChat: number): Promise<MissedMessages> {
    return this.onClient(async (c) => incomingSince(await c.getChats(), since, perChat, { allowGroups: this.options.allowGroups }));
  }

  private onMessage(messageId: string, act: (m: Message) => Promise<unknown>): Promise<void> {
    return this.onClient(async (c) => {
      const message = await c.getMessageById(messageId);
      if (!message) throw new GatewaySendError('rejected', `WhatsApp no longer has message ${messageId}`);
      await act(message);
    });
  }

  /** Runs `act` on the connected client; every failure becomes a GatewaySendError. */
  private async onClient<T>(act: (c: WwebjsClient) => Promise<T>): Promise<T> {
    const client = this.options.client();
    try {
      return await act(client);
    } catch (err) {
      if (err instanceof GatewaySendError) throw err;
      throw new GatewaySendError('unknown', err instanceof Error ? err.message : String(err));
    }
  }
}
