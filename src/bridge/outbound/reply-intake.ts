import { randomUUID } from 'node:crypto';
import type { Contact } from '../../domain/contact';
import type { Logger } from '../../logger';
import type { Intake, IntakeFile } from '../../store/repositories/intake-repository';
import { backoffMs } from '../dispatch/delivery-error';
import { bestEffort, type IntakeContext, type IntakeOutcome, type ReplyIntakeDeps } from './intake-context';
import { processModalReply } from './modal-reply-intake';
import { processThreadReply } from './thread-reply-intake';
import { NOTES, warnTarget } from './intake-notes';

export type { ReplyIntakeDeps } from './intake-context';

/** A claim lapses after this (its holder crashed); downloads of large files fit well within it. */
const CLAIM_MS = 2 * 60_000;
/** Retries: 5 s doubling to 5 min, with jitter. */
const BACKOFF = { baseMs: 5_000, maxMs: 5 * 60_000 };
/** After a day owed, a reply is given up: the agent is told to send it again if it still applies. */
export const GIVE_UP_MS = 24 * 3_600_000;
const SWEEP_EVERY_MS = 5_000;
const THREADS_PER_PASS = 50;
const BATCH = 20;

/** An agent's message in a thread, as the event carried it. */
export interface ThreadReplyEvent {
  channel: string;
  ts: string;
  threadTs: string;
  user: string;
  text?: string;
  files?: IntakeFile[];
  subtype?: string;
}

/** A reply written in a modal, for the contact's thread. */
export interface ModalReply {
  contact: Contact & { slack: NonNullable<Contact['slack']> };
  user: string;
  text: string;
  shown: string;
  /** The submitted view's id: the reply's key. */
  viewId?: string;
}

