export type Direction = 'inbound' | 'outbound';

/** Delivery to one side (Slack or WhatsApp), tracked separately so each side retries on its own. */
export type DeliveryState = 'pending' | 'sending' | 'sent' | 'delivered' | 'read' | 'failed' | 'blocked';

export interface Delivery {
  state: DeliveryState;
  attempts: number;
  nextAttemptAt?: Date;
  /** While `sending`: the claim lapses then, and another pass may take the item over (a crash). */
  claimedUntil?: Date;
  /** While `sending`: the current claim's owner token; outcomes are recorded only with it. */
  claimToken?: string;
  /** How many times it was claimed, ever: above one, an earlier attempt may have reached WhatsApp. */
  claims?: number;
  lastError?: string;
}

/**
 * What kind of WhatsApp content a message carries, beyond its text. A `notice` is ours, not the
 * contact's: a change in the conversation told in its thread, in order with the messages.
 */
export type MessageKind = 'text' | 'media' | 'location' | 'contact_card' | 'notice';

export interface MediaRef {
  mimetype: string;
  filename?: string;
  size?: number;
  /** The bytes, held in the store until delivered (absent when too large or not downloadable). */
  storedId?: string;
  /** Why there are no bytes to deliver, shown instead of the file. */
  unavailable?: string;
  /** The file is in Slack already (a retry must not upload it again). */
  uploaded?: boolean;
}

/**
 * What an inbound message still owes after it was stored: its consent keyword handled, its file
 * fetched. Until they are done it is not posted (nor anything after it in its conversation); a
 * repeat delivery, the catch-up after a restart or the recorder's sweep finishes them.
 */
export type InboundStep = 'consent' | 'media';

export interface StoredMessage {
  id: string;
  direction: Direction;
  /** WhatsApp's message id; unique. Outbound messages get it once WhatsApp accepted them. */
  waMessageId?: string;
  contactWaId: string;
  kind: MessageKind;
  body?: string;
  media?: MediaRef;
  location?: { latitude: number; longitude: number; name?: string; address?: string };
  vcards?: string[];
  quoted?: { id: string; text?: string };
  /** The contact's WhatsApp display name when this message arrived. */
  pushName?: string;
  /** Slack-bound, but ours: sent from the phone, not through the app (shown as such in the thread). */
  fromPhone?: boolean;
  /** From the phone, and written by the WhatsApp Business App's automations (greeting, away): never an answer. */
  automated?: boolean;
  /** Where the message sits in Slack (the mirrored post for inbound, the agent's reply for outbound). */
  slack?: { channel: string; ts: string };
  /** Outbound: the Slack user who wrote it. */
  agent?: string;
  /** Outbound: the signature line added under `body` ('' for none), so an edit is signed the same way. */
  signature?: string;
  purpose?: OutboundPurpose;
  /** Outbound: one recipient's copy of this broadcast. */
  broadcastId?: string;
  /** Outbound: sent as this approved WhatsApp template (Cloud API) instead of free text; `body` is its preview. */
  template?: OutboundTemplate;
  /** Outbound replies: typed in the thread or written in a modal (a notes-only channel sends only the latter). */
  via?: 'thread' | 'modal';
  /** A consent event this message caused (shown as a banner in the thread). */
  consentNotice?: string;
  /** Outbound: when WhatsApp accepted it (WhatsApp's edit and delete windows count from here). */
  sentAt?: Date;
  /** The author changed it after sending, or deleted it for everyone. */
  edited?: boolean;
  revoked?: boolean;
  /** Deleted in Slack while being sent: never retried. */
  withdrawn?: boolean;
  /** The contact's current reaction to this message, as shown in Slack. */
  contactReaction?: string;
  /** Inbound: posting to Slack. Outbound: sending to WhatsApp. */
  delivery: Delivery;
  /** Inbound: steps owed before it may be posted (absent once done). */
  steps?: InboundStep[];
  createdAt: Date;
}

