import type { Message } from 'whatsapp-web.js';
import type { InboundMessage } from './gateway';
import { toInboundMessage, type MappingOptions } from './wwebjs-mapping';

/** The part of a whatsapp-web.js Chat the history read uses. */
export interface WwebjsChat {
  /** When the chat's last message was sent, in seconds. */
  timestamp: number;
  fetchMessages(options: { limit?: number; fromMe?: boolean }): Promise<Message[]>;
}

/**
 * Incoming messages from `since` on, oldest first, in the chats written in since then (the newest
 * `perChat` of each): the gateway's `messagesSince`. Chats are read one at a time, as each read is a
 * round trip into the WhatsApp Web page.
 */
export async function incomingSince(chats: WwebjsChat[], since: Date, perChat: number, options: MappingOptions): Promise<InboundMessage[]> {
  const found: InboundMessage[] = [];
  for (const chat of chats.filter((c) => c.timestamp * 1000 >= since.getTime())) {
    for (const msg of await chat.fetchMessages({ limit: perChat })) {
      const message = toInboundMessage(msg, options);
      if (message && message.at >= since) found.push(message);
    }
  }
  return found.sort((a, b) => a.at.getTime() - b.at.getTime());
}
