import { previousSlot } from '../../../src/hygiene/previous-slot';
import { SIGNING_SECRET, startTestApp, type TestApp } from '../../support/app-harness';
import { manualClock, receiveAndMirror } from '../../support/bridge-helpers';
import { uniqueDbName } from '../../support/mongo';
import { useFakeSlackApi, type SlackCall } from '../../support/slack/fake-slack-api';
import { blockActionPayload, viewSubmissionPayload } from '../../support/slack/payloads';
import { postInteraction, postSlashCommand } from '../../support/slack/signed-request';

const DAY = 86_400_000;
const LEAD = 'U0LEAD01';
let n = 0;

/** List hygiene from Slack: commands, the report, its buttons and the settings modal, over signed HTTP. */
describe('list hygiene in Slack', () => {
  const slack = useFakeSlackApi();
  let t: TestApp;
  const time = manualClock('2026-11-25T09:00:00Z');

  beforeEach(async () => {
    t = await startTestApp({ SLACK_LEADS: LEAD, HYGIENE_REPORT_CHANNEL: 'C0REPORTS', TZ_REPORTS: 'Europe/London' }, { slack, clock: time.clock });
  });
  afterEach(async () => {
    await t.stop();
  });

  async function wa(text: string, user = LEAD): Promise<string> {
    const id = `h${++n}`;
    await postSlashCommand(t.baseUrl, SIGNING_SECRET, { text, user_id: user, response_url: slack.responseUrl(id) });
    return String((await slack.waitForResponse((p) => p.id === id, 5000)).body.text);
  }

  /** Contacts as the fixture needs them: `quiet` last wrote 100 days ago, `pending` was asked 8 days ago. */
  async function seed(): Promise<{ quiet: string; pending: string }> {
    const { contacts } = t.app.deps.repos;
    const quiet = '447700900101@c.us';
    const pending = '447700900102@c.us';
    await contacts.recordInbound({ waId: quiet, name: 'Quiet Q', at: new Date(time.clock().getTime() - 100 * DAY) });
    await contacts.addLabels(quiet, ['vip']);
    await contacts.recordInbound({ waId: pending, name: 'Pending P', at: new Date(time.clock().getTime() - 8 * DAY) });
    await contacts.setConsent(pending, { status: 'pending', since: new Date(time.clock().getTime() - 8 * DAY), before: 'opted_out' });
    await contacts.recordInbound({ waId: '447700900103@c.us', name: 'Active A', at: time.clock() });
    return { quiet, pending };
  }

  const reportPosts = () => slack.callsTo('chat.postMessage').filter((c) => JSON.stringify(c.args.blocks ?? '').includes('List hygiene report'));
  const blockText = (call: SlackCall) => JSON.stringify(call.args.blocks);

  it('when a lead runs hygiene now, then the jobs run, are recorded, and the report with its chart lands in the channel', async () => {
    const { quiet, pending } = await seed();
    expect(await wa('hygiene run')).toBe('Hygiene run done: 1 newly inactive, 1 opt-in requests expired. The report is in <#C0INBOX>.');

    const repos = t.app.deps.repos;
    expect((await repos.contacts.findByWaId(quiet))!.activity.status).toBe('inactive');
    expect((await repos.contacts.findByWaId(pending))!.consent.status).toBe('opted_out');
    expect(await repos.jobRuns.latest('flag-inactive')).toMatchObject({ trigger: 'command', outcome: 'ok', counts: { noMessage: 1, noReply: 0, flagged: 1 } });
    expect(await repos.jobRuns.latest('expire-opt-ins')).toMatchObject({ trigger: 'command', counts: { expired: 1 } });

    const [report] = reportPosts();
    expect(report!.args.channel).toBe('C0INBOX');
    expect(blockText(report!)).toContain('*Contacts*\\n3');
    expect(blockText(report!)).toContain('*Newly inactive*\\n1');
    expect(blockText(report!)).toContain('*Opt-in requests expired*\\n1');
    expect(blockText(report!)).toContain('`vip` 1');
    expect(blockText(report!)).toContain('Archive inactive (1)');
    expect(blockText(report!)).toContain('*Replies this period* none recorded');
    const upload = await slack.waitFor('files.completeUploadExternal');
    expect(upload.args).toMatchObject({ channel_id: 'C0INBOX', thread_ts: report!.result!.ts });
    const png = slack.uploads.get((upload.args.files as Array<{ id: string }>)[0]!.id)!;
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect((await repos.audit.recent(1))[0]).toMatchObject({ actor: LEAD, action: 'hygiene_run', outcome: 'ok' });
  });

  it('when an agent tries lead verbs, then they are refused and audited; the report is open to everyone; bad arguments say why', async () => {
    expect(await wa('hygiene run', 'U0AGENT')).toMatch(/`\/wa hygiene run` is for team leads/);
    expect(await wa('hygiene settings', 'U0AGENT')).toMatch(/is for team leads/);
    expect((await t.app.deps.repos.audit.recent(1))[0]).toMatchObject({ actor: 'U0AGENT', outcome: 'refused' });
    expect(await t.app.deps.repos.jobRuns.latest('flag-inactive')).toBeNull();

    expect(await wa('hygiene report <#C0OTHER|other>', 'U0AGENT')).toBe('Hygiene report posted in <#C0OTHER>.');
    expect(reportPosts()[0]!.args.channel).toBe('C0OTHER');
    // A report on demand is not a period report: the scheduled one's trend is not disturbed.
    expect(await t.app.deps.repos.jobRuns.latest('hygiene-report')).toBeNull();

    expect(await wa('hygiene report #nope', 'U0AGENT')).toMatch(/^`#nope` is not a channel/);
    expect(await wa('hygiene clean', 'U0AGENT')).toMatch(/^Say `run`, `report` or `settings`\.\nUsage: `\/wa hygiene report/);
    expect(await wa('hygiene report {"$gt":""}', 'U0AGENT')).toMatch(/is not a channel/);
  });

  it('when a contact who opted out writes START and never says YES, then the request expires and they stay opted out, with their original opt-out date and source', async () => {
    const ana = '447911123456@c.us';
    await receiveAndMirror(t, { from: ana, pushName: 'Ana', content: { kind: 'text', text: 'STOP' } });
    await receiveAndMirror(t, { from: ana, content: { kind: 'text', text: 'START' } });
    expect((await t.app.deps.repos.contacts.findByWaId(ana))!.consent).toMatchObject({ status: 'pending', before: 'opted_out' });
    time.advance(8 * DAY);
    const run = await t.app.deps.hygiene.runner.run('expire-opt-ins', 'schedule', { slot: time.clock() });
    expect(run.counts).toEqual({ expired: 1 });
    expect((await t.app.deps.repos.contacts.findByWaId(ana))!.consent).toMatchObject({ status: 'opted_out', source: 'keyword:STOP' });
    const [latest] = await t.app.deps.repos.consentLedger.listForContact(ana);
    expect(latest).toMatchObject({ type: 'opt_in_expired', actor: 'system' });
    // A YES now confirms nothing: there is no request any more.
    await receiveAndMirror(t, { from: ana, content: { kind: 'text', text: 'YES' } });
    expect((await t.app.deps.repos.contacts.findByWaId(ana))!.consent.status).toBe('opted_out');
  });

  it('when Slack refuses the post, then the caller is told where and why, and nothing is recorded as posted', async () => {
    slack.respond('chat.postMessage', { ok: false, error: 'channel_not_found' });
    expect(await wa('hygiene report')).toMatch(/^I could not post in <#C0INBOX> \(channel_not_found\)/);
  });

  it('when the weekly report runs twice, then it goes to the report channel, is recorded, and the second shows trends against the first', async () => {
    await seed();
    const runner = t.app.deps.hygiene.runner;
    const first = await runner.run('hygiene-report', 'schedule', { slot: time.clock() });
    expect(first.counts).toMatchObject({ total: 3, active: 3, posted: 1 });
    expect(blockText(reportPosts()[0]!)).toContain('first report: no trends yet');
    expect(reportPosts()[0]!.args.channel).toBe('C0REPORTS');

    time.advance(7 * DAY);
    await t.app.deps.repos.contacts.recordInbound({ waId: '447700900104@c.us', at: time.clock() });
    await runner.run('flag-inactive', 'schedule', { slot: time.clock() });
    await runner.run('hygiene-report', 'schedule', { slot: time.clock() });
    const second = blockText(reportPosts()[1]!);
    expect(second).toContain('*Contacts*\\n4 (▲ 1)');
    // One new contact, one flagged: as many active as before.
    expect(second).toContain('*Active*\\n3 (no change)');
    expect(second).toContain('*Newly inactive*\\n1 (▲ 1)');
    expect(await t.app.deps.repos.jobRuns.recentOk('hygiene-report', 5)).toHaveLength(2);
    // The chart shows both reports.
    expect(slack.callsTo('files.completeUploadExternal')).toHaveLength(2);
    expect(second).toContain('trends against the previous report');
  });

  const settingsSubmission = (values: { days: string; flag: string; report: string; channel?: string }, userId = LEAD) =>
    postInteraction(
      t.baseUrl,
      SIGNING_SECRET,
      viewSubmissionPayload({
        callbackId: 'hygiene_settings',
        privateMetadata: '',
        userId,
        values: {
          inactive_days: { value: { type: 'number_input', value: values.days } },
          flag_schedule: { value: { type: 'plain_text_input', value: values.flag } },
          report_schedule: { value: { type: 'plain_text_input', value: values.report } },
          report_channel: { value: { type: 'conversations_select', selected_conversation: values.channel ?? null } },
        },
      }),
    );

  it('when a lead opens the settings and submits bad values, then each field says what is wrong and nothing is stored; good values apply at once', async () => {
    await postSlashCommand(t.baseUrl, SIGNING_SECRET, { text: 'hygiene settings', user_id: LEAD, response_url: slack.responseUrl('s') });
    const opened = await slack.waitFor('views.open');
    const modal = JSON.stringify(opened.args.view);
    expect(modal).toContain('"initial_value":"90"');
    expect(modal).toContain('"initial_value":"0 3 * * *"');
    expect(modal).toContain('"initial_conversation":"C0REPORTS"');

    const bad = await settingsSubmission({ days: '3', flag: 'every day', report: '0 9 * * 1 *' });
    expect(JSON.parse(bad.body)).toEqual({
      response_action: 'errors',
      errors: {
        inactive_days: 'This must be at least 7.',
        flag_schedule: 'This must be a cron expression with 5 fields, like "0 3 * * *" (03:00 daily).',
        report_schedule: 'This must be a cron expression with 5 fields, like "0 3 * * *" (03:00 daily).',
      },
    });
    expect(await t.app.deps.repos.settings.get('hygiene')).toBeUndefined();
    const injected = await settingsSubmission({ days: '{"$gt":""}', flag: '0 3 * * *', report: '0 9 * * 1' });
    expect(JSON.parse(injected.body).errors).toEqual({ inactive_days: 'This must be a number of days.' });

    const refused = await settingsSubmission({ days: '30', flag: '0 4 * * *', report: '0 9 * * 1' }, 'U0AGENT');
    expect(JSON.parse(refused.body).errors).toEqual({ inactive_days: 'Only team leads can change these settings. Ask one of them, or your admin to add you to SLACK_LEADS.' });

    const good = await settingsSubmission({ days: '30', flag: '30 4 * * *', report: '0 8 * * 5', channel: 'C0NEWREP' });
    expect(good.status).toBe(200);
    expect(await t.app.deps.repos.settings.get('hygiene')).toEqual({ inactiveDays: 30, flagSchedule: '30 4 * * *', reportSchedule: '0 8 * * 5', reportChannel: 'C0NEWREP' });
    expect(await t.app.deps.hygiene.settings()).toMatchObject({ inactiveDays: 30, reportChannel: 'C0NEWREP' });
    // Rescheduled without a restart (node-cron's next run is in real time, so check the time of day in London).
    const next = t.app.scheduler.nextRuns()['flag-inactive']!;
    expect(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit' }).format(next)).toBe('04:30');
    expect((await t.app.deps.repos.audit.recent(1))[0]).toMatchObject({ actor: LEAD, action: 'hygiene_settings', outcome: 'ok' });

    // The new threshold is used by the next run.
    await t.app.deps.repos.contacts.recordInbound({ waId: '447700900201@c.us', at: new Date(time.clock().getTime() - 31 * DAY) });
    expect((await t.app.deps.hygiene.runner.run('flag-inactive', 'command')).counts.noMessage).toBe(1);
  });

  it('when a lead saves the settings without choosing a report channel, then what they chose is stored and applies; the channel stays the configured one', async () => {
    const saved = await settingsSubmission({ days: '30', flag: '30 4 * * *', report: '0 8 * * 5' });
    expect(saved.status).toBe(200);
    expect(saved.body).toBe('');
    expect(await t.app.deps.hygiene.settings()).toMatchObject({
      inactiveDays: 30,
      schedules: { 'flag-inactive': '30 4 * * *', 'hygiene-report': '0 8 * * 5' },
      reportChannel: 'C0REPORTS',
      ignored: [],
    });
  });

  it('when one stored setting is invalid, then only that one falls back to the configured value, and the settings modal says so', async () => {
    // A hand edit in the database (or a value from an older version).
    await t.app.deps.repos.settings.set('hygiene', { inactiveDays: 'ninety', flagSchedule: '30 4 * * *', reportSchedule: '0 8 * * 5', reportChannel: 'C0NEWREP' });
    expect(await t.app.deps.hygiene.settings()).toMatchObject({
      inactiveDays: 90,
      schedules: { 'flag-inactive': '30 4 * * *', 'hygiene-report': '0 8 * * 5' },
      reportChannel: 'C0NEWREP',
      ignored: ['inactiveDays'],
    });
    await postSlashCommand(t.baseUrl, SIGNING_SECRET, { text: 'hygiene settings', user_id: LEAD, response_url: slack.responseUrl('s') });
    const modal = JSON.stringify((await slack.waitFor('views.open')).args.view);
    expect(modal).toContain('"initial_value":"90"');
    expect(modal).toContain('The saved value of *Inactive after* was invalid and is ignored (the configured one is shown): saving stores it again.');
  });

  it('when a lead submits a report schedule that would fire every minute of an hour, then the modal refuses it with the reason', async () => {
    const refused = await settingsSubmission({ days: '30', flag: '0 3 * * *', report: '* 9 * * 1' });
    expect(JSON.parse(refused.body)).toEqual({
      response_action: 'errors',
      errors: { report_schedule: 'This must run at most once an hour: give one minute, like "0 9 * * 1" (Mondays at 09:00), not "*", a list, a range or a step.' },
    });
    expect(await t.app.deps.repos.settings.get('hygiene')).toBeUndefined();
  });

  it('when a lead changes the report schedule, then no report is posted for a slot of the new schedule from before the change', async () => {
    // The weekly report (Mondays at 09:00) ran last Monday; it is now a Wednesday, 09:00 London.
    const monday = previousSlot('0 9 * * 1', 'Europe/London', time.clock())!;
    await t.app.deps.repos.jobSlots.claim(`hygiene-report:${monday.toISOString()}`, 'a', 60_000);
    await t.app.deps.repos.jobSlots.complete(`hygiene-report:${monday.toISOString()}`, 'a');
    expect(await t.app.scheduler.catchUp()).toEqual([]);
    // Daily at 08:00: its latest slot (today 08:00, after Monday's) never existed under Mondays-at-09:00.
    expect(previousSlot('0 8 * * *', 'Europe/London', time.clock())!.getTime()).toBeGreaterThan(monday.getTime());
    expect((await settingsSubmission({ days: '90', flag: '0 3 * * *', report: '0 8 * * *' })).status).toBe(200);
    expect(await t.app.scheduler.catchUp()).toEqual([]);
    expect(reportPosts()).toHaveLength(0);
    // A slot after the change that was missed is caught up as before.
    time.advance(DAY);
    expect(await t.app.scheduler.catchUp()).toEqual(['hygiene-report']);
    expect(reportPosts()).toHaveLength(1);
  });

  it('when someone presses Archive inactive, then only a lead gets the confirmation, and confirming archives and says so in the thread', async () => {
    const { quiet } = await seed();
    await t.app.deps.hygiene.runner.run('flag-inactive', 'command');
    const press = (userId: string) =>
      postInteraction(t.baseUrl, SIGNING_SECRET, blockActionPayload({ actionId: 'hygiene_archive_inactive', userId, channelId: 'C0REPORTS', messageTs: '1700000000.000500' }));

    await press('U0AGENT');
    const refusal = await slack.waitFor('chat.postEphemeral');
    expect(refusal.args).toMatchObject({ channel: 'C0REPORTS', user: 'U0AGENT', text: ':lock: Only team leads can archive inactive contacts. Ask one of them, or your admin to add you to SLACK_LEADS.' });
    expect(slack.callsTo('views.open')).toHaveLength(0);
    expect((await t.app.deps.repos.audit.recent(1))[0]).toMatchObject({ actor: 'U0AGENT', action: 'hygiene_archive', outcome: 'refused' });

    await press(LEAD);
    const opened = await slack.waitFor('views.open');
    const view = opened.args.view as { callback_id: string; private_metadata: string; submit: { text: string } };
    expect(view.submit.text).toBe('Archive 1');
    expect((await t.app.deps.repos.contacts.findByWaId(quiet))!.activity.status).toBe('inactive'); // nothing yet

    await postInteraction(t.baseUrl, SIGNING_SECRET, viewSubmissionPayload({ callbackId: view.callback_id, privateMetadata: view.private_metadata, userId: LEAD, values: {} }));
    const note = await slack.waitFor('chat.postMessage', (c) => c.args.thread_ts === '1700000000.000500');
    expect(note.args).toMatchObject({ channel: 'C0REPORTS', text: `<@${LEAD}> archived 1 inactive contacts.` });
    expect((await t.app.deps.repos.contacts.findByWaId(quiet))!.activity).toMatchObject({ status: 'archived', reason: `archived by ${LEAD}` });
  });

  it('when a lead presses Export CSV, then the inactive contacts arrive in their DM with the reason; an agent gets nothing', async () => {
    await seed();
    const lastMessage = new Date(time.clock().getTime() - 100 * DAY).toISOString();
    await t.app.deps.hygiene.runner.run('flag-inactive', 'command');
    await postInteraction(t.baseUrl, SIGNING_SECRET, blockActionPayload({ actionId: 'hygiene_export_inactive', userId: 'U0AGENT', channelId: 'C0REPORTS' }));
    await slack.waitFor('chat.postEphemeral');
    expect(slack.callsTo('files.completeUploadExternal')).toHaveLength(0);

    await postInteraction(t.baseUrl, SIGNING_SECRET, blockActionPayload({ actionId: 'hygiene_export_inactive', userId: LEAD, channelId: 'C0REPORTS' }));
    const done = await slack.waitFor('files.completeUploadExternal');
    expect(done.args.channel_id).toMatch(/^D/);
    const csv = slack.uploads.get((done.args.files as Array<{ id: string }>)[0]!.id)!.toString();
    expect(csv.trim().split('\n')).toEqual([
      '"phone","whatsapp_id","name","labels","consent","activity","activity_reason","last_message"',
      `"+447700900101","447700900101@c.us","Quiet Q","vip","unknown","inactive","no message for 90 days","${lastMessage}"`,
    ]);
  });
});

describe('list hygiene across instances', () => {
  const slack = useFakeSlackApi();

  it('when the environment changes a schedule across a restart, then no slot of the new schedule from before the restart is caught up', async () => {
    const dbName = uniqueDbName('hyg');
    const time = manualClock('2026-11-25T12:00:00Z');
    const before = await startTestApp({ HYGIENE_FLAG_SCHEDULE: '0 3 * * *' }, { slack, dbName, keepDb: true, clock: time.clock });
    const key = 'flag-inactive:2026-11-25T03:00:00.000Z';
    await before.app.deps.repos.jobSlots.claim(key, 'old', 60_000);
    await before.app.deps.repos.jobSlots.complete(key, 'old');
    await before.stop();

    // 08:00 today is later than the 03:00 run, but 08:00 was not the schedule then.
    const after = await startTestApp({ HYGIENE_FLAG_SCHEDULE: '0 8 * * *' }, { slack, dbName, clock: time.clock });
    try {
      expect(await after.app.deps.repos.jobRuns.recentOk('flag-inactive', 10)).toEqual([]);
      expect(await after.app.scheduler.catchUp()).toEqual([]);
      time.advance(DAY); // tomorrow's 08:00 was missed too: that one is caught up
      expect(await after.app.scheduler.catchUp()).toEqual(['flag-inactive']);
    } finally {
      await after.stop();
    }
  });

  it('when two instances start after downtime, then the missed slot is caught up once, on one of them', async () => {
    const dbName = uniqueDbName('hyg');
    const time = manualClock('2026-11-25T12:00:00Z');
    const env = { HYGIENE_FLAG_SCHEDULE: '0 3 * * *' };
    const first = await startTestApp(env, { slack, dbName, keepDb: true, clock: time.clock });
    // The job ran three days ago, then every instance was down.
    const key = 'flag-inactive:2026-11-22T03:00:00.000Z';
    await first.app.deps.repos.jobSlots.claim(key, 'old', 60_000);
    await first.app.deps.repos.jobSlots.complete(key, 'old');
    await first.stop();

    const [a, b] = await Promise.all([startTestApp(env, { slack, dbName, keepDb: true, clock: time.clock }), startTestApp(env, { slack, dbName, clock: time.clock })]);
    try {
      const runs = await a!.app.deps.repos.jobRuns.recentOk('flag-inactive', 10);
      expect(runs.map((r) => ({ trigger: r.trigger, slot: r.slot }))).toEqual([{ trigger: 'catch-up', slot: new Date('2026-11-25T03:00:00Z') }]);
      expect(await a!.app.scheduler.catchUp()).toEqual([]);
    } finally {
      await a!.stop();
      await b!.stop();
    }
  });
});
