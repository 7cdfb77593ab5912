import { createHash } from 'node:crypto';
import type { Clock } from '../../clock';
import type { Logger } from '../../logger';
import type { CloudWebhookRepository } from '../../store/repositories/cloud-webhook-repository';
import type { CloudGateway } from './cloud-gateway';

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
}

const DRAIN_BATCH = 100;
/** Ids processed here lately, so a webhook the drain and the live path both see is processed once. */
const REMEMBERED = 10_000;

/**
 * Webhook bodies between Meta and the gateway: stored first (so Meta's 200 never promises what a
 * crash could lose), then processed one at a time in the order they came, and marked processed.
 * Until the gateway has started (its listeners are in place) they only wait in the store; the start
 * processes whatever waits, oldest first, and so does every later start (after a crash).
 */
export class WebhookInbox {
  private chain: Promise<void> = Promise.resolve();
  private readonly done = new Set<string>();

  constructor(private readonly deps: WebhookInboxDeps) {}

  /** Stores a verified body; true if new. Throws when the store cannot say (Meta then retries). */
  async store(raw: Buffer): Promise<{ id: string; fresh: boolean }> {
    const id = createHash('sha256').update(raw).digest('hex');
    const fresh = await this.deps.store.store(id, raw.toString('utf8'), this.deps.clock());
    return { id, fresh };
  }

  /** Processes a stored body after the ones before it, if the gateway runs; otherwise its start will. */
  process(id: string, body: string): void {
    if (!this.deps.gateway.running) return;
    this.enqueue(id, body);
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
    return this.chain;
  }

  private enqueue(id: string, body: string): void {
    this.chain = this.chain.then(() => this.run(id, body)).catch((err: unknown) => this.deps.logger.warn({ err }, 'could not process a stored webhook; it is processed again at the next start'));
  }

  private async run(id: string, body: string): Promise<void> {
    if (this.done.has(id)) return;
    const log = this.deps.logger;
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = undefined;
    }
    const read = parsed === undefined ? { ok: false as const, reason: 'malformed webhook: not JSON' } : this.deps.gateway.read(parsed);
    // Signed by Meta but not understood: a redelivery would not be understood either.
    if (!read.ok) log.warn({ webhook: id, reason: read.reason }, 'webhook not understood; marked processed');
    else this.deps.gateway.ingest(read.items);
    await this.deps.recorded?.();
    this.remember(id);
    await this.deps.store.markProcessed(id, this.deps.clock());
  }

  private remember(id: string): void {
    this.done.add(id);
    if (this.done.size > REMEMBERED) this.done.delete(this.done.values().next().value!);
  }
}
