import type { webApi } from '@slack/bolt';
import type { Clock } from '../../clock';
import type { Config } from '../../config';
import type { Logger } from '../../logger';
import type { Repositories } from '../../store/repositories';

/** What processing a reply intake needs. */
export interface ReplyIntakeDeps {
  config: Config;
  repos: Repositories;
  clock: Clock;
  logger: Logger;
  /** The outbound dispatcher, told a conversation has a new reply. */
  wakeOutbound: (contactWaId: string) => void;
  /** The agent's signature line for WhatsApp replies. */
  signature: (client: webApi.WebClient, user: string) => Promise<string>;
  /** The Slack client (the app's own, built after this). */
  slack: () => webApi.WebClient;
  /** Jitter for retries (tests make it predictable). */
  random?: () => number;
}

/** One attempt at an intake. */
export interface IntakeContext {
  deps: ReplyIntakeDeps;
  client: webApi.WebClient;
  log: Logger;
}

/**
 * How an attempt ended. `queued`: in the outbox now. `duplicate`: an earlier attempt put it there.
 * `refused`: the consent gate said no, and the agent was told. `ignored`: it is not to go out
 * (`reason`, when given, is told to an agent who was told it would be retried).
 */
export type IntakeOutcome = { kind: 'queued' } | { kind: 'duplicate' } | { kind: 'refused' } | { kind: 'ignored'; reason?: string };

/** Best effort: a Slack notice that fails is logged, never a reason to retry what was recorded. */
export async function bestEffort(log: Logger, what: string, step: () => Promise<unknown>): Promise<void> {
  try {
    await step();
  } catch (err) {
    log.warn({ err }, `could not ${what}`);
  }
}
