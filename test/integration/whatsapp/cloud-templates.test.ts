import { SIGNING_SECRET } from '../../support/app-harness';
import { eventually } from '../../support/bridge-helpers';
import { startCloudApp, type CloudApp } from '../../support/cloud-app';
import { buildWebhook, FakeGraphApi, inboundMessage } from '../../support/fake-graph-api';
import { useFakeSlackApi } from '../../support/slack/fake-slack-api';
import { blockActionPayload, messageShortcutPayload, viewSubmissionPayload } from '../../support/slack/payloads';
import { postInteraction } from '../../support/slack/signed-request';
import { cloudBehind } from '../../../src/whatsapp/cloud/cloud-registry';

const ANA = '447911123456';
const ANA_WA = `${ANA}@c.us`;
const HOUR = 3_600_000;

const template = (name: string, category: string, body: string, status = 'APPROVED', language = 'en_US') => ({ id: `t-${name}`, name, language, status, category, components: [{ type: 'BODY', text: body }] });
const TEMPLATES = [
  template('order_update', 'UTILITY', 'Hi {{1}}, your order {{2}} has shipped.'),
  template('spring_sale', 'MARKETING', 'Hi {{1}}, 20% off everything this week.'),
  template('login_code', 'AUTHENTICATION', 'Your code is {{1}}.'),
  template('not_yet', 'UTILITY', 'Pending {{1}}', 'PENDING'),
];

