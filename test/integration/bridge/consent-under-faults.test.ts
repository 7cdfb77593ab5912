import type { Repositories } from '../../../src/store/repositories';
import { SIGNING_SECRET, startTestApp, type TestApp, type TestAppOptions } from '../../support/app-harness';
import { eventually, manualClock, receiveAndMirror, threadPosts } from '../../support/bridge-helpers';
import { CrashSwitch, CrashedError } from '../../support/crash-switch';
import { FakeWhatsAppGateway } from '../../support/fake-whatsapp-gateway';
import { uniqueDbName } from '../../support/mongo';
import { messageEventEnvelope } from '../../support/slack/payloads';
import { postEvent, postSlashCommand } from '../../support/slack/signed-request';
import { useFakeSlackApi } from '../../support/slack/fake-slack-api';

const ANA = '447911123456@c.us';
const text = (t: string) => ({ kind: 'text' as const, text: t });
let tsSeq = 0;

/** A store error on the first call of `repo.method` after `arm()`; then the store answers again. */
function failOnce<R extends keyof Repositories>(repo: R, method: keyof Repositories[R], error: () => Error = () => new Error('connection reset (injected)')) {
  let armed = false;
  let failed = 0;
  const wrap = (repos: Repositories): Repositories => {
    const inner = repos[repo] as unknown as Record<string, (...a: unknown[]) => unknown>;
    // An empty target: repositories are frozen, and a proxy may not answer other values for their methods.
    const target = inner;
    const patched = new Proxy({}, {
      get: (_, key) => {
        const value = Reflect.get(target, key) as unknown;
        if (key !== method || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
        return (...args: unknown[]) => {
          if (armed) {
            armed = false;
            failed++;
            return Promise.reject(error());
          }
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    return { ...repos, [repo]: patched } as Repositories;
  };
  return { wrap, arm: () => void (armed = true), failed: () => failed };
}

/**
 * Consent under faults (issue 16): store errors and crashes between the steps of a STOP, a reply
 * waiting for its anti-ban slot, the order after a reconnect, and two instances — the real app
 * over the wire, the fake WhatsApp and Slack at the edges, the real send throttle where it matters.
 */
describe('consent under faults', () => {
  const slack = useFakeSlackApi();
  let time: ReturnType<typeof manualClock>;
  const apps: TestApp[] = [];
  const start = async (options: TestAppOptions = {}, env: Record<string, string> = {}) => {
    const t = await startTestApp(env, { slack, clock: time.clock, ...options });
    apps.push(t);
    return t;
  };
  beforeEach(() => {
    time = manualClock();
  });
  afterEach(async () => {
    while (apps.length > 0) await apps.pop()!.stop();
  });

  async function agentReplies(t: TestApp, words: string): Promise<string> {
    const thread = (await t.app.deps.repos.contacts.findByWaId(ANA))!.slack!;
    const ts = `1800000000.${String(++tsSeq).padStart(6, '0')}`;
    const res = await postEvent(t.baseUrl, SIGNING_SECRET, messageEventEnvelope({ text: words, channel: thread.channel, threadTs: thread.threadTs, ts }));
    expect(res.status).toBe(200);
    await eventually(async () => !!(await t.app.deps.repos.messages.findBySlackMessage(thread.channel, ts)), 'the reply queued');
    return ts;
  }
  const sentTexts = (gateway: FakeWhatsAppGateway) => gateway.sent.filter((s) => s.kind === 'text').map((s) => s.text);
  const confirmation = (t: TestApp) => t.app.deps.config.bridge.optOutConfirmation;

  it('when the store fails right after a STOP is stored, then the retry still opts the contact out, confirms once and posts it with its banner', async () => {
    const fault = failOnce('contacts', 'recordInbound');
    const t = await start({ wrapRepositories: fault.wrap });
    await receiveAndMirror(t, { from: ANA, content: text('Hi') });
    fault.arm();
    await receiveAndMirror(t, { from: ANA, content: text('STOP') });
    expect(fault.failed()).toBe(1);
    expect((await t.app.deps.repos.contacts.findByWaId(ANA))!.consent.status).toBe('opted_out');
    await t.app.bridge.toWhatsApp.runDue();
    expect(sentTexts(t.gateway)).toEqual([confirmation(t)]);
    const stop = threadPosts(t).filter((c) => c.args.text === 'STOP');
    expect(stop).toHaveLength(1);
    expect(JSON.stringify(stop[0]!.args.blocks)).toContain('Opted out');
  });

  it('when the app crashes after a STOP is stored and before it is handled, then the next instance handles it: opted out, one confirmation, never posted as plain text', async () => {
    const dbName = uniqueDbName('faults');
    const crash = new CrashSwitch();
    const whatsapp = new FakeWhatsAppGateway(time.clock);
    let armed = false;
    const first = await start({
      dbName,
      keepDb: true,
      gateway: whatsapp,
      crashSwitch: crash,
      wrapRepositories: (repos) => ({
        ...repos,
        contacts: new Proxy({} as Repositories['contacts'], {
          get: (_, key) => {
            const target = repos.contacts;
            const value = Reflect.get(target, key) as unknown;
            if (key === 'recordInbound') {
              return (...args: Parameters<Repositories['contacts']['recordInbound']>) => {
                if (!armed) return target.recordInbound(...args);
                crash.pull(); // the process dies between storing the STOP and handling it
                return Promise.reject(new CrashedError('contacts.recordInbound'));
              };
            }
            return typeof value === 'function' ? value.bind(target) : value;
          },
        }),
      }),
    });
    await receiveAndMirror(first, { from: ANA, content: text('Hi') });
    armed = true;
    whatsapp.receive({ from: ANA, content: text('STOP') });
    await eventually(() => crash.crashed, 'the crash');
    await first.crash();
    apps.splice(apps.indexOf(first), 1);

    time.advance(60 * 60_000); // the old hold would have run out long ago
    const second = await start({ dbName, gateway: whatsapp });
    await second.app.bridge.catchUp();
    await second.app.bridge.recorded();
    await second.app.bridge.toSlack.runDue();
    await second.app.bridge.toWhatsApp.runDue();
    expect((await second.app.deps.repos.contacts.findByWaId(ANA))!.consent.status).toBe('opted_out');
    expect(sentTexts(whatsapp)).toEqual([confirmation(second)]);
    const stop = threadPosts(second).filter((c) => c.args.text === 'STOP');
    expect(stop).toHaveLength(1);
    expect(JSON.stringify(stop[0]!.args.blocks)).toContain('Opted out');
  });

  it('when WhatsApp no longer holds a message a crash left half-recorded, then the sweep finishes it from the store', async () => {
    const t = await start();
    await receiveAndMirror(t, { from: ANA, content: text('Hi') });
    // As a crash leaves it: stored, its consent step owed, never handled.
    await t.app.deps.repos.messages.recordInbound({ waMessageId: 'false_447911123456@c.us_LOST1', contactWaId: ANA, kind: 'text', body: 'stop', at: time.clock(), steps: ['consent'] });
    await t.app.bridge.toSlack.runDue();
    expect(threadPosts(t).map((c) => c.args.text)).toEqual(['Hi']); // held, not posted as plain text
    time.advance(3 * 60_000);
    expect(await t.app.bridge.sweep()).toBe(1);
    await t.app.bridge.recorded();
    await t.app.bridge.toSlack.runDue();
    expect((await t.app.deps.repos.contacts.findByWaId(ANA))!.consent.status).toBe('opted_out');
    const stop = threadPosts(t).filter((c) => c.args.text === 'stop');
    expect(JSON.stringify(stop[0]!.args.blocks)).toContain('Opted out');
  });

  it('when a crash left a file unfetched and WhatsApp no longer holds it, then the sweep posts the message saying so, and the conversation goes on', async () => {
    const t = await start();
    await receiveAndMirror(t, { from: ANA, content: text('Hi') });
    await t.app.deps.repos.messages.recordInbound({ waMessageId: 'false_447911123456@c.us_PHOTO1', contactWaId: ANA, kind: 'media', body: 'my receipt', media: { mimetype: 'image/jpeg', size: 1200 }, at: time.clock(), steps: ['media'] });
    await receiveAndMirror(t, { from: ANA, content: text('did you get it?') });
    expect(threadPosts(t).map((c) => c.args.text)).toEqual(['Hi']); // held, and nothing overtakes it
    time.advance(3 * 60_000);
    expect(await t.app.bridge.sweep()).toBe(1);
    await t.app.bridge.recorded();
    await t.app.bridge.toSlack.runDue();
    const texts = threadPosts(t).map((c) => String(c.args.text));
    expect(texts).toHaveLength(3);
    expect(texts[1]).toContain('did not hand over the file');
    expect(texts[1]).toContain('my receipt');
    expect(texts[2]).toBe('did you get it?');
  });

  it('when a held STOP comes back edited into other words, then it is still released and the conversation goes on', async () => {
    const t = await start();
    await receiveAndMirror(t, { from: ANA, content: text('Hi') });
    const id = 'false_447911123456@c.us_EDITED1';
    await t.app.deps.repos.messages.recordInbound({ waMessageId: id, contactWaId: ANA, kind: 'text', body: 'STOP', at: time.clock(), steps: ['consent'] });
    await receiveAndMirror(t, { id, from: ANA, content: text('Stop sending me the wrong size') }, { from: ANA, content: text('and the right one?') });
    expect(threadPosts(t).map((c) => c.args.text)).toEqual(['Hi', 'STOP', 'and the right one?']);
    expect((await t.app.deps.repos.contacts.findByWaId(ANA))!.consent.status).toBe('opted_out');
  });

  it('when a STOP is stored but not yet handled, then no reply goes to that contact until it is', async () => {
    const t = await start();
    await receiveAndMirror(t, { from: ANA, content: text('Hi') });
    await t.app.deps.repos.messages.recordInbound({ waMessageId: 'false_447911123456@c.us_INFLIGHT1', contactWaId: ANA, kind: 'text', body: 'STOP', at: time.clock(), steps: ['consent'] });
    const ts = await agentReplies(t, 'One more offer');
    await t.app.bridge.toWhatsApp.runDue();
    expect(t.gateway.sent).toHaveLength(0);
    expect(await t.app.deps.repos.messages.findBySlackMessage(t.app.deps.config.slack.inboxChannel, ts)).toMatchObject({ delivery: { state: 'pending', attempts: 0 } });
    time.advance(3 * 60_000);
    await t.app.bridge.sweep();
    await t.app.bridge.recorded();
    time.advance(60_000);
    await t.app.bridge.toWhatsApp.runDue();
    expect(sentTexts(t.gateway)).toEqual([confirmation(t)]);
  });

  it('when a STOP arrives while a reply waits for its anti-ban slot, then the reply is not sent when the slot comes', async () => {
    const slots: Array<() => void> = [];
    const t = await start({ sendThrottle: { sleep: () => new Promise<void>((resolve) => slots.push(resolve)), random: () => 0.5 } });
    await receiveAndMirror(t, { from: ANA, content: text('Hi') });
    const ts = await agentReplies(t, 'Here is our new offer');
    t.app.bridge.toWhatsApp.wake(ANA);
    await eventually(() => slots.length === 1, 'the reply waiting for its slot');
    await receiveAndMirror(t, { from: ANA, content: text('STOP') });
    slots.shift()!(); // the slot comes
    await eventually(async () => (await t.app.deps.repos.messages.findBySlackMessage(t.app.deps.config.slack.inboxChannel, ts))?.delivery.state === 'failed', 'the reply stopped');
    // Only the confirmation goes (through its own slot).
    const sending = t.app.bridge.toWhatsApp.runDue();
    await eventually(() => slots.length === 1, 'the confirmation waiting for its slot');
    slots.shift()!();
    await sending;
    expect(sentTexts(t.gateway)).toEqual([confirmation(t)]);
    const reply = await t.app.deps.repos.messages.findBySlackMessage(t.app.deps.config.slack.inboxChannel, ts);
    expect(reply!.delivery.lastError).toMatch(/opted out/);
  });

  it('when a lead forgets the contact while a reply waits for its anti-ban slot, then nothing is sent when the slot comes', async () => {
    const slots: Array<() => void> = [];
    const t = await start({ sendThrottle: { sleep: () => new Promise<void>((resolve) => slots.push(resolve)), random: () => 0.5 } }, { SLACK_LEADS: 'U0LEAD01' });
    await receiveAndMirror(t, { from: ANA, content: text('Hi') });
    await agentReplies(t, 'Here is our new offer');
    t.app.bridge.toWhatsApp.wake(ANA);
    await eventually(() => slots.length === 1, 'the reply waiting for its slot');
    await postSlashCommand(t.baseUrl, SIGNING_SECRET, { text: 'forget +447911123456', user_id: 'U0LEAD01', response_url: slack.responseUrl('forget') });
    expect(String((await slack.waitForResponse((p) => p.id === 'forget')).body.text)).toMatch(/data is erased/);
    slots.shift()!(); // the slot comes
    await t.app.bridge.toWhatsApp.settled();
    expect(t.gateway.sent).toHaveLength(0);
  });

  it('when WhatsApp reconnects with a STOP that arrived meanwhile, then queued replies wait for the catch-up and are refused', async () => {
    const t = await start();
    await receiveAndMirror(t, { from: ANA, content: text('Hi') });
    t.gateway.setState('disconnected', 'phone offline');
    await agentReplies(t, 'Are you still interested?');
    time.advance(60_000);
    t.gateway.arriveUnseen({ from: ANA, content: text('STOP') });
    let openPage!: () => void;
    t.gateway.historyGate = new Promise((resolve) => (openPage = resolve));
    t.gateway.setState('connected');
    await t.gateway.historyRead();
    expect(t.app.deps.bridge.catchUpState().done).toBe(false);
    time.advance(20_000);
    await t.app.bridge.toWhatsApp.runDue();
    expect(t.gateway.sent).toHaveLength(0); // nothing goes out blind while WhatsApp is being read
    openPage();
    await t.app.bridge.catchUp();
    await t.app.bridge.recorded();
    await t.app.bridge.toWhatsApp.runDue();
    expect(sentTexts(t.gateway)).toEqual([confirmation(t)]);
  });

  it('when the catch-up after a reconnect fails, then replies keep waiting and /wa status says why', async () => {
    const t = await start();
    await receiveAndMirror(t, { from: ANA, content: text('Hi') });
    t.gateway.setState('disconnected');
    await agentReplies(t, 'Still there?');
    const read = t.gateway.messagesSince.bind(t.gateway);
    t.gateway.messagesSince = () => Promise.reject(new Error('page not answering'));
    t.gateway.setState('connected');
    await t.app.bridge.catchUp();
    time.advance(60_000);
    await t.app.bridge.toWhatsApp.runDue();
    expect(t.gateway.sent).toHaveLength(0);
    expect(t.app.deps.bridge.catchUpState()).toMatchObject({ done: false, lastError: 'page not answering' });
    t.gateway.messagesSince = read;
    await t.app.bridge.catchUp();
    await t.app.bridge.toWhatsApp.runDue();
    expect(sentTexts(t.gateway)).toEqual(['Still there?']);
  });

  it('when a standby instance sees a due reply, then it does not claim it: only the session holder sends', async () => {
    const dbName = uniqueDbName('faults');
    const holder = await start({ dbName, keepDb: true });
    const standby = await start({ dbName, keepDb: true, gateway: new FakeWhatsAppGateway(time.clock, 'standby') });
    await receiveAndMirror(holder, { from: ANA, content: text('Hi') });
    await holder.app.bridge.toWhatsApp.stop();
    await agentReplies(holder, 'Answer from the holder');
    await standby.app.bridge.toWhatsApp.runDue();
    expect((await standby.app.deps.repos.messages.countByState('outbound')).pending).toBe(1);
    holder.app.bridge.toWhatsApp.start();
    await holder.app.bridge.toWhatsApp.runDue();
    expect(sentTexts(holder.gateway)).toEqual(['Answer from the holder']);
  });

  it('when an instance waits in its throttle past its claim and another sends the reply, then the late one neither sends it again nor resets it', async () => {
    const dbName = uniqueDbName('faults');
    const whatsapp = new FakeWhatsAppGateway(time.clock);
    const slots: Array<() => void> = [];
    const slow = await start({ dbName, keepDb: true, gateway: whatsapp, sendThrottle: { sleep: () => new Promise<void>((resolve) => slots.push(resolve)), random: () => 0.5 } });
    const other = await start({ dbName, keepDb: true, gateway: whatsapp });
    await receiveAndMirror(slow, { from: ANA, content: text('Hi') });
    await other.app.bridge.toWhatsApp.stop();
    const ts = await agentReplies(slow, 'Sent once');
    slow.app.bridge.toWhatsApp.wake(ANA);
    await eventually(() => slots.length === 1, 'the reply parked in the slow instance’s throttle');
    time.advance(61_000); // its claim lapses
    other.app.bridge.toWhatsApp.start();
    await other.app.bridge.toWhatsApp.runDue();
    expect(sentTexts(whatsapp)).toEqual(['Sent once']);
    slots.shift()!(); // the slow instance's slot finally comes
    await slow.app.bridge.toWhatsApp.settled();
    time.advance(10 * 60_000);
    await other.app.bridge.toWhatsApp.runDue();
    expect(sentTexts(whatsapp)).toEqual(['Sent once']);
    const reply = await other.app.deps.repos.messages.findBySlackMessage(other.app.deps.config.slack.inboxChannel, ts);
    expect(reply!.delivery).toMatchObject({ state: 'sent' });
  });

  it('when a claim was taken over, then the old claimer can record no outcome', async () => {
    const t = await start();
    await receiveAndMirror(t, { from: ANA, content: text('Hi') });
    await t.app.bridge.toWhatsApp.stop();
    await agentReplies(t, 'Only the holder records');
    const repo = t.app.deps.repos.messages;
    const first = (await repo.claimHead('outbound', ANA, time.clock(), 60_000))!;
    time.advance(61_000);
    const second = (await repo.claimHead('outbound', ANA, time.clock(), 60_000))!;
    expect(second.reclaimed).toBe(true);
    expect(second.message.delivery.claims).toBe(2);
    expect(await repo.markSent(second.message.id, 'true_x_OUT1', time.clock(), second.message.delivery.claimToken!)).toBe(true);
    const stale = first.message.delivery.claimToken!;
    expect(await repo.reschedule(first.message.id, time.clock(), 'late', false, stale)).toBe(false);
    expect(await repo.markFailed(first.message.id, 'late', stale)).toBe(false);
    expect(await repo.findByWaMessageId('true_x_OUT1')).toMatchObject({ delivery: { state: 'sent', attempts: 0 } });
  });
});
