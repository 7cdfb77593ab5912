import { App, type AppOptions, type ReceiverEvent } from '@slack/bolt';
import type { AfterAckQueue } from './after-ack-queue';

/**
 * The after-ack queue's settings (see after-ack-queue.ts). Measured with `npm run bench -- commands`
 * (200 concurrent commands): with answers giving way to arriving requests, 1 to 8 at once gave the
 * same ack times; 2 to 8 answered the whole burst in ≈0.75 s, 1 in ≈0.9 s. 4 leaves room for a
 * long command (a hygiene run) without holding up the rest. Waiting a second at most leaves a
 * modal's trigger_id (3 s) time to spare.
 */
export const AFTER_ACK = { concurrency: 4, maxWaitMs: 1000 };

/** Requests whose ack never carries anything: slash commands (ours answer through `respond()`), buttons and menus, shortcuts. */
function ackedEmpty(body: Record<string, unknown>): boolean {
  return typeof body.command === 'string' || body.type === 'block_actions' || body.type === 'shortcut' || body.type === 'message_action';
}

/**
 * Runs on every request before Bolt does anything with it, even before an early ack: hands on the
 * request (perhaps changed) or refuses it by throwing (replay-guard.ts, view-once.ts).
 */
export type RequestGuard = (event: ReceiverEvent) => Promise<ReceiverEvent>;

/**
 * Bolt's App, except that slash commands, block actions and shortcuts are acknowledged as soon as
 * the receiver has verified and parsed them, and everything Bolt then does with them (global
 * middleware, listener matching, our listener and its answer) waits its turn in the after-ack queue.
 *
 * The ack is all Slack waits for (3 s), and for these requests it is always empty. Bolt's
 * processing used to run before each ack: under 200 concurrent `/wa` commands
 * (`npm run bench -- commands`) it ran 200 times ahead of the last one, most of that ack's wait.
 * Listeners still call `ack()`; for these requests it does nothing, as the ack has been sent.
 * View submissions are processed as Bolt does, since their ack may carry errors; so are events,
 * which Bolt acknowledges itself before any listener runs, in the order they came. (Under a
 * receiver with `processBeforeResponse`, as on FaaS, the receiver holds the response until this
 * resolves, so the ack is not early there; nothing else changes.)
 */
export class EarlyAckApp extends App {
  constructor(
    options: AppOptions,
    private readonly afterAck: AfterAckQueue,
    private readonly guard?: RequestGuard,
  ) {
    super(options);
  }

  override async processEvent(received: ReceiverEvent): Promise<void> {
    const event = this.guard ? await this.guard(received) : received;
    if (!ackedEmpty(event.body)) return super.processEvent(event);
    await event.ack();
    await this.afterAck.run(() => super.processEvent({ ...event, ack: async () => {} }));
  }

  /** Resolves once every request acknowledged early so far has been processed (shutdown waits for the answers owed). */
  idle(): Promise<void> {
    return this.afterAck.idle();
  }
}
