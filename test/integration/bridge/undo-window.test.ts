import { SIGNING_SECRET, startTestApp, type TestApp } from '../../support/app-harness';
import { eventually, manualClock, receiveAndMirror, threadPosts } from '../../support/bridge-helpers';
import { useFakeSlackApi, type SlackCall } from '../../support/slack/fake-slack-api';
import { blockActionPayload, messageEventEnvelope, viewSubmissionPayload } from '../../support/slack/payloads';
import { postEvent, postInteraction } from '../../support/slack/signed-request';

const ANA = '447911123456@c.us';
let seq = 0;
const nextTs = () => `1800000700.${String(++seq).padStart(6, '0')}`;

/** The undo window: as long as it says, counted from when the reply is recorded, and Cancel tidies up after itself. */
describe('the undo window', () => {
  const slack = useFakeSlackApi();
  let t: TestApp;
  let time: ReturnType<typeof manualClock>;
  let thread: { channel: string; threadTs: string };
  beforeEach(async () => {
    time = manualClock('2026-11-25T10:00:00Z');
    t = await startTestApp({ UNDO_SECONDS: '5', AGENT_SIGNATURE: 'first_name' }, { slack, clock: time.clock });
    await receiveAndMirror(t, { from: ANA, pushName: 'Ana Lima', content: { kind: 'text', text: 'Hi, where is my order?' } });
    thread = (await t.app.deps.repos.contacts.findByWaId(ANA))!.slack!;
  });
  afterEach(async () => {
    await t.stop();
  });

  const sentTexts = () => t.gateway.sent.map((s) => s.text);
  const outbound = () => eventually(async () => (await t.app.deps.repos.messages.countByState('outbound')).pending === 1, 'the reply recorded');
  /** Slack is slow to answer the profile lookup (the signature): 4 s pass while it does. */
  const slowProfiles = () => slack.respond('users.info', () => void time.advance(4_000));
  const undoNoticeCall = () => slack.waitFor('chat.postEphemeral', (c) => String(c.args.text).startsWith(':outbox_tray: Sending to WhatsApp in 5 s'));
  const submitReply = (text: string) =>
    postInteraction(
      t.baseUrl,
      SIGNING_SECRET,
      viewSubmissionPayload({ callbackId: 'conv_reply_modal', privateMetadata: JSON.stringify({ waId: ANA }), userId: 'U0AGENT', values: { text: { value: { type: 'plain_text_input', value: text } } } }),
    );
  const cancel = async (notice: SlackCall, user = 'U0AGENT') => {
    const button = (notice.args.blocks as Array<{ accessory: { action_id: string; value: string } }>)[0]!.accessory;
    const id = `u${++seq}`;
    const payload = blockActionPayload({ actionId: button.action_id, value: button.value, userId: user, channelId: thread.channel, messageTs: thread.threadTs });
    await postInteraction(t.baseUrl, SIGNING_SECRET, { ...payload, actions: [{ type: 'button', action_id: button.action_id, block_id: 'b', value: button.value, action_ts: '1' }], response_url: slack.responseUrl(id) });
    return String((await slack.waitForResponse((p) => p.id === id)).body.text);
  };

  it('when looking up the agent takes 4 s, then a reply typed in the thread is still held the full 5 s after it was recorded', async () => {
    slowProfiles();
    await postEvent(t.baseUrl, SIGNING_SECRET, messageEventEnvelope({ text: 'Your order ships today', channel: thread.channel, threadTs: thread.threadTs, ts: nextTs() }));
    await outbound();
    time.advance(4_500);
    await t.app.bridge.toWhatsApp.runDue();
    expect(sentTexts()).toEqual([]);
    time.advance(1_000);
    await t.app.bridge.toWhatsApp.runDue();
    expect(sentTexts()).toEqual(['Your order ships today\n— User']);
  });

  it('when looking up the agent takes 4 s, then a reply from the Reply modal is still held the full 5 s after it was recorded', async () => {
    slowProfiles();
    await submitReply('Your refund is on its way');
    await outbound();
    time.advance(4_500);
    await t.app.bridge.toWhatsApp.runDue();
    expect(sentTexts()).toEqual([]);
    time.advance(1_000);
    await t.app.bridge.toWhatsApp.runDue();
    expect(sentTexts()).toEqual(['Your refund is on its way\n— User']);
  });

  it('when a reply from the Reply modal is cancelled, then the app’s post says it was cancelled and not sent, and the agent is not asked to delete it', async () => {
    await submitReply('Wrong customer, sorry');
    const notice = await undoNoticeCall();
    expect(String(notice.args.text)).not.toMatch(/delete/);
    const post = threadPosts(t).find((c) => /replied on WhatsApp/.test(String(c.args.text)))!;
    const told = await cancel(notice);
    expect(told).toMatch(/^:leftwards_arrow_with_hook: Cancelled: it was not sent to WhatsApp/);
    expect(told).not.toMatch(/delete/i);
    const update = await slack.waitFor('chat.update', (c) => c.args.ts === post.result!.ts);
    expect(update.args).toMatchObject({ channel: thread.channel });
    expect(String(update.args.text)).toMatch(/cancelled, not sent/i);
    expect(String(update.args.text)).toContain('Wrong customer, sorry');
    time.advance(10_000);
    await t.app.bridge.toWhatsApp.runDue();
    expect(sentTexts()).toEqual([]);
  });

  it('when a reply from the card’s Quick reply modal is cancelled, then its post says it was cancelled and not sent', async () => {
    await t.app.deps.repos.quickReplies.create({ shortcut: 'hours', body: 'We are open 9–17, {{first_name}}.', author: 'U0LEAD01' });
    await postInteraction(
      t.baseUrl,
      SIGNING_SECRET,
      viewSubmissionPayload({ callbackId: 'card_quick_reply_modal', privateMetadata: JSON.stringify({ waId: ANA }), userId: 'U0AGENT', values: { qr: { pick: { type: 'static_select', selected_option: { value: 'hours' } } } } }),
    );
    const notice = await undoNoticeCall();
    const post = threadPosts(t).find((c) => /sent the quick reply/.test(String(c.args.text)))!;
    expect(await cancel(notice)).not.toMatch(/delete/i);
    const update = await slack.waitFor('chat.update', (c) => c.args.ts === post.result!.ts);
    expect(String(update.args.text)).toMatch(/cancelled, not sent.*\n> We are open 9–17, Ana\./s);
    time.advance(10_000);
    await t.app.bridge.toWhatsApp.runDue();
    expect(sentTexts()).toEqual([]);
  });

  it('when a reply typed in the thread is cancelled, then the agent’s own message is left alone (it is theirs to delete)', async () => {
    const ts = nextTs();
    await postEvent(t.baseUrl, SIGNING_SECRET, messageEventEnvelope({ text: 'Oops', channel: thread.channel, threadTs: thread.threadTs, ts }));
    const told = await cancel(await undoNoticeCall());
    expect(told).toMatch(/^:leftwards_arrow_with_hook: Cancelled: it was not sent.*delete it if you like/);
    expect(slack.callsTo('chat.update').filter((c) => c.args.ts === ts)).toHaveLength(0);
  });

  it('when a modal reply has already gone out, then Cancel says so and its post is left as it is', async () => {
    await submitReply('On its way');
    const notice = await undoNoticeCall();
    time.advance(6_000);
    await t.app.bridge.toWhatsApp.runDue();
    expect(sentTexts()).toEqual(['On its way\n— User']);
    const post = threadPosts(t).find((c) => /replied on WhatsApp/.test(String(c.args.text)))!;
    expect(await cancel(notice)).toMatch(/^Too late to cancel: it has been sent/);
    expect(slack.callsTo('chat.update').filter((c) => c.args.ts === post.result!.ts)).toHaveLength(0);
  });
});
