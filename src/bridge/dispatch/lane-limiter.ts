export interface LaneLimiterOptions {
  /** Sustained rate per lane. */
  perSecond: number;
  /** Calls a lane may make at once after being quiet. */
  burst: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

interface Lane {
  tokens: number;
  refilledAt: number;
  pausedUntil: number;
  queue: Promise<void>;
}

/**
 * A token bucket per lane (a Slack channel: Slack allows about one message per second per channel,
 * with short bursts). Waiters are served first come, first served — so conversations sharing a
 * channel take turns: a chatty contact's next message queues behind a quiet contact's first one.
 */
export class LaneLimiter {
  private readonly lanes = new Map<string, Lane>();
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: LaneLimiterOptions) {
    this.now = options.now ?? (() => performance.now());
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Resolves when the lane may make one call. */
  acquire(name: string): Promise<void> {
    const lane = this.lane(name);
    const turn = lane.queue.then(() => this.take(lane));
    lane.queue = turn.catch(() => undefined);
    return turn;
  }

  /**
   * The call made with the last token has been answered. While the lane runs at its limit, the next
   * token accrues from now: Slack counts arrivals, and a request delayed on its way (a busy event
   * loop, a slow socket) must not arrive right behind the next one and earn a 429.
   */
  completed(name: string): void {
    const lane = this.lane(name);
    if (lane.tokens >= 1) return; // burst left: no need to be careful yet
    lane.refilledAt = Math.max(lane.refilledAt, this.now());
  }

  /** Slack said Retry-After: nobody uses this lane until then. */
  pause(name: string, ms: number): void {
    const lane = this.lane(name);
    lane.pausedUntil = Math.max(lane.pausedUntil, this.now() + ms);
    lane.tokens = Math.min(lane.tokens, 1);
  }

  private async take(lane: Lane): Promise<void> {
    for (;;) {
      const now = this.now();
      if (now < lane.pausedUntil) {
        await this.sleep(lane.pausedUntil - now);
        continue;
      }
      lane.tokens = Math.min(this.options.burst, lane.tokens + ((now - lane.refilledAt) / 1000) * this.options.perSecond);
      lane.refilledAt = now;
      if (lane.tokens >= 1) {
        lane.tokens -= 1;
        return;
      }
      await this.sleep(Math.ceil(((1 - lane.tokens) / this.options.perSecond) * 1000));
    }
  }

  private lane(name: string): Lane {
    let lane = this.lanes.get(name);
    if (!lane) {
      lane = { tokens: this.options.burst, refilledAt: this.now(), pausedUntil: 0, queue: Promise.resolve() };
      this.lanes.set(name, lane);
    }
    return lane;
  }
}
