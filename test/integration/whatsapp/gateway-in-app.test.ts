import type { WwebjsClient } from '../../../src/whatsapp/wwebjs-client';
import { SIGNING_SECRET, startTestApp, type TestApp } from '../../support/app-harness';
import { FakeClient } from '../../support/fake-wwebjs-client';
import { uniqueDbName } from '../../support/mongo';
import { postSlashCommand } from '../../support/slack/signed-request';
import { useFakeSlackApi } from '../../support/slack/fake-slack-api';

/** Builds scripted clients and remembers them, as whatsapp-web.js would build real ones. */
function clientFactory(make: () => FakeClient = () => new FakeClient()) {
  const made: FakeClient[] = [];
  return {
    made,
    create: () => {
      const c = make();
      made.push(c);
      return c as unknown as WwebjsClient;
    },
  };
}

async function until(check: () => boolean, what: string, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function readyz(t: TestApp) {
  const res = await fetch(`${t.baseUrl}/readyz`);
  return { status: res.status, body: (await res.json()) as { ready: boolean; whatsapp: { state: string; detail?: string } } };
}

/** The production gateway chain (throttle → lease → watchdog) inside the real app, over a scripted client. */
describe('the WhatsApp gateway inside the app', () => {
  const slack = useFakeSlackApi();

  it('when web.whatsapp.com cannot be reached, then the app keeps serving Slack and reports the state and its cause', async () => {
    const clients = clientFactory(() => new FakeClient(new Error('net::ERR_NAME_NOT_RESOLVED at https://web.whatsapp.com/')));
    const t = await startTestApp({}, { slack, whatsappClient: clients.create });
    try {
      await until(() => t.app.deps.gateway.status().state === 'unreachable', 'unreachable');
      const ready = await readyz(t);
      expect(ready.status).toBe(200);
      expect(ready.body.whatsapp).toMatchObject({ state: 'unreachable', detail: expect.stringContaining('ERR_NAME_NOT_RESOLVED') });

      await postSlashCommand(t.baseUrl, SIGNING_SECRET, { text: 'status', response_url: slack.responseUrl('wa-down') });
      const answer = await slack.waitForResponse((p) => p.id === 'wa-down');
      expect(String(answer.body.text)).toMatch(/unreachable since <!date\^\d+\^.*ERR_NAME_NOT_RESOLVED/);
    } finally {
      await t.stop();
    }
  });

  it('when two instances share one store, then only the lease holder builds a WhatsApp client; after it stops, the standby takes over', async () => {
    const dbName = uniqueDbName('two-instances');
    const a = clientFactory();
    const b = clientFactory();
    const first = await startTestApp({ WHATSAPP_LEASE_TTL_SEC: '10', WHATSAPP_SEND_JITTER_MS: '0' }, { slack, dbName, keepDb: true, whatsappClient: a.create });
    const second = await startTestApp({ WHATSAPP_LEASE_TTL_SEC: '10', WHATSAPP_SEND_JITTER_MS: '0' }, { slack, dbName, whatsappClient: b.create });
    try {
      await until(() => a.made.length === 1, 'the first instance to build its client');
      a.made[0]!.emit('ready');
      expect(b.made).toHaveLength(0);
      expect((await readyz(second)).body.whatsapp.state).toBe('standby');
      expect((await readyz(first)).body.whatsapp.state).toBe('connected');
      await expect(second.app.deps.gateway.sendText('447911123456@c.us', 'from the standby')).rejects.toMatchObject({ kind: 'not_connected' });

      await first.stop(); // releases the lease and destroys its client
      expect(a.made[0]!.destroyed).toBe(1);
      await until(() => b.made.length === 1, 'the standby to take over', 6000);
      b.made[0]!.emit('ready');
      await until(() => second.app.deps.gateway.status().state === 'connected', 'the standby connected');
      const sent = await second.app.deps.gateway.sendText('447911123456@c.us', 'from the new holder');
      expect(sent.id).toMatch(/OUT1$/);
      expect(b.made[0]!.sent.map((s) => s.content)).toEqual(['from the new holder']);
      expect(a.made[0]!.sent).toHaveLength(0);
    } finally {
      await second.stop();
    }
  });
});
