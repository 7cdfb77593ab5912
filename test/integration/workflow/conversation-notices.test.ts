import { MongoClient } from 'mongodb';
import { NOTICE_GRACE_MS } from '../../../src/workflow/conversation-notices';
import { startTestApp, type TestApp } from '../../support/app-harness';
import { manualClock, receiveAndMirror, threadPosts } from '../../support/bridge-helpers';
import { useFakeSlackApi } from '../../support/slack/fake-slack-api';

const ANA = '447911123456@c.us';
const HOUR = 3_600_000;

/**
 * "Open again" notices survive a crash: the change and the debt are one write; the sweep in the
 * snooze waker's pass records what a crashed writer left owed. Real app, store and Slack API.
 */
describe('conversation notices after a crash', () => {
  const slack = useFakeSlackApi();
  let t: TestApp;
  let time: ReturnType<typeof manualClock>;
  beforeEach(async () => {
    time = manualClock('2026-11-25T10:00:00Z');
    t = await startTestApp({}, { slack, clock: time.clock });
    await receiveAndMirror(t, { from: ANA, pushName: 'Ana Lima', content: { kind: 'text', text: 'Hi' } });
  });
  afterEach(async () => {
    await t.stop();
  });

  const contact = async () => (await t.app.deps.repos.contacts.findByWaId(ANA))!;
  const notices = () => threadPosts(t).map((p) => String(p.args.text)).filter((text) => /open again/i.test(text));
  /** Runs the waker's pass and posts what it recorded. */
  const tick = async () => {
    const woken = await t.app.snoozes.tick();
    await t.app.bridge.toSlack.runDue();
    return woken;
  };

  it('when the app crashes between reopening a resolved conversation and recording its notice, then the sweep posts the notice once, after the grace period', async () => {
    await t.app.deps.repos.conversations.setStatus(ANA, 'resolved', 'U0AGENT', time.clock());
    time.advance(HOUR);
    // What the recorder does first; then the "crash": no notice recorded.
    await t.app.deps.repos.contacts.recordInbound({ waId: ANA, at: time.clock() });
    expect((await contact()).conversation).toMatchObject({ status: 'open', owedNotice: { event: 'reopened', from: 'resolved', at: time.clock() } });

    await tick();
    expect(notices()).toEqual([]); // within the grace period the writer may still be at it
    time.advance(NOTICE_GRACE_MS + 1);
    await tick();
    expect(notices()).toEqual([':arrows_counterclockwise: Open again: a new message (it was resolved). Nobody has it: *Claim* it on the card.']);
    expect((await contact()).conversation!.owedNotice).toBeUndefined();
    await tick();
    expect(notices()).toHaveLength(1);
  });

  it('when the app crashes right after ending a snooze, then the thread still hears of it, once', async () => {
    await t.app.deps.repos.conversations.claim(ANA, 'U0ALICE', time.clock());
    await t.app.deps.repos.conversations.setStatus(ANA, 'snoozed', 'U0ALICE', time.clock(), new Date(time.clock().getTime() + HOUR));
    time.advance(HOUR);
    // Another instance's waker ended it and crashed before the notice.
    expect(await t.app.deps.repos.conversations.wakeSnoozed(time.clock())).toHaveLength(1);
    time.advance(NOTICE_GRACE_MS + 1);
    expect(await tick()).toBe(0); // nothing left to wake; the notice comes from the sweep
    expect(threadPosts(t).at(-1)!.args.text).toBe(':alarm_clock: <@U0ALICE> the snooze has ended: this conversation is open again.');
    await tick();
    expect(threadPosts(t).filter((p) => String(p.args.text).includes('snooze has ended'))).toHaveLength(1);
  });

  it('when a notice was recorded but the crash came before its debt was cleared, then the sweep does not post it twice', async () => {
    await t.app.deps.repos.conversations.setStatus(ANA, 'resolved', 'U0AGENT', time.clock());
    time.advance(HOUR);
    const { conversationChange } = await t.app.deps.repos.contacts.recordInbound({ waId: ANA, at: time.clock() });
    expect(conversationChange).toMatchObject({ from: 'resolved' });
    const owed = (await contact()).conversation!.owedNotice!;
    await t.app.bridge.notices.record(ANA, owed);
    await t.app.bridge.toSlack.runDue();
    expect(notices()).toHaveLength(1);
    // record() cleared the debt; a crash between its two writes would have left it.
    await restoreDebt(owed);
    time.advance(NOTICE_GRACE_MS + 1);
    await tick();
    expect(notices()).toHaveLength(1);
    expect((await contact()).conversation!.owedNotice).toBeUndefined();
  });

  it('when a customer answers a pending conversation, then nothing is owed (the card is redrawn, no notice)', async () => {
    await t.app.deps.repos.conversations.agentReplied(ANA, time.clock());
    time.advance(60_000);
    await receiveAndMirror(t, { from: ANA, content: { kind: 'text', text: 'Thanks!' } });
    expect((await contact()).conversation).toMatchObject({ status: 'open' });
    expect((await contact()).conversation!.owedNotice).toBeUndefined();
    expect(notices()).toEqual([]);
  });

  /** Puts a recorded notice's debt back on the contact, as a crash between the two writes leaves it. */
  async function restoreDebt(owed: object) {
    const client = await MongoClient.connect(t.app.deps.config.store.mongodbUri!);
    try {
      await client.db().collection('contacts').updateOne({ waId: ANA }, { $set: { 'conversation.owedNotice': owed } });
    } finally {
      await client.close();
    }
  }
});
