import { isDeepStrictEqual } from 'node:util';
import type { AppDeps } from '../../../src/app-deps';
import { registerListeners } from '../../../src/slack/listeners';
import { waSubcommands } from '../../../src/slack/listeners/commands';
import { channelMode } from '../../../src/workflow/channel-mode';
import { SIGNING_SECRET, startTestApp, type TestApp } from '../../support/app-harness';
import { eventually, manualClock, receiveAndMirror } from '../../support/bridge-helpers';
import { recordingApp } from '../../support/recording-app';
import { useFakeSlackApi } from '../../support/slack/fake-slack-api';
import { appHomeOpenedEnvelope, blockActionPayload, messageChangedEnvelope, messageEventEnvelope, messageShortcutPayload, viewSubmissionPayload } from '../../support/slack/payloads';
import { postEvent, postInteraction, postSlashCommand } from '../../support/slack/signed-request';

const LEAD = 'U0LEAD01';
const AGENT = 'U0AGENT';
const ANA = '447911123456@c.us';
const QUIET = '447700900101@c.us';
const DAY = 86_400_000;
let n = 0;

type Way = 'command' | 'button' | 'shortcut' | 'submission';

/**
 * One lead-only effect through one way in. `run` makes the request as `user` and returns how to
 * read what a refused person was told; `effect` reads what the effect changes (the store, or the
 * Slack calls it makes), so "nothing changed" and "the lead changed it" are both checked.
 */
interface LeadOnly {
  way: Way;
  /** The listener table's registration (`kind:id`) or the `/wa` subcommand it goes through. */
  via: string;
  name: string;
  run(user: string): Promise<() => Promise<string>>;
  effect(): Promise<unknown>;
  /** A command's text after `/wa`. */
  text?: string;
}

/**
 * Every lead-only effect with every way in to it (README → Who may do what). The lists of
 * registrations and subcommands below are compared with the app's own: a lead-only listener or
 * subcommand added without a row here fails this file.
 */
