/** Chats whose last inbound message id is kept for markRead (the oldest forgotten first). */
const REMEMBERED_CHATS = 10_000;

/**
 * What the Cloud API needs and cannot look up: the last inbound message id per chat (mark-as-read
 * takes a message id) and the chat of each message id we know (a reaction needs the recipient).
 * In memory and bounded: known only since this process started.
 */
export class ChatMemory {
  private readonly lastInbound = new Map<string, string>();
  private readonly chatOf = new Map<string, string>();

  remember(chatId: string, messageId: string, inbound: boolean): void {
    if (inbound) {
      this.lastInbound.delete(chatId);
      this.lastInbound.set(chatId, messageId);
      if (this.lastInbound.size > REMEMBERED_CHATS) this.lastInbound.delete(this.lastInbound.keys().next().value!);
    }
    this.chatOf.set(messageId, chatId);
    if (this.chatOf.size > REMEMBERED_CHATS * 10) this.chatOf.delete(this.chatOf.keys().next().value!);
  }

  lastInboundOf(chatId: string): string | undefined {
    return this.lastInbound.get(chatId);
  }

  chatOfMessage(messageId: string): string | undefined {
    return this.chatOf.get(messageId);
  }
}
