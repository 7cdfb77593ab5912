import type { Clock } from '../clock';
import { GatewaySendError, type GatewayStatus, type WhatsAppGateway } from './gateway';

/**
 * `WHATSAPP_GATEWAY=none`: a gateway that never connects, so the Slack side runs alone. Sends fail
 * as not_connected — callers keep such messages queued, exactly as during a WhatsApp outage.
 */
export function createNullGateway(clock: Clock): WhatsAppGateway {
  const status: GatewayStatus = { state: 'stopped', since: clock(), detail: 'WHATSAPP_GATEWAY=none' };
  const refuse = async (): Promise<never> => {
    throw new GatewaySendError('not_connected', 'WhatsApp is disabled (WHATSAPP_GATEWAY=none)');
  };
  return {
    start: async () => {},
    stop: async () => {},
    status: () => status,
    on: () => () => {},
    sendText: refuse,
    sendMedia: refuse,
    react: refuse,
    edit: refuse,
    revoke: refuse,
    markRead: refuse,
    recentOwnMessages: refuse,
    messagesSince: refuse,
    browserPid: () => undefined,
  };
}