describe('who may do what: lead-only effects, tried by an agent who is not a lead', () => {
  const slack = useFakeSlackApi();
  let t: TestApp;
  const time = manualClock();
  let thread: { channel: string; threadTs: string };
  beforeEach(async () => {
    t = await startTestApp({ SLACK_LEADS: LEAD }, { slack, clock: time.clock });
    const repos = t.app.deps.repos;
    await receiveAndMirror(t, { from: ANA, pushName: 'Ana Lima', content: { kind: 'text', text: 'hi' } });
    thread = (await repos.contacts.findByWaId(ANA))!.slack!;
    await repos.labels.create({ name: 'vip' });
    await repos.contacts.addLabels(ANA, ['vip']);
    await repos.quickReplies.create({ shortcut: 'thanks', body: 'Thanks!', author: LEAD });
    await repos.contacts.recordInbound({ waId: QUIET, name: 'Quiet Q', at: new Date(time.clock().getTime() - 100 * DAY) });
    await t.app.deps.hygiene.runner.run('flag-inactive', 'command');
    slack.reset();
  });
  afterEach(() => t.stop());

  const repos = () => t.app.deps.repos;
  const calls = (method: string) => () => Promise.resolve(slack.callsTo(method).length);
  const command = (text: string) => async (user: string) => {
    const id = `c${++n}`;
    await postSlashCommand(t.baseUrl, SIGNING_SECRET, { text, user_id: user, trigger_id: `trig-${id}`, response_url: slack.responseUrl(id) });
    return async () => String((await slack.waitForResponse((p) => p.id === id)).body.text);
  };
  const ephemeralTo = (user: string) => async () => String((await slack.waitFor('chat.postEphemeral', (c) => c.args.user === user && /team leads/.test(String(c.args.text)))).args.text);
  const button = (actionId: string, value = '', channelId?: string) => async (user: string) => {
    await postInteraction(t.baseUrl, SIGNING_SECRET, blockActionPayload({ actionId, value, userId: user, channelId: channelId ?? thread.channel, messageTs: thread.threadTs }));
    return ephemeralTo(user);
  };
  const shortcut = (callbackId: string) => async (user: string) => {
    await postInteraction(t.baseUrl, SIGNING_SECRET, messageShortcutPayload({ callbackId, userId: user, channelId: thread.channel, messageTs: thread.threadTs }));
    return ephemeralTo(user);
  };
  const submission = (callbackId: string, metadata: object | string, values: Record<string, Record<string, object>> = {}) => async (user: string) => {
    const privateMetadata = typeof metadata === 'string' ? metadata : JSON.stringify(metadata);
    const res = await postInteraction(t.baseUrl, SIGNING_SECRET, viewSubmissionPayload({ callbackId, privateMetadata, userId: user, values }));
    return async () => {
      const ack = JSON.parse(res.body || '{}') as { errors?: Record<string, string>; view?: { blocks: Array<{ text: { text: string } }> } };
      return ack.errors ? Object.values(ack.errors).join(' ') : String(ack.view?.blocks[0]?.text.text);
    };
  };
  const cmd = (typed: string, name: string, effect: () => Promise<unknown>): LeadOnly => ({ way: 'command', via: `/wa ${typed.split(' ')[0]}`, name, text: typed, run: command(typed), effect });
  const text = (value: string) => ({ value: { type: 'plain_text_input', value } });
  const labels = async () => (await repos().labels.list()).map((l) => [l.name, l.routeChannel ?? null]);
  const quickReplies = async () => (await repos().quickReplies.list()).map((r) => [r.shortcut, r.body]);
  const anaExists = async () => (await repos().contacts.findByWaId(ANA)) !== null;
  /** A broadcast the runner leaves alone (paused, or scheduled for next year), made at the first press of the test. */
  let broadcast: { app: TestApp; id: string } | undefined;
  const ensureBroadcast = async (state: 'scheduled' | 'paused') => {
    if (broadcast?.app !== t) {
      const at = time.clock();
      const made = await repos().broadcasts.create({
        name: 'Opening hours',
        author: LEAD,
        audience: { labels: ['vip'], includeInactive: false },
        message: { kind: 'text', quickReply: 'hours', body: 'We open at 8.' },
        sendAt: new Date(at.getTime() + 365 * DAY),
        state,
        gateway: 'wwebjs',
        planned: { recipients: 1, excluded: {} },
        createdAt: at,
      });
      broadcast = { app: t, id: made.id };
    }
    return broadcast.id;
  };
  const onBroadcast = (actionId: string, state: 'scheduled' | 'paused') => async (user: string) => button(actionId, await ensureBroadcast(state), 'C0LEADS01')(user);
  const broadcastState = (state: 'scheduled' | 'paused') => async () => (await repos().broadcasts.get(await ensureBroadcast(state)))?.state;
  // Broadcasts: Ana (labelled vip) opted in, so the audience is not empty; a request by another lead waits for approval.
  const anaOptedIn = () => repos().contacts.setConsent(ANA, { status: 'opted_in', since: time.clock(), source: 'reply:YES' });
  const BROADCAST_FORM = {
    bc_name: text('Opening hours'),
    bc_labels: { value: { type: 'multi_static_select', selected_options: [{ value: 'vip', text: { type: 'plain_text', text: 'vip' } }] } },
    bc_quick_reply: { value: { type: 'static_select', selected_option: { value: 'thanks', text: { type: 'plain_text', text: 'thanks' } } } },
  };
  let previews = 0;
  const composeBroadcast = async (user: string) => {
    await anaOptedIn();
    const res = await postInteraction(t.baseUrl, SIGNING_SECRET, viewSubmissionPayload({ callbackId: 'broadcast_compose', privateMetadata: '', userId: user, values: BROADCAST_FORM }));
    const ack = JSON.parse(res.body || '{}') as { response_action?: string; errors?: Record<string, string> };
    if (ack.response_action === 'update') previews++;
    return () => Promise.resolve(Object.values(ack.errors ?? {}).join(' '));
  };
  const confirmBroadcast = async (user: string) => {
    await anaOptedIn();
    return submission('broadcast_preview', { name: 'Opening hours', labels: ['vip'], includeInactive: false, quickReply: 'thanks' })(user);
  };
  const broadcasts = async () => (await repos().broadcasts.recent(5)).map((b) => [b.name, b.state]);
  const awaitingApproval = async () =>
    (await repos().broadcasts.recent(1))[0] ??
    repos().broadcasts.create({
      name: 'Opening hours',
      author: 'U0LEAD09',
      audience: { labels: ['vip'], includeInactive: false },
      message: { kind: 'text', quickReply: 'thanks', body: 'Thanks!' },
      sendAt: time.clock(),
      state: 'awaiting_approval',
      gateway: 'wwebjs',
      planned: { recipients: 1, excluded: {} },
      createdAt: time.clock(),
    });
  const decideBroadcast = (actionId: string) => async (user: string) => button(actionId, (await awaitingApproval()).id)(user);

  const cases: LeadOnly[] = [
    cmd('qr add', '/wa qr add (opens the modal)', calls('views.open')),
    cmd('qr edit thanks', '/wa qr edit', calls('views.open')),
    cmd('qr remove thanks', '/wa qr remove', quickReplies),
    { way: 'submission', via: 'view:qr_modal', name: 'a new quick reply', run: submission('qr_modal', { editing: null }, { shortcut: text('pay'), body: text('Pay here: http://x') }), effect: quickReplies },
    { way: 'submission', via: 'view:qr_modal', name: 'an edited quick reply', run: submission('qr_modal', { editing: 'thanks' }, { shortcut: text('thanks'), body: text('Pay here: http://x') }), effect: quickReplies },
    cmd('label create gold', '/wa label create', labels),
    cmd('label delete vip', '/wa label delete', labels),
    cmd('label rename vip gold', '/wa label rename', labels),
    cmd('label route vip <#C0VIPROOM|vip-room>', '/wa label route (label routing)', labels),
    cmd('hygiene run', '/wa hygiene run', async () => (await repos().jobRuns.recentOk('expire-opt-ins', 5)).length),
    cmd('hygiene settings', '/wa hygiene settings (opens the modal)', calls('views.open')),
    {
      way: 'submission',
      via: 'view:hygiene_settings',
      name: 'hygiene settings',
      run: submission('hygiene_settings', '', { inactive_days: { value: { type: 'number_input', value: '30' } }, flag_schedule: text('0 4 * * *'), report_schedule: text('0 9 * * 1') }),
      effect: () => repos().settings.get('hygiene'),
    },
    { way: 'button', via: 'action:hygiene_archive_inactive', name: 'Archive inactive (opens the confirmation)', run: button('hygiene_archive_inactive', '', 'C0REPORTS'), effect: calls('views.open') },
    { way: 'submission', via: 'view:hygiene_archive_confirm', name: 'archiving inactive contacts', run: submission('hygiene_archive_confirm', { channel: 'C0REPORTS', ts: '1.1' }), effect: () => repos().hygiene.countInactive() },
    { way: 'button', via: 'action:hygiene_export_inactive', name: 'Export CSV of inactive contacts', run: button('hygiene_export_inactive', '', 'C0REPORTS'), effect: calls('files.completeUploadExternal') },
    cmd('channel mode notes-only <#C0INBOX01|inbox>', '/wa channel mode (setting it)', () => channelMode(repos().settings, 'C0INBOX01')),
    cmd('segment vip', '/wa segment (CSV export)', calls('files.completeUploadExternal')),
    cmd('forget +44 7911 123456', '/wa forget', anaExists),
    { way: 'button', via: 'action:card_forget', name: 'Forget contact on the card', run: button('card_forget', ANA), effect: anaExists },
    { way: 'shortcut', via: 'shortcut:forget_contact', name: 'Forget contact (opens the confirmation)', run: shortcut('forget_contact'), effect: calls('views.open') },
    { way: 'submission', via: 'view:forget_contact_modal', name: 'forgetting a contact', run: submission('forget_contact_modal', { waId: ANA, channel: 'C0INBOX01' }), effect: anaExists },
    cmd('hours edit', '/wa hours edit (opens the modal)', calls('views.open')),
    cmd('broadcast', '/wa broadcast (opens the form)', calls('views.open')),
    { way: 'button', via: 'action:home_new_broadcast', name: 'New broadcast on App Home (opens the form)', run: button('home_new_broadcast'), effect: calls('views.open') },
    { way: 'submission', via: 'view:broadcast_compose', name: 'a broadcast form (its preview)', run: composeBroadcast, effect: () => Promise.resolve(previews) },
    { way: 'submission', via: 'view:broadcast_preview', name: 'a broadcast preview (creates it)', run: confirmBroadcast, effect: broadcasts },
    { way: 'button', via: 'action:broadcast_approve', name: 'Approve on a broadcast request', run: decideBroadcast('broadcast_approve'), effect: async () => (await awaitingApproval()).state },
    { way: 'button', via: 'action:broadcast_reject', name: 'Reject on a broadcast request', run: decideBroadcast('broadcast_reject'), effect: async () => (await awaitingApproval()).state },
    { way: 'button', via: 'action:home_edit_hours', name: 'Edit hours and automatic replies on App Home (opens the modal)', run: button('home_edit_hours'), effect: calls('views.open') },
    {
      way: 'submission',
      via: 'view:hours_modal',
      name: 'business hours and automatic replies',
      run: submission('hours_modal', '', {
        hours_mon: { hours_form: { type: 'plain_text_input', value: '09:00-17:00' } },
        greeting_text: { hours_form: { type: 'plain_text_input', value: 'Hello {{first_name}}' } },
        away_text: { hours_form: { type: 'plain_text_input', value: 'Back {{opens_at}}' } },
        help_text: { hours_form: { type: 'plain_text_input', value: 'Reply STOP to stop.' } },
      }),
      effect: () => repos().settings.get('business-hours'),
    },
    cmd('broadcasts', '/wa broadcasts (list, with CSV buttons)', () => Promise.resolve(slack.responses.filter((r) => /broadcasts yet|most recent broadcasts/.test(String(r.body.text))).length)),
    { way: 'button', via: 'action:broadcast_pause', name: 'Pause a broadcast', run: onBroadcast('broadcast_pause', 'scheduled'), effect: broadcastState('scheduled') },
    { way: 'button', via: 'action:broadcast_resume', name: 'Resume a broadcast', run: onBroadcast('broadcast_resume', 'paused'), effect: broadcastState('paused') },
    { way: 'button', via: 'action:broadcast_cancel', name: 'Cancel a broadcast', run: onBroadcast('broadcast_cancel', 'scheduled'), effect: broadcastState('scheduled') },
    { way: 'button', via: 'action:broadcast_export', name: 'Recipients (CSV) of a broadcast', run: onBroadcast('broadcast_export', 'paused'), effect: calls('files.completeUploadExternal') },
  ];

  it.each(cases)('when an agent tries $name ($way), then it is refused privately and audited, nothing changes, and a lead can', async ({ run, effect }) => {
    const before = await effect();
    const told = await run(AGENT);
    expect(await told()).toMatch(/team leads/);
    await eventually(async () => (await repos().audit.recent(1))[0]?.outcome === 'refused', 'the refusal to be recorded');
    const [entry] = await repos().audit.recent(1);
    expect(entry).toMatchObject({ actor: AGENT, outcome: 'refused', args: expect.objectContaining({ needs: 'lead' }) });
    // Never what was typed: no number, no text meant for customers.
    expect(JSON.stringify(entry)).not.toMatch(/7911|Pay here/);
    expect(await effect()).toEqual(before);

    // The same request from a lead takes effect: the effect above is one this check can see.
    await run(LEAD);
    await eventually(async () => !isDeepStrictEqual(await effect(), before), 'the lead’s request to take effect');
  });

  const registered = () => registerListeners(recordingApp().app, {} as AppDeps);

  it('when the app registers its listeners, then the lead-only ones are exactly those tried above (a new one needs a row here)', () => {
    const leadOnly = registered().access.filter((a) => a.role === 'lead').map((a) => `${a.kind}:${a.id}`);
    const tried = new Set(cases.filter((c) => !c.via.startsWith('/wa ')).map((c) => c.via));
    expect([...tried].sort()).toEqual([...new Set(leadOnly)].sort());
  });

  it('when a /wa subcommand is lead-only (or has lead-only verbs), then it is tried above; /wa itself is for agents', () => {
    const subcommands = waSubcommands({} as AppDeps);
    const leadOnly = subcommands.filter((s) => s.leadOnly).map((s) => `/wa ${s.name}`);
    const tried = new Set(cases.filter((c) => c.via.startsWith('/wa ')).map((c) => c.via));
    expect([...tried].sort()).toEqual(leadOnly.sort());
    // Every command tried is one its subcommand calls lead-only.
    for (const { text: typed } of cases.filter((c) => c.way === 'command')) {
      const [name, ...args] = typed!.split(' ');
      const { leadOnly } = subcommands.find((s) => s.name === name)!;
      expect([typed, typeof leadOnly === 'function' ? leadOnly(args) : leadOnly]).toEqual([typed, true]);
    }
    expect(registered().access).toContainEqual({ kind: 'command', id: '/wa', role: 'agent' });
  });

  it('when App Home is opened, then none of its buttons is lead-only: everything on it is for agents', async () => {
    await postInteraction(t.baseUrl, SIGNING_SECRET, { ...blockActionPayload({ actionId: 'home_refresh', userId: AGENT }), container: { type: 'view', view_id: 'V0HOME' } });
    const home = JSON.stringify((await slack.waitFor('views.publish')).args.view);
    const onHome = [...home.matchAll(/"action_id":"([^"]+)"/g)].map((m) => m[1]);
    expect(onHome.length).toBeGreaterThan(2);
    const access = registered().access;
    for (const id of onHome) expect(access.find((a) => a.kind === 'action' && a.id === id)).toEqual({ kind: 'action', id, role: 'agent' });
  });
});

