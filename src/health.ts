import type { GatewayStatus, WhatsAppGateway } from './whatsapp/gateway';
import { processTreeRssBytes } from './whatsapp/process-rss';

export interface ReadinessReport {
  /** Ready means the store answers. WhatsApp is reported but never fails readiness: Slack work goes on without it. */
  ready: boolean;
  store: { ok: boolean; error?: string };
  /** The gateway's state, plus the browser's resident memory (all its processes) while one runs. */
  whatsapp: GatewayStatus & { browserRssMb?: number };
  /** This Node process's resident memory. */
  appRssMb: number;
}

export interface Health {
  readiness(): Promise<ReadinessReport>;
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

export function createHealth(deps: { pingStore: () => Promise<void>; gateway: WhatsAppGateway }): Health {
  return {
    async readiness() {
      const pid = deps.gateway.browserPid();
      const browserRss = pid === undefined ? undefined : processTreeRssBytes(pid);
      const whatsapp = { ...deps.gateway.status(), ...(browserRss === undefined ? {} : { browserRssMb: mb(browserRss) }) };
      const appRssMb = mb(process.memoryUsage.rss());
      try {
        await deps.pingStore();
        return { ready: true, store: { ok: true }, whatsapp, appRssMb };
      } catch (err) {
        return { ready: false, store: { ok: false, error: err instanceof Error ? err.message : String(err) }, whatsapp, appRssMb };
      }
    },
  };
}
