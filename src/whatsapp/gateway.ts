/**
 * The WhatsApp side as the rest of the app sees it: domain types only. Only `wwebjs-*.ts` files
 * know whatsapp-web.js; everything else depends on this interface and is tested with a fake.
 */

export type ConnectionState =
  | 'stopped'
  | 'starting'
  | 'qr' // waiting for someone to scan the login QR
  | 'authenticated'
  | 'connected'
  | 'disconnected'
  | 'unreachable'
  | 'standby'; // another instance holds the WhatsApp lease

export interface GatewayStatus {
  state: ConnectionState;
  since: Date;
  detail?: string;
}

export type InboundContent =
  | { kind: 'text'; text: string }
  | { kind: 'media'; mimetype: string; filename?: string; size?: number; caption?: string; fetch(): Promise<Buffer> }
  | { kind: 'location'; latitude: number; longitude: number; name?: string; address?: string }
  | { kind: 'contact_card'; vcards: string[] };

export interface InboundMessage {
  /** WhatsApp's id for the message (dedupe key). */
  id: string;
  /** The sender's chat id exactly as it arrived (`…@c.us` or `…@lid`). */
  from: string;
  /** The sender's WhatsApp display name, if known. */
  pushName?: string;
  /** The same person's other WhatsApp id (`@lid` ↔ `@c.us`), when WhatsApp knows it: consent follows the person. */
  alias?: string;
  content: InboundContent;
  /** Id of the message this one replies to, with its text if known. */
  quoted?: { id: string; text?: string };
  /**
   * `sent_from_phone` only: written by the WhatsApp Business App's own automations (greeting,
   * away), not by a person. Set only where the gateway can tell: the simulator can; WhatsApp Web
   * does not mark such messages.
   */
  automated?: true;
  at: Date;
}

export interface MissedMessages {
  messages: InboundMessage[];
  truncatedChats: number;
}

/** WhatsApp's delivery acknowledgement levels, in order. */
export type AckLevel = 'error' | 'pending' | 'server' | 'device' | 'read' | 'played';

export type GatewayEvent =
  | { type: 'message'; message: InboundMessage }
  /** Our account wrote in a chat from the phone, not through the app; `message.from` is the contact's chat. */
  | { type: 'sent_from_phone'; message: InboundMessage }
  /** `reason`: with `error`, why WhatsApp did not deliver it, in plain words (the Cloud API's `failed` status says). */
  | { type: 'ack'; messageId: string; ack: AckLevel; reason?: string }
  | { type: 'edit'; messageId: string; chatId: string; newText: string; at: Date }
  | { type: 'revoke'; messageId: string; chatId: string; at: Date }
  | { type: 'reaction'; messageId: string; chatId: string; from: string; emoji: string; at: Date }
  | { type: 'state'; status: GatewayStatus }
  | { type: 'qr'; qr: string }
  /**
   * The contact stopped or resumed marketing messages in WhatsApp's own settings (Cloud API
   * `user_preferences`). Marketing only: it is no opt-out from the conversation.
   */
  | { type: 'marketing_preference'; from: string; preference: 'stop' | 'resume'; at: Date };

export interface SentMessage {
  id: string;
  at: Date;
}

export interface OutboundMedia {
  mimetype: string;
  filename?: string;
  data: Buffer;
  caption?: string;
}

/** Why a send failed, in terms the caller can act on. */
export type SendFailureKind = 'not_connected' | 'rejected' | 'rate_limited' | 'unknown';

export class GatewaySendError extends Error {
  constructor(
    readonly kind: SendFailureKind,
    message: string,
  ) {
    super(message);
    this.name = 'GatewaySendError';
  }
}

/** How a send goes out. */
export interface SendOptions {
  quotedMessageId?: string;
  /**
   * Runs inside the send's slot, immediately before the message goes to WhatsApp — after any pacing
   * wait, which can last minutes — and throws to stop it: consent, erasure, a withdrawn reply or a
   * claim taken over are judged at that moment, not when the send was asked for. Nothing is sent
   * when it throws; its error reaches the caller unchanged.
   */
  check?: () => Promise<void>;
}

/** What a gateway can do beyond sending; a gateway without `capabilities` can do all of it. */
export interface GatewayCapabilities {
  /** Edit a message already sent. */
  edit: boolean;
  /** Delete a message already sent, for everyone. */
  revoke: boolean;
  /** Read a chat's past messages (the "already sent?" check after a crash, and the catch-up). */
  history: boolean;
}

export const ALL_CAPABILITIES: GatewayCapabilities = Object.freeze({ edit: true, revoke: true, history: true });

export interface WhatsAppGateway {
  /** Absent: everything ({@link ALL_CAPABILITIES}). */
  readonly capabilities?: GatewayCapabilities;
  /** Sends a second it takes at most, when it knows its own pace; absent: the configured throttle applies. */
  sendsPerSecond?(): number;
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): GatewayStatus;
  /** Subscribes to gateway events; returns the unsubscribe function. */
  on(listener: (event: GatewayEvent) => void): () => void;
  sendText(chatId: string, text: string, options?: SendOptions): Promise<SentMessage>;
  sendMedia(chatId: string, media: OutboundMedia, options?: SendOptions): Promise<SentMessage>;
  react(messageId: string, emoji: string): Promise<void>;
  /** `options.check` as for sends: an edit carries new words to the contact. */
  edit(messageId: string, text: string, options?: SendOptions): Promise<void>;
  revoke(messageId: string): Promise<void>;
  markRead(chatId: string): Promise<void>;
  /**
   * Our own latest messages in a chat (newest last): after a crash mid-send, tells whether a reply
   * went out before the crash, so it is not sent twice.
   */
  recentOwnMessages(chatId: string, limit: number): Promise<Array<{ id: string; text: string; at: Date }>>;
  /**
   * Incoming messages WhatsApp holds from `since` on, oldest first, from the newest `perChat` of
   * each chat written in since then (ours count towards it); `truncatedChats` counts the chats where
   * that did not reach back to `since`. What the app may have missed while it was down, or lost with
   * a crash while MongoDB was out (WhatsApp Web does not deliver those again by itself).
   */
  messagesSince(since: Date, perChat: number): Promise<MissedMessages>;
  /** The browser's process id while one runs here, for its memory figure in /readyz. */
  browserPid(): number | undefined;
}
