import { SIGNING_SECRET, startTestApp, type TestApp } from '../../support/app-harness';
import { eventually, manualClock } from '../../support/bridge-helpers';
import { startCloudApp, type CloudApp } from '../../support/cloud-app';
import { FakeGraphApi } from '../../support/fake-graph-api';
import { useFakeSlackApi, type SlackCall } from '../../support/slack/fake-slack-api';
import { blockActionPayload, viewSubmissionPayload } from '../../support/slack/payloads';
import { postInteraction, postSlashCommand } from '../../support/slack/signed-request';

const LEAD = 'U0LEAD01';
const LEAD2 = 'U0LEAD02';
const AGENT = 'U0AGENT';
const LEADS_CHANNEL = 'C0LEADS';
const HOUR = 3_600_000;
const OPT_OUT_LINE = 'Reply STOP to stop these messages.';
const uk = (i: number) => `4479110000${String(i).padStart(2, '0')}@c.us`;
let n = 0;

/** What a lead fills in; `sendAt` in epoch seconds (Slack's datetimepicker). */
interface Form {
  name?: string;
  labels?: string[];
  inactive?: boolean;
  quickReply?: string;
  sendAt?: number;
}

type Answer = { response_action?: string; errors?: Record<string, string>; view?: { callback_id?: string; private_metadata?: string; submit?: { text: string }; blocks: Array<{ block_id?: string; text?: { text: string }; elements?: Array<{ text: string }> }> } };

