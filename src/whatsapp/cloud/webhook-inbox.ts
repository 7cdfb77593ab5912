import { createHash } from 'node:crypto';
import type { Clock } from '../../clock';
import type { Logger } from '../../logger';
import type { CloudWebhookRepository } from '../../store/repositories/cloud-webhook-repository';
import type { CloudGateway } from './cloud-gateway';
import { FrontDoor } from './front-door';
import { WebhookWrites } from './webhook-writes';

export interface WebhookInboxDeps {
  store: CloudWebhookRepository;
  gateway: CloudGateway;
  clock: Clock;
  logger: Logger;
  /**
   * Resolves once the bridge has stored what the gateway handed it. A body is marked processed
   * only then: marked earlier, a crash in between would lose its messages (the Cloud API has no
   * history to catch up from). While MongoDB is down it waits, and so do the bodies after it.
   */
  recorded?: () => Promise<void>;
  /** Bodies that may wait in memory for processing; above it, Meta is asked to come back (default 20,000: ~20–60 MB). */
  maxWaiting?: number;
  /** A monotonic clock in ms and a wait on it (tests script them; by default the process's own). */
  pace?: { now(): number; sleep(ms: number): Promise<void> };
}

const DRAIN_BATCH = 100;
/**
 * Bodies processed together: one wait for the bridge and one round of processed marks each. Small,
 * so processing comes in slices of ~20 ms of work that the front door's pressure can hold back: a
 * slice of 100 bodies kept the event loop busy long enough to halve the rate Meta was answered at.
 */
const PROCESS_BATCH = 10;
/** Ids processed here lately, so a webhook the drain and the live path both see is processed once. */
const REMEMBERED = 10_000;
/**
 * Meta's requests may wait this long for their bodies to be stored before processing steps aside
 * (the ack target is 50 ms at the 99th percentile; unloaded, a group write answers in 2–4 ms).
 */
const ACK_BUDGET_MS = 10;
/** Stepping aside lasts at most this long per batch: a flood of webhooks slows processing (to 40 bodies a second), never stops it. */
const MAX_DEFER_MS = 250;
const PRESSURE_POLL_MS = 5;
const MAX_WAITING = 20_000;
const defaultPace = { now: () => performance.now(), sleep: (ms: number) => new Promise<void>((res) => setTimeout(res, ms)) };

/**
 * Webhook bodies between Meta and the gateway: stored first (so Meta's 200 never promises what a
 * crash could lose), then processed in the order they came, and marked processed.
 * Until the gateway has started (its listeners are in place) they only wait in the store; the start
 * processes whatever waits, oldest first, and so does every later start (after a crash).
 * Meta is answered first: while its requests wait too long for their writes, processing steps aside
 * (see FrontDoor and afterTheFrontDoor), and the bodies wait, stored, their turn.
 */
export class WebhookInbox {
  /** Bodies handed over and not yet taken by the worker, in the order they came. */
  private readonly pending: Array<{ id: string; body: string }> = [];
  private working: Promise<void> | undefined;
  private readonly done = new Set<string>();
  /** Ids handed to the worker here and not yet through it. */
  private readonly inFlight = new Set<string>();
  private readonly writes: WebhookWrites;
  private readonly frontDoor = new FrontDoor({ budgetMs: ACK_BUDGET_MS, quietAfterMs: 50 });
  private readonly pace: NonNullable<WebhookInboxDeps['pace']>;

  constructor(private readonly deps: WebhookInboxDeps) {
    this.pace = deps.pace ?? defaultPace;
    this.writes = new WebhookWrites(deps.store);
  }

  /**
   * Stores a verified body (in a group write, see WebhookWrites); true if new. Throws when the store
   * cannot say (Meta then retries). How long it waited tells the front door how hard Meta presses.
   */
  async store(raw: Buffer): Promise<{ id: string; fresh: boolean }> {
    const id = createHash('sha256').update(raw).digest('hex');
    const came = this.pace.now();
    try {
      return { id, fresh: await this.writes.write({ id, body: raw.toString('utf8'), receivedAt: this.deps.clock() }) };
    } finally {
      const now = this.pace.now();
      this.frontDoor.answered(now - came, now);
    }
  }

  /**
   * Too many bodies wait for processing to take another: Meta should deliver it later. Processing
   * steps aside for Meta's requests, so a flood it cannot keep up with would otherwise grow memory
   * without end; refused before it is stored, the webhook stays Meta's to deliver again.
   */
  full(): boolean {
    return this.pending.length >= (this.deps.maxWaiting ?? MAX_WAITING);
  }

