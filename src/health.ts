import type { GatewayStatus, WhatsAppGateway } from './whatsapp/gateway';

export interface ReadinessReport {
  /** Ready means the store answers. WhatsApp is reported but never fails readiness: Slack work goes on without it. */
  ready: boolean;
  store: { ok: boolean; error?: string };
  whatsapp: GatewayStatus;
}

export interface Health {
  readiness(): Promise<ReadinessReport>;
}

export function createHealth(deps: { pingStore: () => Promise<void>; gateway: WhatsAppGateway }): Health {
  return {
    async readiness() {
      const whatsapp = deps.gateway.status();
      try {
        await deps.pingStore();
        return { ready: true, store: { ok: true }, whatsapp };
      } catch (err) {
        return { ready: false, store: { ok: false, error: err instanceof Error ? err.message : String(err) }, whatsapp };
      }
    },
  };
}
