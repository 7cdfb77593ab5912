import { App, type AppOptions, type ReceiverEvent } from '@slack/bolt';
import type { AfterAckQueue } from './after-ack-queue';

/**
 * The after-ack queue for slash commands (see after-ack-queue.ts). Measured with `npm run bench --
 * commands` (200 concurrent commands): with answers giving way to arriving requests, 1 to 8 at once
 * gave the same ack times; 2 to 8 answered the whole burst in ≈0.75 s, 1 in ≈0.9 s. 4 leaves room
 * for a long command (a hygiene run) without holding up the rest. Waiting a second at most leaves a
 * modal's trigger_id (3 s) time to spare.
 */
export const COMMAND_QUEUE = { concurrency: 4, maxWaitMs: 1000 };

/**
 * Bolt's App, except that a slash command is acknowledged as soon as the receiver has verified and
 * parsed it, and everything Bolt then does with it (global middleware, listener matching, our
 * listener and its answer) waits its turn in the after-ack queue.
 *
 * The ack is all Slack waits for (3 s), and `/wa` always acknowledges empty and answers through
 * `respond()`. Bolt's processing used to run before each ack: under 200 concurrent commands
 * (`npm run bench -- commands`) it ran 200 times ahead of the last one, most of that ack's wait.
 * Listeners still call `ack()`; for a slash command it does nothing, as the ack has been sent.
 * Actions, views, shortcuts and events are processed as Bolt does: a view's ack may carry errors.
 */
export class CommandAckApp extends App {
  constructor(
    options: AppOptions,
    private readonly commands: AfterAckQueue,
  ) {
    super(options);
  }

  override async processEvent(event: ReceiverEvent): Promise<void> {
    if (typeof (event.body as { command?: unknown }).command !== 'string') return super.processEvent(event);
    await event.ack();
    await this.commands.run(() => super.processEvent({ ...event, ack: async () => {} }));
  }

  /** Resolves once every command received so far has been processed (shutdown waits for the answers owed). */
  commandsIdle(): Promise<void> {
    return this.commands.idle();
  }
}
