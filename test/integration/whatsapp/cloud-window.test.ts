import { MongoClient } from 'mongodb';
import { SIGNING_SECRET } from '../../support/app-harness';
import { eventually } from '../../support/bridge-helpers';
import { startCloudApp, type CloudApp } from '../../support/cloud-app';
import { buildWebhook, FakeGraphApi, inboundMessage } from '../../support/fake-graph-api';
import { testServerUri } from '../../support/mongo';
import { useFakeSlackApi } from '../../support/slack/fake-slack-api';
import { messageEventEnvelope, viewSubmissionPayload } from '../../support/slack/payloads';
import { postEvent, postInteraction } from '../../support/slack/signed-request';

const ANA = '447911123456';
const ANA_WA = `${ANA}@c.us`;
const HOUR = 3_600_000;

describe('the 24-hour customer service window on the Cloud API (end to end over signed HTTP, fake Graph API)', () => {
  const slack = useFakeSlackApi();
  const graph = new FakeGraphApi();
  const running: CloudApp[] = [];
  beforeAll(() => graph.start());
  afterAll(() => graph.close());
  afterEach(async () => {
    for (const app of running.splice(0).reverse()) await app.stop();
    graph.reset();
  });

  async function start() {
    const app = await startCloudApp(slack, graph);
    running.push(app);
    return app;
  }

  const posted = (text: string) => slack.callsTo('chat.postMessage').filter((c) => c.result && c.args.thread_ts && String(c.args.text).includes(text));

  /** Ana's message, written `hoursAgo` by WhatsApp's timestamp; resolves with her contact once it is in her thread. */
  async function anaWrote(app: CloudApp, text: string, hoursAgo: number) {
    const at = new Date(Date.now() - hoursAgo * HOUR);
    expect((await app.postWebhook(buildWebhook({ messages: [inboundMessage(ANA, 'text', { body: text }, { at })], names: { [ANA]: 'Ana Lima' } }))).status).toBe(200);
    await eventually(() => posted(text).length > 0, `"${text}" in Ana's thread`, 5000);
    return (await app.app.deps.repos.contacts.findByWaId(ANA_WA))!;
  }

  async function outboundCount(dbName: string): Promise<number> {
    const client = await MongoClient.connect(testServerUri());
    try {
      return await client.db(dbName).collection('messages').countDocuments({ direction: 'outbound' });
    } finally {
      await client.close();
    }
  }

  it('when an agent replies in the thread 25 hours after the customer last wrote, then it is refused at once with a "Send a template" button, and nothing is queued or sent', async () => {
    const app = await start();
    const ana = await anaWrote(app, 'Is my parcel coming?', 25);
    const ts = '1800000000.000101';
    expect((await postEvent(app.baseUrl, SIGNING_SECRET, messageEventEnvelope({ text: 'Yes, tomorrow', channel: ana.slack!.channel, threadTs: ana.slack!.threadTs, ts }))).status).toBe(200);
    const refusal = () => slack.callsTo('chat.postEphemeral').find((c) => String(c.args.text).includes('24 hours'));
    await eventually(() => refusal() !== undefined, 'the refusal', 5000);
    expect(refusal()!.args.text).toContain('only accepts a template message now');
    expect(JSON.stringify(refusal()!.args.blocks)).toContain('"action_id":"template_open"');
    expect(JSON.stringify(refusal()!.args.blocks)).toContain('Send a template');
    expect(await outboundCount(app.dbName)).toBe(0);
    await app.app.bridge.toWhatsApp.runDue();
    expect(graph.sends).toEqual([]);
  });

  it('when the customer wrote 23 hours ago, then the same thread reply goes out', async () => {
    const app = await start();
    const ana = await anaWrote(app, 'Still there?', 23);
    await postEvent(app.baseUrl, SIGNING_SECRET, messageEventEnvelope({ text: 'Yes, here', channel: ana.slack!.channel, threadTs: ana.slack!.threadTs, ts: '1800000000.000102' }));
    const send = await graph.waitForSend((s) => s.to === ANA, 10_000);
    expect(send.type).toBe('text');
    expect(slack.callsTo('chat.postEphemeral').filter((c) => String(c.args.text).includes('24 hours'))).toEqual([]);
  });

  it("when an agent answers from the card's Reply modal outside the window, then the modal shows a field error and nothing is posted or queued", async () => {
    const app = await start();
    const ana = await anaWrote(app, 'Hello from yesterday', 30);
    const res = await postInteraction(app.baseUrl, SIGNING_SECRET, viewSubmissionPayload({ callbackId: 'conv_reply_modal', privateMetadata: JSON.stringify({ waId: ana.waId }), values: { text: { value: { type: 'plain_text_input', value: 'Sorry for the delay' } } } }));
    expect(res.status).toBe(200);
    const answer = JSON.parse(res.body) as { response_action?: string; errors?: Record<string, string> };
    expect(answer.response_action).toBe('errors');
    expect(answer.errors?.text).toContain('only accepts a template message now');
    expect(posted('Sorry for the delay')).toEqual([]);
    expect(await outboundCount(app.dbName)).toBe(0);
  });
});
