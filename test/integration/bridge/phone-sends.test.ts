import { startTestApp, type TestApp } from '../../support/app-harness';
import { manualClock, receiveAndMirror, threadPosts } from '../../support/bridge-helpers';
import { useFakeSlackApi } from '../../support/slack/fake-slack-api';

const ANA = '447911123456@c.us';

/** Someone answers from the phone itself: the thread shows it, as the team's. Real app, store and Slack API. */
describe('messages sent from the phone', () => {
  const slack = useFakeSlackApi();
  let t: TestApp;
  let time: ReturnType<typeof manualClock>;
  beforeEach(async () => {
    time = manualClock();
    t = await startTestApp({}, { slack, clock: time.clock });
  });
  afterEach(async () => {
    await t.stop();
  });

  const mirrorPhone = async (to: string, text: string, id?: string) => {
    const sent = t.gateway.sendFromPhone(to, { content: { kind: 'text', text }, ...(id ? { id } : {}) });
    await t.app.bridge.recorded();
    await t.app.bridge.toSlack.runDue();
    return sent;
  };

  it('when someone answers a conversation from the phone, then the thread shows it as sent from the phone, and the conversation waits on the customer', async () => {
    await receiveAndMirror(t, { from: ANA, pushName: 'Ana Lima', content: { kind: 'text', text: 'Is my order late?' } });
    time.advance(60_000);
    await mirrorPhone(ANA, 'Checking <!channel> now');
    const post = threadPosts(t).at(-1)!;
    expect(post.args).toMatchObject({ text: 'Checking &lt;!channel&gt; now', username: 'Sent from the phone', icon_emoji: ':iphone:' });
    expect(JSON.stringify(post.args.blocks)).toContain('Sent from the phone, not through Switchboard.');
    const contact = await t.app.deps.repos.contacts.findByWaId(ANA);
    expect(contact!.conversation).toMatchObject({ status: 'pending', firstResponseAt: time.clock() });
    // Not the customer's doing: their last message time stays.
    expect(contact!.lastInboundAt).toEqual(new Date(time.clock().getTime() - 60_000));
  });

  it('when WhatsApp reports the same phone message twice, then it is posted once', async () => {
    await receiveAndMirror(t, { from: ANA, content: { kind: 'text', text: 'hi' } });
    await mirrorPhone(ANA, 'hello from the phone', `true_${ANA}_PHONEDUP`);
    await mirrorPhone(ANA, 'hello from the phone', `true_${ANA}_PHONEDUP`);
    expect(threadPosts(t).filter((p) => p.args.text === 'hello from the phone')).toHaveLength(1);
  });

  it('when the phone writes to someone who never wrote, then nothing is mirrored (no contact, no thread)', async () => {
    await mirrorPhone('447700900999@c.us', 'Hi, this is the shop');
    expect(slack.callsTo('chat.postMessage')).toEqual([]);
    expect(await t.app.deps.repos.contacts.findByWaId('447700900999@c.us')).toBeNull();
  });

  it('when the phone writes to a contact who opted out, then the thread says so (the app itself would not have sent it)', async () => {
    await receiveAndMirror(t, { from: ANA, content: { kind: 'text', text: 'STOP' } });
    await mirrorPhone(ANA, 'Sorry to see you go!');
    expect(JSON.stringify(threadPosts(t).at(-1)!.args.blocks)).toContain('to a contact who *opted out*');
  });

  it('when the phone answers, then the card is redrawn to show the conversation waiting on the customer', async () => {
    await receiveAndMirror(t, { from: ANA, content: { kind: 'text', text: 'Is my order late?' } });
    const thread = (await t.app.deps.repos.contacts.findByWaId(ANA))!.slack!;
    const redraws = () => slack.callsTo('chat.update').filter((c) => c.args.ts === thread.threadTs);
    const before = redraws().length;
    await mirrorPhone(ANA, 'It ships today');
    expect(redraws().length).toBe(before + 1);
    expect(JSON.stringify(redraws().at(-1)!.args.blocks)).toMatch(/Pending/);
  });

  it('when the phone answers while a catch-up is reading WhatsApp, then the answer waits for the question it answers', async () => {
    await receiveAndMirror(t, { from: ANA, content: { kind: 'text', text: 'first' } });
    t.gateway.setState('disconnected');
    time.advance(60_000);
    t.gateway.arriveUnseen({ from: ANA, content: { kind: 'text', text: 'Is my order late?' } });
    t.gateway.arriveUnseen({ from: ANA, content: { kind: 'media', mimetype: 'image/jpeg', filename: 'receipt.jpg', fetch: async () => Buffer.from('JPEG') } });
    t.gateway.arriveUnseen({ from: ANA, content: { kind: 'text', text: 'Here is the receipt' } });
    let pageAnswers!: () => void;
    t.gateway.historyGate = new Promise((resolve) => (pageAnswers = resolve));
    t.gateway.setState('connected');
    await t.gateway.historyRead();
    time.advance(60_000);
    t.gateway.sendFromPhone(ANA, { content: { kind: 'text', text: 'It ships today' } });
    pageAnswers();
    await t.app.bridge.catchUp();
    await t.app.bridge.recorded();
    await t.app.bridge.toSlack.runDue();
    // A file on the way (downloaded, held) does not let the answer overtake it.
    expect(threadPosts(t).map((p) => p.args.text)).toEqual(['first', 'Is my order late?', expect.stringContaining('receipt.jpg'), 'Here is the receipt', 'It ships today']);
    expect((await t.app.deps.repos.contacts.findByWaId(ANA))!.conversation).toMatchObject({ status: 'pending' });
  });

  it('when a crash left a phone-sent file unfetched, then it waits (no timer posts it bare) until the sweep posts it saying the file could not be fetched', async () => {
    await receiveAndMirror(t, { from: ANA, pushName: 'Ana Lima', content: { kind: 'text', text: 'Is my order late?' } });
    await t.app.deps.repos.messages.recordInbound({ waMessageId: 'true_447911123456@c.us_PHOTO9', contactWaId: ANA, kind: 'media', body: 'the label', media: { mimetype: 'image/png' }, fromPhone: true, at: time.clock(), steps: ['media'] });
    time.advance(60_000);
    await t.app.bridge.toSlack.runDue();
    expect(threadPosts(t)).toHaveLength(1);
    time.advance(2 * 60_000);
    await t.app.bridge.sweep();
    await t.app.bridge.recorded();
    await t.app.bridge.toSlack.runDue();
    const post = threadPosts(t).at(-1)!;
    expect(post.args).toMatchObject({ username: 'Sent from the phone' });
    expect(String(post.args.text)).toContain('did not hand over the file');
  });
});
