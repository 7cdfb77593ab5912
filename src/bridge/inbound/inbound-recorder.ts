import type { AutoReplier } from '../../auto-reply/auto-replier';
import type { Clock } from '../../clock';
import type { Contact, ContactRepository, InboundSighting } from '../../domain/contact';
import type { MessageRepository } from '../../domain/message';
import type { MediaRepository } from '../../store/repositories/media-repository';
import { holdGate } from './hold-gate';
import { finishSteps, stepsOwed, type StepDeps } from './inbound-steps';
import { toNewInbound } from './message-parts';
import type { Logger } from '../../logger';
import type { InboundMessage, WhatsAppGateway } from '../../whatsapp/gateway';
import type { ConversationNotices } from '../../workflow/conversation-notices';

export interface InboundRecorderDeps {
  gateway: WhatsAppGateway;
  messages: MessageRepository;
  contacts: ContactRepository;
  /** Consent keywords: returns the banner for the message, if it changed consent. */
  consent: StepDeps['consent'];
  media: MediaRepository;
  /** Larger media is not relayed; the thread says so, with its size. */
  mediaMaxBytes: number;
  /** Opts out (with its ledger entry) a contact whose other WhatsApp id opted out (see consent/twins.ts). */
  inheritOptOut: (contact: Contact) => Promise<void>;
  /** Cheap, pure: could this text change consent? */
  isConsentKeyword: (text: string) => boolean;
  /** Greeting, away and HELP replies, decided once a burst's contact is written (absent: none). */
  autoReply?: Pick<AutoReplier, 'answer'>;
  /** Cheap, pure: is this text HELP or INFO? Such a message is answered even inside a burst. */
  isHelpKeyword?: (text: string) => boolean;
  /** Records the "open again" notices a reopening owes the thread. */
  notices: Pick<ConversationNotices, 'record'>;
  /** Called once a message is ready for Slack, and when consent queued a WhatsApp reply. */
  wakeSlack: (contactWaId: string) => void;
  wakeWhatsApp: (contactWaId: string) => void;
  clock: Clock;
  logger: Logger;
}

/** A message owing steps for longer than this, and not being worked on here, was left by a crash: the sweep finishes it. */
const SWEEP_AFTER_MS = 2 * 60_000;
const SWEEP_BATCH = 100;
/** Recorded message ids remembered to skip redeliveries (about a minute of a busy number's traffic). */
const FINISHED_REMEMBERED = 10_000;

