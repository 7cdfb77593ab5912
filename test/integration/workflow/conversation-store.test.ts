import type { Model } from 'mongoose';
import { noticeText } from '../../../src/workflow/conversation-notices';
import { manualClock } from '../../support/bridge-helpers';
import { useTestDb } from '../../support/mongo';
import { useRepositories } from '../../support/repositories';

const ANA = '447911123456@c.us';

/** The queue's conditional writes over a real MongoDB wire connection. */
describe('conversations in the store', () => {
  const db = useTestDb();
  const time = manualClock('2026-11-25T10:00:00Z');
  const repos = useRepositories(db, time.clock, ['contacts', 'conversation_events']);
  const at = (s: number) => new Date(time.clock().getTime() + s * 1000);
  const conversation = async () => (await repos.contacts.findByWaId(ANA))!.conversation!;

  it('when a reopening owes a notice, then it is listed once past its time, and recording it clears only that one', async () => {
    await repos.contacts.recordInbound({ waId: ANA, at: at(0) });
    await repos.conversations.setStatus(ANA, 'resolved', 'U0AGENT', at(10));
    await repos.contacts.recordInbound({ waId: ANA, at: at(100), since: at(90) });
    const owed = { event: 'reopened', from: 'resolved', at: at(90) };
    expect((await conversation()).owedNotice).toEqual(owed);
    expect(await repos.conversations.owedNotices(at(90), 10)).toEqual([]);
    expect(await repos.conversations.owedNotices(at(91), 10)).toEqual([{ waId: ANA, notice: owed }]);
    // A newer debt replaced it meanwhile: clearing the older one leaves the newer.
    await repos.conversations.setStatus(ANA, 'snoozed', 'U0AGENT', at(200), at(300));
    await repos.conversations.wakeSnoozed(at(300));
    await repos.conversations.noticeRecorded(ANA, at(90));
    expect((await conversation()).owedNotice).toEqual({ event: 'snooze_ended', at: at(300) });
    await repos.conversations.noticeRecorded(ANA, at(300));
    expect((await conversation()).owedNotice).toBeUndefined();
  });

  it('when a reply is sent, then the conversation waits on the customer, and its first response is recorded once', async () => {
    await repos.contacts.recordInbound({ waId: ANA, at: at(0) });
    expect(await repos.conversations.agentReplied(ANA, at(60))).toBe(true);
    expect(await conversation()).toMatchObject({ status: 'pending', firstResponseAt: at(60) });
    expect((await conversation()).waitingSince).toBeUndefined();
    await repos.contacts.recordInbound({ waId: ANA, at: at(120) });
    expect(await conversation()).toMatchObject({ status: 'open', waitingSince: at(120), firstResponseAt: at(60) });
    await repos.conversations.agentReplied(ANA, at(180));
    const responses = (await repos.conversations.history(ANA, 20)).filter((e) => e.type === 'first_response');
    expect(responses).toEqual([expect.objectContaining({ ms: 60_000 })]);
  });

  it('when the customer writes while a reply is on its way, then the conversation stays open and they wait from their message after the reply', async () => {
    await repos.contacts.recordInbound({ waId: ANA, at: at(0) });
    // The reply went out at 60 s; the customer's next message (62 s) was recorded before the reply's bookkeeping.
    await repos.contacts.recordInbound({ waId: ANA, at: at(62) });
    expect(await repos.conversations.agentReplied(ANA, at(60))).toBe(false);
    expect(await conversation()).toMatchObject({ status: 'open', waitingSince: at(62), firstResponseAt: at(60) });
  });

  it('when a burst is recorded in one write, then waiting and the new cycle start at its first message', async () => {
    await repos.contacts.recordInbound({ waId: ANA, at: at(0) });
    await repos.conversations.setStatus(ANA, 'resolved', 'U0AGENT', at(10));
    const reopened = await repos.contacts.recordInbound({ waId: ANA, at: at(100), since: at(90) });
    expect(reopened.conversationChange).toEqual({ from: 'resolved' });
    expect(await conversation()).toMatchObject({ status: 'open', openedAt: at(90), waitingSince: at(90) });
    expect((await repos.contacts.findByWaId(ANA))!.lastInboundAt).toEqual(at(100));
  });

  it('when a snooze ends while someone reopens it, then it is reopened once', async () => {
    await repos.contacts.recordInbound({ waId: ANA, at: at(0) });
    await repos.conversations.setStatus(ANA, 'snoozed', 'U0AGENT', at(1), at(60));
    const [woken, byHand] = await Promise.all([repos.conversations.wakeSnoozed(at(61)), repos.conversations.setStatus(ANA, 'open', 'U0BOB', at(61))]);
    const reopenings = (await repos.conversations.history(ANA, 20)).filter((e) => e.type === 'status' && e.to === 'open');
    expect(reopenings).toHaveLength(1);
    expect(woken.length + (byHand === null ? 0 : 1)).toBe(1);
    expect((await conversation()).status).toBe('open');
  });

  it('when a claim lands while a customer message reopens the conversation, then the "open again" notice names who has it', async () => {
    await repos.contacts.recordInbound({ waId: ANA, at: at(0) });
    await repos.conversations.setStatus(ANA, 'resolved', 'U0AGENT', at(10));
    // The claim lands between the reopening's read of the contact and its write.
    const contacts = db.mongoose.model('Contact') as Model<unknown>;
    const write = contacts.findOneAndUpdate.bind(contacts);
    let claimed = false;
    const spy = jest.spyOn(contacts, 'findOneAndUpdate').mockImplementation(((filter: object, update: { $set?: Record<string, unknown> }, options: object) => {
      if (claimed || !update?.$set?.['conversation.owedNotice']) return write(filter, update, options);
      claimed = true;
      return { lean: async () => (await repos.conversations.claim(ANA, 'U0BOB', at(99)), write(filter, update, options).lean()) };
    }) as never);
    try {
      const reopened = await repos.contacts.recordInbound({ waId: ANA, at: at(100) });
      expect(claimed).toBe(true);
      expect(reopened.conversationChange).toEqual({ from: 'resolved', assignee: 'U0BOB' });
    } finally {
      spy.mockRestore();
    }
    const owed = (await conversation()).owedNotice!;
    expect(owed).toEqual({ event: 'reopened', from: 'resolved', assignee: 'U0BOB', at: at(100) });
    expect(noticeText(owed)).toMatch(/^:arrows_counterclockwise: <@U0BOB> this conversation is open again/);
    expect(await conversation()).toMatchObject({ status: 'open', assignee: 'U0BOB' });
  });

  it('when a customer message was recorded after what the agent saw, then Resolve changes nothing and says a message is arriving', async () => {
    await repos.contacts.recordInbound({ waId: ANA, at: at(0) });
    const seen = (await repos.contacts.findByWaId(ANA))!.inboundSeq;
    // Stored between the agent's check and the write.
    await repos.contacts.recordInbound({ waId: ANA, at: at(30) });
    expect(await repos.conversations.resolveIfSeen(ANA, 'U0AGENT', at(40), seen)).toBe('arriving');
    expect(await conversation()).toMatchObject({ status: 'open', waitingSince: at(0) });
    expect((await repos.conversations.history(ANA, 20)).filter((e) => e.type === 'resolution' || e.to === 'resolved')).toEqual([]);
    const now = (await repos.contacts.findByWaId(ANA))!.inboundSeq;
    expect(await repos.conversations.resolveIfSeen(ANA, 'U0AGENT', at(50), now)).toBe('open');
    expect(await repos.conversations.resolveIfSeen(ANA, 'U0AGENT', at(60), now)).toBeNull(); // resolved already
    expect((await repos.conversations.history(ANA, 20)).filter((e) => e.type === 'resolution')).toEqual([expect.objectContaining({ ms: 50_000 })]);
  });

  it('when the message recorded meanwhile carries the same second (or an older time, from the catch-up), then Resolve still sees it', async () => {
    await repos.contacts.recordInbound({ waId: ANA, at: at(10) });
    const seen = (await repos.contacts.findByWaId(ANA))!.inboundSeq;
    await repos.contacts.recordInbound({ waId: ANA, at: at(10) }); // WhatsApp stamps to the second
    expect(await repos.conversations.resolveIfSeen(ANA, 'U0AGENT', at(20), seen)).toBe('arriving');
    const seenNow = (await repos.contacts.findByWaId(ANA))!.inboundSeq;
    await repos.contacts.recordInbound({ waId: ANA, at: at(5) }); // an older message the catch-up brings in
    expect(await repos.conversations.resolveIfSeen(ANA, 'U0AGENT', at(30), seenNow)).toBe('arriving');
    expect(await conversation()).toMatchObject({ status: 'open' });
  });
});
