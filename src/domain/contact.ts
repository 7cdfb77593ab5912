import type { AutoReplyKind } from './auto-reply';
import type { Suppression } from './suppression';
import type { Conversation, ConversationChange } from './conversation';

/** Where a contact stands on receiving messages from the business. */
export type ConsentStatus = 'unknown' | 'pending' | 'opted_in' | 'opted_out';
export const CONSENT_STATUSES: readonly ConsentStatus[] = ['unknown', 'pending', 'opted_in', 'opted_out'];

/** List hygiene: inactive contacts are flagged; archived ones leave segments and broadcasts. */
export type ActivityStatus = 'active' | 'inactive' | 'archived';

export interface Consent {
  status: ConsentStatus;
  since?: Date;
  /** How the current status came about, e.g. `keyword:STOP`, `slack:/wa optout`, `reply:YES`. */
  source?: string;
  /** While pending: the status before the request, restored if the request expires unanswered. */
  before?: ConsentStatus;
  /** While pending: that status's `since` and `source`, restored with it (a refusal quotes them). */
  beforeSince?: Date;
  beforeSource?: string;
}

/**
 * What an opt-out still owes after the write that opted the contact out: its ledger entry (who,
 * how, the words) and its one confirmation. Recorded in that same write and cleared once both are
 * stored, so a crash in between cannot lose them (see consent/record-opt-out.ts).
 */
export interface OwedOptOut {
  /** When they opted out: the ledger entry's time, and the key of both entry and confirmation. */
  at: Date;
  source: string;
  actor: string;
  evidence: string;
}

export interface Activity {
  status: ActivityStatus;
  reason?: string;
  since?: Date;
}

/** The Slack thread a conversation is mirrored into. */
export interface SlackConversation {
  channel: string;
  threadTs: string;
}