export interface InboundRecorder {
  /** Takes a message as if WhatsApp had just delivered it (the catch-up after downtime uses this). */
  accept(message: InboundMessage): void;
  /**
   * Holds back messages WhatsApp delivers from now on, in order, until the returned function is
   * called: a catch-up hands over the older messages it found first, so each conversation keeps
   * WhatsApp's order (in Slack, and for consent keywords).
   */
  hold(): () => void;
  /**
   * Runs `job` in the contact's lane, after their messages taken so far (a phone answer stays after
   * the question); retried like them while it fails. `what` names it in the log.
   */
  sequence(contact: string, job: () => Promise<void>, what: { kind: string; waMessageId: string }): void;
  /** Resolves once everything taken so far for this contact is recorded (their lane is empty). */
  drained(contact: string): Promise<void>;
  /**
   * Finishes the steps of messages a crash left owing them (stored, consent or media not done),
   * from the store, in their contact's lane. Call it once the catch-up has handed over what WhatsApp
   * still holds (their files can only be fetched from there); resolves with how many it took.
   */
  sweep(): Promise<number>;
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Stores every inbound WhatsApp message before anything else (deduplicated on its WhatsApp id),
 * then the contact, then consent keywords, then hands it to the Slack dispatcher. A conversation's
 * messages are handled one at a time in arrival order; when MongoDB is down they wait in memory and
 * are retried with backoff, in order — WhatsApp Web does not deliver them twice.
 */
export function startInboundRecorder(deps: InboundRecorderDeps): InboundRecorder {
  const log = deps.logger.child({ component: 'inbound' });
  // One chain per contact: a conversation's messages are handled in arrival order, different
  // conversations side by side.
  const chains = new Map<string, Promise<void>>();
  /** Contacts whose link to their other WhatsApp id was checked (waId → alias). */
  const linked = new Map<string, string>();
  /** Ids of the messages taken and not yet recorded. */
  const taken = new Set<string>();
  /**
   * Ids of the messages recorded here lately with every step done: a redelivery of one (Meta sends
   * a webhook again, whatsapp-web.js emits twice) has nothing left to do, so not even a store write.
   */
  const finished = new Set<string>();
  /** Messages per contact received and not yet recorded: a burst updates its contact once, at its end. */
  const queued = new Map<string, number>();
  /** What a contact's recorded messages have told us that is not in the store yet (merged over a burst). */
  const owed = new Map<string, InboundSighting>();
  /**
   * Notices decided but not yet stored: the contact write that decided one is done, so a retry of
   * its message (which then looks like a repeat) must still store the notice. In memory only.
   */
  const owedNotices = new Map<string, () => Promise<void>>();
  /** The same for automatic replies: decided on the contact as this message's burst wrote it, which a retry cannot see again. */
  const owedReplies = new Map<string, () => Promise<void>>();
  let stopped = false;
  const live = holdGate<InboundMessage>((message) => accept(message));
  const stepDeps = { ...deps, logger: log };

  const unsubscribe = deps.gateway.on((event) => {
    if (event.type === 'message') live.pass(event.message);
  });

  function accept(message: InboundMessage): void {
    // One already on its way (a catch-up run again after a reconnect, say) is not taken twice: the
    // store would ignore the repeat, but it would count in its burst and hold back the contact update.
    if (stopped || taken.has(message.id) || finished.has(message.id)) return;
    taken.add(message.id);
    const contact = message.from;
    queued.set(contact, (queued.get(contact) ?? 0) + 1);
    const done = () => {
      taken.delete(message.id);
      const left = (queued.get(contact) ?? 1) - 1;
      if (left > 0) queued.set(contact, left);
      else queued.delete(contact);
    };
    const job = async () => {
      await record(message);
      if (finished.size >= FINISHED_REMEMBERED) finished.delete(finished.values().next().value!);
      finished.add(message.id);
    };
    sequence(contact, job, { kind: 'an inbound message', waMessageId: message.id }, done);
  }

  /** A lane's job is retried with backoff until it succeeds or the recorder stops, so the lane waits, in order, and never breaks. */
  function sequence(contact: string, job: () => Promise<void>, what: { kind: string; waMessageId: string }, finished?: () => void): void {
    const next = (chains.get(contact) ?? Promise.resolve()).then(() => withRetry(job, what).finally(finished));
    chains.set(contact, next);
    void next.then(() => {
      if (chains.get(contact) === next) chains.delete(contact);
    });
  }

  /** The contact upsert for what `owed` holds (the burst's latest time and name). */
  async function settleContact(waId: string): Promise<Awaited<ReturnType<ContactRepository['recordInbound']>> | undefined> {
    const sighting = owed.get(waId);
    if (!sighting) return undefined;
    const contact = await deps.contacts.recordInbound(sighting);
    if (owed.get(waId) === sighting) owed.delete(waId);
    return contact;
  }

  async function withRetry(job: () => Promise<void>, what: { kind: string; waMessageId: string }): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await job();
      } catch (err) {
        log.error({ err, waMessageId: what.waMessageId, attempt }, `could not record ${what.kind}; retrying`);
        if (stopped) return;
        await new Promise((resolve) => setTimeout(resolve, Math.min(30_000, 250 * 2 ** attempt)).unref());
      }
    }
  }

  async function record(message: InboundMessage): Promise<void> {
    const content = message.content;
    // Steps are owed on the stored message, so a store error or a crash before they are done cannot skip them.
    const steps = stepsOwed(content, deps.isConsentKeyword);
    const { message: stored, duplicate } = await deps.messages.recordInbound({ ...toNewInbound(message), ...(steps.length ? { steps } : {}) });
    // What the stored message owes decides, not what this copy looks like: an edit or a deletion
    // while the app was down changes the words, and the held message must still be released.
    const hold = (stored.steps?.length ?? 0) > 0;
    const notice = owedNotices.get(message.id);
    if (notice) {
      await notice();
      owedNotices.delete(message.id);
    }
    const reply = owedReplies.get(message.id);
    if (reply) {
      await reply();
      owedReplies.delete(message.id);
    }
    // A repeat of a message whose steps are still owed (the first try failed after storing it, or
    // the app crashed): it goes through the rest as if new, and its steps get done.
    if (duplicate && !stored.steps?.length) {
      log.debug({ waMessageId: message.id }, 'duplicate inbound message ignored');
      // The burst's last message may be a repeat: what the others owe the contact is settled here.
      if ((queued.get(message.from) ?? 1) <= 1) await settleContact(message.from);
      return;
    }
    const seen = owed.get(message.from);
    const since = seen && (seen.since ?? seen.at) < message.at ? (seen.since ?? seen.at) : message.at;
    owed.set(message.from, {
      waId: message.from,
      name: message.pushName ?? seen?.name,
      alias: message.alias ?? seen?.alias,
      at: seen && seen.at > message.at ? seen.at : message.at,
      // The burst's first message: when the customer started waiting, or the new cycle began.
      since,
    });
    const text = content.kind === 'text' ? content.text : undefined;
    const asksHelp = text !== undefined && (deps.isHelpKeyword?.(text) ?? false);
    // More of this contact's messages are right behind: the last of them updates the contact (one
    // write per burst, not per message), unless this one needs the contact now (consent, media).
    if ((queued.get(message.from) ?? 1) > 1 && !hold && !asksHelp) return deps.wakeSlack(message.from);
    const contact = (await settleContact(message.from))!;
    // Known under another id too: an opt-out there covers this one (keyed ledger entry: safe to repeat).
    // Once per link and process: later opt-outs reach the twin through recordOptOut, and every send
    // checks both ids, so repeating it on each burst would only add queries to the hot path.
    if (contact.aliasWaId && linked.get(contact.waId) !== contact.aliasWaId) {
      await deps.inheritOptOut(contact);
      if (linked.size >= 10_000) linked.clear();
      linked.set(contact.waId, contact.aliasWaId);
    }
    if (contact.conversationChange) {
      // Reopened: the notice owed on the contact (durable). Pending → open: a card redraw only.
      const owed = contact.conversation?.owedNotice;
      const notice = owed ? () => deps.notices.record(message.from, owed) : () => recordRedraw(message);
      owedNotices.set(message.id, notice);
      await notice();
      owedNotices.delete(message.id);
    }
    if (hold) await finishSteps(stepDeps, stored, contact, content);
    if (deps.autoReply) {
      const autoReply = deps.autoReply;
      const answer = () => autoReply.answer(contact, { id: message.id, at: message.at, ...(text !== undefined ? { text } : {}) }, since);
      owedReplies.set(message.id, answer);
      await answer();
      owedReplies.delete(message.id);
    }
    deps.wakeSlack(message.from);
  }

  async function sweep(): Promise<number> {
    if (stopped) return 0;
    const left = await deps.messages.owingSteps(new Date(deps.clock().getTime() - SWEEP_AFTER_MS), SWEEP_BATCH);
    const mine = left.filter((m) => m.waMessageId && !taken.has(m.waMessageId));
    for (const m of mine) {
      const id = m.waMessageId!;
      log.warn({ waMessageId: id, steps: m.steps }, 'finishing a message whose steps a crash left owed');
      taken.add(id);
      sequence(m.contactWaId, () => finishStored(id), { kind: 'a message left half-recorded', waMessageId: id }, () => taken.delete(id));
    }
    return mine.length;
  }

  /** Finished from the store, never inserted again: a message erased meanwhile stays erased. */
  async function finishStored(waMessageId: string): Promise<void> {
    const stored = await deps.messages.findByWaMessageId(waMessageId);
    if (!stored?.steps?.length) return;
    // The crash may have come before its contact was written: the message itself is enough (as in slack-deliverer.ts).
    const contact = (await deps.contacts.findByWaId(stored.contactWaId)) ?? (await deps.contacts.recordInbound({ waId: stored.contactWaId, name: stored.pushName, at: stored.createdAt }));
    await finishSteps(stepDeps, stored, contact);
    deps.wakeSlack(stored.contactWaId);
  }

  /**
   * The customer answered (pending → open): an empty notice in the same lane, a millisecond after
   * the message, so the card is redrawn once the message is posted. Keyed on the message, so a
   * retry of this message does not redraw twice.
   */
  async function recordRedraw(message: InboundMessage): Promise<void> {
    await deps.messages.recordInbound({ waMessageId: `notice:${message.id}`, contactWaId: message.from, kind: 'notice', body: '', at: new Date(message.at.getTime() + 1), holdUntil: message.at });
  }

  async function drained(contact: string): Promise<void> {
    for (let lane = chains.get(contact); lane; lane = chains.get(contact)) await lane;
  }

  return {
    accept,
    hold: live.hold,
    sequence,
    drained,
    sweep,
    idle: async () => {
      while (chains.size > 0) await Promise.all(chains.values());
    },
    async stop() {
      stopped = true;
      unsubscribe();
      await Promise.all(chains.values());
    },
  };
}
