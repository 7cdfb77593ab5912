import type { AppDeps } from '../../../app-deps';
import type { Broadcast } from '../../../domain/broadcast';
import { escapeMrkdwn } from '../../mrkdwn';
import { BROADCAST_EXPORT } from '../actions/broadcast-controls';
import type { Subcommand } from './subcommand';

/** How many broadcasts the list shows, newest first. */
const LISTED = 10;

function when(b: Broadcast, timeZone: string): string {
  const at = b.startedAt ?? b.sendAt;
  const text = new Intl.DateTimeFormat('en-GB', { timeZone, day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
  return `${b.startedAt ? 'started' : 'due'} ${text}`;
}

/**
 * `/wa broadcasts` (leads): the recent broadcasts with their state and how many of those planned
 * were sent, each with its recipients as a CSV (sent privately: it holds personal data).
 */
export function broadcastsSubcommand(deps: Pick<AppDeps, 'repos' | 'config'>): Subcommand {
  return {
    name: 'broadcasts',
    usage: '/wa broadcasts',
    summary: 'recent broadcasts, their state, and their recipients as CSV',
    leadOnly: true,
    async run({ respond }) {
      const recent = await deps.repos.broadcasts.recent(LISTED);
      if (recent.length === 0) return void (await respond({ response_type: 'ephemeral', text: 'No broadcasts yet. `/wa broadcast` composes one.' }));
      // At most ten small aggregations: one per listed broadcast.
      const counts = await Promise.all(recent.map((b) => deps.repos.messages.broadcastCounts(b.id)));
      const blocks = recent.map((b, i) => {
        const c = counts[i]!;
        const sent = (c.sent ?? 0) + (c.delivered ?? 0) + (c.read ?? 0);
        return {
          type: 'section',
          text: { type: 'mrkdwn', text: `*${escapeMrkdwn(b.name)}* — ${b.state.replace('_', ' ')}\n${when(b, deps.config.reportsTimezone)} · ${sent} sent of ${b.planned.recipients} planned` },
          accessory: { type: 'button', text: { type: 'plain_text', text: 'Recipients (CSV)' }, action_id: BROADCAST_EXPORT, value: b.id },
        };
      });
      const text = `The ${recent.length} most recent broadcasts`;
      await respond({ response_type: 'ephemeral', text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `*${text}*` } }, ...blocks] });
    },
  };
}
