import { randomBytes } from 'node:crypto';
import type { Clock } from '../../clock';
import {
  GatewaySendError,
  type GatewayEvent,
  type GatewayStatus,
  type InboundContent,
  type InboundMessage,
  type MissedMessages,
  type OutboundMedia,
  type SendOptions,
  type SentMessage,
  type WhatsAppGateway,
} from '../gateway';

/** A customer someone plays on the simulator page. */
export interface SimContact {
  waId: string;
  name: string;
  e164: string;
}

/** Receipt levels the page shows, in order. */
export type SimAck = 'sent' | 'delivered' | 'read';

/** One message of a simulated chat, as the page draws it (both directions). */
export interface SimMessage {
  id: string;
  waId: string;
  from: 'customer' | 'business';
  at: string;
  text?: string;
  media?: { mimetype: string; filename?: string; caption?: string; size: number; dataUrl?: string };
  ack: SimAck;
  /** The customer's and the business's reaction to this message ('' = none). */
  reactions: { customer?: string; business?: string };
  edited?: boolean;
  revoked?: boolean;
  quotedId?: string;
  /** The business wrote it on its own phone, not through the app. */
  fromPhone?: true;
  /** …and the WhatsApp Business App wrote it by itself (a greeting or away message). */
  automated?: true;
}

/** What the page hears, in order. */
export type SimPageEvent = { type: 'contact'; contact: SimContact } | { type: 'message'; message: SimMessage };

/** Outbound media larger than this is listed on the page without its content. */
const MAX_SHOWN_MEDIA_BYTES = 5 * 1024 * 1024;
const ACK_ORDER: SimAck[] = ['sent', 'delivered', 'read'];

/** WhatsApp-shaped ids, unique across restarts (they are the store's dedupe keys). */
const newId = (outgoing: boolean, waId: string) => `${outgoing}_${waId}_SIM${randomBytes(8).toString('hex').toUpperCase()}`;

/**
 * A WhatsApp gateway whose "phone" is the simulator page: customers' messages come from the page
 * (`customerSends`, `customerReacts`), the business's sends go to it, and the page's delivery and
 * read receipts come back as the port's `ack` events. Everything above the port — consent,
 * conversations, hygiene, the throttle and lease around it — cannot tell it from a phone.
 * State is in memory: it is for trials and training, not for keeping messages.
 */
export class SimulatorGateway implements WhatsAppGateway {
  private readonly listeners = new Set<(event: GatewayEvent) => void>();
  private readonly pageListeners = new Set<(event: SimPageEvent) => void>();
  private readonly contacts = new Map<string, SimContact>();
  private readonly messages = new Map<string, SimMessage>();
  private readonly inbound: InboundMessage[] = [];
  private current: GatewayStatus;

  constructor(private readonly clock: Clock) {
    this.current = { state: 'stopped', since: clock() };
  }

