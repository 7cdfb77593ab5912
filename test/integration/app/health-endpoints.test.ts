import { startTestApp, type TestApp } from '../../support/app-harness';

const TOKEN = 'integration-health-token-0123';

/** /healthz and /readyz on the real app's port, as a load balancer and an operator see them. */
describe('the health endpoints', () => {
  describe('with HEALTH_TOKEN set', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ HEALTH_TOKEN: TOKEN });
    });
    afterAll(async () => {
      await t.stop();
    });

    it('when /healthz and /readyz are asked without a token, then the process is alive and /readyz says ready in one word per part', async () => {
      const alive = await fetch(`${t.baseUrl}/healthz`);
      expect(alive.status).toBe(200);
      expect(await alive.json()).toEqual({ ok: true });
      const ready = await fetch(`${t.baseUrl}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ ready: true, store: 'ok', whatsapp: 'connected' });
    });

    it('when the WhatsApp state changes, then the public body carries the new state word and nothing about its cause', async () => {
      t.gateway.setState('unreachable', 'net::ERR_NAME_NOT_RESOLVED at https://web.whatsapp.com/');
      try {
        const text = await (await fetch(`${t.baseUrl}/readyz`)).text();
        expect(JSON.parse(text)).toEqual({ ready: true, store: 'ok', whatsapp: 'unreachable' });
        expect(text).not.toContain('ERR_NAME_NOT_RESOLVED');
      } finally {
        t.gateway.setState('connected');
      }
    });

    it('when the bearer token is sent, then the details come: the sampled memory of the app and, once sampled, of the browser', async () => {
      const auth = { authorization: `Bearer ${TOKEN}` };
      const before = (await (await fetch(`${t.baseUrl}/readyz`, { headers: auth })).json()) as { store: { ok: boolean }; whatsapp: { state: string; browserRssMb?: number }; appRssMb: number };
      expect(before.store).toEqual({ ok: true });
      expect(before.whatsapp.state).toBe('connected');
      expect(before.whatsapp.browserRssMb).toBeUndefined();
      expect(before.appRssMb).toBeGreaterThan(10);
      t.gateway.fakeBrowserPid = process.pid; // this very process stands in for Chromium
      try {
        // Answering reads the last sample; the timer (every 15 s) takes the next one — here, by hand.
        const unsampled = (await (await fetch(`${t.baseUrl}/readyz`, { headers: auth })).json()) as { whatsapp: { browserRssMb?: number } };
        expect(unsampled.whatsapp.browserRssMb).toBeUndefined();
        await t.app.deps.health.sampleMemory();
        const body = (await (await fetch(`${t.baseUrl}/readyz`, { headers: auth })).json()) as { whatsapp: { browserRssMb?: number } };
        expect(body.whatsapp.browserRssMb).toBeGreaterThan(10);
      } finally {
        t.gateway.fakeBrowserPid = undefined;
      }
    });

    it('when a wrong token is sent, then /readyz answers 401 and shows nothing', async () => {
      const res = await fetch(`${t.baseUrl}/readyz`, { headers: { authorization: `Bearer ${TOKEN.slice(0, -1)}!` } });
      expect(res.status).toBe(401);
      expect(await res.text()).not.toMatch(/ready|Rss/);
    });
  });

  describe('without HEALTH_TOKEN', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ HEALTH_TOKEN: undefined });
    });
    afterAll(async () => {
      await t.stop();
    });

    it('when any bearer is sent, then the details are never served', async () => {
      const res = await fetch(`${t.baseUrl}/readyz`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(res.status).toBe(401);
      expect(await res.text()).not.toMatch(/Rss/);
      expect(await (await fetch(`${t.baseUrl}/readyz`)).json()).toEqual({ ready: true, store: 'ok', whatsapp: 'connected' });
    });
  });
});