export interface ReplyIntake {
  /** Stores the reply first, then processes it; a store failure leaves it owed (and the agent told). */
  take(reply: ThreadReplyEvent, log?: Logger): Promise<void>;
  /**
   * The same for a reply written in a modal; throws (after telling the agent) if it could not be
   * stored. Keyed on the modal's `viewId` when given: the same view taken in twice (a submission
   * repeated, even while the first is being processed) is one reply.
   */
  takeModal(reply: ModalReply, log?: Logger): Promise<void>;
  /** Retries what is owed and due, each thread in order; how many threads it looked at. */
  runDue(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

/**
 * Intake first: an agent's reply is stored the moment it arrives (keyed on its Slack message, so a
 * repeated event adds nothing), then processed into the outbox and marked done. A reply that cannot
 * be processed (the store fails midway) stays owed and is retried with backoff by the sweeper, on
 * every instance (the claim decides who). A thread's replies go in the order they came: a later one
 * waits behind an owed one. While a reply waits, its author sees ⚠️ on it and one note; the ⚠️ goes
 * when it is queued. A reply that can never go (its thread is no conversation any more) ends with a
 * note to an author who was told it would be retried; one owed a day is given up.
 */
export function createReplyIntake(deps: ReplyIntakeDeps): ReplyIntake {
  const baseLog = deps.logger.child({ component: 'reply-intake' });
  const intakes = () => deps.repos.intakes;
  // Told in this process: covers a store too broken to note it (one note per reply, not per retry).
  const toldHere = new Set<string>();
  const told = (intake: Intake) => intake.notified === true || toldHere.has(intake.id);
  const context = (intake: Intake) => ({ channel: intake.channel, slackTs: intake.ts ?? intake.postTs, user: intake.user, intake: intake.key });

  /** ⚠️ on the reply and one note: it has not gone out yet, and will be retried. */
  async function notify(intake: Intake, why: 'failed' | 'waiting', log: Logger): Promise<void> {
    if (told(intake)) return;
    toldHere.add(intake.id);
    await intakes().markNotified(intake.id).catch((err: unknown) => log.warn({ err, ...context(intake) }, 'could not note that the agent was told'));
    const client = deps.slack();
    const target = warnTarget(intake);
    if (target) await bestEffort(log, 'mark the reply', () => client.reactions.add({ channel: intake.channel, timestamp: target, name: 'warning' }));
    const text = why === 'waiting' ? NOTES.waiting : intake.kind === 'modal' ? NOTES.failedModal : NOTES.failed;
    await bestEffort(log, 'tell the agent', () => client.chat.postEphemeral({ channel: intake.channel, user: intake.user, thread_ts: intake.threadTs, text }));
  }

  /** Ends the intake and tells a waiting author how it ended. */
  async function settle(intake: Intake, outcome: IntakeOutcome, log: Logger): Promise<void> {
    if (!(await intakes().finish(intake.id, 'done', outcome.kind, deps.clock()))) return;
    const wasTold = told(intake);
    toldHere.delete(intake.id);
    if (!wasTold) return;
    const client = deps.slack();
    const target = warnTarget(intake);
    if (outcome.kind !== 'ignored') {
      if (target) await bestEffort(log, 'clear the ⚠️', () => client.reactions.remove({ channel: intake.channel, timestamp: target, name: 'warning' }));
    } else if (outcome.reason) {
      await bestEffort(log, 'tell the agent', () => client.chat.postEphemeral({ channel: intake.channel, user: intake.user, thread_ts: intake.threadTs, text: NOTES.notSent(outcome.reason!) }));
    }
  }

  /** One attempt; false if it failed (the intake is owed again, after a backoff). */
  async function attempt(intake: Intake, log: Logger): Promise<boolean> {
    const now = deps.clock();
    try {
      if (now.getTime() - intake.receivedAt.getTime() > GIVE_UP_MS) {
        if (await intakes().finish(intake.id, 'failed', 'gave_up', now)) {
          log.error({ ...context(intake), attempts: intake.attempts, lastError: intake.lastError }, 'reply given up: it could not be recorded for a day');
          await bestEffort(log, 'tell the agent', () => deps.slack().chat.postEphemeral({ channel: intake.channel, user: intake.user, thread_ts: intake.threadTs, text: NOTES.gaveUp }));
        }
        return true;
      }
      const ctx: IntakeContext = { deps, client: deps.slack(), log };
      const outcome = intake.kind === 'modal' ? await processModalReply(ctx, intake) : await processThreadReply(ctx, intake);
      await settle(intake, outcome, log);
      return true;
    } catch (err) {
      const at = new Date(now.getTime() + backoffMs(intake.attempts, deps.random ?? Math.random, BACKOFF.baseMs, BACKOFF.maxMs));
      log.warn({ err, ...context(intake), attempts: intake.attempts + 1, retryAt: at }, 'reply not recorded yet; will retry');
      // If even this fails, the claim lapses and the reply is tried again then.
      await intakes().retryAt(intake.id, at, err instanceof Error ? err.message : String(err)).catch(() => undefined);
      await notify(intake, 'failed', log);
      return false;
    }
  }

  /**
   * A thread's owed replies, oldest first, until one cannot go: it was claimed elsewhere (its holder
   * carries on after it), is backing off, or just failed — those behind it wait, and are told so
   * when it is failing. Reads again after each batch: replies may have arrived meanwhile.
   */
  async function walk(channel: string, threadTs: string, log: Logger, settled: Set<string>): Promise<void> {
    for (;;) {
      const owed = await intakes().owedInThread(channel, threadTs, BATCH);
      if (owed.length === 0) return;
      for (const [i, item] of owed.entries()) {
        const claimed = await intakes().claim(item.id, deps.clock(), CLAIM_MS);
        const failed = claimed ? !(await attempt(claimed, log)) : item.attempts > 0;
        if (claimed && !failed) {
          settled.add(item.id);
          continue;
        }
        if (failed) for (const waiting of owed.slice(i + 1)) await notify(waiting, 'waiting', log);
        return;
      }
    }
  }

  /** Processes the new intake (and anything owed before it in its thread). */
  async function process(fresh: Intake, log: Logger): Promise<void> {
    const settled = new Set<string>();
    try {
      await walk(fresh.channel, fresh.threadTs, log, settled);
    } catch (err) {
      // The store failed between attempts: the intake is stored, and the sweeper takes it from here.
      log.warn({ err, ...context(fresh) }, 'reply not recorded yet; will retry');
      if (!settled.has(fresh.id)) await notify(fresh, 'failed', log);
    }
  }

  let pass: Promise<number> = Promise.resolve(0);
  async function sweep(): Promise<number> {
    const threads = await intakes().dueThreads(deps.clock(), THREADS_PER_PASS);
    for (const t of threads) await walk(t.channel, t.threadTs, baseLog, new Set());
    return threads.length;
  }
  /** One pass at a time: a pass asked for while one runs starts after it. */
  function runDue(): Promise<number> {
    pass = pass.catch(() => 0).then(sweep);
    return pass;
  }
  let timer: NodeJS.Timeout | undefined;

  return {
    async take(reply, log = baseLog) {
      const receivedAt = deps.clock();
      let recorded: { intake: Intake; created: boolean };
      try {
        recorded = await intakes().record({ key: `${reply.channel}:${reply.ts}`, kind: 'thread', ...reply, receivedAt });
      } catch (err) {
        // Nothing durable holds the reply: the agent must know to send it again.
        log.error({ err, channel: reply.channel, slackTs: reply.ts, user: reply.user }, 'reply not taken: it could not be stored; the agent was asked to send it again');
        const client = deps.slack();
        await bestEffort(log, 'mark the reply', () => client.reactions.add({ channel: reply.channel, timestamp: reply.ts, name: 'warning' }));
        await bestEffort(log, 'tell the agent', () => client.chat.postEphemeral({ channel: reply.channel, user: reply.user, thread_ts: reply.threadTs, text: NOTES.notTaken }));
        return;
      }
      if (!recorded.created) return log.debug({ channel: reply.channel, slackTs: reply.ts }, 'reply already taken in (a repeated event)');
      await process(recorded.intake, log);
    },
    async takeModal({ contact, user, text, shown, viewId }, log = baseLog) {
      const thread = contact.slack;
      let recorded: { intake: Intake; created: boolean };
      try {
        recorded = await intakes().record({ key: viewId ? `modal:view:${viewId}` : `modal:${randomUUID()}`, kind: 'modal', channel: thread.channel, threadTs: thread.threadTs, user, text, shown, contactWaId: contact.waId, receivedAt: deps.clock() });
      } catch (err) {
        log.error({ err, channel: thread.channel, user, contact: contact.waId }, 'reply from a modal not taken: it could not be stored; the agent was asked to send it again');
        await bestEffort(log, 'tell the agent', () => deps.slack().chat.postEphemeral({ channel: thread.channel, user, thread_ts: thread.threadTs, text: NOTES.notTakenModal }));
        throw err;
      }
      if (!recorded.created) return log.debug({ channel: thread.channel, user }, 'reply from a modal already taken in (the view was submitted before)');
      await process(recorded.intake, log);
    },
    runDue,
    start() {
      timer = setInterval(() => void runDue().catch((err: unknown) => baseLog.warn({ err }, 'could not retry owed replies; trying again')), SWEEP_EVERY_MS);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await pass.catch(() => 0);
    },
  };
}