export type NewInboundMessage = Pick<StoredMessage, 'kind' | 'body' | 'media' | 'location' | 'vcards' | 'quoted' | 'pushName' | 'fromPhone' | 'automated'> & {
  waMessageId: string;
  contactWaId: string;
  at: Date;
  /** Not due before this (a notice placed just after its message). */
  holdUntil?: Date;
  /** Owed before it may be posted; it is held until `release` (see InboundStep). */
  steps?: InboundStep[];
};

/**
 * A template message: which approved template, in which language, its body parameters in order
 * (`paramNames` when the template names them), and its category, which the consent gate judges by.
 */
export interface OutboundTemplate {
  name: string;
  language: string;
  category: string;
  params: string[];
  paramNames?: string[];
}

/**
 * Why an outbound message exists: an agent's reply, the one confirmation an opt-out gets, an opt-in
 * request, or an automatic reply (greeting, away, HELP) — never counted as the team's answer.
 */
export type OutboundPurpose = 'reply' | 'opt_out_confirmation' | 'opt_in_request' | 'auto_reply' | 'broadcast';

export interface NewOutboundMessage {
  contactWaId: string;
  /** Where an agent's reply was written: typed in the thread, or in the card's Reply/Quick reply modal. */
  via?: 'thread' | 'modal';
  body: string;
  purpose: OutboundPurpose;
  /** Sent as a template (Cloud API only); `body` is then the filled-in preview. */
  template?: OutboundTemplate;
  /** The agent's Slack message: the dedupe key for Slack's retried and duplicate events. */
  slack?: { channel: string; ts: string };
  agent?: string;
  /** The signature line `body` ends with ('' for none). */
  signature?: string;
  at: Date;
  /** An attached file (its bytes in the store); `part` numbers the second and later files of one Slack message. */
  media?: MediaRef;
  part?: number;
  /** `blocked` records a reply the consent gate refused; it is never sent. */
  state: 'pending' | 'blocked';
  reason?: string;
  /** The undo window: not handed to WhatsApp before this (deleting or cancelling meanwhile withdraws it). */
  holdUntil?: Date;
}


/** An item taken for delivery; `reclaimed`: an earlier claim on it had lapsed (its holder crashed?). */
export interface Claim {
  message: StoredMessage;
  reclaimed: boolean;
}

