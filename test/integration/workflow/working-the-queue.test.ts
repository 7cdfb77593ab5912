import { SIGNING_SECRET, startTestApp, type TestApp } from '../../support/app-harness';
import { eventually, manualClock, receiveAndMirror, threadPosts } from '../../support/bridge-helpers';
import { useFakeSlackApi } from '../../support/slack/fake-slack-api';
import { blockActionPayload } from '../../support/slack/payloads';
import { postInteraction, postSlashCommand } from '../../support/slack/signed-request';

const ANA = '447911123456@c.us';
const BO = '447700900555@c.us';
const CY = '447700900666@c.us';
const DEE = '447700900777@c.us';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
let seq = 0;

/** What a team lead must be able to trust about the queue: its order, its figures, its notices. Real app over signed HTTP. */
describe('working the queue', () => {
  const slack = useFakeSlackApi();
  let t: TestApp;
  let time: ReturnType<typeof manualClock>;

  beforeEach(async () => {
    time = manualClock('2026-11-25T10:00:00Z');
    t = await startTestApp({ TZ_REPORTS: 'Europe/London' }, { slack, clock: time.clock });
  });
  afterEach(async () => {
    await t.stop();
  });

  const conversationOf = async (waId: string) => (await t.app.deps.repos.contacts.findByWaId(waId))!.conversation!;
  async function writes(waId: string, name: string, text = 'Hello?') {
    await receiveAndMirror(t, { from: waId, pushName: name, content: { kind: 'text', text } });
    return (await t.app.deps.repos.contacts.findByWaId(waId))!.slack!;
  }
  const press = (waId: string, thread: { channel: string; threadTs: string }, actionId: string, userId: string) =>
    postInteraction(t.baseUrl, SIGNING_SECRET, blockActionPayload({ actionId, value: waId, userId, channelId: thread.channel, messageTs: thread.threadTs }));
  const wa = async (text: string, user = 'U0AGENT') => {
    const id = `q${++seq}`;
    await postSlashCommand(t.baseUrl, SIGNING_SECRET, { text, user_id: user, response_url: slack.responseUrl(id) });
    return String((await slack.waitForResponse((p) => p.id === id)).body.text);
  };
  /** The contacts' names as `/wa inbox <view>` lists them, in order. */
  const inbox = async (view: string) => [...(await wa(`inbox ${view}`)).matchAll(/^\d+\. \*([^*]+)\*/gm)].map((m) => m[1]);
  /** Presses Resolve and waits for the handler to finish: it redraws the card last, showing it resolved. */
  async function resolve(waId: string, thread: { channel: string; threadTs: string }, userId = 'U0AGENT') {
    const before = slack.callsTo('chat.update').length;
    await press(waId, thread, 'conv_resolve', userId);
    await eventually(() => slack.callsTo('chat.update').slice(before).some((c) => JSON.stringify(c.args.blocks).includes('Resolved')), 'resolve done');
  }
  const resolutions = async (waId: string) => (await t.app.deps.repos.conversations.history(waId, 50)).filter((e) => e.type === 'resolution');

  it('when a message is still on its way to Slack as an agent presses Resolve, then it is not resolved and the agent is told a message is arriving', async () => {
    const thread = await writes(ANA, 'Ana Lima', 'Where is my order?');
    // Her next message is stored, but Slack is slow to take it: it is not in the thread yet.
    slack.respond('chat.postMessage', { ok: false, error: 'internal_error' }, { status: 500 });
    time.advance(MINUTE);
    t.gateway.receive({ from: ANA, content: { kind: 'text', text: 'Actually, I also need an invoice' } });
    await t.app.bridge.recorded();
    await t.app.bridge.toSlack.runDue();
    expect(threadPosts(t).map((p) => p.args.text)).not.toContain('Actually, I also need an invoice');

    await press(ANA, thread, 'conv_resolve', 'U0ALICE');
    const told = await slack.waitFor('chat.postEphemeral', (c) => c.args.user === 'U0ALICE');
    expect(String(told.args.text)).toMatch(/new message .* is arriving/i);
    expect(await conversationOf(ANA)).toMatchObject({ status: 'open', waitingSince: expect.any(Date) });
    expect(await resolutions(ANA)).toEqual([]);

    // Once it is in the thread, Resolve works.
    time.advance(MINUTE);
    await t.app.bridge.toSlack.runDue();
    expect(threadPosts(t).map((p) => p.args.text)).toContain('Actually, I also need an invoice');
    await resolve(ANA, thread, 'U0ALICE');
    expect((await conversationOf(ANA)).status).toBe('resolved');
    expect(slack.callsTo('chat.postEphemeral')).toHaveLength(1);
  });

  it('when conversations wait, then /wa inbox lists open ones first by how long the customer has waited; a hand reopen or a snooze ending starts the wait', async () => {
    // Ana was answered (pending); Bo waits; Cy was resolved and reopened by hand later; Dee was snoozed and woke last.
    await writes(ANA, 'Ana Lima');
    await t.app.deps.repos.conversations.agentReplied(ANA, time.clock());
    time.advance(MINUTE);
    await writes(BO, 'Bo Chen');
    const cy = await writes(CY, 'Cy Diaz');
    await writes(DEE, 'Dee Evans');
    await t.app.deps.repos.conversations.agentReplied(DEE, time.clock());
    await t.app.deps.repos.conversations.setStatus(DEE, 'snoozed', 'U0AGENT', time.clock(), new Date(time.clock().getTime() + 2 * HOUR));
    await press(CY, cy, 'conv_resolve', 'U0AGENT');
    await eventually(async () => (await conversationOf(CY)).status === 'resolved', 'Cy resolved');

    time.advance(HOUR);
    await press(CY, cy, 'conv_reopen', 'U0AGENT');
    await eventually(async () => (await conversationOf(CY)).status === 'open', 'Cy reopened');
    expect((await conversationOf(CY)).waitingSince).toEqual(time.clock());
    time.advance(HOUR);
    expect(await t.app.snoozes.tick()).toBe(1);
    expect(await conversationOf(DEE)).toMatchObject({ status: 'open', waitingSince: time.clock() });

    expect(await inbox('open')).toEqual(['Bo Chen', 'Cy Diaz', 'Dee Evans']);
    expect(await inbox('unassigned')).toEqual(['Bo Chen', 'Cy Diaz', 'Dee Evans', 'Ana Lima']);
  });

  it('when a conversation waiting since a customer message is snoozed and wakes, then the customer has waited since their message', async () => {
    await writes(ANA, 'Ana Lima');
    const since = time.clock();
    await t.app.deps.repos.conversations.setStatus(ANA, 'snoozed', 'U0AGENT', time.clock(), new Date(time.clock().getTime() + HOUR));
    time.advance(HOUR);
    expect(await t.app.snoozes.tick()).toBe(1);
    expect(await conversationOf(ANA)).toMatchObject({ status: 'open', waitingSince: since });
  });

  it('when a resolved conversation is snoozed, wakes and is resolved again, then it counts one resolution, not inflated', async () => {
    const thread = await writes(ANA, 'Ana Lima');
    time.advance(10 * MINUTE);
    await press(ANA, thread, 'conv_resolve', 'U0AGENT');
    await eventually(async () => (await conversationOf(ANA)).status === 'resolved', 'resolved');
    await t.app.deps.repos.conversations.setStatus(ANA, 'snoozed', 'U0AGENT', time.clock(), new Date(time.clock().getTime() + 24 * HOUR));
    time.advance(24 * HOUR);
    expect(await t.app.snoozes.tick()).toBe(1);
    time.advance(MINUTE);
    await resolve(ANA, thread);
    expect((await conversationOf(ANA)).status).toBe('resolved');
    expect((await resolutions(ANA)).map((e) => e.ms)).toEqual([10 * MINUTE]);
    expect(await t.app.deps.repos.conversations.medianMs('resolution', new Date(time.clock().getTime() - 7 * 24 * HOUR))).toBe(10 * MINUTE);

    // The customer writing again is a new cycle, counted on its own.
    time.advance(HOUR);
    await writes(ANA, 'Ana Lima', 'Me again');
    time.advance(5 * MINUTE);
    await resolve(ANA, thread);
    expect((await resolutions(ANA)).map((e) => e.ms).sort((a, b) => a! - b!)).toEqual([5 * MINUTE, 10 * MINUTE]);
  });

  it('when a resolved conversation is snoozed and then reopened by hand, then resolving it again counts the new cycle only', async () => {
    const thread = await writes(ANA, 'Ana Lima');
    time.advance(10 * MINUTE);
    await t.app.deps.repos.conversations.setStatus(ANA, 'resolved', 'U0AGENT', time.clock());
    await t.app.deps.repos.conversations.setStatus(ANA, 'snoozed', 'U0AGENT', time.clock(), new Date(time.clock().getTime() + 24 * HOUR));
    time.advance(HOUR);
    await press(ANA, thread, 'conv_reopen', 'U0AGENT');
    await eventually(async () => (await conversationOf(ANA)).status === 'open', 'reopened');
    time.advance(3 * MINUTE);
    await resolve(ANA, thread);
    expect((await resolutions(ANA)).map((e) => e.ms).sort((a, b) => a! - b!)).toEqual([3 * MINUTE, 10 * MINUTE]);
  });
});
