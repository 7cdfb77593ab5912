import type { AppDeps } from '../../../app-deps';
import { gatewayStateLine, slackDate } from '../../blocks/gateway-state';
import { consentLine, queueLine, readOverview } from '../../overview';
import type { Subcommand } from './subcommand';

/** `/wa status`: WhatsApp (and since when), the queues both ways, consent totals, the store. */
export function statusSubcommand(deps: Pick<AppDeps, 'health' | 'repos' | 'clock'>): Subcommand {
  return {
    name: 'status',
    usage: '/wa status',
    summary: 'WhatsApp connection, message queues, consent totals and store state',
    async run({ respond }) {
      const { report, queues, consent, lastHygiene } = await readOverview(deps);
      const wa = report.whatsapp;
      const lines = [
        `*WhatsApp:* ${gatewayStateLine(wa)}${wa.browserRssMb === undefined ? '' : ` (browser ${wa.browserRssMb} MB)`}`,
        `*Store:* ${report.store.ok ? 'reachable' : `unreachable (${report.store.error ?? 'unknown error'})`}`,
      ];
      if (queues && consent) {
        lines.push(
          `*WhatsApp → Slack:* ${queueLine(queues.inbound)}`,
          `*Slack → WhatsApp:* ${queueLine(queues.outbound)} · ${queues.outbound.blocked ?? 0} refused by consent`,
          `*Consent:* ${consentLine(consent)}`,
          `*Last hygiene run:* ${lastHygiene ? slackDate(lastHygiene.finishedAt) : 'not yet'}`,
        );
      }
      await respond({ response_type: 'ephemeral', text: lines.join('\n') });
    },
  };
}