/** Composing a broadcast in Slack: the form, its checks, the preview, the create, and the second lead's approval. */
describe('composing a broadcast', () => {
  const slack = useFakeSlackApi();
  let t: TestApp;
  let time = manualClock('2026-11-30T10:00:00Z'); // Monday, 10:00 in London
  const start = async (env: Record<string, string> = {}) => {
    t = await startTestApp({ SLACK_LEADS: `${LEAD},${LEAD2}`, TZ_REPORTS: 'Europe/London', ...env }, { slack, clock: () => time.clock() });
  };
  beforeEach(() => {
    time = manualClock('2026-11-30T10:00:00Z');
  });
  afterEach(async () => {
    await t.stop();
  });

  const repos = () => t.app.deps.repos;

  /** Contacts who wrote yesterday, labelled `vip`, with the given consent; a quick reply `hours`. */
  async function people(consents: Array<'opted_in' | 'opted_out' | 'unknown' | 'pending'>): Promise<string[]> {
    await repos().labels.create({ name: 'vip' });
    await repos().labels.create({ name: 'other' });
    await repos().quickReplies.create({ shortcut: 'hours', body: 'Hi {{first_name}}, we now open at 8.', author: LEAD });
    const ids: string[] = [];
    for (const [i, status] of consents.entries()) {
      const waId = uk(i);
      await repos().contacts.recordInbound({ waId, name: `Maria${i} Silva`, at: new Date(time.clock().getTime() - 24 * HOUR) });
      await repos().contacts.addLabels(waId, ['vip']);
      await repos().contacts.setConsent(waId, { status, since: time.clock(), source: status === 'opted_in' ? 'reply:YES' : 'keyword:STOP' });
      ids.push(waId);
    }
    return ids;
  }

  const GOOD: Form = { name: 'New opening hours', labels: ['vip'], quickReply: 'hours' };
  function stateOf(form: Form): Record<string, Record<string, object>> {
    const option = (value: string) => ({ value, text: { type: 'plain_text', text: value } });
    return {
      bc_name: { value: { type: 'plain_text_input', value: form.name ?? '' } },
      bc_labels: { value: { type: 'multi_static_select', selected_options: (form.labels ?? []).map(option) } },
      bc_inactive: { value: { type: 'checkboxes', selected_options: form.inactive ? [option('include')] : [] } },
      bc_quick_reply: { value: { type: 'static_select', selected_option: form.quickReply ? option(form.quickReply) : null } },
      bc_send_at: { value: { type: 'datetimepicker', selected_date_time: form.sendAt ?? null } },
    };
  }
  async function submitView(callbackId: string, privateMetadata: string, values: Record<string, Record<string, object>>, user: string): Promise<Answer> {
    const res = await postInteraction(t.baseUrl, SIGNING_SECRET, viewSubmissionPayload({ callbackId, privateMetadata, userId: user, values }));
    expect(res.status).toBe(200);
    return JSON.parse(res.body || '{}') as Answer;
  }
  const compose = (form: Form, user = LEAD) => submitView('broadcast_compose', '', stateOf(form), user);
  const confirm = (preview: Answer, user = LEAD) => submitView('broadcast_preview', preview.view!.private_metadata!, {}, user);
  const textOf = (answer: Answer) => JSON.stringify(answer.view?.blocks ?? []);
  const press = (actionId: string, id: string, user: string, messageTs: string) =>
    postInteraction(t.baseUrl, SIGNING_SECRET, blockActionPayload({ actionId, value: id, userId: user, channelId: LEADS_CHANNEL, messageTs }));
  const sentTexts = () => t.gateway.sent.filter((s) => s.kind === 'text');
  async function drive(passes = 10): Promise<void> {
    for (let i = 0; i < passes; i++) {
      await t.app.bridge.broadcasts.tick();
      await t.app.bridge.toWhatsApp.runDue();
    }
  }

  it('when an agent types /wa broadcast, then they are told it is for leads and no form opens', async () => {
    await start();
    const id = `b${++n}`;
    await postSlashCommand(t.baseUrl, SIGNING_SECRET, { text: 'broadcast', user_id: AGENT, trigger_id: 'trig-agent', response_url: slack.responseUrl(id) });
    expect(String((await slack.waitForResponse((p) => p.id === id)).body.text)).toMatch(/:lock: `\/wa broadcast` is for team leads/);
    expect(slack.callsTo('views.open')).toHaveLength(0);
    // Nor by submitting a form they never had.
    await people(['opted_in']);
    const answer = await compose(GOOD, AGENT);
    expect(answer.response_action).toBe('errors');
    expect(Object.values(answer.errors!).join()).toMatch(/team leads/);
    expect(await repos().broadcasts.recent(5)).toEqual([]);
  });

  it('when a lead types /wa broadcast, then the form opens with the labels and quick replies to pick from and a zone hint', async () => {
    await start();
    await people(['opted_in']);
    await postSlashCommand(t.baseUrl, SIGNING_SECRET, { text: 'broadcast', user_id: LEAD, trigger_id: 'trig-bc', response_url: slack.responseUrl('bc') });
    const opened = await slack.waitFor('views.open', (c) => c.args.trigger_id === 'trig-bc');
    const view = opened.args.view as { callback_id: string; blocks: Array<{ block_id: string; hint?: { text: string }; element: { type: string; options?: Array<{ value: string }> } }> };
    expect(view.callback_id).toBe('broadcast_compose');
    const block = (id: string) => view.blocks.find((b) => b.block_id === id)!;
    expect(block('bc_labels').element.options!.map((o) => o.value).sort()).toEqual(['other', 'vip']);
    expect(block('bc_quick_reply').element.options!.map((o) => o.value)).toEqual(['hours']);
    expect(block('bc_inactive').element.type).toBe('checkboxes');
    expect(block('bc_send_at').element.type).toBe('datetimepicker');
    expect(block('bc_send_at').hint!.text).toContain('Europe/London');
  });

  it('when a lead presses New broadcast on App Home, then the same form opens; an agent is refused', async () => {
    await start();
    await postInteraction(t.baseUrl, SIGNING_SECRET, { ...blockActionPayload({ actionId: 'home_new_broadcast', userId: AGENT }), container: { type: 'view', view_id: 'V0HOME' }, channel: undefined });
    const refusal = await slack.waitFor('views.open');
    expect(JSON.stringify(refusal.args.view)).toMatch(/team leads/);
    slack.reset();
    await postInteraction(t.baseUrl, SIGNING_SECRET, { ...blockActionPayload({ actionId: 'home_new_broadcast', userId: LEAD }), container: { type: 'view', view_id: 'V0HOME' }, channel: undefined });
    const opened = await slack.waitFor('views.open');
    expect((opened.args.view as { callback_id: string }).callback_id).toBe('broadcast_compose');
  });

  it('when the form has no label, an unknown label, a removed quick reply or a past time, then each shows at its field and nothing is created', async () => {
    await start();
    await people(['opted_in']);
    const noLabel = await compose({ ...GOOD, labels: [] });
    expect(noLabel).toMatchObject({ response_action: 'errors', errors: { bc_labels: expect.stringMatching(/at least one label/) } });
    const unknown = await compose({ ...GOOD, labels: ['vip', 'gone'] });
    expect(unknown).toEqual({ response_action: 'errors', errors: { bc_labels: expect.stringMatching(/"gone"/) } });
    await repos().quickReplies.remove('hours');
    const removed = await compose(GOOD);
    expect(removed).toEqual({ response_action: 'errors', errors: { bc_quick_reply: expect.stringMatching(/"hours" no longer exists/) } });
    await repos().quickReplies.create({ shortcut: 'hours', body: 'Hi', author: LEAD });
    const past = await compose({ ...GOOD, sendAt: Math.floor(time.clock().getTime() / 1000) - 3600 });
    expect(past).toEqual({ response_action: 'errors', errors: { bc_send_at: expect.stringMatching(/in the past/) } });
    expect(await repos().broadcasts.recent(5)).toEqual([]);
  });

  it('when nobody in the audience can receive it, or it is over 256 on WhatsApp Web, then the audience field says so and nothing is created', async () => {
    await start();
    await people(['opted_out', 'unknown']);
    const empty = await compose(GOOD);
    expect(empty).toEqual({ response_action: 'errors', errors: { bc_labels: expect.stringMatching(/Nobody in this audience/) } });
    // 257 confirmed opt-ins who wrote: one over WhatsApp Web's limit.
    await repos().labels.create({ name: 'many' });
    for (let i = 0; i < 257; i++) {
      const waId = `4479220${String(i).padStart(5, '0')}@c.us`;
      await repos().contacts.recordInbound({ waId, name: `P${i}`, at: new Date(time.clock().getTime() - HOUR) });
      await repos().contacts.addLabels(waId, ['many']);
      await repos().contacts.setConsent(waId, { status: 'opted_in', since: time.clock(), source: 'reply:YES' });
    }
    const large = await compose({ ...GOOD, labels: ['many'] });
    expect(large).toEqual({ response_action: 'errors', errors: { bc_labels: expect.stringMatching(/at most 256 people.*257.*Cloud API/) } });
    expect(await repos().broadcasts.recent(5)).toEqual([]);
  });

  it('when a lead submits a valid form, then the preview shows who gets it, who not by reason, the text as a named recipient sees it, and creates nothing', async () => {
    await start();
    await people(['opted_in', 'opted_in', 'opted_out', 'unknown', 'pending']);
    const preview = await compose(GOOD);
    expect(preview.response_action).toBe('update');
    expect(preview.view!.callback_id).toBe('broadcast_preview');
    expect(preview.view!.submit!.text).toBe('Send');
    const shown = textOf(preview);
    expect(shown).toContain('*2* will receive it');
    expect(shown).toContain('1 opted out');
    expect(shown).toContain('1 never opted in');
    expect(shown).toContain('1 opt-in pending (no YES yet)');
    expect(shown).toContain('As Maria0 Silva will see it');
    expect(shown).toContain(`Hi Maria0, we now open at 8.\\n>\\n>${OPT_OUT_LINE}`);
    expect(shown).toContain('No approval needed');
    expect(JSON.parse(preview.view!.private_metadata!)).toEqual({ name: 'New opening hours', labels: ['vip'], includeInactive: false, quickReply: 'hours' });
    expect(await repos().broadcasts.recent(5)).toEqual([]);
  });

  it('when the lead confirms the preview, then it is created, audited, confirmed by DM, and the runner sends it once to each recipient', async () => {
    await start();
    const [a, b, out] = await people(['opted_in', 'opted_in', 'opted_out']);
    const preview = await compose(GOOD);
    expect(await confirm(preview)).toEqual({});
    const [created] = await repos().broadcasts.recent(5);
    expect(created).toMatchObject({ name: 'New opening hours', author: LEAD, state: 'scheduled', planned: { recipients: 2 } });
    expect((await repos().audit.recent(1))[0]).toMatchObject({ actor: LEAD, action: 'broadcast_create', outcome: 'ok', args: expect.objectContaining({ broadcast: created!.id }) });
    const dm = await slack.waitFor('chat.postMessage', (c) => /New opening hours/.test(String(c.args.text)));
    expect(String(dm.args.text)).toMatch(/to 2 people is on its way/);
    await drive();
    expect(sentTexts().filter((s) => s.chatId === a).map((s) => s.text)).toEqual([`Hi Maria0, we now open at 8.\n\n${OPT_OUT_LINE}`]);
    expect(sentTexts().filter((s) => s.chatId === b)).toHaveLength(1);
    expect(sentTexts().filter((s) => s.chatId === out)).toEqual([]);
  });

  it('when a later time is picked, then the preview says when and Schedule creates it for then', async () => {
    await start();
    await people(['opted_in']);
    const at = Date.parse('2026-12-01T09:30:00Z');
    const preview = await compose({ ...GOOD, sendAt: at / 1000 });
    expect(preview.view!.submit!.text).toBe('Schedule');
    expect(textOf(preview)).toContain('Goes out Tue, 1 Dec 2026, 09:30 (Europe/London)');
    expect(await confirm(preview)).toEqual({});
    expect((await repos().broadcasts.recent(1))[0]!.sendAt.getTime()).toBe(at);
    await drive(3);
    expect(sentTexts()).toEqual([]);
  });

  it('when the audience empties between preview and confirm, then the preview says so and nothing is created', async () => {
    await start();
    const [a] = await people(['opted_in']);
    const preview = await compose(GOOD);
    await repos().contacts.setConsent(a!, { status: 'opted_out', since: time.clock(), source: 'keyword:STOP' });
    const answer = await confirm(preview);
    expect(answer.response_action).toBe('update');
    expect(textOf(answer)).toMatch(/Nobody in this audience can receive a broadcast.*Nothing was created/);
    expect(await repos().broadcasts.recent(5)).toEqual([]);
  });

  describe('over the approval threshold', () => {
    const approvalPost = () => slack.waitFor('chat.postMessage', (c) => c.args.channel === LEADS_CHANNEL && /approv/.test(String(c.args.text)));
    const actionIds = (call: SlackCall) => [...JSON.stringify(call.args.blocks ?? '').matchAll(/"action_id":"([^"]+)"/g)].map((m) => m[1]);

    async function awaiting(): Promise<{ id: string; ts: string }> {
      await start({ BROADCAST_APPROVAL_OVER: '1', SLACK_ADMIN_CHANNEL: LEADS_CHANNEL });
      await people(['opted_in', 'opted_in']);
      const preview = await compose(GOOD);
      expect(textOf(preview)).toMatch(/Over 1 recipients: a second lead must approve it first/);
      expect(await confirm(preview)).toEqual({});
      const [created] = await repos().broadcasts.recent(1);
      expect(created!.state).toBe('awaiting_approval');
      const post = await approvalPost();
      expect(actionIds(post)).toEqual(['broadcast_approve', 'broadcast_reject']);
      expect(JSON.stringify(post.args.blocks)).toContain(created!.id);
      expect(JSON.stringify(post.args.blocks)).toContain('As Maria0 Silva will see it');
      const dm = await slack.waitFor('chat.postMessage', (c) => /waiting for a second lead/.test(String(c.args.text)));
      expect(String(dm.args.text)).toContain(`<#${LEADS_CHANNEL}>`);
      return { id: created!.id, ts: String(post.result!.ts) };
    }

    it('when the author presses Approve, then they are told another lead must, and nothing is sent', async () => {
      const { id, ts } = await awaiting();
      await press('broadcast_approve', id, LEAD, ts);
      const told = await slack.waitFor('chat.postEphemeral', (c) => c.args.user === LEAD);
      expect(String(told.args.text)).toMatch(/another lead must approve it/);
      expect((await repos().broadcasts.get(id))!.state).toBe('awaiting_approval');
      expect(slack.callsTo('chat.update')).toHaveLength(0);
      await drive(3);
      expect(sentTexts()).toEqual([]);
    });

    it('when another lead approves, then the message says who, without buttons, and it is sent; a second press is told it was decided', async () => {
      const { id, ts } = await awaiting();
      await press('broadcast_approve', id, LEAD2, ts);
      const updated = await slack.waitFor('chat.update');
      expect(updated.args).toMatchObject({ channel: LEADS_CHANNEL, ts });
      expect(JSON.stringify(updated.args.blocks)).toContain(`Approved by <@${LEAD2}>`);
      expect(actionIds(updated)).toEqual([]);
      expect((await repos().broadcasts.get(id))).toMatchObject({ state: 'scheduled', approvedBy: LEAD2 });
      expect((await repos().audit.recent(1))[0]).toMatchObject({ actor: LEAD2, action: 'broadcast_approve', outcome: 'ok' });
      await drive();
      expect(sentTexts()).toHaveLength(2);
      await press('broadcast_reject', id, LEAD2, ts);
      const again = await slack.waitFor('chat.postEphemeral', (c) => c.args.user === LEAD2);
      expect(String(again.args.text)).toMatch(/Already decided/);
    });

    it('when a lead rejects it, then the message says so and nothing is ever sent; an agent cannot press either button', async () => {
      const { id, ts } = await awaiting();
      await press('broadcast_approve', id, AGENT, ts);
      await slack.waitFor('chat.postEphemeral', (c) => c.args.user === AGENT && /team leads/.test(String(c.args.text)));
      expect((await repos().broadcasts.get(id))!.state).toBe('awaiting_approval');
      await press('broadcast_reject', id, LEAD, ts);
      const updated = await slack.waitFor('chat.update');
      expect(JSON.stringify(updated.args.blocks)).toContain(`Rejected by <@${LEAD}>`);
      expect(actionIds(updated)).toEqual([]);
      expect((await repos().broadcasts.get(id))).toMatchObject({ state: 'rejected', rejectedBy: LEAD });
      await drive(3);
      expect(sentTexts()).toEqual([]);
    });

    it('when no leads channel is set, then the request goes to the author by DM, saying approval needs SLACK_ADMIN_CHANNEL', async () => {
      await start({ BROADCAST_APPROVAL_OVER: '1' });
      await people(['opted_in', 'opted_in']);
      expect(await confirm(await compose(GOOD))).toEqual({});
      const request = await slack.waitFor('chat.postMessage', (c) => JSON.stringify(c.args.blocks ?? '').includes('broadcast_approve'));
      const dmChannel = (await slack.waitFor('conversations.open')).args.users;
      expect(dmChannel).toBe(LEAD);
      expect(JSON.stringify(request.args.blocks)).toContain('SLACK_ADMIN_CHANNEL');
      await eventually(async () => slack.callsTo('chat.postMessage').some((c) => /SLACK_ADMIN_CHANNEL/.test(String(c.args.text))), 'the author to be told');
    });
  });
});

