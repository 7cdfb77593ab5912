import { SIGNING_SECRET, startTestApp, type TestApp } from '../../support/app-harness';
import { eventually, manualClock, receiveAndMirror, threadPosts } from '../../support/bridge-helpers';
import { useFakeSlackApi } from '../../support/slack/fake-slack-api';
import { messageEventEnvelope } from '../../support/slack/payloads';
import { postEvent } from '../../support/slack/signed-request';

const ANA = '447911123456@c.us';

/** A contact edits, deletes and reacts on WhatsApp: the Slack thread follows. */
describe('contact edits, deletes and reactions', () => {
  const slack = useFakeSlackApi();
  let t: TestApp;
  const time = manualClock();
  beforeEach(async () => {
    t = await startTestApp({}, { slack, clock: time.clock });
  });
  afterEach(async () => {
    await t.stop();
  });

  const change = (event: Parameters<TestApp['gateway']['emit']>[0]) => t.gateway.emit(event);

  it('when a contact edits a mirrored message, then the Slack message is updated and marked edited', async () => {
    const [msg] = await receiveAndMirror(t, { from: ANA, content: { kind: 'text', text: 'my adress is <1 Main St>' } });
    const posted = threadPosts(t)[0]!;
    change({ type: 'edit', messageId: msg!.id, chatId: ANA, newText: 'my address is <1 Main St>', at: time.clock() });
    const update = await slack.waitFor('chat.update');
    expect(update.args).toMatchObject({ channel: posted.args.channel, ts: posted.result!.ts, text: 'my address is &lt;1 Main St&gt; _(edited)_' });
  });

  it('when a contact deletes a message for everyone, then Slack shows that it was deleted and the text is not kept', async () => {
    const [msg] = await receiveAndMirror(t, { from: ANA, content: { kind: 'text', text: 'oops, wrong chat' } });
    change({ type: 'revoke', messageId: msg!.id, chatId: ANA, at: time.clock() });
    const update = await slack.waitFor('chat.update');
    expect(update.args.text).toBe(':wastebasket: _The sender deleted this message._');
    const stored = await t.app.deps.repos.messages.findByWaMessageId(msg!.id);
    expect(stored).toMatchObject({ revoked: true });
    expect(stored!.body).toBeUndefined();
  });

  it('when a message is edited before it reached Slack, then it is posted as edited, once', async () => {
    await receiveAndMirror(t, { from: ANA, content: { kind: 'text', text: 'first' } });
    await t.app.bridge.toSlack.stop();
    const msg = t.gateway.receive({ from: ANA, content: { kind: 'text', text: 'tpyo' } });
    await t.app.bridge.recorded();
    change({ type: 'edit', messageId: msg.id, chatId: ANA, newText: 'typo', at: time.clock() });
    await eventually(async () => (await t.app.deps.repos.messages.findByWaMessageId(msg.id))?.edited === true, 'the edit stored');
    t.app.bridge.toSlack.start();
    await t.app.bridge.toSlack.runDue();
    expect(threadPosts(t).map((c) => c.args.text)).toEqual(['first', 'typo _(edited)_']);
    expect(slack.callsTo('chat.update')).toHaveLength(0);
  });

  it('when a contact reacts to an agent reply, then the reaction shows on it; an emoji Slack lacks is said in the thread; a changed reaction replaces the old one', async () => {
    await receiveAndMirror(t, { from: ANA, content: { kind: 'text', text: 'hi' } });
    const thread = (await t.app.deps.repos.contacts.findByWaId(ANA))!.slack!;
    await postEvent(t.baseUrl, SIGNING_SECRET, messageEventEnvelope({ text: 'Your refund is on its way', channel: thread.channel, threadTs: thread.threadTs, ts: '1800000100.000001' }));
    await eventually(() => t.gateway.sent.length === 1, 'the reply sent');
    const sentId = t.gateway.sent[0]!.id!;

    change({ type: 'reaction', messageId: sentId, chatId: ANA, from: ANA, emoji: '👍', at: time.clock() });
    await slack.waitFor('reactions.add', (c) => c.args.name === '+1');
    expect(slack.callsTo('reactions.add').find((c) => c.args.name === '+1')!.args).toMatchObject({ channel: thread.channel, timestamp: '1800000100.000001' });

    change({ type: 'reaction', messageId: sentId, chatId: ANA, from: ANA, emoji: '🦄', at: time.clock() });
    await slack.waitFor('reactions.remove', (c) => c.args.name === '+1');
    const note = await slack.waitFor('chat.postMessage', (c) => String(c.args.text).includes('🦄'));
    expect(String(note.args.text)).toMatch(/^Ana Lima reacted 🦄 to <https:\/\/test\.slack\.com\/archives\/.+\|this message>$/);
    expect((await t.app.deps.repos.messages.findByWaMessageId(sentId))!.contactReaction).toBe('🦄');
  });
});
