import type { BroadcastDraft } from '../../../src/broadcast/broadcasts';
import type { Repositories } from '../../../src/store/repositories';
import { SIGNING_SECRET, startTestApp, type TestApp } from '../../support/app-harness';
import { eventually, manualClock } from '../../support/bridge-helpers';
import { uniqueDbName } from '../../support/mongo';
import { useFakeSlackApi } from '../../support/slack/fake-slack-api';
import { blockActionPayload } from '../../support/slack/payloads';
import { postInteraction, postSlashCommand } from '../../support/slack/signed-request';

const HOUR = 3_600_000;
const LEAD = 'U0LEAD01';
const AGENT = 'U0AGENT';
const LEADS_CHANNEL = 'C0LEADS01';
const uk = (i: number) => `4479110000${String(i).padStart(2, '0')}@c.us`;
let n = 0;

describe('a broadcast in Slack: its progress message, its controls, its results', () => {
  const slack = useFakeSlackApi();
  let time: ReturnType<typeof manualClock>;
  let t: TestApp;
  beforeEach(async () => {
    time = manualClock('2026-11-30T10:00:00Z'); // Monday, 10:00 in London
    t = await startTestApp({ SLACK_LEADS: LEAD, SLACK_ADMIN_CHANNEL: LEADS_CHANNEL }, { slack, clock: time.clock });
  });
  afterEach(() => t.stop());

  /** Opted-in contacts who wrote, labelled `vip`; `names` sets their names (by index). */
  async function people(repos: Repositories, count: number, names: Record<number, string> = {}): Promise<string[]> {
    await repos.labels.create({ name: 'vip', createdBy: LEAD } as never);
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      await repos.contacts.recordInbound({ waId: uk(i), name: names[i] ?? `Person ${i}`, at: new Date(time.clock().getTime() - 24 * HOUR) });
      await repos.contacts.addLabels(uk(i), ['vip']);
      await repos.contacts.setConsent(uk(i), { status: 'opted_in', since: time.clock(), source: 'reply:YES' });
      ids.push(uk(i));
    }
    return ids;
  }
  const draft = (): BroadcastDraft => ({
    name: 'New opening hours',
    author: LEAD,
    audience: { labels: ['vip'], includeInactive: false },
    message: { kind: 'text', quickReply: 'hours', body: 'Hi {{first_name}}, we now open at 8.' },
  });
  const pass = async () => {
    await t.app.bridge.broadcasts.tick();
    await t.app.bridge.toWhatsApp.runDue();
  };
  // The leads' channel also holds the WhatsApp state message (the admin notifier): only ours are counted.
  const ours = (c: { args: Record<string, unknown> }) => c.args.channel === LEADS_CHANNEL && /Broadcast/.test(String(c.args.text));
  const posts = () => slack.callsTo('chat.postMessage').filter(ours);
  const updates = () => slack.callsTo('chat.update').filter(ours);
  const shown = (call: { args: Record<string, unknown> }) => JSON.stringify(call.args.blocks);
  const press = (actionId: string, value: string, user: string) =>
    postInteraction(t.baseUrl, SIGNING_SECRET, blockActionPayload({ actionId, value, userId: user, channelId: LEADS_CHANNEL, messageTs: String(posts()[0]!.result!.ts) }));
  const textsTo = (to: string) => t.gateway.sent.filter((s) => s.chatId === to && s.kind === 'text');

  it('when a broadcast runs, then one message is posted in the leads’ channel and updated in place, at most every 5 seconds', async () => {
    await people(t.app.deps.repos, 6);
    const { broadcast } = await t.app.deps.broadcasts.create(draft());
    await pass();
    expect(posts()).toHaveLength(1);
    const ts = posts()[0]!.result!.ts;
    expect(shown(posts()[0]!)).toMatch(/New opening hours.*sending/);
    expect(shown(posts()[0]!)).toMatch(/▰.*%/);
    expect((await t.app.deps.repos.broadcasts.get(broadcast.id))!.progress).toMatchObject({ channel: LEADS_CHANNEL, ts });

    await pass(); // under 5 s later: not redrawn
    expect(updates()).toHaveLength(0);
    time.advance(5_000);
    await pass();
    expect(updates()).toHaveLength(1);
    expect(updates()[0]!.args.ts).toBe(ts);
    expect(shown(updates()[0]!)).toMatch(/\*Sent\* [1-9]/);
    expect(shown(updates()[0]!)).toMatch(/Time left/);
    for (let i = 0; i < 5; i++) await pass(); // the last copies go, in under 5 s: the end is drawn anyway
    expect((await t.app.deps.repos.broadcasts.get(broadcast.id))!.state).toBe('done');
    expect(posts()).toHaveLength(1);
    const last = updates().at(-1)!;
    expect(last.args.ts).toBe(ts);
    expect(shown(last)).toMatch(/— done/);
    expect(shown(last)).not.toMatch(/broadcast_pause/);
    expect(updates().length).toBe(2);
  });

  it('when the app restarts mid-broadcast, then the new instance goes on updating the same message', async () => {
    const dbName = uniqueDbName('bprogress');
    const env = { SLACK_LEADS: LEAD, SLACK_ADMIN_CHANNEL: LEADS_CHANNEL };
    const first = await startTestApp(env, { slack, clock: time.clock, dbName, keepDb: true });
    await people(first.app.deps.repos, 8);
    const { broadcast } = await first.app.deps.broadcasts.create(draft());
    await first.app.bridge.broadcasts.tick();
    await first.stop();
    expect(posts()).toHaveLength(1);
    const second = await startTestApp(env, { slack, clock: time.clock, dbName });
    try {
      time.advance(5_000);
      await second.app.bridge.broadcasts.tick();
      expect(posts()).toHaveLength(1);
      expect(updates()).toHaveLength(1);
      expect(updates()[0]!.args).toMatchObject({ channel: LEADS_CHANNEL, ts: posts()[0]!.result!.ts });
      expect(shown(updates()[0]!)).toContain(broadcast.id);
    } finally {
      await second.stop();
    }
  });

  it('when WhatsApp is not connected, then the message says it waits for WhatsApp', async () => {
    await people(t.app.deps.repos, 3);
    await t.app.deps.broadcasts.create(draft());
    await pass();
    const [post] = posts();
    t.gateway.setState('disconnected');
    time.advance(5_000);
    // Pause redraws at once (the runner makes no passes while WhatsApp is away).
    const { broadcast } = { broadcast: (await t.app.deps.repos.broadcasts.recent(1))[0]! };
    await press('broadcast_pause', broadcast.id, LEAD);
    const update = await slack.waitFor('chat.update', (c) => ours(c) && c.args.ts === post!.result!.ts);
    expect(shown(update)).toMatch(/waiting for WhatsApp/);
    expect(shown(post!)).not.toMatch(/waiting for WhatsApp/);
  });

  it('when a lead presses Pause, Resume and Cancel, then sending stops, goes on, and ends; an agent’s press is refused', async () => {
    const ids = await people(t.app.deps.repos, 8);
    const { broadcast } = await t.app.deps.broadcasts.create(draft());
    await pass();
    const before = t.gateway.sent.length;
    expect(before).toBeGreaterThan(0);

    await press('broadcast_pause', broadcast.id, AGENT);
    await slack.waitFor('chat.postEphemeral', (c) => c.args.user === AGENT && /team leads/.test(String(c.args.text)));
    expect((await t.app.deps.repos.broadcasts.get(broadcast.id))!.state).toBe('sending');

    await press('broadcast_pause', broadcast.id, LEAD);
    await eventually(async () => (await t.app.deps.repos.broadcasts.get(broadcast.id))!.state === 'paused', 'the pause');
    const paused = await slack.waitFor('chat.update', (c) => ours(c) && /paused/.test(shown(c)));
    expect(shown(paused)).toMatch(/broadcast_resume/);
    for (let i = 0; i < 3; i++) await pass();
    expect(t.gateway.sent.length).toBe(before);

    await press('broadcast_resume', broadcast.id, LEAD);
    await eventually(async () => (await t.app.deps.repos.broadcasts.get(broadcast.id))!.state === 'sending', 'the resume');
    await pass();
    const resumed = t.gateway.sent.length;
    expect(resumed).toBeGreaterThan(before);
    expect(resumed).toBeLessThan(ids.length);

    // Cancel asks first (Slack's confirm dialog), then ends it.
    expect(shown(paused)).toMatch(/"action_id":"broadcast_cancel"[^}]*"confirm"|"confirm".*"action_id":"broadcast_cancel"/);
    await press('broadcast_cancel', broadcast.id, LEAD);
    await eventually(async () => (await t.app.deps.repos.broadcasts.get(broadcast.id))!.state === 'cancelled', 'the cancel');
    for (let i = 0; i < 3; i++) await pass();
    expect(t.gateway.sent.length).toBe(resumed);
    await slack.waitFor('chat.update', (c) => ours(c) && /cancelled/.test(shown(c)));
    const audit = (await t.app.deps.repos.audit.recent(10)).map((a) => [a.action, a.outcome]);
    expect(audit).toEqual(expect.arrayContaining([['broadcast_pause', 'refused'], ['broadcast_pause', 'ok'], ['broadcast_resume', 'ok'], ['broadcast_cancel', 'ok']]));
  });

  it('when it is done, then the message shows delivered, read, failed and skipped (with why)', async () => {
    const ids = await people(t.app.deps.repos, 4);
    const { broadcast } = await t.app.deps.broadcasts.create(draft());
    await pass(); // recipients written, the first copies queued
    await t.app.deps.repos.contacts.setConsent(ids[3]!, { status: 'opted_out', since: time.clock(), source: 'keyword:STOP' });
    const copies = () => t.gateway.sent.filter((s) => s.kind === 'text');
    for (let i = 0; i < 6 && copies().length < 3; i++) await pass();
    // All three went; the pass that finds nothing left finishes it (and draws the summary).
    expect(copies()).toHaveLength(3);
    expect((await t.app.deps.repos.broadcasts.get(broadcast.id))!.state).toBe('sending');
    await t.app.deps.repos.messages.advanceAck(copies()[0]!.id!, 'read');
    await t.app.deps.repos.messages.advanceAck(copies()[1]!.id!, 'delivered');
    await t.app.deps.repos.messages.advanceAck(copies()[2]!.id!, 'failed');
    await t.app.bridge.broadcasts.tick();
    expect((await t.app.deps.repos.broadcasts.get(broadcast.id))!.state).toBe('done');
    const summary = shown(updates().at(-1)!);
    expect(summary).toMatch(/\*Delivered\* 2 of 2 sent · \*Read\* 1 · \*Failed\* 1 · \*Skipped\* 1/);
    expect(summary).toContain('Skipped: opted out (1)');
  });

  it('when a lead types /wa broadcasts, then the recent ones are listed, and Recipients (CSV) DMs a file with formulas defused', async () => {
    await people(t.app.deps.repos, 2, { 1: '=HYPERLINK("http://evil")' });
    const { broadcast } = await t.app.deps.broadcasts.create(draft());
    for (let i = 0; i < 4; i++) await pass();
    const id = `c${++n}`;
    await postSlashCommand(t.baseUrl, SIGNING_SECRET, { text: 'broadcasts', user_id: LEAD, response_url: slack.responseUrl(id) });
    const listed = JSON.stringify((await slack.waitForResponse((p) => p.id === id)).body);
    expect(listed).toMatch(/New opening hours\* — done/);
    expect(listed).toMatch(/2 sent of 2 planned/);
    expect(listed).toContain(`"action_id":"broadcast_export","value":"${broadcast.id}"`);

    await postInteraction(t.baseUrl, SIGNING_SECRET, blockActionPayload({ actionId: 'broadcast_export', value: broadcast.id, userId: LEAD, channelId: 'D0LEAD' }));
    const done = await slack.waitFor('files.completeUploadExternal');
    const csv = slack.uploads.get((done.args.files as Array<{ id: string }>)[0]!.id)!.toString();
    expect(csv.split('\n')[0]).toBe('"phone","whatsapp_id","name","state","reason","delivery"');
    expect(csv).toContain(`"+447911000001","447911000001@c.us","'=HYPERLINK(""http://evil"")","queued"`);
    expect(slack.callsTo('conversations.open')[0]!.args.users).toBe(LEAD);
    expect((await t.app.deps.repos.audit.recent(1))[0]).toMatchObject({ actor: LEAD, action: 'broadcast_export', outcome: 'ok' });
    expect(textsTo(uk(0))).toHaveLength(1);
  });
});
