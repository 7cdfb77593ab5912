import type { AppDeps } from '../../../app-deps';
import type { DeliveryState } from '../../../domain/message';
import { gatewayStateLine } from '../../blocks/gateway-state';
import type { Subcommand } from './subcommand';

type Counts = Partial<Record<DeliveryState, number>>;

/** "3 waiting · 1 failed": what is still to do on one side, and what will not happen by itself. */
function queueLine(counts: Counts): string {
  const waiting = (counts.pending ?? 0) + (counts.sending ?? 0);
  return `${waiting} waiting · ${counts.failed ?? 0} failed`;
}

/** `/wa status`: is WhatsApp connected (and since when), the queues both ways, and the store. */
export function statusSubcommand(deps: Pick<AppDeps, 'health' | 'repos'>): Subcommand {
  return {
    name: 'status',
    usage: '/wa status',
    summary: 'WhatsApp connection, message queues and store state',
    async run({ respond }) {
      const report = await deps.health.readiness();
      const wa = report.whatsapp;
      const lines = [
        `*WhatsApp:* ${gatewayStateLine(wa)}${wa.browserRssMb === undefined ? '' : ` (browser ${wa.browserRssMb} MB)`}`,
        `*Store:* ${report.store.ok ? 'reachable' : `unreachable (${report.store.error ?? 'unknown error'})`}`,
      ];
      if (report.store.ok) {
        const [inbound, outbound] = await Promise.all([deps.repos.messages.countByState('inbound'), deps.repos.messages.countByState('outbound')]);
        lines.push(`*WhatsApp → Slack:* ${queueLine(inbound)}`, `*Slack → WhatsApp:* ${queueLine(outbound)} · ${outbound.blocked ?? 0} refused by consent`);
      }
      await respond({ response_type: 'ephemeral', text: lines.join('\n') });
    },
  };
}
