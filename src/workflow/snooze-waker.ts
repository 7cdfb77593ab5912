import type { Clock } from '../clock';
import type { ConversationRepository } from '../domain/conversation';
import type { MessageRepository } from '../domain/message';
import type { Logger } from '../logger';

export interface SnoozeWaker {
  /** Reopens every conversation whose snooze has ended; how many. */
  tick(): Promise<number>;
  stop(): void;
}

/**
 * Ends snoozes on time. Every instance runs it; the conditional write lets one of them win per
 * conversation. The thread hears of it through a notice in the conversation's lane, which also
 * redraws the card.
 */
export function startSnoozeWaker(deps: {
  conversations: ConversationRepository;
  messages: MessageRepository;
  wakeSlack: (contactWaId: string) => void;
  clock: Clock;
  logger: Logger;
  everyMs: number;
}): SnoozeWaker {
  const log = deps.logger.child({ component: 'snoozes' });
  async function tick(): Promise<number> {
    const now = deps.clock();
    const woken = await deps.conversations.wakeSnoozed(now);
    for (const { waId, assignee } of woken) {
      const body = assignee
        ? `:alarm_clock: <@${assignee}> the snooze has ended: this conversation is open again.`
        : ':alarm_clock: The snooze has ended: this conversation is open again, and nobody has it.';
      await deps.messages.recordInbound({ waMessageId: `snooze-end:${waId}:${now.toISOString()}`, contactWaId: waId, kind: 'notice', body, at: now });
      deps.wakeSlack(waId);
    }
    if (woken.length) log.info({ woken: woken.length }, 'snoozes ended');
    return woken.length;
  }
  const timer = setInterval(() => void tick().catch((err: unknown) => log.warn({ err }, 'could not end snoozes; trying again')), deps.everyMs);
  timer.unref();
  return { tick, stop: () => clearInterval(timer) };
}
