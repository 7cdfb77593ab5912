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

const HEALTH_TOKEN = 'gateway-in-app-health-token';

/** /readyz as anyone sees it: one word per part. */
async function readyz(t: TestApp) {
  const res = await fetch(`${t.baseUrl}/readyz`);
  return { status: res.status, body: (await res.json()) as { ready: boolean; store: string; whatsapp: string } };
}

/** The production gateway chain (throttle → lease → watchdog) inside the real app, over a scripted client. */
describe('the WhatsApp gateway inside the app', () => {
  const slack = useFakeSlackApi();

  it('when web.whatsapp.com cannot be reached, then the app keeps serving Slack and reports the state and its cause', async () => {
    const clients = clientFactory(() => new FakeClient(new Error('net::ERR_NAME_NOT_RESOLVED at https://web.whatsapp.com/')));
    const t = await startTestApp({ HEALTH_TOKEN }, { slack, whatsappClient: clients.create });
    try {
      await until(() => t.app.deps.gateway.status().state === 'unreachable', 'unreachable');
      const ready = await readyz(t);
      expect(ready.status).toBe(200);
      expect(ready.body).toEqual({ ready: true, store: 'ok', whatsapp: 'unreachable' });
      const details = await fetch(`${t.baseUrl}/readyz`, { headers: { authorization: `Bearer ${HEALTH_TOKEN}` } });
      expect(((await details.json()) as { whatsapp: unknown }).whatsapp).toMatchObject({ state: 'unreachable', detail: expect.stringContaining('ERR_NAME_NOT_RESOLVED') });

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
      expect((await readyz(second)).body.whatsapp).toBe('standby');
      expect((await readyz(first)).body.whatsapp).toBe('connected');
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

  it('when the app replies through WhatsApp Web, then its own message is not mirrored back as sent from the phone; a message typed on the phone is', async () => {
    const clients = clientFactory();
    const t = await startTestApp({ WHATSAPP_SEND_JITTER_MS: '0' }, { slack, whatsappClient: clients.create });
    try {
      await until(() => clients.made.length === 1, 'the client');
      const client = clients.made[0]!;
      client.emit('ready');
      await until(() => t.app.deps.gateway.status().state === 'connected', 'connected');
      const incoming = { fromMe: false, from: '447911123456@c.us', to: '441234567890@c.us', type: 'chat', body: 'Where is my order?', timestamp: Math.floor(Date.now() / 1000), id: { _serialized: 'false_447911123456@c.us_IN1' }, _data: { notifyName: 'Ana Lima' } };
      client.emit('message', incoming);
      await t.app.bridge.recorded();
      await t.app.bridge.toSlack.runDue();
      // WhatsApp Web files the reply under the chat's @lid id: still known as the app's own.
      client.chatOf = () => '123456789012345@lid';
      const sent = await t.app.deps.gateway.sendText('447911123456@c.us', 'It ships today');
      await t.app.bridge.recorded();
      client.chatOf = (chatId) => chatId;
      client.emit('message_create', { fromMe: true, from: '441234567890@c.us', to: '447911123456@c.us', type: 'chat', body: 'Typed on the phone', timestamp: Math.floor(Date.now() / 1000), id: { _serialized: 'true_447911123456@c.us_PHONE1' } });
      await new Promise((r) => setImmediate(r)); // judged, then handed over
      await t.app.bridge.recorded();
      await t.app.bridge.toSlack.runDue();
      const phonePosts = slack.callsTo('chat.postMessage').filter((c) => c.args.username === 'Sent from the phone');
      expect(phonePosts.map((c) => c.args.text)).toEqual(['Typed on the phone']);
      expect(await t.app.deps.repos.messages.knownWaIds([sent.id])).toEqual(new Set());
    } finally {
      await t.stop();
    }
  });
});
