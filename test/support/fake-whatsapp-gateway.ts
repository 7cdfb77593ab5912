import type { Clock } from '../../src/clock';
import {
  GatewaySendError,
  type AckLevel,
  type GatewayEvent,
  type GatewayStatus,
  type InboundMessage,
  type MissedMessages,
  type OutboundMedia,
  type SendFailureKind,
  type SendOptions,
  type SentMessage,
  type WhatsAppGateway,
} from '../../src/whatsapp/gateway';

/** Inbound ids are unique across fakes: a restarted app's new fake must not reuse its predecessor's ids. */
let inboundSeq = 0;

export interface RecordedSend {
  kind: 'text' | 'media' | 'react' | 'edit' | 'revoke' | 'markRead';
  chatId?: string;
  messageId?: string;
  text?: string;
  media?: OutboundMedia;
  quotedMessageId?: string;
  /** The id the fake answered with, for sends, and when. */
  id?: string;
  at?: Date;
}

/**
 * A WhatsApp gateway for tests: emits inbound traffic on demand, records every send, and fails
 * sends when told to. Starts connected unless `startState` says otherwise.
 */
export class FakeWhatsAppGateway implements WhatsAppGateway {
  readonly sent: RecordedSend[] = [];
  private readonly listeners = new Set<(event: GatewayEvent) => void>();
  private readonly failures: SendFailureKind[] = [];
  private current: GatewayStatus;
  private seq = 0;

  constructor(
    private readonly clock: Clock = () => new Date(),
    startState: GatewayStatus['state'] = 'connected',
  ) {
    this.current = { state: startState, since: clock() };
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {
    this.setState('stopped');
  }
  status(): GatewayStatus {
    return this.current;
  }
  /** Set to any live process to stand for the browser (its memory shows up in /readyz). */
  fakeBrowserPid: number | undefined;
  browserPid(): number | undefined {
    return this.fakeBrowserPid;
  }
  on(listener: (event: GatewayEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The next send goes out, but its caller hears a failure (WhatsApp took it; the answer was lost). */
  loseNextAnswer(): void {
    this.answerLost = true;
  }
  private answerLost = false;

  /** The next `times` sends fail with `kind` (queued in order). */
  failNextSends(kind: SendFailureKind, times = 1): void {
    for (let i = 0; i < times; i++) this.failures.push(kind);
  }

  setState(state: GatewayStatus['state'], detail?: string): void {
    this.current = { state, since: this.clock(), ...(detail ? { detail } : {}) };
    this.emit({ type: 'state', status: this.current });
  }

  /** Every message WhatsApp holds, as `messagesSince` reads it: all received ones, and those `arriveUnseen`. */
  readonly history: InboundMessage[] = [];
  /** Calls of `messagesSince`, with their arguments. */
  readonly historyReads: Array<{ since: Date; perChat: number }> = [];

  /** Delivers an inbound message as WhatsApp would, with defaults for what the test leaves out. */
  receive(overrides: Partial<InboundMessage> = {}): InboundMessage {
    const message = this.arriveUnseen(overrides);
    this.emit({ type: 'message', message });
    return message;
  }

  /** Our account writes to `to` from the phone itself (not through the app). */
  sendFromPhone(to: string, overrides: Partial<InboundMessage> = {}): InboundMessage {
    const message: InboundMessage = { id: `true_${to}_PHONE${++inboundSeq}`, from: to, content: { kind: 'text', text: 'Sent from my phone' }, at: this.clock(), ...overrides };
    this.emit({ type: 'sent_from_phone', message });
    return message;
  }

  /** A message that reaches WhatsApp while the app does not hear of it (the app down, or crashed). */
  arriveUnseen(overrides: Partial<InboundMessage> = {}): InboundMessage {
    const message: InboundMessage = {
      id: `false_447911123456@c.us_IN${++inboundSeq}`,
      from: '447911123456@c.us',
      pushName: 'Ana Lima',
      content: { kind: 'text', text: 'Hello' },
      at: this.clock(),
      ...overrides,
    };
    this.history.push(message);
    return message;
  }

  /** Set to hold `messagesSince` until the test resolves it (a slow WhatsApp Web page). */
  historyGate: Promise<void> | undefined;
  private readStarted: Array<() => void> = [];
  /** Resolves once `messagesSince` has been called (at once if it has been). */
  historyRead(): Promise<void> {
    return this.historyReads.length > 0 ? Promise.resolve() : new Promise((resolve) => this.readStarted.push(resolve));
  }

  async messagesSince(since: Date, perChat: number): Promise<MissedMessages> {
    if (this.current.state !== 'connected') throw new GatewaySendError('not_connected', `WhatsApp is ${this.current.state}`);
    this.historyReads.push({ since, perChat });
    for (const started of this.readStarted.splice(0)) started();
    await this.historyGate;
    const chats = new Map<string, InboundMessage[]>();
    for (const m of this.history) chats.set(m.from, [...(chats.get(m.from) ?? []), m]);
    const pages = [...chats.values()].map((chat) => chat.slice(-perChat));
    return {
      messages: pages
        .flat()
        .filter((m) => m.at >= since)
        .sort((a, b) => a.at.getTime() - b.at.getTime()),
      truncatedChats: pages.filter((page) => page.length >= perChat && page[0]!.at >= since).length,
    };
  }

  ack(messageId: string, ack: AckLevel): void {
    this.emit({ type: 'ack', messageId, ack });
  }

  emit(event: GatewayEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  // As the real chain does (send-throttle.ts): `check` last, right before the send.
  async sendText(chatId: string, text: string, options: SendOptions = {}): Promise<SentMessage> {
    await options.check?.();
    return this.send({ kind: 'text', chatId, text, quotedMessageId: options.quotedMessageId });
  }
  async sendMedia(chatId: string, media: OutboundMedia, options: SendOptions = {}): Promise<SentMessage> {
    await options.check?.();
    return this.send({ kind: 'media', chatId, media });
  }
  async react(messageId: string, emoji: string): Promise<void> {
    await this.send({ kind: 'react', messageId, text: emoji });
  }
  async edit(messageId: string, text: string, options: SendOptions = {}): Promise<void> {
    await options.check?.();
    await this.send({ kind: 'edit', messageId, text });
  }
  async revoke(messageId: string): Promise<void> {
    await this.send({ kind: 'revoke', messageId });
  }
  async recentOwnMessages(chatId: string, limit: number): Promise<Array<{ id: string; text: string; at: Date }>> {
    if (this.current.state !== 'connected') throw new GatewaySendError('not_connected', `WhatsApp is ${this.current.state}`);
    return this.sent
      .filter((s) => s.chatId === chatId && (s.kind === 'text' || s.kind === 'media'))
      .slice(-limit)
      .map((s) => ({ id: s.id!, text: s.text ?? s.media?.caption ?? '', at: s.at! }));
  }
  async markRead(chatId: string): Promise<void> {
    await this.send({ kind: 'markRead', chatId });
  }

  private async send(record: RecordedSend): Promise<SentMessage> {
    if (this.current.state !== 'connected') throw new GatewaySendError('not_connected', `WhatsApp is ${this.current.state}`);
    const failure = this.failures.shift();
    if (failure) throw new GatewaySendError(failure, `scripted ${failure} failure`);
    const sent = { id: `true_${record.chatId ?? 'x'}_OUT${++this.seq}`, at: this.clock() };
    this.sent.push({ ...record, id: sent.id, at: sent.at });
    if (this.answerLost) {
      this.answerLost = false;
      throw new GatewaySendError('unknown', 'Protocol error (Runtime.callFunctionOn): Target closed');
    }
    return sent;
  }
}
