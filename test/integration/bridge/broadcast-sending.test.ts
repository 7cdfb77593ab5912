import type { BroadcastDraft } from '../../../src/broadcast/broadcasts';
import { buildReport } from '../../../src/hygiene/report';
import { hygieneReportBlocks } from '../../../src/slack/blocks/hygiene-report';
import type { Repositories } from '../../../src/store/repositories';
import { startTestApp, type TestApp } from '../../support/app-harness';
import { manualClock, receiveAndMirror, threadPosts } from '../../support/bridge-helpers';
import { CrashSwitch, CrashedError } from '../../support/crash-switch';
import { FakeWhatsAppGateway } from '../../support/fake-whatsapp-gateway';
import { uniqueDbName } from '../../support/mongo';
import { useFakeSlackApi } from '../../support/slack/fake-slack-api';

const HOUR = 3_600_000;
const LEAD = 'U0LEAD01';
const OPT_OUT_LINE = 'Reply STOP to stop these messages.';
const uk = (i: number) => `4479110000${String(i).padStart(2, '0')}@c.us`;

describe('sending a broadcast: once per person, whatever happens', () => {
  const slack = useFakeSlackApi();
  let time: ReturnType<typeof manualClock>;
  const apps: TestApp[] = [];
  const start = async (options: Parameters<typeof startTestApp>[1] = {}, env: Record<string, string> = {}) => {
    const t = await startTestApp({ SLACK_LEADS: `${LEAD},U0LEAD02`, ...env }, { slack, clock: time.clock, ...options });
    apps.push(t);
    return t;
  };

  beforeEach(() => {
    time = manualClock('2026-11-30T10:00:00Z'); // Monday, 10:00 in London
  });
  afterEach(async () => {
    while (apps.length > 0) await apps.pop()!.stop();
  });

  /** Contacts who wrote, labelled `vip`, with the given consent. */
  async function people(repos: Repositories, consents: Array<'opted_in' | 'opted_out' | 'unknown' | 'pending'>): Promise<string[]> {
    if (!(await repos.labels.list()).some((l) => l.name === 'vip')) await repos.labels.create({ name: 'vip', createdBy: LEAD } as never);
    const ids: string[] = [];
    for (const [i, status] of consents.entries()) {
      const waId = uk(i);
      await repos.contacts.recordInbound({ waId, name: `Person ${i}`, at: new Date(time.clock().getTime() - 24 * HOUR) });
      await repos.contacts.addLabels(waId, ['vip']);
      await repos.contacts.setConsent(waId, { status, since: time.clock(), source: status === 'opted_in' ? 'reply:YES' : 'keyword:STOP' });
      ids.push(waId);
    }
    return ids;
  }

  const draft = (over: Partial<BroadcastDraft> = {}): BroadcastDraft => ({
    name: 'New opening hours',
    author: LEAD,
    audience: { labels: ['vip'], includeInactive: false },
    message: { kind: 'text', quickReply: 'hours', body: 'Hi {{first_name}}, we now open at 8.' },
    ...over,
  });

  /** Passes and sends until the broadcast is over (or nothing moves for a while). */
  async function drive(t: TestApp, id: string, passes = 30): Promise<void> {
    for (let i = 0; i < passes; i++) {
      await t.app.bridge.broadcasts.tick();
      await t.app.bridge.toWhatsApp.runDue();
      const b = await t.app.deps.repos.broadcasts.get(id);
      if (b && ['done', 'cancelled'].includes(b.state)) return;
    }
  }
  const texts = (gateway: FakeWhatsAppGateway, to: string) => gateway.sent.filter((s) => s.chatId === to && s.kind === 'text').map((s) => s.text);

  it('sends only to confirmed opt-ins, each once, with the opt-out line, and ends done', async () => {
    const t = await start();
    const [a, b, out, unknown, pending] = await people(t.app.deps.repos, ['opted_in', 'opted_in', 'opted_out', 'unknown', 'pending']);
    const { broadcast, plan } = await t.app.deps.broadcasts.create(draft());
    expect(plan.recipients).toHaveLength(2);
    expect(plan.excluded).toEqual({ opted_out: 1, never_opted_in: 1, opt_in_pending: 1 });
    await drive(t, broadcast.id);
    expect(texts(t.gateway, a!)).toEqual([`Hi Person, we now open at 8.\n\n${OPT_OUT_LINE}`]);
    expect(texts(t.gateway, b!)).toHaveLength(1);
    for (const none of [out!, unknown!, pending!]) expect(texts(t.gateway, none)).toEqual([]);
    expect((await t.app.deps.repos.broadcasts.get(broadcast.id))!.state).toBe('done');
    await drive(t, broadcast.id, 3);
    expect(t.gateway.sent.filter((s) => s.kind === 'text')).toHaveLength(2);
    // A reply in the following 72 hours is marked as one in the thread; one after that is not.
    time.advance(HOUR);
    await receiveAndMirror(t, { from: a!, content: { kind: 'text', text: 'Great, see you at 8' } });
    time.advance(72 * HOUR);
    await receiveAndMirror(t, { from: b!, content: { kind: 'text', text: 'Much later' } });
    const marks = (text: string) => JSON.stringify(threadPosts(t).find((p) => p.args.text === text)?.args.blocks ?? []);
    expect(marks('Great, see you at 8')).toContain('Reply to the broadcast “New opening hours”');
    expect(marks('Much later')).not.toContain('Reply to the broadcast');
  });

  it('reads what a broadcast led to: its sent copies, replies and opt-outs after them, and each copy\'s delivery state', async () => {
    const t = await start();
    const [a, b] = await people(t.app.deps.repos, ['opted_in', 'opted_in']);
    const { broadcast } = await t.app.deps.broadcasts.create(draft());
    await drive(t, broadcast.id);
    const sentAt = time.clock();
    time.advance(HOUR);
    await receiveAndMirror(t, { from: a!, content: { kind: 'text', text: 'thanks' } });
    await receiveAndMirror(t, { from: b!, content: { kind: 'text', text: 'STOP' } });
    const outcomes = t.app.deps.repos.broadcastOutcomes;
    const copies = await outcomes.sentCopies(broadcast.id);
    expect(copies.map((c) => c.contactWaId).sort()).toEqual([a, b].sort());
    expect((await outcomes.inboundAfter([a!, b!], sentAt)).map((e) => e.contact).sort()).toEqual([a, b].sort());
    expect((await outcomes.optOutsAfter([a!, b!], sentAt)).map((e) => e.contact)).toEqual([b]);
    expect(await outcomes.optOutsAfter([a!, b!], time.clock())).toEqual([]);
    const recipients = [];
    for await (const r of t.app.deps.repos.broadcasts.recipients(broadcast.id)) recipients.push(r);
    const states = await outcomes.deliveryStates(recipients.map((r) => r.messageId!));
    expect([...states.values()]).toEqual(['sent', 'sent']);
    expect(await outcomes.namesOf([a!, b!, 'unknown@c.us'])).toEqual(new Map([[a!, 'Ana Lima'], [b!, 'Ana Lima']])); // renamed by their replies (the fake's default name)
  });

  it('the hygiene report lists the period\'s broadcasts with their opt-out rate, flagged over 2 %, and counts their copies for the chart', async () => {
    const t = await start();
    const [, b] = await people(t.app.deps.repos, ['opted_in', 'opted_in']);
    const { broadcast } = await t.app.deps.broadcasts.create(draft());
    await drive(t, broadcast.id);
    time.advance(HOUR);
    await receiveAndMirror(t, { from: b!, content: { kind: 'text', text: 'STOP' } });
    const data = await buildReport(t.app.deps.repos, time.clock());
    expect(data.broadcasts).toEqual([{ name: 'New opening hours', sent: 2, optOuts: 1, optOutRate: 0.5, warning: true }]);
    expect(data.figures.broadcastsSent).toBe(2);
    const text = JSON.stringify(hygieneReportBlocks(data, { inactiveDays: 90, noReplyDays: 30 }).blocks);
    expect(text).toContain('Broadcasts this period');
    expect(text).toContain('opt-outs 50 % :warning: over 2 %');
  });

  it('when a recipient opts out while it runs, then they get nothing more than their confirmation', async () => {
    const t = await start();
    const ids = await people(t.app.deps.repos, ['opted_in', 'opted_in', 'opted_in', 'opted_in']);
    const { broadcast } = await t.app.deps.broadcasts.create(draft());
    await t.app.bridge.broadcasts.tick(); // the first two queued
    await t.app.bridge.toWhatsApp.runDue();
    const last = ids[3]!;
    await receiveAndMirror(t, { from: last, content: { kind: 'text', text: 'STOP' } });
    await drive(t, broadcast.id);
    expect(texts(t.gateway, last)).toEqual([t.app.deps.config.bridge.optOutConfirmation]);
    const counts = await t.app.deps.repos.broadcasts.recipientCounts(broadcast.id);
    expect(counts).toEqual({ queued: 3, skipped: 1 });
    const skipped = [];
    for await (const r of t.app.deps.repos.broadcasts.recipients(broadcast.id)) if (r.state === 'skipped') skipped.push(r);
    expect(skipped).toEqual([expect.objectContaining({ waId: last, reasonCode: 'opted_out', reason: expect.stringContaining('opted out') })]);
  });

  it('holds a send in the quiet hours of the contact until 08:00 their time', async () => {
    time = manualClock('2026-11-30T21:30:00Z'); // 21:30 in London (GMT)
    const t = await start();
    const [a] = await people(t.app.deps.repos, ['opted_in']);
    const { broadcast } = await t.app.deps.broadcasts.create(draft());
    await drive(t, broadcast.id, 5);
    expect(texts(t.gateway, a!)).toEqual([]);
    time.advance(10 * HOUR + 29 * 60_000); // 07:59
    await drive(t, broadcast.id, 3);
    expect(texts(t.gateway, a!)).toEqual([]);
    time.advance(60_000); // 08:00
    await drive(t, broadcast.id);
    expect(texts(t.gateway, a!)).toHaveLength(1);
  });

  it('when a copy queued by day is held up into the night (WhatsApp away), then it waits for 08:00 their time', async () => {
    time = manualClock('2026-11-30T20:59:00Z'); // 20:59 in London
    const t = await start();
    const [a] = await people(t.app.deps.repos, ['opted_in']);
    const { broadcast } = await t.app.deps.broadcasts.create(draft());
    // Queued at 20:59 while WhatsApp drops: the copy waits in the send queue.
    t.gateway.failNextSends('not_connected');
    await t.app.bridge.broadcasts.tick();
    await t.app.bridge.toWhatsApp.runDue();
    expect(await t.app.deps.repos.broadcasts.recipientCounts(broadcast.id)).toEqual({ queued: 1 });
    expect(texts(t.gateway, a!)).toEqual([]);
    time.advance(30 * 60_000); // 21:29: WhatsApp is back, and it is night
    await t.app.bridge.toWhatsApp.runDue();
    expect(texts(t.gateway, a!)).toEqual([]);
    time.advance(10 * HOUR + 31 * 60_000); // 08:00
    await t.app.bridge.toWhatsApp.runDue();
    expect(texts(t.gateway, a!)).toHaveLength(1);
  });

  it('keeps to the frequency cap: no more than 2 broadcasts to a contact in any seven days', async () => {
    const t = await start();
    const [a] = await people(t.app.deps.repos, ['opted_in']);
    for (let i = 0; i < 2; i++) {
      const { broadcast } = await t.app.deps.broadcasts.create(draft({ name: `B${i}` }));
      await drive(t, broadcast.id);
      time.advance(2 * 24 * HOUR);
    }
    expect(texts(t.gateway, a!)).toHaveLength(2);
    // The preview already says so, and nothing is created for an empty audience.
    await expect(t.app.deps.broadcasts.create(draft({ name: 'B2' }))).rejects.toMatchObject({ code: 'BROADCAST_EMPTY' });
    expect((await t.app.deps.broadcasts.preview({ labels: ['vip'], includeInactive: false })).excluded).toEqual({ frequency_cap: 1 });
    time.advance(3 * 24 * HOUR + 1); // the first is just over seven days old now
    const { broadcast } = await t.app.deps.broadcasts.create(draft({ name: 'B3' }));
    await drive(t, broadcast.id);
    expect(texts(t.gateway, a!)).toHaveLength(3);
  });

  it('sends one message to a person known under two ids', async () => {
    const t = await start();
    const [a] = await people(t.app.deps.repos, ['opted_in']);
    const lid = '123456789012345@lid';
    await t.app.deps.repos.contacts.recordInbound({ waId: lid, alias: a!, at: time.clock() });
    await t.app.deps.repos.contacts.linkAlias(a!, lid);
    await t.app.deps.repos.contacts.addLabels(lid, ['vip']);
    await t.app.deps.repos.contacts.setConsent(lid, { status: 'opted_in', since: time.clock(), source: 'reply:YES' });
    const { broadcast, plan } = await t.app.deps.broadcasts.create(draft());
    expect(plan.excluded).toEqual({ same_person: 1 });
    await drive(t, broadcast.id);
    expect(texts(t.gateway, a!).length + texts(t.gateway, lid).length).toBe(1);
  });

  it('pauses, resumes and cancels: nothing more goes out once cancelled', async () => {
    const t = await start();
    const ids = await people(t.app.deps.repos, ['opted_in', 'opted_in', 'opted_in', 'opted_in', 'opted_in', 'opted_in']);
    const { broadcast } = await t.app.deps.broadcasts.create(draft());
    await t.app.bridge.broadcasts.tick();
    await t.app.bridge.toWhatsApp.runDue();
    await t.app.deps.broadcasts.pause(broadcast.id);
    await drive(t, broadcast.id, 5);
    const sentWhilePaused = t.gateway.sent.length;
    expect(sentWhilePaused).toBe(2);
    await t.app.deps.broadcasts.resume(broadcast.id);
    await t.app.bridge.broadcasts.tick();
    await t.app.bridge.toWhatsApp.runDue();
    expect(t.gateway.sent.length).toBe(4);
    // A copy queued and not sent yet when it is cancelled is withdrawn, never sent.
    await t.app.deps.repos.messages.recordOutboundOnce({ contactWaId: ids[5]!, body: 'queued copy', purpose: 'broadcast', broadcastId: broadcast.id, at: time.clock(), state: 'pending' }, 'test:queued-copy');
    await t.app.deps.broadcasts.cancel(broadcast.id);
    await drive(t, broadcast.id, 5);
    expect(t.gateway.sent.length).toBe(4);
    expect(await t.app.deps.repos.messages.broadcastCounts(broadcast.id)).toMatchObject({ withdrawn: 1 });
    await expect(t.app.deps.broadcasts.resume(broadcast.id)).rejects.toMatchObject({ code: 'BROADCAST_STATE' });
    expect(ids.filter((id) => texts(t.gateway, id).length > 0)).toHaveLength(4);
  });

  it('over the approval threshold, waits for a second lead: the author cannot approve it', async () => {
    const t = await start({}, { BROADCAST_APPROVAL_OVER: '2' });
    await people(t.app.deps.repos, ['opted_in', 'opted_in', 'opted_in']);
    const { broadcast } = await t.app.deps.broadcasts.create(draft());
    expect(broadcast.state).toBe('awaiting_approval');
    await drive(t, broadcast.id, 3);
    expect(t.gateway.sent).toEqual([]);
    await expect(t.app.deps.broadcasts.approve(broadcast.id, LEAD)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect((await t.app.deps.broadcasts.approve(broadcast.id, 'U0LEAD02')).state).toBe('scheduled');
    await expect(t.app.deps.broadcasts.approve(broadcast.id, 'U0LEAD02')).rejects.toMatchObject({ code: 'BROADCAST_STATE' });
    await drive(t, broadcast.id);
    expect(t.gateway.sent).toHaveLength(3);
  });

  // One crash point each: at the first 14 store writes of a broadcast (its start, recipients, cap claims, copies, sends).
  it.each(Array.from({ length: 14 }, (_, i) => i + 1))('when the app crashes at store write %i, then a new instance finishes it: nobody twice, nobody left out', async (crashAt) => {
    {
      const dbName = uniqueDbName('bcrash');
      const whatsapp = new FakeWhatsAppGateway(time.clock);
      const crash = new CrashSwitch();
      let calls = 0;
      const counted = new Set(['writeRecipients', 'markQueued', 'markSkipped', 'claimCap', 'recordOutboundOnce', 'markSent', 'transition']);
      const first = await start({
        dbName,
        keepDb: true,
        gateway: whatsapp,
        crashSwitch: crash,
        wrapRepositories: (repos) => {
          const around = <T extends object>(repo: T): T =>
            new Proxy(repo, {
              get(target, key) {
                const value = Reflect.get(target, key) as unknown;
                if (typeof value !== 'function' || !counted.has(String(key))) return typeof value === 'function' ? value.bind(target) : value;
                return (...args: unknown[]) => {
                  if (++calls === crashAt) {
                    crash.pull();
                    return Promise.reject(new CrashedError(String(key)));
                  }
                  return (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
                };
              },
            });
          return { ...repos, broadcasts: around(repos.broadcasts), messages: around(repos.messages) };
        },
      });
      const ids = await people(first.app.deps.repos, ['opted_in', 'opted_in', 'opted_in', 'opted_in', 'opted_in']);
      const { broadcast } = await first.app.deps.broadcasts.create(draft());
      await drive(first, broadcast.id, 8).catch(() => undefined);
      expect(crash.crashed).toBe(true);
      await first.crash();
      apps.splice(apps.indexOf(first), 1);
      time.advance(10 * 60_000); // claims left by the dead instance lapse
      const second = await start({ dbName, gateway: whatsapp });
      await drive(second, broadcast.id);
      for (const id of ids) expect({ crashAt, id, sent: texts(whatsapp, id).length }).toEqual({ crashAt, id, sent: 1 });
      expect((await second.app.deps.repos.broadcasts.get(broadcast.id))!.state).toBe('done');
      await second.stop();
      apps.splice(apps.indexOf(second), 1);
    }
  });
});
