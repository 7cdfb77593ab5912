import { startTestApp, type TestApp } from '../../support/app-harness';
import { testServerUri, uniqueDbName } from '../../support/mongo';
import { spawnMain } from '../../support/run-main';
import { startFakeSlackApi, type FakeSlackApi } from '../../support/slack/fake-slack-api';
import { startFakeSocketMode, type FakeSocketMode } from '../../support/slack/fake-socket-mode';

const HEALTH_TOKEN = 'socket-mode-health-token-0123';
const APP_TOKEN = 'xapp-1-A0SOCKET-123-socketmodetest';

/** Asks `probe` until it gives something, or fails after `ms` (a reconnect waits Bolt's 5 s back-off). */
async function eventually<T>(probe: () => Promise<T | undefined>, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function readyz(t: TestApp, details = false): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${t.baseUrl}/readyz`, details ? { headers: { authorization: `Bearer ${HEALTH_TOKEN}` } } : {});
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('Socket Mode', () => {
  describe('a running app', () => {
    let api: FakeSlackApi;
    let socket: FakeSocketMode;
    let t: TestApp;
    beforeAll(async () => {
      api = await startFakeSlackApi();
      socket = await startFakeSocketMode(api);
      t = await startTestApp({ SLACK_APP_TOKEN: APP_TOKEN, HEALTH_TOKEN }, { slack: api });
    });
    afterAll(async () => {
      await t?.stop();
      await socket.close();
      await api.close();
    });

    it('when SLACK_APP_TOKEN is set, then the socket URL is asked of SLACK_API_URL with the app token, and the socket is open', () => {
      const opens = api.callsTo('apps.connections.open');
      expect(opens.length).toBeGreaterThanOrEqual(1);
      expect(opens.every((c) => c.token === APP_TOKEN)).toBe(true);
      expect(socket.openCount).toBe(1);
    });

    it('when the socket is connected, then /readyz on PORT is 200 and says so in one word', async () => {
      expect(await readyz(t)).toEqual({ status: 200, body: { ready: true, store: 'ok', whatsapp: 'connected', slack: 'connected' } });
    });

    it('when the socket drops, then /readyz is 503 with the reason; once Slack takes it back, 200 again', async () => {
      socket.accepting = false;
      socket.dropAll();
      const down = await eventually(async () => {
        const r = await readyz(t);
        return r.status === 503 ? r : undefined;
      }, 3000, '/readyz 503 after the drop');
      expect(down.body).toEqual({ ready: false, store: 'ok', whatsapp: 'connected', slack: 'disconnected' });
      const details = await readyz(t, true);
      expect(details.status).toBe(503);
      expect(details.body.slack).toMatchObject({ state: 'disconnected', reason: expect.stringMatching(/closed/i) });

      socket.accepting = true;
      const up = await eventually(async () => {
        const r = await readyz(t);
        return r.status === 200 ? r : undefined;
      }, 15_000, '/readyz 200 after the reconnect');
      expect(up.body).toMatchObject({ ready: true, slack: 'connected' });
      expect(socket.openCount).toBe(1);
    });
  });

  describe('start-up, as the operator sees it', () => {
    let api: FakeSlackApi;
    let socket: FakeSocketMode;
    beforeEach(async () => {
      api = await startFakeSlackApi();
      socket = await startFakeSocketMode(api);
    });
    afterEach(async () => {
      await socket.close();
      await api.close();
    });
    const env = (overrides: Record<string, string> = {}) => ({
      SLACK_BOT_TOKEN: 'xoxb-socket-start-test',
      SLACK_APP_TOKEN: APP_TOKEN,
      PRIVACY_KEY: 'socket-test-privacy-key-0123456789abcdef',
      SLACK_SIGNING_SECRET: 'secret',
      SLACK_INBOX_CHANNEL: 'C0INBOX01',
      SLACK_API_URL: api.url,
      MONGODB_URI: `${testServerUri().replace(/\/$/, '')}/${uniqueDbName('sock')}`,
      WHATSAPP_GATEWAY: 'none',
      PORT: '0',
      LOG_LEVEL: 'silent',
      ...overrides,
    });

    it('when Slack rejects SLACK_APP_TOKEN (invalid_auth), then it exits 1 at once with one line naming it', async () => {
      api.setAuthToken('xoxb-socket-start-test'); // the bot token is good; any other token is not
      const started = Date.now();
      const result = await spawnMain(env()).exited;
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^switchboard: Slack rejected SLACK_APP_TOKEN \(invalid_auth\): .+\n$/);
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(socket.connections).toHaveLength(0);
    });

    it('when SLACK_APP_TOKEN is not an app-level token (not_allowed_token_type), then it exits 1 with one line naming it', async () => {
      const fresh = await startFakeSlackApi(); // no socket attached: its apps.connections.open is scripted here
      try {
        fresh.respond('apps.connections.open', () => ({ ok: false, error: 'not_allowed_token_type' }));
        const result = await spawnMain(env({ SLACK_API_URL: fresh.url })).exited;
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(/^switchboard: Slack rejected SLACK_APP_TOKEN \(not_allowed_token_type\): .+\n$/);
        expect(fresh.callsTo('apps.connections.open')).toHaveLength(1);
      } finally {
        await fresh.close();
      }
    });

    it('when nothing answers at SLACK_API_URL, then it exits 1 within seconds with one line naming SLACK_API_URL', async () => {
      const started = Date.now();
      const result = await spawnMain(env({ SLACK_API_URL: 'http://127.0.0.1:1/api/' })).exited;
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^switchboard: Cannot reach Slack .*SLACK_API_URL.*\n$/);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(Date.now() - started).toBeLessThan(15_000);
    });

    it('when the socket opens but Slack never says hello, then it exits 1 after about 15 s with one line, not minutes of retries', async () => {
      socket.sayHello = false;
      const started = Date.now();
      const result = await spawnMain(env(), 40_000).exited;
      const took = Date.now() - started;
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^switchboard: Slack's Socket Mode connection did not open within 15 s.*\n$/);
      expect(took).toBeGreaterThanOrEqual(15_000);
      expect(took).toBeLessThan(30_000);
    }, 45_000);
  });
});