  /** Processes a stored body after the ones before it, if the gateway runs; otherwise its start will. */
  process(id: string, body: string): void {
    if (!this.deps.gateway.running) return;
    this.enqueue(id, body);
  }

  /**
   * The bytes of a body stored before. Whoever stored it processes it; but when that request failed
   * after the write reached MongoDB (its answer lost), nobody does, and Meta's retry lands here.
   * Processed from the store then, unless it is processed already or under way here.
   */
  async redelivered(id: string): Promise<void> {
    if (!this.deps.gateway.running || this.done.has(id) || this.inFlight.has(id)) return;
    const stored = await this.deps.store.findUnprocessed(id);
    if (stored && !this.done.has(id) && !this.inFlight.has(id)) this.enqueue(stored.id, stored.body);
  }

  /** Processes every stored, unprocessed body, oldest first. */
  async drain(): Promise<number> {
    let count = 0;
    for (;;) {
      const waiting = (await this.deps.store.unprocessed(DRAIN_BATCH)).filter((w) => !this.done.has(w.id));
      if (waiting.length === 0) return count;
      for (const w of waiting) this.enqueue(w.id, w.body);
      count += waiting.length;
      await this.idle();
      // A body whose processed mark could not be written stays unprocessed: not looped on here.
      for (const w of waiting) this.done.add(w.id);
    }
  }

  /** Resolves once everything handed over so far is processed (tests). */
  idle(): Promise<void> {
    return this.working ?? Promise.resolve();
  }

  private enqueue(id: string, body: string): void {
    this.inFlight.add(id);
    this.pending.push({ id, body });
    this.working ??= this.work();
  }

  /**
   * Takes what has gathered, in order, a batch at a time. One wait for the bridge and one round of
   * processed marks per batch, not per body: per body, every webhook waited for the store twice
   * before the next could even be read, and a burst was processed at the store's round-trip rate.
   */
  private async work(): Promise<void> {
    while (this.pending.length > 0) {
      await this.afterTheFrontDoor();
      const batch = this.pending.splice(0, PROCESS_BATCH);
      await this.run(batch).catch((err: unknown) => this.deps.logger.warn({ err }, 'could not process stored webhooks; they are processed again at the next start'));
      for (const { id } of batch) this.inFlight.delete(id);
    }
    // Set in the same turn as the last look at `pending`: a body enqueued after it starts a new worker.
    this.working = undefined;
  }

  /** Waits while Meta's requests wait too long (see FrontDoor), at most MAX_DEFER_MS. */
  private async afterTheFrontDoor(): Promise<void> {
    const until = this.pace.now() + MAX_DEFER_MS;
    while (this.frontDoor.pressed(this.pace.now()) && this.pace.now() < until) await this.pace.sleep(PRESSURE_POLL_MS);
  }

  private async run(batch: Array<{ id: string; body: string }>): Promise<void> {
    const log = this.deps.logger;
    const handed: string[] = [];
    for (const { id, body } of batch) {
      if (this.done.has(id) || handed.includes(id)) continue;
      try {
        this.ingest(id, body);
        handed.push(id);
      } catch (err) {
        // Left unmarked, as a crash would leave it: the next start processes it again.
        log.warn({ err, webhook: id }, 'could not process a stored webhook; it is processed again at the next start');
      }
    }
    if (handed.length === 0) return;
    // Marked only once the bridge has stored what they carried (see WebhookInboxDeps.recorded).
    await this.deps.recorded?.();
    for (const id of handed) this.remember(id);
    await this.deps.store.markProcessed(handed, this.deps.clock()).catch((err: unknown) => {
      log.warn({ err, webhooks: handed.length }, 'could not mark webhooks processed; they are processed again at the next start');
    });
  }

  private ingest(id: string, body: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = undefined;
    }
    const read = parsed === undefined ? { ok: false as const, reason: 'malformed webhook: not JSON' } : this.deps.gateway.read(parsed);
    // Signed by Meta but not understood: a redelivery would not be understood either.
    if (!read.ok) this.deps.logger.warn({ webhook: id, reason: read.reason }, 'webhook not understood; marked processed');
    else this.deps.gateway.ingest(read.items);
  }

  private remember(id: string): void {
    this.done.add(id);
    if (this.done.size > REMEMBERED) this.done.delete(this.done.values().next().value!);
  }
}
