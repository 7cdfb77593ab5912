import { createLogger } from '../../src/logger';
import type { CloudWebhookRepository, StoredWebhook } from '../../src/store/repositories/cloud-webhook-repository';
import { CloudGateway } from '../../src/whatsapp/cloud/cloud-gateway';
import { registerCloud } from '../../src/whatsapp/cloud/cloud-registry';
import type { FakeGraphApi } from './fake-graph-api';

/** The webhook store in memory: the routes' store-then-process path without MongoDB. `stored` is open to look at. */
export function memoryWebhookStore(): CloudWebhookRepository & { stored: Map<string, StoredWebhook & { processed?: boolean }> } {
  const stored = new Map<string, StoredWebhook & { processed?: boolean }>();
  return {
    stored,
    async storeMany(bodies) {
      return bodies.map((b) => !stored.has(b.id) && !!stored.set(b.id, { ...b }));
    },
    async markProcessed(ids) {
      for (const id of ids) {
        const w = stored.get(id);
        if (w) w.processed = true;
      }
    },
    async findUnprocessed(id) {
      const w = stored.get(id);
      return w && !w.processed ? w : null;
    },
    async unprocessed(limit) {
      return [...stored.values()].filter((w) => !w.processed).slice(0, limit);
    },
  };
}

/** A Cloud API gateway over the fake Graph API (reset, with `token` accepted), registered for the webhook routes; not started. */
export function cloudGatewayOver(graph: FakeGraphApi, secrets: { token: string; appSecret: string }): CloudGateway {
  graph.reset();
  graph.token = secrets.token;
  const gateway = new CloudGateway({
    config: { phoneNumberId: graph.phoneNumberId, wabaId: graph.wabaId, token: secrets.token, appSecret: secrets.appSecret, verifyToken: 'test-verify-token-0123', apiUrl: graph.origin, apiVersion: graph.version, sendPerSecond: 1000 },
    clock: () => new Date(),
    logger: createLogger({ level: 'silent', pretty: false }),
    backoff: { baseMs: 60_000, maxMs: 60_000 },
  });
  registerCloud(gateway, gateway);
  return gateway;
}
