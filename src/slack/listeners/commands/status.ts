import type { AppDeps } from '../../../app-deps';
import { gatewayStateLine } from '../../blocks/gateway-state';
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
        `*WhatsApp:* ${gatewayStateLine(wa)}${wa.browserRssMb === undefined ? '' : ` (browser ${wa.browserRssMb} MB)`}`,
        `*Store:* ${report.store.ok ? 'reachable' : `unreachable (${report.store.error ?? 'unknown error'})`}`,
      ].join('\n');
      await respond({ response_type: 'ephemeral', text });
    },
  };
}
