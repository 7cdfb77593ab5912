import type { Clock } from '../../clock';
import type { Logger } from '../../logger';
import type { Direction, MessageRepository, StoredMessage } from '../../domain/message';
import { backoffMs, DeliveryError } from './delivery-error';

/** One side's delivery: where a conversation's messages go, and how one is delivered. */
export interface Deliverer {
  /** Delivers and records it; throws a DeliveryError (anything else counts as a retryable error). */
  deliver(message: StoredMessage, context: { reclaimed: boolean }): Promise<void>;
  /** Told once a message failed for good, to show it where people look. */
  onPermanentFailure?(message: StoredMessage, reason: string): Promise<void>;
}

/** Items of one conversation read per query. */
const BATCH = 20;

export interface DispatcherOptions {
  name: string;
  direction: Direction;
  messages: MessageRepository;
  deliverer: Deliverer;
  clock: Clock;
  logger: Logger;
  /** A claim lapses after this; another pass may then take the item over (its holder crashed). */
  claimMs?: number;
  /** How often due work (retries, lapsed claims) is looked for without a wake-up. */
  pollMs?: number;
  backoff?: { baseMs: number; maxMs: number };
  random?: () => number;
  /**
   * May this instance take the conversation's work now? Asked before each claim; false leaves the
   * work unclaimed for whoever may (WhatsApp: only the session's holder, once the catch-up after
   * its connect has read the contact's missed messages). Wake the dispatcher when it changes.
   */
  ready?: (contactWaId: string) => boolean;
}

/**
 * Drains one direction's queue: each conversation in order (its oldest unfinished item first,
 * never overtaken), conversations concurrently, items claimed atomically in MongoDB so a restart
 * or a second instance picks up exactly what was left. Failures become retries with backoff or
 * recorded permanent failures — an item is never dropped.
 */
export class Dispatcher {
  private readonly active = new Map<string, Promise<void>>();
  private readonly dirty = new Set<string>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private timer: NodeJS.Timeout | undefined;
  private pumping: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private claims = 0;
  private readonly log: Logger;

