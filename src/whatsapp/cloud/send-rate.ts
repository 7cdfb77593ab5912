import type { Clock } from '../../clock';

/**
 * At most `perSecond` sends a second from this instance (a token bucket on the injected clock,
 * holding half a second's worth): Meta's throughput limit per business number, so a burst of
 * replies does not earn a 130429. A full second's worth sent at once, plus a stall that bunches
 * the next sends, went over Meta's count in the bench; half leaves room for that jitter.
 * Callers are served in the order they asked.
 */
export class SendRate {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly perSecond: number,
    private readonly clock: Clock,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {
    this.tokens = this.burst();
    this.last = clock().getTime();
  }

  private burst(): number {
    return Math.max(1, this.perSecond / 2);
  }

  /** Resolves when this send may go. */
  take(): Promise<void> {
    const turn = this.queue.then(() => this.wait());
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async wait(): Promise<void> {
    for (;;) {
      const now = this.clock().getTime();
      this.tokens = Math.min(this.burst(), this.tokens + ((now - this.last) * this.perSecond) / 1000);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.sleep(Math.ceil(((1 - this.tokens) * 1000) / this.perSecond));
    }
  }
}
