/**
 * How hard Meta is pressing on the webhook endpoint, read from how long its requests wait for their
 * bodies to be stored (a moving average of about the last ten). The webhooks' processing — the
 * bridge's store writes and Slack posts — shares this process; while the requests wait longer than
 * the budget, processing steps aside (see WebhookInbox), so a burst is answered at Meta's pace and
 * processed from the store afterwards, instead of both crawling.
 */
export class FrontDoor {
  private average = 0;
  private lastAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: { budgetMs: number; quietAfterMs: number }) {}

  /** A request's body was stored (or refused) `waitedMs` after it came; `at` on the same clock. */
  answered(waitedMs: number, at: number): void {
    this.average += (waitedMs - this.average) * 0.1;
    this.lastAt = at;
  }

  /** Requests came lately and waited longer than the budget. No request for a while is no pressure. */
  pressed(at: number): boolean {
    return at - this.lastAt < this.options.quietAfterMs && this.average > this.options.budgetMs;
  }
}
