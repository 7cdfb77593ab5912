import type { Message } from 'whatsapp-web.js';
import type { InboundMessage, MissedMessages } from './gateway';
import { toInboundMessage, type MappingOptions } from './wwebjs-mapping';

/** The part of a whatsapp-web.js Chat the history read uses. */
export interface WwebjsChat {
  id: { _serialized: string };
  isGroup: boolean;
  /** When the chat's last message was sent, in seconds. */
  timestamp: number;
  fetchMessages(options: { limit?: number; fromMe?: boolean }): Promise<Message[]>;
}

/**
 * Incoming messages from `since` on, oldest first, in the chats written in since then (the newest
 * `perChat` messages of each, ours included, as WhatsApp Web loads them): the gateway's
 * `messagesSince`. Chats the app never mirrors are not read, and chats are read one at a time, as
 * each read is a round trip into the WhatsApp Web page. Messages deleted for everyone are left out.
 */
export async function incomingSince(chats: WwebjsChat[], since: Date, perChat: number, options: MappingOptions): Promise<MissedMessages> {
  const found: InboundMessage[] = [];
  let truncatedChats = 0;
  const wanted = chats.filter((c) => c.timestamp * 1000 >= since.getTime() && (options.allowGroups || !c.isGroup) && c.id._serialized !== 'status@broadcast');
  for (const chat of wanted) {
    const fetched = await chat.fetchMessages({ limit: perChat });
    // A full page still inside the window: older messages of this chat were not read.
    if (fetched.length >= perChat && (fetched[0]?.timestamp ?? 0) * 1000 >= since.getTime()) truncatedChats++;
    for (const msg of fetched) {
      if (msg.type === 'revoked') continue;
      const message = toInboundMessage(msg, options);
      if (message && message.at >= since) found.push(message);
    }
  }
  return { messages: found.sort((a, b) => a.at.getTime() - b.at.getTime()), truncatedChats };
}
