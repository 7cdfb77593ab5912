import { MongoClient } from 'mongodb';
import { SIGNING_SECRET } from '../../support/app-harness';
import { eventually } from '../../support/bridge-helpers';
import { APP_SECRET, startCloudApp, VERIFY_TOKEN, type CloudApp } from '../../support/cloud-app';
import { buildWebhook, FakeGraphApi, inboundMessage, signWebhook, statusUpdate } from '../../support/fake-graph-api';
import { testServerUri } from '../../support/mongo';
import { DELIVERY_REACTIONS } from '../../../src/bridge/outbound/delivery-reactions';
import { useFakeSlackApi } from '../../support/slack/fake-slack-api';
import { startFakeSocketMode } from '../../support/slack/fake-socket-mode';
import { messageChangedEnvelope, messageDeletedEnvelope, messageEventEnvelope } from '../../support/slack/payloads';
import { postEvent } from '../../support/slack/signed-request';

const ANA = '447911123456';
const ANA_WA = `${ANA}@c.us`;

describe('the Cloud API gateway end to end (WHATSAPP_GATEWAY=cloud, webhooks over HTTP, fake Graph API)', () => {
  const slack = useFakeSlackApi();
  const graph = new FakeGraphApi();
  const running: CloudApp[] = [];
  beforeAll(() => graph.start());
  afterAll(() => graph.close());
  afterEach(async () => {
    for (const app of running.splice(0).reverse()) await app.stop();
    graph.reset();
  });

  async function start(options: Parameters<typeof startCloudApp>[2] = {}) {
    const app = await startCloudApp(slack, graph, options);
    running.push(app);
    return app;
  }

  const threadTexts = () => slack.callsTo('chat.postMessage').filter((c) => c.result && c.args.thread_ts).map((c) => String(c.args.text));
  const posted = (text: string) => threadTexts().filter((t) => t.includes(text));

  async function storedWebhooks(dbName: string): Promise<number> {
    const client = await MongoClient.connect(testServerUri());
    try {
      return await client.db(dbName).collection('cloud_webhooks').countDocuments();
    } finally {
      await client.close();
    }
  }

  /** Ana writes; resolves with her contact once her message is in her Slack thread. */
  async function anaWrites(app: CloudApp, text: string, id?: string) {
    expect((await app.postWebhook(buildWebhook({ messages: [inboundMessage(ANA, 'text', { body: text }, id ? { id } : {})], names: { [ANA]: 'Ana Lima' } }))).status).toBe(200);
    await eventually(() => posted(text).length > 0, `"${text}" in Ana's thread`, 5000);
    return (await app.app.deps.repos.contacts.findByWaId(ANA_WA))!;
  }

  it('when Meta makes the handshake, then the right verify token gets the challenge back as text, and a wrong one 403', async () => {
    const app = await start();
    expect(app.app.deps.gateway.status().state).toBe('connected');
    const handshake = (mode: string, token: string) => fetch(`${app.baseUrl}/whatsapp/webhook?hub.mode=${mode}&hub.verify_token=${encodeURIComponent(token)}&hub.challenge=1158201444`);
    const ok = await handshake('subscribe', VERIFY_TOKEN);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await ok.text()).toBe('1158201444');
    expect((await handshake('subscribe', 'not-the-verify-token')).status).toBe(403);
    expect((await handshake('subscribe', `${VERIFY_TOKEN}x`)).status).toBe(403);
    expect((await handshake('unsubscribe', VERIFY_TOKEN)).status).toBe(403);
  });

  it('when a webhook comes with a forged or missing signature, then it gets 401 and nothing is stored or posted', async () => {
    const app = await start();
    const body = buildWebhook({ messages: [inboundMessage(ANA, 'text', { body: 'forged hello' })] });
    expect((await app.postWebhook(body, { signature: `sha256=${'0'.repeat(64)}` })).status).toBe(401);
    expect((await app.postWebhook(body, { signature: null })).status).toBe(401);
    // Signed over other bytes (the same JSON re-serialised with spaces) does not count either.
    const other = JSON.stringify(body, null, 1);
    expect((await app.postWebhook(JSON.stringify(body), { signature: signWebhook(other, APP_SECRET) })).status).toBe(401);
    expect(await storedWebhooks(app.dbName)).toBe(0);
    expect(await app.app.deps.repos.contacts.findByWaId(ANA_WA)).toBeNull();
    expect(posted('forged hello')).toEqual([]);
  });

  it('when the same webhook is delivered twice (and the message again inside another body), then it is stored once and posted once', async () => {
    const app = await start();
    const message = inboundMessage(ANA, 'text', { body: 'only once please' });
    const body = buildWebhook({ messages: [message] });
    expect((await app.postWebhook(body)).status).toBe(200);
    expect((await app.postWebhook(body)).status).toBe(200);
    // Different bytes, same wamid: Meta's retries are not always byte-identical.
    expect((await app.postWebhook(buildWebhook({ entries: [{ changes: [{ messages: [message] }], time: 1 }] }))).status).toBe(200);
    await eventually(() => posted('only once please').length > 0, 'the post');
    await app.app.bridge.recorded();
    await app.app.bridge.toSlack.runDue();
    expect(posted('only once please')).toHaveLength(1);
    expect(await storedWebhooks(app.dbName)).toBe(2);
  });

  it('when a webhook has been processed, then its body (the customer\'s number and words) is no longer kept, only its hash', async () => {
    const app = await start();
    await anaWrites(app, 'please forget my words');
    const client = await MongoClient.connect(testServerUri());
    try {
      await eventually(async () => (await client.db(app.dbName).collection('cloud_webhooks').countDocuments({ processedAt: { $exists: true } })) === 1, 'the webhook marked processed');
      const stored = await client.db(app.dbName).collection('cloud_webhooks').find().toArray();
      expect(stored).toHaveLength(1);
      expect(stored[0]).not.toHaveProperty('body');
      expect(JSON.stringify(stored)).not.toContain('please forget my words');
    } finally {
      await client.close();
    }
  });

  it('when one webhook carries several entries and messages, then every one is posted, in order', async () => {
    const app = await start();
    const at = (s: number) => new Date(Date.UTC(2026, 11, 3, 9, 0, s));
    const body = buildWebhook({
      entries: [
        { changes: [{ messages: [inboundMessage(ANA, 'text', { body: 'first' }, { at: at(1) }), inboundMessage(ANA, 'text', { body: 'second' }, { at: at(2) })] }] },
        { changes: [{ messages: [inboundMessage(ANA, 'text', { body: 'third' }, { at: at(3) })] }, { messages: [inboundMessage(ANA, 'text', { body: 'fourth' }, { at: at(4) })] }] },
      ],
    });
    expect((await app.postWebhook(body)).status).toBe(200);
    await eventually(() => ['first', 'second', 'third', 'fourth'].every((w) => posted(w).length === 1), 'all four posts', 5000);
    expect(threadTexts().filter((t) => /first|second|third|fourth/.test(t)).map((t) => /first|second|third|fourth/.exec(t)![0])).toEqual(['first', 'second', 'third', 'fourth']);
  });

  it('when the app crashes after storing a webhook and before processing it, then the next start processes it once', async () => {
    const first = await start({ keepDb: true });
    first.crashAfterNextStore();
    expect((await first.postWebhook(buildWebhook({ messages: [inboundMessage(ANA, 'text', { body: 'survives the crash' })] }))).status).toBe(200);
    expect(first.crashed()).toBe(true);
    await first.stop();
    expect(posted('survives the crash')).toEqual([]);
    expect(await storedWebhooks(first.dbName)).toBe(1);

    const second = await start({ dbName: first.dbName });
    await eventually(() => posted('survives the crash').length > 0, 'the post after the restart', 5000);
    await second.app.bridge.recorded();
    await second.app.bridge.toSlack.runDue();
    expect(posted('survives the crash')).toHaveLength(1);
  });

  it("when a webhook was stored but the store's answer was lost, then Meta's redelivery gets it processed at once, and once", async () => {
    const app = await start();
    const raw = JSON.stringify(buildWebhook({ messages: [inboundMessage(ANA, 'text', { body: 'stored, answer lost' })] }));
    app.loseNextStoreAnswer();
    expect((await app.postWebhook(raw)).status).toBe(500);
    expect(await storedWebhooks(app.dbName)).toBe(1);
    // Meta retries what got no 200: the same bytes, already stored, and nobody processing them.
    expect((await app.postWebhook(raw)).status).toBe(200);
    await eventually(() => posted('stored, answer lost').length > 0, 'the message in Slack after the redelivery', 5000);
    expect((await app.postWebhook(raw)).status).toBe(200);
    await app.app.bridge.recorded();
    await app.app.bridge.toSlack.runDue();
    expect(posted('stored, answer lost')).toHaveLength(1);
  });

  it('when the customer writes STOP, then they are opted out and exactly one confirmation goes through the Graph API', async () => {
    const app = await start();
    await anaWrites(app, 'Hi there');
    expect((await app.postWebhook(buildWebhook({ messages: [inboundMessage(ANA, 'text', { body: 'STOP' })] }))).status).toBe(200);
    await eventually(async () => (await app.app.deps.repos.contacts.findByWaId(ANA_WA))?.consent.status === 'opted_out', 'the opt-out');
    await graph.waitForSend((s) => s.to === ANA);
    await app.app.bridge.toWhatsApp.runDue();
    expect(graph.sends.filter((s) => s.to === ANA)).toHaveLength(1);
    expect(graph.sends[0]!.type).toBe('text');
  });

  it("when an agent replies in the thread, then it goes out through the Graph API, and Meta's delivered and read statuses show as the usual reactions", async () => {
    const app = await start();
    const ana = await anaWrites(app, 'Where is my order?', 'wamid.IN-order');
    const ts = '1800000000.000001';
    expect((await postEvent(app.baseUrl, SIGNING_SECRET, messageEventEnvelope({ text: 'It ships today', channel: ana.slack!.channel, threadTs: ana.slack!.threadTs, ts }))).status).toBe(200);
    const send = await graph.waitForSend((s) => s.to === ANA, 10_000);
    expect(send.body).toMatchObject({ messaging_product: 'whatsapp', to: ANA, type: 'text', text: { body: expect.stringContaining('It ships today') } });
    expect(graph.calls.find((c) => c.path.endsWith('/messages'))!.authorization).toBe(`Bearer ${graph.token}`);
    const reactions = () => slack.callsTo('reactions.add').filter((c) => c.args.timestamp === ts).map((c) => c.args.name);
    await eventually(() => reactions().includes('heavy_check_mark'), 'the sent mark');
    // Out of order and twice, as Meta sends them: read first, then delivered.
    await app.postWebhook(buildWebhook({ statuses: [statusUpdate(send.wamid, 'delivered', ANA)] }));
    await eventually(() => reactions().length === 2, 'the delivered mark');
    await app.postWebhook(buildWebhook({ statuses: [statusUpdate(send.wamid, 'read', ANA), statusUpdate(send.wamid, 'delivered', ANA)] }));
    await eventually(() => reactions().length === 3, 'the read mark');
    expect(reactions()).toEqual(['heavy_check_mark', 'ballot_box_with_check', 'eyes']);
  });

  it('when WhatsApp refuses a reply with 131047 (window closed), then the reply is marked failed with the plain reason in the thread', async () => {
    const app = await start();
    const ana = await anaWrites(app, 'Hello?');
    graph.failSends({ code: 131047, details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.' });
    const ts = '1800000000.000002';
    await postEvent(app.baseUrl, SIGNING_SECRET, messageEventEnvelope({ text: 'Sorry for the wait', channel: ana.slack!.channel, threadTs: ana.slack!.threadTs, ts }));
    await eventually(() => threadTexts().some((t) => t.includes('Not delivered to WhatsApp')), 'the failure note', 10_000);
    const note = threadTexts().find((t) => t.includes('Not delivered to WhatsApp'))!;
    expect(note).toContain('More than 24 hours have passed since the customer last wrote');
    expect(note).toContain('WhatsApp error 131047');
    expect(slack.callsTo('reactions.add').filter((c) => c.args.timestamp === ts).map((c) => c.args.name)).toContain(DELIVERY_REACTIONS.failed);
    expect(graph.sends).toEqual([]);
  });

  it('when an agent edits or deletes a sent reply, then they are told plainly that the Cloud API cannot do it', async () => {
    const app = await start();
    const ana = await anaWrites(app, 'Can you check?');
    const ts = '1800000000.000003';
    await postEvent(app.baseUrl, SIGNING_SECRET, messageEventEnvelope({ text: 'Checking now', channel: ana.slack!.channel, threadTs: ana.slack!.threadTs, ts }));
    await graph.waitForSend((s) => s.to === ANA, 10_000);
    await eventually(() => slack.callsTo('reactions.add').some((c) => c.args.timestamp === ts && c.args.name === 'heavy_check_mark'), 'the reply marked sent');
    await postEvent(app.baseUrl, SIGNING_SECRET, messageChangedEnvelope({ channel: ana.slack!.channel, ts, threadTs: ana.slack!.threadTs, text: 'Checking now, back in 5' }));
    const told = () => [...slack.callsTo('chat.postEphemeral'), ...slack.callsTo('chat.postMessage')].map((c) => String(c.args.text)).find((t) => t.includes('cannot edit'));
    await eventually(() => told() !== undefined, 'the agent told');
    expect(told()).toContain('the WhatsApp Cloud API cannot edit a sent message');
    await postEvent(app.baseUrl, SIGNING_SECRET, messageDeletedEnvelope({ channel: ana.slack!.channel, ts, threadTs: ana.slack!.threadTs }));
    const toldDelete = () => [...slack.callsTo('chat.postEphemeral'), ...slack.callsTo('chat.postMessage')].map((c) => String(c.args.text)).find((t) => t.includes('cannot delete'));
    await eventually(() => toldDelete() !== undefined, 'the agent told about the delete');
    expect(toldDelete()).toContain('the WhatsApp Cloud API cannot delete a sent message');
    expect(graph.sends).toHaveLength(1);
  });

  it('when the customer stops marketing messages in WhatsApp (user_preferences), then a ledger entry is written once, and their consent is unchanged', async () => {
    const app = await start();
    await anaWrites(app, 'Hi');
    const before = (await app.app.deps.repos.contacts.findByWaId(ANA_WA))!.consent.status;
    const at = Math.floor(Date.now() / 1000);
    const preference = { field: 'user_preferences', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: graph.phoneNumberId }, contacts: [{ wa_id: ANA, profile: { name: 'Ana' } }], user_preferences: [{ wa_id: ANA, detail: 'User requested to stop marketing messages', category: 'marketing_messages', value: 'stop', timestamp: at }] } };
    await app.postWebhook(buildWebhook({ entries: [{ changes: [preference] }] }));
    await app.postWebhook(buildWebhook({ entries: [{ changes: [preference], time: at }] }));
    await eventually(async () => (await app.app.deps.repos.consentLedger.listForContact(ANA_WA)).some((e) => e.type === 'marketing_stopped'), 'the ledger entry');
    const entries = (await app.app.deps.repos.consentLedger.listForContact(ANA_WA)).filter((e) => e.type === 'marketing_stopped');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actor: 'contact', source: 'whatsapp:marketing_preference', at: new Date(at * 1000) });
    expect((await app.app.deps.repos.contacts.findByWaId(ANA_WA))!.consent.status).toBe(before);
  });

  it('when the app runs in Socket Mode, then the webhook is served on PORT all the same', async () => {
    const socket = await startFakeSocketMode(slack);
    try {
      const app = await start({ env: { SLACK_APP_TOKEN: 'xapp-1-A0SOCKET-123-cloudwebhooktest' } });
      expect((await app.postWebhook(buildWebhook({ messages: [inboundMessage(ANA, 'text', { body: 'hello over the socket app' })] }))).status).toBe(200);
      await eventually(() => posted('hello over the socket app').length === 1, 'the post', 5000);
      expect((await app.postWebhook({ object: 'whatsapp_business_account', entry: [] }, { signature: null })).status).toBe(401);
      await app.stop();
    } finally {
      await socket.close();
    }
  });
});
