import mongoose from 'mongoose';
import { manualClock } from '../../support/bridge-helpers';
import { useTestDb } from '../../support/mongo';
import { useRepositories } from '../../support/repositories';

const ANA = '447911123456@c.us';
let seq = 0;

/**
 * A reply answers everything the customer wrote before it: how long they have waited (the queue's
 * order, the card, App Home) counts from their first message after it, or they are not waiting.
 */
describe('the waiting time after an answer', () => {
  const db = useTestDb();
  const time = manualClock('2026-11-25T10:00:00Z');
  const repos = useRepositories(db, time.clock, ['contacts', 'messages', 'conversation_events']);
  const at = (s: number) => new Date(time.clock().getTime() + s * 1000);
  const conversation = async () => (await repos.contacts.findByWaId(ANA))!.conversation!;

  /** Ana writes at `s` seconds: stored, then counted on the contact, as the inbound path does. */
  async function anaWrites(s: number) {
    await repos.messages.recordInbound({ waMessageId: `false_${ANA}_W${++seq}`, contactWaId: ANA, kind: 'text', body: 'hello', at: at(s) });
    await repos.contacts.recordInbound({ waId: ANA, at: at(s) });
  }

  it('when the customer writes again while a reply is on its way, then they wait from their first message after the reply, not the answered one', async () => {
    await anaWrites(0);
    await anaWrites(30);
    await anaWrites(62);
    await anaWrites(70);
    expect(await repos.conversations.agentReplied(ANA, at(60))).toBe(false);
    expect(await conversation()).toMatchObject({ status: 'open', waitingSince: at(62), firstResponseAt: at(60) });
  });

  it('when only our notices or phone messages came after the reply, then the customer is not waiting on them', async () => {
    await anaWrites(0);
    await repos.messages.recordInbound({ waMessageId: `x_${++seq}`, contactWaId: ANA, kind: 'notice', body: 'Opted out', at: at(61) });
    expect(await repos.conversations.agentReplied(ANA, at(60))).toBe(true);
    expect(await conversation()).toMatchObject({ status: 'pending' });
    expect((await conversation()).waitingSince).toBeUndefined();
  });

  it('when a reply is sent while the conversation is snoozed, then the end of the snooze counts from then, not from the answered message', async () => {
    await anaWrites(0);
    await repos.conversations.setStatus(ANA, 'snoozed', 'U0AGENT', at(10), at(300));
    await repos.conversations.agentReplied(ANA, at(60));
    expect((await conversation()).waitingSince).toBeUndefined();
    await repos.conversations.wakeSnoozed(at(300));
    expect(await conversation()).toMatchObject({ status: 'open', waitingSince: at(300) });
  });

  it('when the customer wrote during the snooze, after the reply, then the conversation is open with them waiting from that message', async () => {
    await anaWrites(0);
    await repos.conversations.setStatus(ANA, 'snoozed', 'U0AGENT', at(10), at(300));
    await anaWrites(90); // ends the snooze
    await repos.conversations.agentReplied(ANA, at(60));
    expect(await conversation()).toMatchObject({ status: 'open', waitingSince: at(90) });
  });

  it('when a waiting time already lies after the reply, then the reply leaves it', async () => {
    await anaWrites(0);
    await repos.conversations.setStatus(ANA, 'resolved', 'U0AGENT', at(10));
    await repos.conversations.setStatus(ANA, 'open', 'U0AGENT', at(100)); // reopened by hand: waiting from then
    await anaWrites(120);
    await repos.conversations.agentReplied(ANA, at(50)); // an older reply's bookkeeping, late
    expect(await conversation()).toMatchObject({ status: 'open', waitingSince: at(100) });
  });

  it('when the customer writes between the look-up of what came after the reply and its write, then they are still waiting, from that message', async () => {
    await anaWrites(0);
    await repos.conversations.setStatus(ANA, 'snoozed', 'U0AGENT', at(10), at(300));
    // The reply's bookkeeping finds nothing after it; Ana's message lands right after that read.
    const findOne = mongoose.Model.findOne;
    let interleaved = false;
    const spy = jest.spyOn(mongoose.Model, 'findOne').mockImplementation(function (this: typeof mongoose.Model, ...args: Parameters<typeof findOne>) {
      const query = findOne.apply(this, args);
      if (this.modelName !== 'Message' || interleaved) return query;
      interleaved = true;
      const exec = query.exec.bind(query);
      query.exec = (async () => {
        const found = await exec();
        await anaWrites(62);
        return found;
      }) as typeof query.exec;
      return query;
    });
    try {
      await repos.conversations.agentReplied(ANA, at(60));
    } finally {
      spy.mockRestore();
    }
    expect(interleaved).toBe(true);
    expect(await conversation()).toMatchObject({ status: 'open', waitingSince: at(62) });
  });
});