const STRANGER = 'U0STRANGER';

/** SLACK_AGENTS set: only agents (and leads) use the app; others are told privately, and nothing happens. */
describe('who may do what: the agent role', () => {
  const slack = useFakeSlackApi();
  let t: TestApp;
  const time = manualClock();
  let thread: { channel: string; threadTs: string };
  beforeEach(async () => {
    t = await startTestApp({ SLACK_AGENTS: AGENT, SLACK_LEADS: LEAD }, { slack, clock: time.clock });
    await receiveAndMirror(t, { from: ANA, pushName: 'Ana Lima', content: { kind: 'text', text: 'hi' } });
    thread = (await t.app.deps.repos.contacts.findByWaId(ANA))!.slack!;
    slack.reset();
  });
  afterEach(() => t.stop());

  const repos = () => t.app.deps.repos;
  async function wa(text: string, user: string): Promise<string> {
    const id = `a${++n}`;
    await postSlashCommand(t.baseUrl, SIGNING_SECRET, { text, user_id: user, response_url: slack.responseUrl(id) });
    return String((await slack.waitForResponse((p) => p.id === id)).body.text);
  }
  const refusedFor = async (user: string, action: string) => {
    await eventually(async () => (await repos().audit.recent(1))[0]?.action === action, `the refusal of ${action} to be recorded`);
    expect((await repos().audit.recent(1))[0]).toMatchObject({ actor: user, action, outcome: 'refused', args: expect.objectContaining({ needs: 'agent' }) });
  };
  const consent = async () => (await repos().contacts.findByWaId(ANA))!.consent.status;
  const NOT_AN_AGENT = /Switchboard is for the support team: ask your Slack admin to add you as an agent/;

  it('when someone who is not an agent uses /wa, then they are refused privately, with nothing of the contact shown; agents and leads are served', async () => {
    const refusal = await wa('contact ana', STRANGER);
    expect(refusal).toMatch(NOT_AN_AGENT);
    expect(refusal).not.toMatch(/Ana|7911/);
    await refusedFor(STRANGER, '/wa');
    expect(await wa('optout +44 7911 123456 she called', STRANGER)).toMatch(NOT_AN_AGENT);
    expect(await consent()).toBe('unknown');
    // What the audit keeps of it: the subcommand and the contact's pseudonym, not the number or the words.
    const [entry] = await repos().audit.recent(1);
    expect(entry!.args).toEqual({ subcommand: 'optout', contact: t.app.deps.privacy.pseudonym(ANA), needs: 'agent' });

    expect(await wa('contact ana', AGENT)).toContain('*Ana Lima*');
    expect(await wa('help', LEAD)).toContain('*Switchboard*'); // a lead is an agent too
  });

  it('when someone who is not an agent presses a card button or uses a message shortcut, then they are told in the channel, and nothing happens', async () => {
    await postInteraction(t.baseUrl, SIGNING_SECRET, blockActionPayload({ actionId: 'card_opt_out', value: ANA, userId: STRANGER, channelId: thread.channel, messageTs: thread.threadTs }));
    const told = await slack.waitFor('chat.postEphemeral', (c) => c.args.user === STRANGER);
    expect(told.args).toMatchObject({ channel: thread.channel, text: expect.stringMatching(NOT_AN_AGENT) });
    await refusedFor(STRANGER, 'card_opt_out');
    expect(await consent()).toBe('unknown');

    await postInteraction(t.baseUrl, SIGNING_SECRET, messageShortcutPayload({ callbackId: 'opt_out_contact', userId: STRANGER, channelId: thread.channel, messageTs: thread.threadTs }));
    await slack.waitFor('chat.postEphemeral', (c) => c.args.user === STRANGER && c.args.thread_ts === thread.threadTs);
    await refusedFor(STRANGER, 'opt_out_contact');
    expect(slack.callsTo('views.open')).toHaveLength(0);

    // An agent's press works.
    await postInteraction(t.baseUrl, SIGNING_SECRET, blockActionPayload({ actionId: 'card_opt_out', value: ANA, userId: AGENT, channelId: thread.channel, messageTs: thread.threadTs }));
    await eventually(async () => (await consent()) === 'opted_out', 'the agent’s opt-out');
  });

  it('when someone who is not an agent submits a reply modal, then the form says why, and nothing is sent', async () => {
    const submit = (user: string) =>
      postInteraction(
        t.baseUrl,
        SIGNING_SECRET,
        viewSubmissionPayload({ callbackId: 'conv_reply_modal', privateMetadata: JSON.stringify({ waId: ANA }), userId: user, values: { text: { value: { type: 'plain_text_input', value: 'Hello from a stranger' } } } }),
      );
    expect(JSON.parse((await submit(STRANGER)).body)).toEqual({ response_action: 'errors', errors: { text: expect.stringMatching(NOT_AN_AGENT) } });
    await refusedFor(STRANGER, 'conv_reply_modal');
    await t.app.bridge.toWhatsApp.runDue();
    expect(t.gateway.sent).toEqual([]);

    expect((await submit(AGENT)).status).toBe(200);
    await eventually(async () => (await t.app.bridge.toWhatsApp.runDue(), t.gateway.sent.length === 1), 'the agent’s reply to be sent');
  });

  it('when someone who is not an agent opens App Home or presses its buttons, then Home says they need to be added, and shows nothing else', async () => {
    await postEvent(t.baseUrl, SIGNING_SECRET, appHomeOpenedEnvelope(STRANGER));
    const home = await slack.waitFor('views.publish', (c) => c.args.user_id === STRANGER);
    const shown = JSON.stringify(home.args.view);
    expect(shown).toMatch(NOT_AN_AGENT);
    expect(shown).not.toMatch(/WhatsApp|Consent|action_id/);
    await refusedFor(STRANGER, 'app_home');

    // A Home left over from before (buttons and all): a press opens a modal saying why.
    await postInteraction(t.baseUrl, SIGNING_SECRET, { ...blockActionPayload({ actionId: 'home_find_contact', userId: STRANGER }), channel: undefined, trigger_id: 'trig-home', container: { type: 'view', view_id: 'V0HOME' }, view: { id: 'V0HOME', type: 'home' } });
    const modal = await slack.waitFor('views.open', (c) => c.args.trigger_id === 'trig-home');
    expect(JSON.stringify(modal.args.view)).toMatch(NOT_AN_AGENT);
    await refusedFor(STRANGER, 'home_find_contact');

    await postEvent(t.baseUrl, SIGNING_SECRET, appHomeOpenedEnvelope(AGENT));
    expect(JSON.stringify((await slack.waitFor('views.publish', (c) => c.args.user_id === AGENT)).args.view)).toContain('*WhatsApp*');
  });

  it('when someone who is not an agent replies in a conversation thread, then WhatsApp gets nothing and they are told privately; elsewhere nothing is said', async () => {
    const reply = (user: string, text: string, ts: string, threadTs = thread.threadTs) =>
      postEvent(t.baseUrl, SIGNING_SECRET, messageEventEnvelope({ text, userId: user, channel: thread.channel, ts, threadTs, eventId: `Ev${ts}` }));
    await reply(STRANGER, 'Hi Ana, call me on 0123', '1800000100.000001');
    const told = await slack.waitFor('chat.postEphemeral', (c) => c.args.user === STRANGER);
    expect(told.args).toMatchObject({ channel: thread.channel, thread_ts: thread.threadTs, text: expect.stringMatching(/Not sent to WhatsApp/) });
    await refusedFor(STRANGER, 'thread_reply');
    expect((await repos().audit.recent(1))[0]!.args).toEqual({ contact: t.app.deps.privacy.pseudonym(ANA), needs: 'agent' });
    await t.app.bridge.toWhatsApp.runDue();
    expect(t.gateway.sent).toEqual([]);

    // A thread that is no conversation: just people talking.
    await reply(STRANGER, 'lunch?', '1800000100.000003', '1800000000.999999');
    await reply(AGENT, 'Hello Ana', '1800000100.000002');
    await eventually(async () => (await t.app.bridge.toWhatsApp.runDue(), t.gateway.sent.length === 1), 'the agent’s reply to be sent');
    expect(t.gateway.sent[0]!.text).toContain('Hello Ana');
    expect(slack.callsTo('chat.postEphemeral').filter((c) => c.args.user === STRANGER)).toHaveLength(1);
    expect((await repos().audit.recent(10)).filter((a) => a.outcome === 'refused')).toHaveLength(1);
  });

  it('when someone no longer an agent edits a reply still waiting to go, then the edit is not carried: the reply is withdrawn and they are told', async () => {
    const ts = '1800000200.000001';
    await repos().messages.recordOutbound({
      contactWaId: ANA,
      body: 'See you soon',
      purpose: 'reply',
      slack: { channel: thread.channel, ts },
      agent: STRANGER,
      at: time.clock(),
      state: 'pending',
      holdUntil: new Date(time.clock().getTime() + 60_000),
    });
    await postEvent(t.baseUrl, SIGNING_SECRET, messageChangedEnvelope({ channel: thread.channel, ts, threadTs: thread.threadTs, text: 'Send your card number', previousText: 'See you soon', userId: STRANGER }));
    const told = await slack.waitFor('chat.postEphemeral', (c) => c.args.user === STRANGER);
    expect(told.args.text).toBe(':lock: Only agents’ edits reach WhatsApp: the reply was withdrawn and will not be sent to WhatsApp.');
    await refusedFor(STRANGER, 'reply_edit');
    time.advance(120_000);
    await t.app.bridge.toWhatsApp.runDue();
    expect(t.gateway.sent).toEqual([]);
  });

  it('when the agents are a user group, then its members are agents; if the group cannot be read, nobody outside SLACK_AGENTS and the leads is', async () => {
    await t.stop();
    t = await startTestApp({ SLACK_AGENTS_GROUP: 'S0AGENTS', SLACK_LEADS: LEAD }, { slack, clock: time.clock });
    let readable = true;
    slack.respond('usergroups.users.list', (call) => (readable ? { ok: true, users: call.args.usergroup === 'S0AGENTS' ? ['U0GROUPAGENT'] : [] } : { ok: false, error: 'missing_scope' }));
    expect(await wa('help', 'U0GROUPAGENT')).toContain('*Switchboard*');
    expect(await wa('help', STRANGER)).toMatch(NOT_AN_AGENT);

    // A new app reads the group afresh (the membership is kept a minute).
    await t.stop();
    t = await startTestApp({ SLACK_AGENTS_GROUP: 'S0AGENTS', SLACK_LEADS: LEAD }, { slack, clock: time.clock });
    readable = false;
    expect(await wa('help', 'U0GROUPAGENT')).toMatch(NOT_AN_AGENT);
    expect(await wa('help', LEAD)).toContain('*Switchboard*');
    expect(t.logs.some((l) => l.msg === 'could not read the agents user group')).toBe(true);
  });

  it('when neither SLACK_AGENTS nor SLACK_AGENTS_GROUP is set, then start-up warns once that every workspace member acts as an agent; when set, it does not', async () => {
    const warning = (logs: TestApp['logs']) => logs.filter((l) => /every member of the Slack workspace acts as an agent/.test(String(l.msg)));
    expect(warning(t.logs)).toEqual([]);
    await t.stop();
    t = await startTestApp({}, { slack, clock: time.clock });
    expect(warning(t.logs)).toHaveLength(1);
    expect(warning(t.logs)[0]!.level).toBe(40);
    expect(await wa('help', STRANGER)).toContain('*Switchboard*'); // and so it is
  });
});

