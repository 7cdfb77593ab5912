/**
 * Where a conversation stands in the team's queue: `open` (the customer is waiting on us),
 * `pending` (we answered; waiting on the customer), `snoozed` until a time, `resolved`.
 */
export type ConversationStatus = 'open' | 'pending' | 'snoozed' | 'resolved';
export const CONVERSATION_STATUSES: readonly ConversationStatus[] = ['open', 'pending', 'snoozed', 'resolved'];

/** Kept on the contact (one WhatsApp chat, one Slack thread, one conversation). */
export interface Conversation {
  status: ConversationStatus;
  /** The Slack user who has it. */
  assignee?: string;
  snoozedUntil?: Date;
  /**
   * When this cycle began: the first message, the first one after it was resolved, or a reopening
   * by hand after it was resolved. A cycle counts one resolution (see `resolvedAt`).
   */
  openedAt: Date;
  /** The customer's oldest message we have not answered yet, or when it was reopened by hand or its snooze ended. */
  waitingSince?: Date;
  /** The first reply sent to WhatsApp in this cycle. */
  firstResponseAt?: Date;
  /** Set while this cycle has been resolved: kept through a snooze and its end, cleared by a new cycle. */
  resolvedAt?: Date;
  /** A notice the thread is owed, set in the same write as the change it tells of (see conversation-notices.ts). */
  owedNotice?: OwedNotice;
}

/** The thread is to be told: the conversation opened again, by a message or the end of a snooze. */
export interface OwedNotice {
  event: 'reopened' | 'snooze_ended';
  /** What it was before a message reopened it. */
  from?: 'resolved' | 'snoozed';
  assignee?: string;
  /** When it happened; with the contact, it names the notice (a retry records it once). */
  at: Date;
}

/** What an inbound message did to the conversation, when it did more than add to it. */
export interface ConversationChange {
  from: 'resolved' | 'snoozed' | 'pending';
  assignee?: string;
}

/** One line of a conversation's history, and the figures the reports use. */
export interface ConversationEvent {
  contact: string;
  type: 'status' | 'assignee' | 'first_response' | 'resolution';
  from?: string;
  to?: string;
  /** A Slack user id, `contact`, or `system`. */
  actor: string;
  at: Date;
  /** first_response and resolution: how long it took. */
  ms?: number;
}

export type InboxView = 'mine' | 'unassigned' | 'open' | 'pending';

export interface ConversationRepository {
  /** Assigns to `user` unless someone else has it; `holder` says who does. */
  claim(waId: string, user: string, at: Date): Promise<{ ok: boolean; holder?: string }>;
  /** Sets or clears the assignee; returns the previous one. */
  assign(waId: string, user: string | undefined, actor: string, at: Date): Promise<{ previous?: string } | null>;
  /** Resolve, reopen or snooze; returns the previous status, or null when it already had it (or no such contact). */
  setStatus(waId: string, to: 'open' | 'resolved' | 'snoozed', actor: string, at: Date, snoozedUntil?: Date): Promise<ConversationStatus | null>;
  /**
   * Resolves unless the customer wrote after `seenInboundAt` (the newest message the agent could
   * see in the thread): then `arriving`, and nothing changes. Otherwise as setStatus.
   */
  resolveIfSeen(waId: string, actor: string, at: Date, seenInboundSeq: number | undefined): Promise<ConversationStatus | null | 'arriving'>;
  /**
   * A reply reached WhatsApp: the first of a cycle is its first response; an open conversation
   * becomes pending (true when it did).
   */
  agentReplied(waId: string, at: Date): Promise<boolean>;
  /** Snoozes that ended by `now`: reopened, each owing the thread a notice, returned with it. */
  wakeSnoozed(now: Date): Promise<Array<{ waId: string; notice: OwedNotice }>>;
  /** Notices owed since before `before` (their writer crashed or failed), oldest first. */
  owedNotices(before: Date, limit: number): Promise<Array<{ waId: string; notice: OwedNotice }>>;
  /** The notice of `at` is recorded: no longer owed (a newer one owed meanwhile stays). */
  noticeRecorded(waId: string, at: Date): Promise<void>;
  /** The conversations in a view: open ones first, the longest waiting first; then the rest, oldest cycle first. */
  list(view: InboxView, user: string, page: number, pageSize: number): Promise<{ total: number; items: Array<{ waId: string; name?: string; e164?: string; conversation: Conversation; slack?: { channel: string; threadTs: string } }> }>;
  counts(): Promise<{ open: number; unassigned: number; pending: number }>;
  /** Median first response or resolution time (ms) of those recorded in (from, to], or since `from`. */
  medianMs(type: 'first_response' | 'resolution', from: Date, to?: Date): Promise<number | undefined>;
  history(waId: string, limit: number): Promise<ConversationEvent[]>;
}
