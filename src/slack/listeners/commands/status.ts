import type { AppDeps } from '../../../app-deps';
import { gatewayStateLine, slackDate } from '../../blocks/gateway-state';
import { escapeMrkdwn } from '../../mrkdwn';
import { consentLine, hygieneRunLine, queueLine, readOverview } from '../../overview';
import { openingNow } from './hours';
import type { Subcommand } from './subcommand';

/** `/wa status`: WhatsApp (and since when), the queues both ways, consent totals, the store. */
export function statusSubcommand(deps: Pick<AppDeps, 'health' | 'repos' | 'clock' | 'bridge' | 'config' | 'logger'>): Subcommand {
  return {
    name: 'status',
    usage: '/wa status',
    summary: 'WhatsApp connection, message queues, consent totals and store state',
    async run({ respond }) {
      const { report, queues, consent, lastHygiene, lastHygieneOk } = await readOverview(deps);
      const wa = report.whatsapp;
      const lines = [
        `*WhatsApp:* ${gatewayStateLine(wa)}${wa.browserRssMb === undefined ? '' : ` (browser ${wa.browserRssMb} MB)`}`,
        `*Store:* ${report.store.ok ? 'reachable' : `unreachable (${report.store.error ?? 'unknown error'})`}`,
      ];
      // Replies wait after a connect until what the contacts sent meanwhile (a STOP?) has been read.
      const catchUp = deps.bridge.catchUpState();
      if (wa.state === 'connected' && !catchUp.done) {
        const why = catchUp.lastError ? ` — last attempt failed: ${escapeMrkdwn(catchUp.lastError)}; retried every minute` : '';
        lines.push(`*Catch-up:* :hourglass_flowing_sand: replies wait until the messages that arrived while WhatsApp was away are read${catchUp.waitingSince ? ` (since ${slackDate(catchUp.waitingSince)})` : ''}${why}`);
      }
      if (queues && consent) {
        lines.push(
          `*WhatsApp → Slack:* ${queueLine(queues.inbound)}`,
          `*Slack → WhatsApp:* ${queueLine(queues.outbound)} · ${queues.outbound.blocked ?? 0} refused by consent`,
          `*Consent:* ${consentLine(consent)}`,
          `*Last hygiene run:* ${hygieneRunLine(lastHygiene, lastHygieneOk)}`,
        );
      }
      // No schedule set: no open/closed claim at all.
      const opening = await openingNow(deps);
      if (opening !== null) lines.push(`*Business hours:* ${opening}`);
      await respond({ response_type: 'ephemeral', text: lines.join('\n') });
    },
  };
}
