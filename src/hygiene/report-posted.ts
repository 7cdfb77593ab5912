import type { webApi } from '@slack/bolt';
import type { Logger } from '../logger';

/** Marks a scheduled report's post with its slot, so a retry of the slot can find it. */
export const REPORT_EVENT = 'switchboard_hygiene_report';

/** Slack's clock and ours agree to seconds; a report is never posted before its slot, and this covers far worse. */
const CLOCK_MARGIN_MS = 10 * 60_000;
/** Slack recommends pages of at most 200; a report channel past a few pages since the slot is not worth reading further. */
const PAGE = 200;
const MAX_PAGES = 5;

/** The metadata a scheduled report carries (`slotKey`: the scheduler's `job:ISO` key). */
export function reportMetadata(slotKey: string) {
  return { event_type: REPORT_EVENT, event_payload: { slot: slotKey } };
}

type HistoryPage = {
  messages?: Array<{ ts?: string; metadata?: { event_type?: string; event_payload?: { slot?: string } } }>;
  response_metadata?: { next_cursor?: string };
};

/**
 * The ts of the report already posted for `slotKey` in `channel`, if an earlier attempt at the slot
 * got it there (its instance died before the run was recorded). Read from the channel's history
 * since the slot, as the inbound path reads a thread. A history Slack will not show (no access yet:
 * then there is no earlier post either; a missing scope) counts as "not posted": the report is
 * posted rather than lost, and the warning says why a duplicate is possible.
 */
export async function findPostedReport(client: webApi.WebClient, channel: string, slotKey: string, slot: Date, logger: Logger): Promise<string | undefined> {
  const oldest = (Math.max(0, slot.getTime() - CLOCK_MARGIN_MS) / 1000).toFixed(6);
  let cursor: string | undefined;
  try {
    for (let page = 0; page < MAX_PAGES; page++) {
      const res = (await client.conversations.history({ channel, oldest, include_all_metadata: true, limit: PAGE, ...(cursor ? { cursor } : {}) })) as HistoryPage;
      const found = res.messages?.find((m) => m.metadata?.event_type === REPORT_EVENT && m.metadata.event_payload?.slot === slotKey);
      if (found?.ts) return found.ts;
      cursor = res.response_metadata?.next_cursor || undefined;
      if (!cursor) return undefined;
    }
    logger.warn({ channel, slot: slotKey }, 'report channel too busy to look through since the slot: posting the report');
  } catch (err) {
    logger.warn({ err, channel, slot: slotKey }, 'could not read the report channel to check for an earlier post of this slot: posting the report');
  }
  return undefined;
}
