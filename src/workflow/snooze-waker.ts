import type { Clock } from '../clock';
import type { ConversationRepository } from '../domain/conversation';
import type { Logger } from '../logger';
import type { ConversationNotices } from './conversation-notices';

export interface SnoozeWaker {
  /** Reopens every conversation whose snooze has ended, and records notices left owed; how many it reopened. */
  tick(): Promise<number>;
  stop(): void;
}

/**
 * Ends snoozes on time. Every instance runs it; the conditional write lets one of them win per
 * conversation. The thread hears of it through a notice in the conversation's lane, which also
 * redraws the card; the same pass records any notice a crash left owed.
 */
export function startSnoozeWaker(deps: {
  conversations: Pick<ConversationRepository, 'wakeSnoozed'>;
  notices: ConversationNotices;
  clock: Clock;
  logger: Logger;
  everyMs: number;
}): SnoozeWaker {
  const log = deps.logger.child({ component: 'snoozes' });
  async function tick(): Promise<number> {
    const woken = await deps.conversations.wakeSnoozed(deps.clock());
    for (const { waId, notice } of woken) await deps.notices.record(waId, notice);
    if (woken.length) log.info({ woken: woken.length }, 'snoozes ended');
    await deps.notices.sweep();
    return woken.length;
  }
  const timer = setInterval(() => void tick().catch((err: unknown) => log.warn({ err }, 'could not end snoozes; trying again')), deps.everyMs);
  timer.unref();
  return { tick, stop: () => clearInterval(timer) };
}