export interface MessageRepository {
  /**
   * Stores an inbound message before anything else happens to it. A second delivery of the same
   * WhatsApp id changes nothing and reports `duplicate: true`.
   */
  recordInbound(message: NewInboundMessage): Promise<{ message: StoredMessage; duplicate: boolean }>;
  findByWaMessageId(waMessageId: string): Promise<StoredMessage | null>;
  /** Which of these WhatsApp message ids are stored already, with nothing owed (see InboundStep). */
  knownWaIds(waMessageIds: string[]): Promise<Set<string>>;
  /** Records an agent's reply; the same Slack message twice changes nothing (`duplicate: true`). */
  recordOutbound(message: NewOutboundMessage): Promise<{ message: StoredMessage; duplicate: boolean }>;
  /** Conversations with a due item, the longest-waiting first. */
  dueConversations(direction: Direction, now: Date, limit: number): Promise<string[]>;
  /**
   * Claims the conversation's oldest unfinished item if it is due — never a later one, so item N+1
   * cannot overtake N. `reclaimed` says a previous claim lapsed (its holder may have crashed mid-send).
   */
  claimHead(direction: Direction, contactWaId: string, now: Date, claimMs: number): Promise<Claim | null>;
  /** A conversation's unfinished items (pending or being sent), oldest first. */
  unfinished(direction: Direction, contactWaId: string, limit: number): Promise<StoredMessage[]>;
  /** Claims one item read earlier, if it is due and nobody changed it since. */
  claim(message: StoredMessage, now: Date, claimMs: number): Promise<Claim | 'not_due' | 'taken'>;
  /** Its steps done: makes a recorded inbound message due now, with the consent banner it earned and its media bytes, if any. */
  release(id: string, now: Date, extra?: { consentNotice?: string; media?: MediaRef }): Promise<void>;
  /** Inbound messages stored before `before` whose steps are still owed (a crash came between), oldest first. */
  owingSteps(before: Date, limit: number): Promise<StoredMessage[]>;
  markPosted(id: string, slack: { channel: string; ts: string }): Promise<void>;
  /**
   * The outcome of a claim, recorded only by its holder (`token` from the claim): a claimer whose
   * claim lapsed and was taken over changes nothing. Each returns whether it was recorded.
   */
  markSent(id: string, waMessageId: string, at: Date, token: string): Promise<boolean>;
  /** Back to pending, due at `at`; `countAttempt` false for waits that are not failures (rate limits, WhatsApp offline). */
  reschedule(id: string, at: Date, error: string, countAttempt: boolean, token: string): Promise<boolean>;
  markFailed(id: string, error: string, token: string): Promise<boolean>;
  /**
   * Asked inside the send slot, right before the send, in one read: is the claim still ours, and not
   * withdrawn in Slack? Does the contact have a message stored whose consent keyword is not handled
   * yet (a STOP in flight)?
   */
  sendSlotCheck(id: string, token: string, contactWaId: string): Promise<{ claim: 'held' | 'withdrawn' | 'lost'; owesConsent: boolean }>;
  /** Moves an outbound message's delivery forward (never back) on a WhatsApp ack; returns it if it moved. */
  advanceAck(waMessageId: string, state: 'delivered' | 'read' | 'failed'): Promise<StoredMessage | null>;
  /** Messages per delivery state; replies withdrawn in Slack (cancelled, deleted) are not counted as failed. */
  countByState(direction: Direction): Promise<Partial<Record<DeliveryState, number>>>;
  findBySlackMessage(channel: string, ts: string): Promise<StoredMessage | null>;
  /** Withdraws a broadcast's copies not sent yet (it was cancelled); copies being sent now are not retried. */
  withdrawBroadcast(broadcastId: string, reason: string): Promise<{ withdrawn: number; inFlight: number }>;
  /** A broadcast's copies by delivery state; `withdrawn`: cancelled before they went. */
  broadcastCounts(broadcastId: string): Promise<Partial<Record<DeliveryState | 'withdrawn', number>>>;
  /** Deletes every message of a contact, both ways (and their held media); returns how many. */
  eraseContact(contactWaId: string): Promise<number>;
  /** Records the author's edit, deletion or the contact's reaction; returns the message as it now is. */
  recordChange(id: string, change: { body?: string; edited?: true; revoked?: true; contactReaction?: string | null; media?: MediaRef }): Promise<StoredMessage | null>;
  /** Replaces a reply's text while it has not been sent yet; false once it is on its way. */
  rewritePending(id: string, body: string): Promise<boolean>;
  /**
   * Withdraws every part of a Slack message not sent yet. Parts being sent at this moment are marked
   * so that, should that attempt fail, they are not tried again (`inFlight` counts them).
   */
  cancelPendingForSlack(channel: string, ts: string, reason: string): Promise<{ withdrawn: number; inFlight: number }>;
  /**
   * The contact's newest opt-in request queued at or after `since` that WhatsApp accepted by
   * `answer.at`, and whether the contact wrote anything (other than `answer`, stored already)
   * between its sending and `answer`: what tells the answer to the request from a YES to something else.
   */
  latestOptInRequest(contactWaId: string, since: Date, answer: { waMessageId: string; at: Date }): Promise<{ request: StoredMessage; interrupted: boolean } | null>;
  /**
   * Records a text message of ours once per `key` (one opt-out's confirmation, say): a repeat
   * changes nothing and hands back the first (`duplicate: true`), so queueing it is safe to retry.
   */
  recordOutboundOnce(message: Pick<NewOutboundMessage, 'contactWaId' | 'body' | 'purpose' | 'at' | 'state' | 'template'> & { broadcastId?: string }, key: string): Promise<{ message: StoredMessage; duplicate: boolean }>;
}