  async start(): Promise<void> {
    this.setState('connected', 'simulator');
  }
  async stop(): Promise<void> {
    this.setState('stopped');
    for (const listener of this.stopListeners) listener();
  }
  private readonly stopListeners = new Set<() => void>();
  /** Called when the simulator stops (open pages' event streams end, so the server can close). */
  onStop(listener: () => void): () => void {
    this.stopListeners.add(listener);
    return () => this.stopListeners.delete(listener);
  }
  status(): GatewayStatus {
    return this.current;
  }
  on(listener: (event: GatewayEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  browserPid(): number | undefined {
    return undefined;
  }

  // ---- the page's side ----

  /** Subscribes the page to changes; returns the unsubscribe function. */
  onPage(listener: (event: SimPageEvent) => void): () => void {
    this.pageListeners.add(listener);
    return () => this.pageListeners.delete(listener);
  }

  /** Everything the page shows, for a page that just opened. */
  snapshot(): { contacts: SimContact[]; messages: SimMessage[] } {
    return { contacts: [...this.contacts.values()], messages: [...this.messages.values()] };
  }

  /** Adds (or renames) a customer in the page's phone book. */
  addContact(contact: SimContact): SimContact {
    this.contacts.set(contact.waId, contact);
    this.toPage({ type: 'contact', contact });
    return contact;
  }

  contact(waId: string): SimContact | undefined {
    return this.contacts.get(waId);
  }

  /** A customer writes to the business: delivered at once, as WhatsApp delivers to a linked phone. */
  customerSends(waId: string, content: Exclude<InboundContent, { kind: 'location' | 'contact_card' }>, quotedId?: string): SimMessage {
    this.assertConnected();
    const contact = this.known(waId);
    const id = newId(false, waId);
    const at = this.clock();
    const quotedText = quotedId ? this.messages.get(quotedId)?.text : undefined;
    const message: InboundMessage = {
      id,
      from: waId,
      pushName: contact.name,
      content,
      at,
      ...(quotedId ? { quoted: { id: quotedId, ...(quotedText !== undefined ? { text: quotedText } : {}) } } : {}),
    };
    const shown: SimMessage = {
      id,
      waId,
      from: 'customer',
      at: at.toISOString(),
      ack: 'delivered',
      reactions: {},
      ...(content.kind === 'text' ? { text: content.text } : { media: { mimetype: content.mimetype, size: content.size ?? 0, ...(content.filename ? { filename: content.filename } : {}), ...(content.caption ? { caption: content.caption } : {}) } }),
      ...(quotedId ? { quotedId } : {}),
    };
    this.inbound.push(message);
    this.put(shown);
    this.emit({ type: 'message', message });
    return shown;
  }

  /**
   * The business writes on its own phone, not through the app: the app hears it as
   * `sent_from_phone`. `automated` plays the Business App's greeting or away message, marked as
   * such — a mark real WhatsApp Web does not give, so this is where that path can be tried.
   */
  phoneSends(waId: string, text: string, options: { automated?: boolean } = {}): SimMessage {
    this.assertConnected();
    const contact = this.known(waId);
    const id = newId(true, contact.waId);
    const at = this.clock();
    const mark = options.automated ? { automated: true as const } : {};
    const shown: SimMessage = { id, waId: contact.waId, from: 'business', at: at.toISOString(), ack: 'sent', reactions: {}, text, fromPhone: true, ...mark };
    this.put(shown);
    this.emit({ type: 'sent_from_phone', message: { id, from: contact.waId, content: { kind: 'text', text }, at, ...mark } });
    return shown;
  }

  /** A customer reacts to one of the business's messages ('' takes the reaction back). */
  customerReacts(waId: string, messageId: string, emoji: string): void {
    this.assertConnected();
    const target = this.messages.get(messageId);
    if (!target || target.waId !== waId) throw new GatewaySendError('rejected', 'no such message in this chat');
    this.put({ ...target, reactions: { ...target.reactions, customer: emoji } });
    this.emit({ type: 'reaction', messageId, chatId: waId, from: waId, emoji, at: this.clock() });
  }

  /**
   * The page received (`delivered`) or showed (`read`) the business's messages: their receipts
   * flow back through the port as WhatsApp's `device` and `read` acks. Receipts never go backwards.
   */
  receipts(messageIds: string[], ack: 'delivered' | 'read'): number {
    let moved = 0;
    for (const id of messageIds) {
      const message = this.messages.get(id);
      if (!message || message.from !== 'business' || message.revoked) continue;
      if (ACK_ORDER.indexOf(message.ack) >= ACK_ORDER.indexOf(ack)) continue;
      this.put({ ...message, ack });
      // Read implies delivered, as on a phone: whoever listens for `device` hears it too.
      if (ack === 'read' && message.ack === 'sent') this.emit({ type: 'ack', messageId: id, ack: 'device' });
      this.emit({ type: 'ack', messageId: id, ack: ack === 'read' ? 'read' : 'device' });
      moved++;
    }
    return moved;
  }

  // ---- the business's side (the port) ----

  async sendText(chatId: string, text: string, options: SendOptions = {}): Promise<SentMessage> {
    await options.check?.();
    return this.businessSends(chatId, { text, ...(options.quotedMessageId ? { quotedId: options.quotedMessageId } : {}) });
  }

  async sendMedia(chatId: string, media: OutboundMedia, options: SendOptions = {}): Promise<SentMessage> {
    await options.check?.();
    const shown = {
      mimetype: media.mimetype,
      size: media.data.length,
      ...(media.filename ? { filename: media.filename } : {}),
      ...(media.caption ? { caption: media.caption } : {}),
      ...(media.data.length <= MAX_SHOWN_MEDIA_BYTES ? { dataUrl: `data:${media.mimetype};base64,${media.data.toString('base64')}` } : {}),
    };
    return this.businessSends(chatId, { media: shown, ...(options.quotedMessageId ? { quotedId: options.quotedMessageId } : {}) });
  }

  async react(messageId: string, emoji: string): Promise<void> {
    this.assertConnected();
    const target = this.existing(messageId);
    this.put({ ...target, reactions: { ...target.reactions, business: emoji } });
  }

  async edit(messageId: string, text: string, options: SendOptions = {}): Promise<void> {
    await options.check?.();
    this.assertConnected();
    const target = this.existing(messageId);
    if (target.from !== 'business') throw new GatewaySendError('rejected', 'only our own messages can be edited');
    this.put({ ...target, text, edited: true });
  }

  async revoke(messageId: string): Promise<void> {
    this.assertConnected();
    const target = this.existing(messageId);
    if (target.from !== 'business') throw new GatewaySendError('rejected', 'only our own messages can be deleted');
    const { text: _text, media: _media, ...rest } = target;
    this.put({ ...rest, revoked: true });
  }

  /** The business read the chat: the customer's messages get their blue ticks. */
  async markRead(chatId: string): Promise<void> {
    this.assertConnected();
    for (const message of this.messages.values()) {
      if (message.waId === chatId && message.from === 'customer' && message.ack !== 'read') this.put({ ...message, ack: 'read' });
    }
  }

  async recentOwnMessages(chatId: string, limit: number): Promise<Array<{ id: string; text: string; at: Date }>> {
    this.assertConnected();
    return [...this.messages.values()]
      .filter((m) => m.waId === chatId && m.from === 'business')
      .slice(-limit)
      .map((m) => ({ id: m.id, text: m.text ?? m.media?.caption ?? '', at: new Date(m.at) }));
  }

  async messagesSince(since: Date, perChat: number): Promise<MissedMessages> {
    this.assertConnected();
    const chats = new Map<string, InboundMessage[]>();
    for (const m of this.inbound) chats.set(m.from, [...(chats.get(m.from) ?? []), m]);
    const pages = [...chats.values()].map((chat) => chat.slice(-perChat));
    return {
      messages: pages
        .flat()
        .filter((m) => m.at >= since)
        .sort((a, b) => a.at.getTime() - b.at.getTime()),
      truncatedChats: pages.filter((page) => page.length >= perChat && page[0]!.at >= since).length,
    };
  }

  private businessSends(chatId: string, body: Pick<SimMessage, 'text' | 'media' | 'quotedId'>): SentMessage {
    this.assertConnected();
    // A number nobody plays is one WhatsApp does not know: refused, as a real send to it would be.
    const waId = this.known(chatId).waId;
    const at = this.clock();
    const message: SimMessage = { id: newId(true, waId), waId, from: 'business', at: at.toISOString(), ack: 'sent', reactions: {}, ...body };
    this.put(message);
    return { id: message.id, at };
  }

  private known(waId: string): SimContact {
    const contact = this.contacts.get(waId);
    if (!contact) throw new GatewaySendError('rejected', `${waId} is not a contact on the simulator page`);
    return contact;
  }

  private existing(messageId: string): SimMessage {
    const message = this.messages.get(messageId);
    if (!message) throw new GatewaySendError('rejected', 'no such message on the simulator page');
    return message;
  }

  private assertConnected(): void {
    if (this.current.state !== 'connected') throw new GatewaySendError('not_connected', `the simulator is ${this.current.state}`);
  }

  private put(message: SimMessage): void {
    this.messages.set(message.id, message);
    this.toPage({ type: 'message', message });
  }

  private setState(state: GatewayStatus['state'], detail?: string): void {
    this.current = { state, since: this.clock(), ...(detail ? { detail } : {}) };
    this.emit({ type: 'state', status: this.current });
  }

  private emit(event: GatewayEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private toPage(event: SimPageEvent): void {
    for (const listener of this.pageListeners) listener(event);
  }
}

