import type { CloudWebhookRepository, StoredWebhook } from '../../store/repositories/cloud-webhook-repository';

/**
 * Webhook bodies written to the store in groups: one write at a time, and the bodies that arrive
 * meanwhile go together in the next (a group commit). Each caller still waits for its own body to
 * be stored, and a burst costs the store one round trip per write, not per request.
 */
export class WebhookWrites {
  /** Bodies waiting for the next write, each with its caller's answer. */
  private unwritten: Array<{ webhook: StoredWebhook; settle: (fresh: boolean | Error) => void }> = [];
  private writing = false;

  constructor(private readonly store: Pick<CloudWebhookRepository, 'storeMany'>) {}

  /** Resolves true if the body is new, false if the same bytes were stored before; rejects when the store cannot say. */
  async write(webhook: StoredWebhook): Promise<boolean> {
    const fresh = await new Promise<boolean | Error>((settle) => {
      this.unwritten.push({ webhook, settle });
      // The first of a quiet spell: the ones read in the same turn of the event loop join it.
      if (!this.writing && this.unwritten.length === 1) setImmediate(() => void this.next());
    });
    if (fresh instanceof Error) throw fresh;
    return fresh;
  }

  private async next(): Promise<void> {
    if (this.writing || this.unwritten.length === 0) return;
    this.writing = true;
    const batch = this.unwritten;
    this.unwritten = [];
    // The same bytes twice in one write (Meta retrying fast): stored once, the second is a redelivery.
    const first = new Map<string, number>();
    const unique: StoredWebhook[] = [];
    for (const { webhook } of batch) if (!first.has(webhook.id)) first.set(webhook.id, unique.push(webhook) - 1);
    let results: Array<boolean | Error>;
    try {
      results = await this.store.storeMany(unique);
    } catch (err) {
      results = unique.map(() => (err instanceof Error ? err : new Error(String(err))));
    }
    const answered = new Set<string>();
    for (const { webhook, settle } of batch) {
      const result = results[first.get(webhook.id)!]!;
      settle(answered.has(webhook.id) && result === true ? false : result);
      answered.add(webhook.id);
    }
    this.writing = false;
    void this.next();
  }
}