/** On the Cloud API a broadcast is an approved template; one without an opt-out button cannot carry the opt-out line. */
describe('composing a broadcast on the Cloud API', () => {
  const slack = useFakeSlackApi();
  const graph = new FakeGraphApi();
  let app: CloudApp | undefined;
  beforeAll(() => graph.start());
  afterAll(() => graph.close());
  afterEach(async () => {
    await app?.stop();
    app = undefined;
    graph.reset();
  });

  it('when a lead opens the form, then it offers the approved templates instead of quick replies, and a template without an opt-out button is refused at its field', async () => {
    graph.templates = [{ id: 't-spring', name: 'spring_sale', language: 'en_US', status: 'APPROVED', category: 'MARKETING', components: [{ type: 'BODY', text: 'Hi {{1}}, 20% off this week.' }] }];
    app = await startCloudApp(slack, graph, { env: { SLACK_LEADS: LEAD } });
    await app.app.deps.repos.labels.create({ name: 'vip' });
    await postSlashCommand(app.baseUrl, SIGNING_SECRET, { text: 'broadcast', user_id: LEAD, trigger_id: 'trig-cloud', response_url: slack.responseUrl('cloud') });
    const opened = await slack.waitFor('views.open', (c) => c.args.trigger_id === 'trig-cloud');
    const blocks = (opened.args.view as { blocks: Array<{ block_id: string; element: { options?: Array<{ value: string }> } }> }).blocks;
    expect(blocks.map((b) => b.block_id)).not.toContain('bc_quick_reply');
    expect(blocks.find((b) => b.block_id === 'bc_template')!.element.options!.map((o) => o.value)).toEqual(['spring_sale|en_US']);
    const values = {
      bc_name: { value: { type: 'plain_text_input', value: 'Spring sale' } },
      bc_labels: { value: { type: 'multi_static_select', selected_options: [{ value: 'vip', text: { type: 'plain_text', text: 'vip' } }] } },
      bc_template: { value: { type: 'static_select', selected_option: { value: 'spring_sale|en_US', text: { type: 'plain_text', text: 'spring_sale' } } } },
      bc_params: { value: { type: 'plain_text_input', value: 'friend' } },
    };
    const res = await postInteraction(app.baseUrl, SIGNING_SECRET, viewSubmissionPayload({ callbackId: 'broadcast_compose', privateMetadata: '', userId: LEAD, values }));
    expect(JSON.parse(res.body)).toEqual({ response_action: 'errors', errors: { bc_template: expect.stringMatching(/"spring_sale" has no opt-out button/) } });
    expect(await app.app.deps.repos.broadcasts.recent(5)).toEqual([]);
  });
});