/** Point 13: what the audit keeps of a refused lead command. */
describe('who may do what: refused commands in the audit log', () => {
  const slack = useFakeSlackApi();
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp({ SLACK_LEADS: LEAD, PHONE_DEFAULT_COUNTRY: 'GB' }, { slack });
  });
  afterEach(() => t.stop());

  async function refused(text: string): Promise<Record<string, unknown>> {
    const id = `p${++n}`;
    await postSlashCommand(t.baseUrl, SIGNING_SECRET, { text, user_id: AGENT, response_url: slack.responseUrl(id) });
    expect(String((await slack.waitForResponse((p) => p.id === id)).body.text)).toMatch(/is for team leads/);
    const [entry] = await t.app.deps.repos.audit.recent(1);
    expect(entry).toMatchObject({ actor: AGENT, outcome: 'refused' });
    return { action: entry!.action, ...entry!.args };
  }

  it('when a lead command naming a number or a WhatsApp id is refused, then the audit keeps the subcommand and the contact’s pseudonym, never the text', async () => {
    const ps = (waId: string) => t.app.deps.privacy.pseudonym(waId);
    expect(await refused('forget +44 7911 123456')).toEqual({ action: '/wa forget', subcommand: 'forget', contact: ps(ANA), needs: 'lead' });
    expect(await refused('forget 07911 123456')).toEqual({ action: '/wa forget', subcommand: 'forget', contact: ps(ANA), needs: 'lead' });
    expect(await refused('forget 447911123456@c.us')).toEqual({ action: '/wa forget', subcommand: 'forget', contact: ps(ANA), needs: 'lead' });
    expect(await refused('forget 123456789012345@lid')).toEqual({ action: '/wa forget', subcommand: 'forget', contact: ps('123456789012345@lid'), needs: 'lead' });
    expect(await refused('label route vip <#C0VIPROOM|vip-room>')).toEqual({ action: '/wa label', subcommand: 'label route', needs: 'lead' });
    expect(await refused('segment vip secret-words')).toEqual({ action: '/wa segment', subcommand: 'segment', needs: 'lead' });
    const kept = JSON.stringify(await t.app.deps.repos.audit.recent(10));
    expect(kept).not.toMatch(/7911|123456789012345|secret-words|vip/);
  });
});
