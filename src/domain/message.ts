export type Direction = 'inbound' | 'outbound';

/** Delivery to one side (Slack or WhatsApp), tracked separately so each side retries on its own. */
export type DeliveryState = 'pending' | 'sending' | 'sent' | 'delivered' | 'read' | 'failed' | 'blocked';

export interface Delivery {
  state: DeliveryState;
  attempts: number;
  nextAttemptAt?: Date;
  lastError?: string;
}

export interface MediaRef {
  mimetype: string;
  filename?: string;
  size?: number;
}

export interface StoredMessage {
  id: string;
  direction: Direction;
  /** WhatsApp's message id; unique. Outbound messages get it once WhatsApp accepted them. */
  waMessageId?: string;
  contactWaId: string;
  body?: string;
  media?: MediaRef;
  /** Where the message sits in Slack (the mirrored post for inbound, the agent's reply for outbound). */
  slack?: { channel: string; ts: string };
  /** Inbound: posting to Slack. Outbound: sending to WhatsApp. */
  delivery: Delivery;
  createdAt: Date;
}

export interface NewInboundMessage {
  waMessageId: string;
  contactWaId: string;
  body?: string;
  media?: MediaRef;
  at: Date;
}

export interface MessageRepository {
  /**
   * Stores an inbound message before anything else happens to it. A second delivery of the same
   * WhatsApp id changes nothing and reports `duplicate: true`.
   */
  recordInbound(message: NewInboundMessage): Promise<{ message: StoredMessage; duplicate: boolean }>;
  findByWaMessageId(waMessageId: string): Promise<StoredMessage | null>;
}
