import { startTestApp, type TestApp } from '../../support/app-harness';
import { manualClock, threadPosts } from '../../support/bridge-helpers';
import { useFakeSlackApi } from '../../support/slack/fake-slack-api';

const ANA = '447911123456@c.us';

/** A burst from one contact updates the contact once, at its end, and loses nothing of it. */
describe('inbound bursts', () => {
  const slack = useFakeSlackApi();
  let t: TestApp;
  const time = manualClock('2026-11-25T10:00:00Z');
  beforeEach(async () => {
    t = await startTestApp({}, { slack, clock: time.clock });
  });
  afterEach(async () => {
    await t.stop();
  });

  it('when a contact sends many messages at once, then every one is posted in order and the contact ends with the latest time and name', async () => {
    const at = (s: number) => new Date(time.clock().getTime() - (20 - s) * 1000);
    for (let i = 0; i < 20; i++) t.gateway.receive({ from: ANA, pushName: i < 19 ? 'Ana' : 'Ana Lima', at: at(i), content: { kind: 'text', text: `m${i}` } });
    await t.app.bridge.recorded();
    await t.app.bridge.toSlack.runDue();
    expect(threadPosts(t).map((p) => p.args.text)).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`));
    const contact = (await t.app.deps.repos.contacts.findByWaId(ANA))!;
    expect(contact).toMatchObject({ name: 'Ana Lima', lastInboundAt: at(19) });
    expect(contact.conversation).toMatchObject({ status: 'open', waitingSince: at(0) });
  });

  it('when the last message of a burst is a repeat, then the contact is still updated from the others', async () => {
    const first = t.gateway.receive({ from: ANA, content: { kind: 'text', text: 'one' } });
    await t.app.bridge.recorded();
    time.advance(60_000);
    t.gateway.receive({ from: ANA, pushName: 'Ana L.', content: { kind: 'text', text: 'two' } });
    t.gateway.receive({ ...first }); // WhatsApp Web hands over an old message again
    await t.app.bridge.recorded();
    expect((await t.app.deps.repos.contacts.findByWaId(ANA))!).toMatchObject({ name: 'Ana L.', lastInboundAt: time.clock() });
  });

  it('when a burst reaches a resolved conversation, then it reopens once', async () => {
    t.gateway.receive({ from: ANA, content: { kind: 'text', text: 'hello' } });
    await t.app.bridge.recorded();
    await t.app.bridge.toSlack.runDue();
    await t.app.deps.repos.conversations.setStatus(ANA, 'resolved', 'U0AGENT', time.clock());
    time.advance(60_000);
    for (let i = 0; i < 5; i++) t.gateway.receive({ from: ANA, content: { kind: 'text', text: `again ${i}` } });
    await t.app.bridge.recorded();
    await t.app.bridge.toSlack.runDue();
    const texts = threadPosts(t).map((p) => String(p.args.text));
    const notices = texts.filter((x) => /open again/i.test(x));
    expect(notices).toHaveLength(1);
    // Told once, after the burst that reopened it.
    expect(texts.indexOf(notices[0]!)).toBe(texts.indexOf('again 4') + 1);
    expect((await t.app.deps.repos.contacts.findByWaId(ANA))!.conversation!.status).toBe('open');
  });
});