describe('WhatsApp templates on the Cloud API (end to end over signed HTTP, fake Graph API)', () => {
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
    graph.templates = TEMPLATES.map((t) => ({ ...t }));
    const app = await startCloudApp(slack, graph);
    running.push(app);
    return app;
  }

  /** Ana wrote `hoursAgo` (WhatsApp's timestamp): her contact once her message is in her thread. */
  async function anaWrote(app: CloudApp, text: string, hoursAgo = 25) {
    const at = new Date(Date.now() - hoursAgo * HOUR);
    await app.postWebhook(buildWebhook({ messages: [inboundMessage(ANA, 'text', { body: text }, { at })], names: { [ANA]: 'Ana Lima' } }));
    await eventually(() => slack.callsTo('chat.postMessage').some((c) => String(c.args.text).includes(text)), 'her message in Slack', 5000);
    return (await app.app.deps.repos.contacts.findByWaId(ANA_WA))!;
  }

  /** Each submission is its own modal (Slack gives each view its id; the same one twice is a replay). */
  let views = 0;
  const submit = (app: CloudApp, callbackId: string, metadata: object, values: Record<string, Record<string, object>>) => {
    const payload = viewSubmissionPayload({ callbackId, privateMetadata: JSON.stringify(metadata), values });
    return postInteraction(app.baseUrl, SIGNING_SECRET, { ...payload, view: { ...payload.view, id: `V0TEMPLATE${++views}` } }).then((r) => ({ status: r.status, answer: r.body ? (JSON.parse(r.body) as { response_action?: string; errors?: Record<string, string>; view?: { blocks: unknown[] } }) : {} }));
  };
  const sendTemplate = (app: CloudApp, name: string, params: string, language = 'en_US') =>
    submit(app, 'template_send_modal', { waId: ANA_WA, template: `${name}|${language}` }, { params: { value: { type: 'plain_text_input', value: params } } });

  it('when the app starts, then the approved templates are read from the WABA, page by page, and the picker opened from "Send a template" offers only those', async () => {
    graph.templates = [];
    for (let i = 0; i < 130; i++) graph.templates.push(template(`bulk_${i}`, 'UTILITY', `Note ${i}`));
    graph.templates.push(template('rejected_one', 'UTILITY', 'x', 'REJECTED'));
    const app = await startCloudApp(slack, graph);
    running.push(app);
    const catalog = cloudBehind(app.app.deps.gateway)!.templates;
    expect(catalog.list()).toHaveLength(130);
    expect(graph.calls.filter((c) => c.path.endsWith('/message_templates')).length).toBeGreaterThanOrEqual(2);
    await anaWrote(app, 'hello');
    const res = await postInteraction(app.baseUrl, SIGNING_SECRET, blockActionPayload({ actionId: 'template_open', value: ANA_WA }));
    expect(res.status).toBe(200);
    await eventually(() => slack.callsTo('views.open').length === 1, 'the picker');
    const view = JSON.stringify(slack.callsTo('views.open')[0]!.args.view);
    expect(view).toContain('template_pick_modal');
    expect(view).toContain('bulk_0|en_US');
    expect(view).not.toContain('rejected_one');
  });

  it('when a template status webhook comes, then the list is read again', async () => {
    const app = await start();
    const catalog = cloudBehind(app.app.deps.gateway)!.templates;
    expect(catalog.list().map((t) => t.name).sort()).toEqual(['login_code', 'order_update', 'spring_sale']);
    graph.templates.find((t) => t.name === 'not_yet')!.status = 'APPROVED';
    const change = { field: 'message_template_status_update', value: { event: 'APPROVED', message_template_id: 't-not_yet', message_template_name: 'not_yet', message_template_language: 'en_US', reason: null } };
    expect((await app.postWebhook(buildWebhook({ entries: [{ changes: [change] }] }))).status).toBe(200);
    await eventually(() => catalog.list().some((t) => t.name === 'not_yet'), 'the new template listed');
  });

  it('when a template is picked, then the parameters are filled with the contact name first, and a preview is shown', async () => {
    const app = await start();
    await anaWrote(app, 'hi');
    const { answer } = await submit(app, 'template_pick_modal', { waId: ANA_WA }, { template: { pick: { type: 'static_select', selected_option: { value: 'order_update|en_US' } } } });
    expect(answer.response_action).toBe('update');
    const view = JSON.stringify(answer.view);
    expect(view).toContain('"initial_value":"Ana Lima\\n"');
    expect(view).toContain('Hi Ana Lima, your order {{2}} has shipped.');
  });

  it('when a UTILITY template goes to a contact whose consent is unknown, outside the 24-hour window, then it is sent as a template with its parameters', async () => {
    const app = await start();
    const ana = await anaWrote(app, 'Where is my parcel?', 30);
    expect(ana.consent.status).toBe('unknown');
    const { answer } = await sendTemplate(app, 'order_update', 'Ana Lima\nA-1001');
    expect(answer.response_action).toBeUndefined();
    const send = await graph.waitForSend((s) => s.to === ANA && s.type === 'template', 10_000);
    expect(send.body.template).toEqual({ name: 'order_update', language: { code: 'en_US', policy: 'deterministic' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ana Lima' }, { type: 'text', text: 'A-1001' }] }] });
    expect(slack.callsTo('chat.postMessage').some((c) => c.args.thread_ts === ana.slack!.threadTs && String(c.args.text).includes('Hi Ana Lima, your order A-1001 has shipped.'))).toBe(true);
    await eventually(() => slack.callsTo('reactions.add').some((c) => c.args.name === 'heavy_check_mark'), 'the sent mark');
  });

  it('when a MARKETING template goes to a contact who never opted in, then the modal refuses it and nothing is sent', async () => {
    const app = await start();
    await anaWrote(app, 'hello');
    const { answer } = await sendTemplate(app, 'spring_sale', 'Ana');
    expect(answer.response_action).toBe('errors');
    expect(answer.errors?.params).toContain('marketing templates go only to contacts who confirmed their opt-in');
    await app.app.bridge.toWhatsApp.runDue();
    expect(graph.sends.filter((s) => s.type === 'template')).toEqual([]);
  });

  /** Ana confirmed her opt-in (as a YES to a request would leave her). */
  async function anaOptedIn(app: CloudApp) {
    await app.app.deps.repos.contacts.setConsent(ANA_WA, { status: 'opted_in', since: new Date(), source: 'reply:YES' });
  }

  it('when a MARKETING template goes to a contact who confirmed opt-in, then it is sent', async () => {
    const app = await start();
    await anaWrote(app, 'hello');
    await anaOptedIn(app);
    const { answer } = await sendTemplate(app, 'spring_sale', 'Ana');
    expect(answer.response_action).toBeUndefined();
    const send = await graph.waitForSend((s) => s.type === 'template', 10_000);
    expect(send.body.template).toMatchObject({ name: 'spring_sale', components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }] }] });
  });

  it('when an opted-in contact stopped marketing messages in WhatsApp, then a MARKETING template is refused until they resume, and a UTILITY one still goes', async () => {
    const app = await start();
    await anaWrote(app, 'hello');
    await anaOptedIn(app);
    const ledger = app.app.deps.repos.consentLedger;
    const entry = (type: 'marketing_stopped' | 'marketing_resumed', at: Date) => ({ contact: ANA_WA, type, source: 'whatsapp:marketing_preference', actor: 'contact', evidence: type, at, key: `${type}:${at.getTime()}` });
    await ledger.appendOnce([entry('marketing_stopped', new Date(Date.now() - 2 * HOUR))]);
    expect((await sendTemplate(app, 'spring_sale', 'Ana')).answer.errors?.params).toContain('stopped marketing messages');
    expect((await sendTemplate(app, 'order_update', 'Ana\nA-7')).answer.response_action).toBeUndefined();
    await graph.waitForSend((s) => s.type === 'template', 10_000);
    await ledger.appendOnce([entry('marketing_resumed', new Date(Date.now() - HOUR))]);
    expect((await sendTemplate(app, 'spring_sale', 'Ana')).answer.response_action).toBeUndefined();
    await graph.waitForSend((s) => (s.body.template as { name?: string }).name === 'spring_sale', 10_000);
  });

  it('when any template goes to a contact who opted out, then it is refused', async () => {
    const app = await start();
    await anaWrote(app, 'hello', 1);
    await app.postWebhook(buildWebhook({ messages: [inboundMessage(ANA, 'text', { body: 'STOP' })] }));
    await eventually(async () => (await app.app.deps.repos.contacts.findByWaId(ANA_WA))?.consent.status === 'opted_out', 'the opt-out');
    const { answer } = await sendTemplate(app, 'order_update', 'Ana\nA-1');
    expect(answer.errors?.params).toContain('opted out');
    await app.app.bridge.toWhatsApp.runDue();
    expect(graph.sends.filter((s) => s.type === 'template')).toEqual([]);
  });

  it('when the parameters do not match the template count, then the field says how many it takes', async () => {
    const app = await start();
    await anaWrote(app, 'hello');
    const one = await sendTemplate(app, 'order_update', 'Ana Lima\n');
    expect(one.answer.errors?.params).toBe('This template takes 2 parameters ({{1}}, {{2}}), one per line; 1 given.');
    const three = await sendTemplate(app, 'order_update', 'a\nb\nc');
    expect(three.answer.errors?.params).toContain('3 given');
    const blank = await sendTemplate(app, 'order_update', '\nA-1');
    expect(blank.answer.errors?.params).toBe('Parameter {{1}} is empty.');
    expect(graph.sends).toEqual([]);
  });

  it('when the Send template shortcut is used in a conversation thread, then the picker opens', async () => {
    const app = await start();
    const ana = await anaWrote(app, 'hello');
    await postInteraction(app.baseUrl, SIGNING_SECRET, messageShortcutPayload({ callbackId: 'send_template', channelId: ana.slack!.channel, messageTs: '1800000000.000200', threadTs: ana.slack!.threadTs }));
    await eventually(() => slack.callsTo('views.open').length === 1, 'the picker');
    expect(JSON.stringify(slack.callsTo('views.open')[0]!.args.view)).toContain('spring_sale|en_US');
  });
});
