import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger } from '../../../src/logger';
import { cloudWebhookRoutesFor } from '../../../src/whatsapp/cloud/webhook-routes';
import type { InboundMessage } from '../../../src/whatsapp/gateway';
import { cloudGatewayOver, memoryWebhookStore } from '../../support/cloud-webhook-rig';
import { buildWebhook, FakeGraphApi, inboundMessage, signWebhook } from '../../support/fake-graph-api';

const APP_SECRET = 'backlog-app-secret-0123456789';
const TOKEN = 'EAAG-backlog-token-0123456789';

/**
 * The webhook routes over HTTP with the bridge stuck (its "recorded" never resolves until the test
 * says): the bodies waiting for processing are capped, and above the cap Meta is told to come back.
 */
describe('a backlog of webhooks waiting for processing', () => {
  const graph = new FakeGraphApi();
  beforeAll(() => graph.start());
  afterAll(() => graph.close());

  it('when more webhooks wait for processing than the cap, then the next one gets 503 and is not stored; once processing catches up, its redelivery is taken and everything is processed once', async () => {
    const gateway = cloudGatewayOver(graph, { token: TOKEN, appSecret: APP_SECRET });
    const webhooks = memoryWebhookStore();
    const stored = webhooks.stored;
    let unstick!: () => void;
    const stuck = new Promise<void>((res) => (unstick = res));
    const routes = cloudWebhookRoutesFor(gateway, { webhooks, clock: () => new Date(), logger: silentLogger(), recorded: () => stuck, maxWaiting: 15 });
    const server: Server = createServer((req, res) => routes.find((r) => r.method.includes(req.method ?? ''))!.handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const heard: string[] = [];
    gateway.on((e) => void (e.type === 'message' && heard.push((e.message as InboundMessage).id)));
    await gateway.start();
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/whatsapp/webhook`;
      const post = async (raw: string) => (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhook(raw, APP_SECRET) }, body: raw })).status;
      const body = (n: number) => JSON.stringify(buildWebhook({ messages: [inboundMessage('447911123456', 'text', { body: `m${n}` }, { id: `wamid.BACKLOG${n}` })] }));
      // The first goes to the (stuck) bridge as it comes; fifteen more wait: the cap.
      const statuses: number[] = [];
      for (let n = 0; n < 16; n++) statuses.push(await post(body(n)));
      expect(statuses).toEqual(Array(16).fill(200));
      expect(await post(body(16))).toBe(503);
      expect(stored.size).toBe(16);
      unstick();
      // Meta comes back with the one it was refused.
      for (let tries = 0; (await post(body(16))) !== 200; tries++) {
        if (tries > 200) throw new Error('the webhook was still refused once processing had caught up');
        await new Promise((res) => setTimeout(res, 10));
      }
      while ([...stored.values()].some((w) => !w.processed)) await new Promise((res) => setTimeout(res, 10));
      expect(heard).toEqual(Array.from({ length: 17 }, (_, n) => `wamid.BACKLOG${n}`));
    } finally {
      await gateway.stop();
      await new Promise((res) => server.close(res));
    }
  });
});