export interface Contact {
  id: string;
  /** The WhatsApp id exactly as it arrived (`…@c.us` or `…@lid`); mappings are keyed on it. */
  waId: string;
  /** E.164 phone number; absent for `@lid` ids, which do not reveal the number. */
  e164?: string;
  /** The same person's other WhatsApp id (`@lid` ↔ `@c.us`), once WhatsApp told us: consent follows the person. */
  aliasWaId?: string;
  name?: string;
  labels: string[];
  consent: Consent;
  lastInboundAt?: Date;
  /** Counts the contact's messages as they are recorded: what Resolve compares (WhatsApp's times are to the second, and a catch-up's are older). */
  inboundSeq?: number;
  lastOutboundAt?: Date;
  activity: Activity;
  slack?: SlackConversation;
  /** The team's queue state of this conversation (absent for contacts from before it existed). */
  conversation?: Conversation;
  /** Set from an opt-out's write until its ledger entry and confirmation are stored. */
  owedOptOut?: OwedOptOut;
  /** The last broadcast sent to them (a reply in the following days is marked as a reply to it). */
  lastBroadcast?: { id: string; name?: string; at: Date };
  /** Created while WHATSAPP_GATEWAY=simulator: someone played this customer on the simulator page. */
  simulated?: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface Segment {
  labels: string[];
  activity?: 'active' | 'inactive';
  optedIn?: boolean;
}

/** What an inbound WhatsApp message tells us about its sender. */
export interface InboundSighting {
  waId: string;
  name?: string;
  /** Their other WhatsApp id, if known. */
  alias?: string;
  /** The (latest) message's time. */
  at: Date;
  /** For a burst seen at once: its first message's time (waiting starts there). Defaults to `at`. */
  since?: Date;
}

/** What recording a burst learnt about the contact's history (what a greeting is decided on). */
export interface InboundNews {
  /** This burst created the contact: their first message ever. */
  created?: true;
  /** The time of their burst before this one, when known (not for contacts stored before it was kept). */
  previousInboundAt?: Date;
  /** When each kind of automatic reply was last claimed for them, as of this write (saves a claim bound to fail). */
  lastAutoReplies?: Partial<Record<AutoReplyKind, Date>>;
}

/** Contacts as the core needs them; implemented in store/. */
export interface ContactRepository {
  /**
   * `optOutInherited` is set when the contact was just created opted out, with why
   * (`suppressed:erased`, or `alias:<their other id>`).
   * Creates the contact on first sight, else refreshes its name and lastInboundAt; an inactive
   * contact becomes active again (an inbound message is activity). Archived stays archived.
   * The conversation is open afterwards; one that was pending, resolved or snoozed says so.
   */
  recordInbound(sighting: InboundSighting): Promise<Contact & { conversationChange?: ConversationChange; optOutInherited?: string } & InboundNews>;
  findByWaId(waId: string): Promise<Contact | null>;
  findByE164(e164: string): Promise<Contact | null>;
  /** Contacts whose name starts with `prefix`, ignoring case (the text is matched literally). */
  findByNamePrefix(prefix: string, limit: number): Promise<Contact[]>;
  /** Contacts in a segment: all of these labels, optionally active/inactive and opted in; never archived. */
  countSegment(segment: Segment): Promise<number>;
  /** The segment's contacts, streamed (a segment can be large). */
  streamSegment(segment: Segment): AsyncIterable<Contact>;
  /** How many contacts are in each consent state. */
  consentTotals(): Promise<Partial<Record<ConsentStatus, number>>>;
  /** How many contacts carry each label. */
  labelCounts(): Promise<Map<string, number>>;
  /** The contact whose conversation lives in this Slack thread. */
  findBySlackThread(channel: string, threadTs: string): Promise<Contact | null>;
  /** Remembers the thread the conversation lives in, unless one is already set (first wins). */
  setSlackConversation(waId: string, conversation: SlackConversation): Promise<Contact | null>;
  setConsent(waId: string, consent: Consent): Promise<Contact | null>;
  addLabels(waId: string, labels: string[]): Promise<Contact | null>;
  removeLabels(waId: string, labels: string[]): Promise<Contact | null>;
  /** Deletes the contact and remembers (hashed) that the number must stay opted out. */
  /** Deletes the contact and keeps its number opted out (a keyed suppression entry); `by`: the lead who erased. */
  erase(waId: string, at: Date, by?: string): Promise<void>;
  /**
   * The contacts that are the same person as this one under their other WhatsApp id (its alias,
   * or those naming it as theirs).
   */
  twinsOf(contact: Pick<Contact, 'waId' | 'aliasWaId'>): Promise<Contact[]>;
  /** Records `alias` as the contact's other WhatsApp id. */
  linkAlias(waId: string, alias: string): Promise<void>;
  /** When each of these numbers was erased, for those that were (a catch-up must not bring their old messages back). */
  erasedAt(waIds: string[]): Promise<Map<string, Date>>;
  /** Why this number is kept opted out with no contact behind it, if it is (erased, or opted out before writing). */
  suppressionOf(waId: string): Promise<Suppression | undefined>;
  /** Keeps a number opted out before it ever wrote (an opt-out by phone or e-mail). */
  suppress(waId: string, entry: Suppression): Promise<void>;
  /** The newest `lastInboundAt` of any contact: where a catch-up after downtime starts looking. */
  latestInboundAt(): Promise<Date | undefined>;
  /** Takes a deleted label off every contact; how many had it. */
  removeLabelEverywhere(label: string): Promise<number>;
  /** Puts a renamed label's new name in place of the old on every contact; how many had it. */
  renameLabelEverywhere(from: string, to: string): Promise<number>;
  /**
   * Changes consent only if its status is one of `from` at that moment: one conditional write, so of
   * two changes racing each other exactly one wins. An opt-out records what it still owes in the
   * same write. Returns the contact as changed, or null when its status did not match.
   */
  changeConsent(waId: string, from: readonly ConsentStatus[], consent: Consent, owedOptOut?: OwedOptOut): Promise<Contact | null>;
  /** Clears an opt-out's debt once paid: only the one owed since `at` (a later opt-out's stays). */
  optOutSettled(waId: string, at: Date): Promise<void>;
  /** Contacts whose opt-out has owed its ledger entry or confirmation since `before` or earlier (a crash), oldest first. */
  owedOptOuts(before: Date, limit: number): Promise<Contact[]>;
}