  constructor(private readonly options: DispatcherOptions) {
    this.log = options.logger.child({ component: `dispatch-${options.name}` });
  }

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.wake(), this.options.pollMs ?? 1000);
    this.timer.unref();
    this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    await this.pumping;
    await Promise.all(this.active.values());
  }

  /**
   * New work may be due: look soon. With the conversation named, only it is looked at (cheap: no
   * scan of the whole queue); without, every due conversation is. Calls coalesce.
   */
  wake(contactWaId?: string): void {
    if (this.stopped) return;
    if (contactWaId !== undefined) {
      if (this.active.has(contactWaId)) this.dirty.add(contactWaId);
      else this.startDrain(contactWaId);
      return;
    }
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = this.pump().finally(() => {
      this.pumping = undefined;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    });
  }

  /** Delivers everything due now, and what becomes due through it, then resolves (tests, bench). */
  async runDue(): Promise<void> {
    for (;;) {
      const before = this.claims;
      await this.pumping;
      await this.pump();
      await this.settled();
      if (this.claims === before) return;
    }
  }

  /** Resolves when no conversation is being drained. */
  async settled(): Promise<void> {
    while (this.active.size > 0 || this.pumping) {
      await this.pumping;
      await Promise.all(this.active.values());
    }
  }

  private async pump(): Promise<void> {
    if (this.stopped) return;
    try {
      const due = await this.options.messages.dueConversations(this.options.direction, this.options.clock(), 1000);
      // One being drained is marked to go again: its drain may have read before this work was stored.
      for (const contact of due) this.wake(contact);
    } catch (err) {
      this.log.error({ err }, 'could not look for due messages; will retry');
    }
  }

  private wakeLater(contact: string, ms: number): void {
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      this.wake(contact);
    }, ms);
    timer.unref();
    this.retryTimers.add(timer);
  }

  private startDrain(contact: string): void {
    const drain = this.drain(contact).finally(() => {
      this.active.delete(contact);
      // Work that arrived while this drain was finishing: go again rather than wait for the poll.
      if (this.dirty.delete(contact)) this.startDrain(contact);
    });
    this.active.set(contact, drain);
  }

  private async drain(contact: string): Promise<void> {
    const { messages, clock } = this.options;
    // Read the conversation's next items in one go, then claim them one by one, in order: the first
    // that is not due stops the conversation (nothing overtakes it); one changed meanwhile means re-read.
    while (!this.stopped) {
      let batch: StoredMessage[];
      try {
        batch = await messages.unfinished(this.options.direction, contact, BATCH);
      } catch (err) {
        this.log.error({ err, contact }, 'could not read the next messages; will retry');
        return;
      }
      if (batch.length === 0) return;
      let delivered = 0;
      for (const item of batch) {
        if (this.stopped || this.options.ready?.(contact) === false) return;
        let claim: Awaited<ReturnType<MessageRepository['claim']>>;
        try {
          claim = await messages.claim(item, clock(), this.options.claimMs ?? 60_000);
        } catch (err) {
          this.log.error({ err, contact }, 'could not claim the next message; will retry');
          return;
        }
        if (claim === 'not_due') return;
        if (claim === 'taken') break;
        this.claims++;
        const { message, reclaimed } = claim;
        if (reclaimed) this.log.warn({ messageId: message.id, contact }, 'taking over a message whose claim lapsed (a crash mid-delivery?)');
        const ok = await this.deliverOne(message, reclaimed);
        if (!ok) return; // a retry keeps its place at the head; the conversation waits for it
        delivered++;
      }
      // The read found all there was and all of it went: anything stored since woke this
      // conversation while it was draining (see startDrain), so reading again would find nothing.
      if (batch.length < BATCH && delivered === batch.length) return;
    }
  }

  /** True when the conversation may go on to its next item. */
  private async deliverOne(message: StoredMessage, reclaimed: boolean): Promise<boolean> {
    const { messages, deliverer, clock } = this.options;
    try {
      await deliverer.deliver(message, { reclaimed });
      return true;
    } catch (err) {
      const failure =
        err instanceof DeliveryError ? err.failure : { kind: 'retry' as const, reason: err instanceof Error ? err.message : String(err), countAttempt: true };
      const token = message.delivery.claimToken ?? '';
      try {
        if (failure.kind === 'permanent') {
          this.log.error({ messageId: message.id, contact: message.contactWaId, reason: failure.code ?? failure.reason }, 'message failed for good');
          if (!(await messages.markFailed(message.id, failure.reason, token))) return this.claimLost(message);
          await deliverer.onPermanentFailure?.(message, failure.reason).catch((e: unknown) => this.log.warn({ err: e }, 'could not show a failure'));
          return true;
        }
        const { baseMs, maxMs } = this.options.backoff ?? { baseMs: 1_000, maxMs: 300_000 };
        const delay = failure.afterMs ?? backoffMs(message.delivery.attempts, this.options.random ?? Math.random, baseMs, maxMs);
        this.log.warn({ messageId: message.id, contact: message.contactWaId, reason: failure.reason, retryInMs: delay }, 'delivery failed; will retry');
        if (!(await messages.reschedule(message.id, new Date(clock().getTime() + delay), failure.reason, failure.countAttempt, token))) return this.claimLost(message);
        // Come back for this conversation when it is due, not at the next poll: a Retry-After of 1 s
        // that waited for a 1 s poll would waste up to half the channel's rate.
        this.wakeLater(message.contactWaId, delay);
      } catch (storeErr) {
        // The claim lapses and the item is taken over later: delayed, not lost.
        this.log.error({ err: storeErr, messageId: message.id }, 'could not record a delivery failure');
      }
      return false;
    }
  }

  /** Our claim lapsed and someone else holds the item now: its outcome is theirs to record. */
  private claimLost(message: StoredMessage): false {
    this.log.warn({ messageId: message.id, contact: message.contactWaId }, 'the claim lapsed and was taken over meanwhile; leaving the message to its new holder');
    return false;
  }
}
