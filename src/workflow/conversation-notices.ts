import type { Clock } from '../clock';
import type { ConversationRepository, OwedNotice } from '../domain/conversation';
import type { MessageRepository } from '../domain/message';
import type { Logger } from '../logger';

/** A notice owed this long is taken to be orphaned (its writer crashed or failed) and recorded by the sweep. */
export const NOTICE_GRACE_MS = 60_000;
/** Notices the sweep records per pass. */
const SWEEP_BATCH = 100;

/** What the thread is told. */
export function noticeText(notice: OwedNotice): string {
  if (notice.event === 'snooze_ended') {
    return notice.assignee
      ? `:alarm_clock: <@${notice.assignee}> the snooze has ended: this conversation is open again.`
      : ':alarm_clock: The snooze has ended: this conversation is open again, and nobody has it.';
  }
  const was = notice.from === 'resolved' ? 'it was resolved' : 'its snooze is cut short';
  return notice.assignee
    ? `:arrows_counterclockwise: <@${notice.assignee}> this conversation is open again: a new message (${was}).`
    : `:arrows_counterclockwise: Open again: a new message (${was}). Nobody has it: *Claim* it on the card.`;
}

export interface ConversationNotices {
  /** Records the notice in the conversation's lane (once, whoever records it), then clears the debt. */
  record(waId: string, notice: OwedNotice): Promise<void>;
  /** Records the notices owed longer than the grace period; how many. */
  sweep(): Promise<number>;
}

/**
 * Telling a thread its conversation is open again. The change and the debt are one write (the
 * contact's `owedNotice`), so a crash between the two cannot lose the notice: whoever made the
 * change records it at once, and a sweep picks up any left owed. The notice message is keyed on the
 * contact and the change's time, so a notice recorded twice (by a writer that crashed before
 * clearing the debt, then the sweep) is stored and posted once. It goes in the conversation's lane a
 * millisecond after the change, so the thread shows it after the message, and the card is redrawn.
 */
export function createConversationNotices(deps: {
  messages: Pick<MessageRepository, 'recordInbound'>;
  conversations: Pick<ConversationRepository, 'owedNotices' | 'noticeRecorded'>;
  wakeSlack: (contactWaId: string) => void;
  clock: Clock;
  logger: Logger;
}): ConversationNotices {
  async function record(waId: string, notice: OwedNotice): Promise<void> {
    await deps.messages.recordInbound({
      waMessageId: `notice:${waId}:${notice.at.toISOString()}`,
      contactWaId: waId,
      kind: 'notice',
      body: noticeText(notice),
      at: new Date(notice.at.getTime() + 1),
      holdUntil: notice.at,
    });
    await deps.conversations.noticeRecorded(waId, notice.at);
    deps.wakeSlack(waId);
  }
  return {
    record,
    async sweep() {
      const owed = await deps.conversations.owedNotices(new Date(deps.clock().getTime() - NOTICE_GRACE_MS), SWEEP_BATCH);
      for (const { waId, notice } of owed) await record(waId, notice);
      if (owed.length) deps.logger.warn({ notices: owed.length }, 'recorded conversation notices left owed (a crash or a failed write)');
      return owed.length;
    },
  };
}
