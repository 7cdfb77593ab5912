import type { AppDeps } from '../../../app-deps';
import type { Subcommand } from './subcommand';

/** `/wa status`: is WhatsApp connected (and since when), and is the store answering. */
export function statusSubcommand(deps: Pick<AppDeps, 'health'>): Subcommand {
  return {
    name: 'status',
    usage: '/wa status',
    summary: 'WhatsApp connection and store state',
    async run({ respond }) {
      const report = await deps.health.readiness();
      const wa = report.whatsapp;
      const text = [
        `*WhatsApp:* ${wa.state} since <!date^${Math.floor(wa.since.getTime() / 1000)}^{date_short_pretty} {time}|${wa.since.toISOString()}>${wa.detail ? ` — ${wa.detail}` : ''}`,
        `*Store:* ${report.store.ok ? 'reachable' : `unreachable (${report.store.error ?? 'unknown error'})`}`,
      ].join('\n');
      await respond({ response_type: 'ephemeral', text });
    },
  };
}
