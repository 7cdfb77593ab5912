import { summarize } from '../broadcast/summary';
import type { MessageRepository } from '../domain/message';
import type { BroadcastOutcomes } from '../store/repositories/broadcast-outcomes';
import type { BroadcastRepository } from '../store/repositories/broadcast-repository';

/** One broadcast in the hygiene report: copies sent, and opt-outs put down to it (within 72 hours of a copy). */
export interface ReportBroadcast {
  name: string;
  sent: number;
  optOuts: number;
  optOutRate: number;
  /** Over 2 %: a warning about the list or the message. */
  warning: boolean;
}

export interface ReportBroadcastDeps {
  broadcasts: BroadcastRepository;
  messages: Pick<MessageRepository, 'broadcastCounts'>;
  broadcastOutcomes: BroadcastOutcomes;
}

/** Broadcasts started within the period (a report covers a week: a handful), oldest first. */
export async function broadcastsInPeriod(deps: ReportBroadcastDeps, period: { from: Date; to: Date }): Promise<ReportBroadcast[]> {
  const started = (await deps.broadcasts.recent(100))
    .filter((b) => b.startedAt && b.startedAt > period.from && b.startedAt <= period.to)
    .sort((a, b) => a.startedAt!.getTime() - b.startedAt!.getTime());
  const rows: ReportBroadcast[] = [];
  for (const broadcast of started) {
    const [recipients, delivery] = await Promise.all([deps.broadcasts.recipientCounts(broadcast.id), deps.messages.broadcastCounts(broadcast.id)]);
    const summary = await summarize({ recipients: (id) => deps.broadcasts.recipients(id), outcomes: deps.broadcastOutcomes }, broadcast, { recipients, delivery });
    rows.push({ name: broadcast.name, sent: summary.sent, optOuts: summary.optOuts ?? 0, optOutRate: summary.optOutRate ?? 0, warning: summary.warning });
  }
  return rows;
}
