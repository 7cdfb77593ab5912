import { EventEmitter } from 'node:events';

/** A whatsapp-web.js Client stand-in: the test fires its events; sends are recorded. */
export class FakeClient extends EventEmitter {
  initialized = 0;
  destroyed = 0;
  sent: Array<{ chatId: string; content: unknown }> = [];
  constructor(private readonly failInit?: Error) {
    super();
  }
  async initialize() {
    this.initialized++;
    if (this.failInit) throw this.failInit;
  }
  async destroy() {
    this.destroyed++;
  }
  /** The chat id WhatsApp Web files a send under (it may differ from the id sent to, e.g. `@lid`). */
  chatOf: (chatId: string) => string = (chatId) => chatId;
  /** As whatsapp-web.js does: the page creates the message (message_create) before the send returns. */
  async sendMessage(chatId: string, content: unknown) {
    this.sent.push({ chatId, content });
    const id = `true_${chatId}_OUT${this.sent.length}`;
    this.emit('message_create', { fromMe: true, from: '441234567890@c.us', to: this.chatOf(chatId), type: 'chat', body: String(content), timestamp: Math.floor(Date.now() / 1000), id: { _serialized: id } });
    await Promise.resolve();
    return { id: { _serialized: id } } as never;
  }
  async getMessageById() {
    return null;
  }
  async sendSeen() {
    return true;
  }
  /** What WhatsApp Web knows of each id's other form; unknown ids give nothing. */
  aliases = new Map<string, { lid?: string; pn?: string }>();
  async getContactLidAndPhone(ids: string[]) {
    return ids.map((id) => this.aliases.get(id) ?? {});
  }
  /** What the next getState() calls answer, in order (an Error is thrown). */
  states: Array<string | Error> = [];
  async getState() {
    const next = this.states.shift() ?? 'CONNECTED';
    if (next instanceof Error) throw next;
    return next;
  }
  /** Our own messages per chat, as `chat.fetchMessages({ fromMe: true })` returns them. */
  own: Array<{ id: { _serialized: string }; body: string; timestamp: number }> = [];
  /** Every chat, as `getChats()` returns them (what a catch-up reads). */
  chats: Array<{ id: { _serialized: string }; isGroup: boolean; timestamp: number; fetchMessages(options: { limit?: number }): Promise<never[]> }> = [];
  async getChats() {
    return this.chats;
  }
  async getChatById() {
    return { fetchMessages: async ({ limit }: { limit?: number }) => this.own.slice(-(limit ?? this.own.length)) as never[] };
  }
  browserPid() {
    return 4242;
  }
}
