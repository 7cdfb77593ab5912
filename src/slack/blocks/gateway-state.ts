import type { GatewayStatus } from '../../whatsapp/gateway';
import { escapeMrkdwn } from '../mrkdwn';

const stateEmoji: Partial<Record<GatewayStatus['state'], string>> = {
  connected: ':large_green_circle:',
  qr: ':large_yellow_circle:',
  starting: ':large_yellow_circle:',
  authenticated: ':large_yellow_circle:',
  standby: ':white_circle:',
};

/** Slack renders this in each reader's own time zone; the fallback is for clients that cannot. */
export function slackDate(at: Date): string {
  return `<!date^${Math.floor(at.getTime() / 1000)}^{date_short_pretty} {time}|${at.toISOString()}>`;
}

/**
 * "🟢 connected since …" — the one way the WhatsApp state is worded, in every surface. The detail
 * can carry a browser error message, so it is escaped like any relayed text.
 */
export function gatewayStateLine(status: GatewayStatus, options: { detail?: boolean } = {}): string {
  const detail = options.detail !== false && status.detail ? ` — ${escapeMrkdwn(status.detail)}` : '';
  return `${stateEmoji[status.state] ?? ':red_circle:'} ${status.state} since ${slackDate(status.since)}${detail}`;
}
