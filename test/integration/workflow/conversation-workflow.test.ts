import { SIGNING_SECRET, startTestApp, type TestApp } from '../../support/app-harness';
import { eventually, manualClock, receiveAndMirror, threadPosts } from '../../support/bridge-helpers';
import { useFakeSlackApi, type SlackCall } from '../../support/slack/fake-slack-api';
import { blockActionPayload, messageDeletedEnvelope, messageEventEnvelope, viewSubmissionPayload } from '../../support/slack/payloads';
import { postEvent, postInteraction, postSlashCommand } from '../../support/slack/signed-request';

const ANA = '447911123456@c.us';
const LEAD = 'U0LEAD01';
const HOUR = 3_600_000;
let seq = 0;
const nextTs = () => `1800000000.${String(++seq).padStart(6, '0')}`;

/** Claim, assign, resolve, snooze and safe sending, over signed HTTP against the real app. */
describe('conversation workflow', () => {
  const slack = useFakeSlackApi();
  let t: TestApp;
  let time: ReturnType<typeof manualClock>;

  async function start(env: Record<string, string> = {}) {
    time = manualClock('2026-11-25T10:00:00Z');
    t = await startTestApp({ SLACK_LEADS: LEAD, TZ_REPORTS: 'Europe/London', ...env }, { slack, clock: time.clock });
  }
  afterEach(async () => {
    await t.stop();
  });

  /** Ana writes; returns her thread once it is in Slack. */
  async function anaWrites(text = 'Hi, where is my order?') {
    await receiveAndMirror(t, { from: ANA, pushName: 'Ana Lima', content: { kind: 'text', text } });
    return (await t.app.deps.repos.contacts.findByWaId(ANA))!.slack!;
  }
  const contact = async () => (await t.app.deps.repos.contacts.findByWaId(ANA))!;
  const press = (thread: { channel: string; threadTs: string }, actionId: string, userId: string, extra: object = {}) => {
    const payload = blockActionPayload({ actionId, value: ANA, userId, channelId: thread.channel, messageTs: thread.threadTs });
    return postInteraction(t.baseUrl, SIGNING_SECRET, { ...payload, ...extra });
  };
  const select = (thread: { channel: string; threadTs: string }, action: object, userId: string) => {
    const payload = blockActionPayload({ actionId: 'x', userId, channelId: thread.channel, messageTs: thread.threadTs });
    return postInteraction(t.baseUrl, SIGNING_SECRET, { ...payload, actions: [{ block_id: 'conversation', action_ts: '1', ...action }] });
  };
  const cardUpdates = (thread: { threadTs: string }) => slack.callsTo('chat.update').filter((c) => c.args.ts === thread.threadTs);
  const cardText = (call: SlackCall) => JSON.stringify(call.args.blocks);
  const roots = () => slack.callsTo('chat.postMessage').filter((c) => !c.args.thread_ts);
  async function agentReplies(thread: { channel: string; threadTs: string }, text: string, user = 'U0AGENT') {
    const ts = nextTs();
    expect((await postEvent(t.baseUrl, SIGNING_SECRET, messageEventEnvelope({ text, channel: thread.channel, threadTs: thread.threadTs, ts, userId: user }))).status).toBe(200);
    return ts;
  }
  const sentTexts = () => t.gateway.sent.map((s) => s.text);
  /** Outbound rows in any state: the reply was taken in (a wake-up may already have sent it). */
  const outboundRecorded = (n: number) =>
    eventually(async () => Object.values(await t.app.deps.repos.messages.countByState('outbound')).reduce((a, b) => a + (b ?? 0), 0) >= n, `${n} outbound`);

  it('when two agents press Claim at once, then one has it, the other is told who, and the card is updated in place', async () => {
    await start();
    const thread = await anaWrites();
    expect((await contact()).conversation).toMatchObject({ status: 'open', waitingSince: expect.any(Date) });
    await Promise.all([press(thread, 'conv_claim', 'U0ALICE'), press(thread, 'conv_claim', 'U0BOB')]);
    await eventually(async () => slack.callsTo('chat.postEphemeral').length === 1, 'the loser told');
    const winner = (await contact()).conversation!.assignee!;
    expect(['U0ALICE', 'U0BOB']).toContain(winner);
    const loser = winner === 'U0ALICE' ? 'U0BOB' : 'U0ALICE';
    expect(slack.callsTo('chat.postEphemeral')[0]!.args).toMatchObject({ user: loser, text: `<@${winner}> has this conversation already.` });
    await eventually(async () => cardUpdates(thread).length >= 1, 'card redrawn');
    expect(cardText(cardUpdates(thread).at(-1)!)).toContain(`*Assignee*\\n<@${winner}>`);
    expect(cardText(cardUpdates(thread).at(-1)!)).not.toContain('conv_claim'); // no Claim once someone has it
    expect(roots()).toHaveLength(1); // never re-posted
    const history = await t.app.deps.repos.conversations.history(ANA, 10);
    expect(history.filter((h) => h.type === 'assignee')).toEqual([expect.objectContaining({ to: winner, actor: winner })]);
  });

  it('when a resolved conversation gets a message, then it reopens and the assignee is mentioned in the thread, after the message', async () => {
    await start();
    const thread = await anaWrites();
    await select(thread, { type: 'users_select', action_id: 'conv_assign', selected_user: 'U0BOB' }, 'U0ALICE');
    await eventually(async () => (await contact()).conversation?.assignee === 'U0BOB', 'assigned');
    await eventually(async () => threadPosts(t).some((p) => p.args.text === '<@U0ALICE> assigned this conversation to <@U0BOB>.'), 'assignment told');
    await press(thread, 'conv_resolve', 'U0BOB');
    await eventually(async () => (await contact()).conversation?.status === 'resolved', 'resolved');
    await eventually(async () => cardText(cardUpdates(thread).at(-1)!).includes('Resolved'), 'card shows resolved');
    expect(cardText(cardUpdates(thread).at(-1)!)).toContain('conv_reopen');

    time.advance(HOUR);
    await anaWrites('One more thing');
    const posts = threadPosts(t).map((p) => String(p.args.text));
    const message = posts.indexOf('One more thing');
    const notice = posts.findIndex((p) => p.includes('<@U0BOB> this conversation is open again'));
    expect(message).toBeGreaterThan(-1);
    expect(notice).toBeGreaterThan(message);
    expect((await contact()).conversation).toMatchObject({ status: 'open', assignee: 'U0BOB', openedAt: time.clock() });
    expect(cardText(cardUpdates(thread).at(-1)!)).toContain('Open');
    // Resolving again counts how long this took.
    const events = await t.app.deps.repos.conversations.history(ANA, 20);
    expect(events.find((e) => e.type === 'resolution')).toMatchObject({ ms: 0 });
  });

  it('when a conversation is snoozed until tomorrow 9:00, then it opens on time, not before, and the thread is told', async () => {
    await start();
    const thread = await anaWrites();
    await press(thread, 'conv_claim', 'U0ALICE');
    await select(thread, { type: 'static_select', action_id: 'conv_snooze', selected_option: { value: 'tomorrow', text: { type: 'plain_text', text: 'Tomorrow 9:00' } } }, 'U0ALICE');
    // 10:00 UTC on the 25th in London → 09:00 London on the 26th (GMT: 09:00 UTC).
    await eventually(async () => (await contact()).conversation?.status === 'snoozed', 'snoozed');
    expect((await contact()).conversation!.snoozedUntil).toEqual(new Date('2026-11-26T09:00:00Z'));

    time.advance(22 * HOUR + 59 * 60_000); // 08:59 the next day
    expect(await t.app.snoozes.tick()).toBe(0);
    time.advance(60_000);
    expect(await t.app.snoozes.tick()).toBe(1);
    await t.app.bridge.toSlack.runDue();
    expect((await contact()).conversation).toMatchObject({ status: 'open' });
    expect(threadPosts(t).at(-1)!.args.text).toBe(':alarm_clock: <@U0ALICE> the snooze has ended: this conversation is open again.');
    expect(await t.app.snoozes.tick()).toBe(0);
  });

  it('when a custom snooze time is in the past, then the modal says so and nothing changes', async () => {
    await start();
    await anaWrites();
    const submit = (at: Date) =>
      postInteraction(
        t.baseUrl,
        SIGNING_SECRET,
        viewSubmissionPayload({ callbackId: 'conv_snooze_modal', privateMetadata: JSON.stringify({ waId: ANA }), values: { until: { value: { type: 'datetimepicker', selected_date_time: Math.floor(at.getTime() / 1000) } } } }),
      );
    expect(JSON.parse((await submit(new Date(time.clock().getTime() - 60_000))).body)).toEqual({ response_action: 'errors', errors: { until: 'Pick a time in the future.' } });
    expect((await contact()).conversation!.status).toBe('open');
    expect((await submit(new Date(time.clock().getTime() + 2 * HOUR))).status).toBe(200);
    expect((await contact()).conversation).toMatchObject({ status: 'snoozed', snoozedUntil: new Date(time.clock().getTime() + 2 * HOUR) });
  });

  it('when a channel is notes-only, then thread replies never reach WhatsApp, and the Reply button does', async () => {
    await start();
    const thread = await anaWrites();
    const wa = async (text: string, user: string) => {
      const id = `w${++seq}`;
      await postSlashCommand(t.baseUrl, SIGNING_SECRET, { text, user_id: user, channel_id: thread.channel, response_url: slack.responseUrl(id) });
      return String((await slack.waitForResponse((p) => p.id === id)).body.text);
    };
    expect(await wa('channel mode notes-only', 'U0AGENT')).toMatch(/is for team leads/);
    expect(await wa('channel mode notes-only', LEAD)).toMatch(/is now \*notes-only\*/);
    expect(await wa('channel mode', 'U0AGENT')).toMatch(/is \*notes-only\*/);

    await agentReplies(thread, 'Shall we refund her?');
    await t.app.bridge.toWhatsApp.runDue();
    expect(sentTexts()).toEqual([]);
    expect(await t.app.deps.repos.messages.countByState('outbound')).toEqual({});

    await press(thread, 'conv_reply', 'U0AGENT');
    const modal = await slack.waitFor('views.open');
    expect((modal.args.view as { callback_id: string }).callback_id).toBe('conv_reply_modal');
    await postInteraction(t.baseUrl, SIGNING_SECRET, viewSubmissionPayload({ callbackId: 'conv_reply_modal', privateMetadata: JSON.stringify({ waId: ANA }), userId: 'U0AGENT', values: { text: { value: { type: 'plain_text_input', value: 'Your refund is on its way <3' } } } }));
    await outboundRecorded(1);
    await t.app.bridge.toWhatsApp.runDue();
    expect(sentTexts()).toEqual(['Your refund is on its way <3']);
    expect(threadPosts(t).some((p) => p.args.text === ':outbox_tray: <@U0AGENT> replied on WhatsApp:\nYour refund is on its way &lt;3')).toBe(true);
    // Answered: now waiting on the customer, and the first response is on record.
    expect((await contact()).conversation).toMatchObject({ status: 'pending', firstResponseAt: expect.any(Date) });
    expect((await contact()).conversation!.waitingSince).toBeUndefined();
  });

  it('when an agent cancels within the undo window, then the reply is never sent; left alone, it goes after the window, signed', async () => {
    await start({ UNDO_SECONDS: '5', AGENT_SIGNATURE: 'first_name' });
    const thread = await anaWrites();
    const first = await agentReplies(thread, 'Oops, wrong customer');
    const notice = await slack.waitFor('chat.postEphemeral', (c) => String(c.args.text).startsWith(':outbox_tray: Sending to WhatsApp in 5 s'));
    await t.app.bridge.toWhatsApp.runDue();
    expect(sentTexts()).toEqual([]); // held
    const cancel = (notice.args.blocks as Array<{ accessory: { action_id: string; value: string } }>)[0]!.accessory;
    expect(cancel.action_id).toBe('reply_cancel');
    const id = `c${++seq}`;
    await press(thread, 'reply_cancel', 'U0AGENT', { actions: [{ type: 'button', action_id: 'reply_cancel', block_id: 'b', value: cancel.value, action_ts: '1' }], response_url: slack.responseUrl(id) });
    expect((await slack.waitForResponse((p) => p.id === id)).body.text).toMatch(/^:leftwards_arrow_with_hook: Cancelled: it was not sent/);
    expect(JSON.parse(cancel.value)).toEqual({ channel: thread.channel, ts: first });

    await agentReplies(thread, 'Your order ships today');
    await eventually(async () => (await t.app.deps.repos.messages.countByState('outbound')).pending === 1, 'queued');
    time.advance(4_000);
    await t.app.bridge.toWhatsApp.runDue();
    expect(sentTexts()).toEqual([]);
    time.advance(1_500);
    await t.app.bridge.toWhatsApp.runDue();
    expect(sentTexts()).toEqual(['Your order ships today\n— User']);
  });

  it('when an agent deletes their reply within the undo window, then it is never sent', async () => {
    await start({ UNDO_SECONDS: '5' });
    const thread = await anaWrites();
    const ts = await agentReplies(thread, 'Wrong thread, sorry');
    await outboundRecorded(1);
    await postEvent(t.baseUrl, SIGNING_SECRET, messageDeletedEnvelope({ channel: thread.channel, ts, threadTs: thread.threadTs }));
    // Withdrawn: ended for good, and (the agent's choice) not counted as a failure.
    await eventually(async () => (await t.app.deps.repos.messages.findBySlackMessage(thread.channel, ts))?.delivery.state === 'failed', 'withdrawn');
    expect(await t.app.deps.repos.messages.findBySlackMessage(thread.channel, ts)).toMatchObject({ withdrawn: true });
    time.advance(10_000);
    await t.app.bridge.toWhatsApp.runDue();
    expect(sentTexts()).toEqual([]);
  });

  it('when someone else presses Cancel on a reply, then it is not theirs to cancel', async () => {
    await start({ UNDO_SECONDS: '5' });
    const thread = await anaWrites();
    const ts = await agentReplies(thread, 'Hello');
    await eventually(async () => (await t.app.deps.repos.messages.countByState('outbound')).pending === 1, 'queued');
    const id = `c${++seq}`;
    await press(thread, 'reply_cancel', 'U0OTHER', { actions: [{ type: 'button', action_id: 'reply_cancel', block_id: 'b', value: JSON.stringify({ channel: thread.channel, ts }), action_ts: '1' }], response_url: slack.responseUrl(id) });
    expect((await slack.waitForResponse((p) => p.id === id)).body.text).toBe('Only the author can cancel a reply.');
    time.advance(6_000);
    await t.app.bridge.toWhatsApp.runDue();
    expect(sentTexts()).toEqual(['Hello']);
  });

  it('when conversations wait, then /wa inbox lists them oldest first with links, and App Home counts them with the median first response', async () => {
    await start();
    const thread = await anaWrites();
    time.advance(60_000);
    await receiveAndMirror(t, { from: '447700900555@c.us', pushName: 'Bo Chen', content: { kind: 'text', text: 'hello?' } });
    const wa = async (text: string, user = 'U0AGENT') => {
      const id = `i${++seq}`;
      await postSlashCommand(t.baseUrl, SIGNING_SECRET, { text, user_id: user, response_url: slack.responseUrl(id) });
      return String((await slack.waitForResponse((p) => p.id === id)).body.text);
    };
    const open = await wa('inbox');
    expect(open).toMatch(/^\*Open\* \(2\)\n1\. \*Ana Lima\* .*\n2\. \*Bo Chen\*/);
    expect(open).toContain(`<https://test.slack.com/archives/${thread.channel}/p${thread.threadTs.replace('.', '')}|thread>`);
    expect(await wa('inbox mine')).toBe('*Yours:* none. :tada:');
    expect(await wa('inbox nonsense')).toMatch(/^Say which conversations/);
    expect(await wa('inbox open 9')).toMatch(/^There is 1 page/);
    expect(await wa('inbox open {"$gt":""}')).toMatch(/is not a page number/);

    time.advance(4 * 60_000); // Ana waited 5 minutes for her answer
    await agentReplies(thread, 'On its way!');
    await outboundRecorded(1);
    await t.app.bridge.toWhatsApp.runDue();
    expect(await wa('inbox pending')).toMatch(/^\*Waiting on the customer\* \(1\)\n1\. \*Ana Lima\*/);
    expect(await t.app.deps.repos.conversations.counts()).toEqual({ open: 1, unassigned: 2, pending: 1 });
    expect(await t.app.deps.repos.conversations.medianMs('first_response', new Date(time.clock().getTime() - 7 * 24 * HOUR))).toBe(5 * 60_000);

    await postEvent(t.baseUrl, SIGNING_SECRET, { type: 'event_callback', team_id: 'T0TEAM', api_app_id: 'A0APP', event_id: 'EvHOME1', event_time: 1, event: { type: 'app_home_opened', user: 'U0AGENT', channel: 'D0HOME', tab: 'home' } });
    const home = JSON.stringify((await slack.waitFor('views.publish')).args.view);
    expect(home).toContain('*Conversations*\\n1 open · 2 unassigned · 1 pending');
    expect(home).toContain('*First response (median, 7 days)*\\n5 min');

    // The hygiene report carries the period's figures too.
    await t.app.deps.hygiene.report('C0REPORTS');
    const report = slack.callsTo('chat.postMessage').find((c) => c.args.channel === 'C0REPORTS')!;
    expect(JSON.stringify(report.args.blocks)).toContain('*Replies this period* first response 5 min · resolution – (medians)');
  });
});
