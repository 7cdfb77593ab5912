import { CATCH_UP_MARGIN_MS, CATCH_UP_MAX_DAYS, CATCH_UP_PER_CHAT } from '../../../src/bridge/inbound/catch-up';
import { SIGNING_SECRET, startTestApp, type TestApp } from '../../support/app-harness';
import { manualClock, receiveAndMirror, threadPosts } from '../../support/bridge-helpers';
import { FakeWhatsAppGateway } from '../../support/fake-whatsapp-gateway';
import { uniqueDbName } from '../../support/mongo';
import { useFakeSlackApi } from '../../support/slack/fake-slack-api';
import { postSlashCommand } from '../../support/slack/signed-request';

const ANA = '447911123456@c.us';
const BO = '447700900123@c.us';
const HOUR = 3_600_000;
const text = (t: string) => ({ kind: 'text' as const, text: t });

/** Messages WhatsApp holds that the app never heard of, brought in when WhatsApp connects: real app, store and Slack API. */
describe('catching up with WhatsApp', () => {
  const slack = useFakeSlackApi();
  let time: ReturnType<typeof manualClock>;
  const apps: TestApp[] = [];
  const start = async (options: { dbName?: string; keepDb?: boolean; gateway?: FakeWhatsAppGateway } = {}) => {
    const t = await startTestApp({ SLACK_LEADS: 'U0LEAD01' }, { slack, clock: time.clock, ...options });
    apps.push(t);
    return t;
  };
  /** Catches up (joining the run a connect started, if any), then mirrors what it brought in. */
  const catchUpAndMirror = async (t: TestApp) => {
    const brought = await t.app.bridge.catchUp();
    await t.app.bridge.recorded();
    await t.app.bridge.toSlack.runDue();
    return brought;
  };
  const postedTexts = (t: TestApp) => threadPosts(t).map((p) => String(p.args.text));

  beforeEach(() => {
    time = manualClock();
  });
  afterEach(async () => {
    while (apps.length > 0) await apps.pop()!.stop();
  });

  it('when messages arrived while the app was down, then they are mirrored once it is back, each conversation in order, and nothing twice', async () => {
    const dbName = uniqueDbName('catchup');
    const first = await start({ dbName, keepDb: true });
    const [before] = await receiveAndMirror(first, { from: ANA, content: text('Before the restart') });
    await first.stop();
    apps.pop();

    // Two hours down; WhatsApp keeps what comes in meanwhile.
    const whatsapp = new FakeWhatsAppGateway(time.clock);
    whatsapp.history.push(before!);
    time.advance(2 * HOUR);
    whatsapp.arriveUnseen({ from: ANA, content: text('Anyone there?') });
    time.advance(60_000);
    whatsapp.arriveUnseen({ from: BO, pushName: 'Bo Chen', content: text('Hi from Bo') });
    time.advance(60_000);
    whatsapp.arriveUnseen({ from: ANA, content: text('Hello??') });

    const second = await start({ dbName, gateway: whatsapp });
    await catchUpAndMirror(second);
    // Each conversation in its own order (conversations are mirrored side by side).
    const posts = postedTexts(second);
    expect([...posts].sort()).toEqual(['Anyone there?', 'Before the restart', 'Hello??', 'Hi from Bo']);
    expect(posts.filter((p) => p !== 'Hi from Bo')).toEqual(['Before the restart', 'Anyone there?', 'Hello??']);
    expect(await second.app.deps.repos.messages.countByState('inbound')).toEqual({ sent: 4 });
    expect(second.logs.find((l) => l.msg === 'caught up with WhatsApp' && l.new === 3)).toBeDefined();
    // Looked back from Ana's first message, with the margin.
    expect(whatsapp.historyReads[0]).toEqual({ since: new Date(before!.at.getTime() - CATCH_UP_MARGIN_MS), perChat: CATCH_UP_PER_CHAT });

    // Connecting again finds nothing new.
    expect(await catchUpAndMirror(second)).toBe(0);
    expect(postedTexts(second)).toHaveLength(4);
  });

  it('when WhatsApp reconnects after messages were lost in memory (a crash while MongoDB was out), then they are recorded on connect', async () => {
    const t = await start();
    await receiveAndMirror(t, { from: ANA, content: text('First') });
    t.gateway.setState('disconnected', 'phone offline');
    time.advance(10 * 60_000);
    t.gateway.arriveUnseen({ from: ANA, content: text('Lost in the crash') });
    t.gateway.setState('connected');
    expect(await catchUpAndMirror(t)).toBe(1);
    expect(postedTexts(t)).toEqual(['First', 'Lost in the crash']);
  });

  it('when a number was erased, then its messages from before the erasure stay erased, and a new one after it is mirrored', async () => {
    const t = await start();
    await receiveAndMirror(t, { from: ANA, pushName: 'Ana Lima', content: text('My card number is …') });
    const id = 'forget1';
    await postSlashCommand(t.baseUrl, SIGNING_SECRET, { text: 'forget +447911123456', user_id: 'U0LEAD01', response_url: slack.responseUrl(id) });
    expect(String((await slack.waitForResponse((p) => p.id === id)).body.text)).toMatch(/erased/);
    time.advance(60_000);
    await receiveAndMirror(t, { from: BO, content: text('Bo keeps the look-back recent') });

    time.advance(60_000);
    t.gateway.arriveUnseen({ from: ANA, content: text('Writing again after the erasure') });
    expect(await catchUpAndMirror(t)).toBe(1);
    expect(postedTexts(t).filter((p) => p === 'My card number is …')).toHaveLength(1); // the original post only
    expect(postedTexts(t).at(-1)).toBe('Writing again after the erasure');
    expect(await t.app.deps.repos.messages.knownWaIds(t.gateway.history.filter((m) => m.from === ANA).map((m) => m.id))).toEqual(new Set([t.gateway.history.at(-1)!.id]));
    // Still opted out: the erasure was their choice.
    expect((await t.app.deps.repos.contacts.findByWaId(ANA))!.consent.status).toBe('opted_out');
  });

  it('when the store has no message yet, then the phone\'s old history is not imported', async () => {
    const whatsapp = new FakeWhatsAppGateway(time.clock);
    whatsapp.arriveUnseen({ from: ANA, content: text('From before the app was in use') });
    const t = await start({ gateway: whatsapp });
    expect(await catchUpAndMirror(t)).toBe(0);
    expect(whatsapp.historyReads).toEqual([]);
    expect(threadPosts(t)).toEqual([]);
  });

  it('when the app was away longer than the look-back, then it reads only that far back and says so', async () => {
    const t = await start();
    await receiveAndMirror(t, { from: ANA, content: text('Long ago') });
    t.gateway.setState('disconnected');
    time.advance((CATCH_UP_MAX_DAYS + 3) * 24 * HOUR);
    t.gateway.arriveUnseen({ from: BO, content: text('Back at last') });
    t.gateway.setState('connected');
    expect(await catchUpAndMirror(t)).toBe(1);
    expect(t.gateway.historyReads.at(-1)!.since).toEqual(new Date(time.clock().getTime() - CATCH_UP_MAX_DAYS * 24 * HOUR));
    expect(t.logs.some((l) => l.level === 40 && String(l.msg).includes(`more than ${CATCH_UP_MAX_DAYS} days`))).toBe(true);
  });

  it('when a contact writes live while a catch-up is reading, then their missed messages go first: a STOP sent live after a START sent while the app was down is the word that counts', async () => {
    const dbName = uniqueDbName('catchup');
    const first = await start({ dbName, keepDb: true });
    const [hello, stop] = await receiveAndMirror(first, { from: ANA, content: text('hello') }, { from: ANA, content: text('STOP') });
    expect((await first.app.deps.repos.contacts.findByWaId(ANA))!.consent.status).toBe('opted_out');
    await first.stop();
    apps.pop();

    const whatsapp = new FakeWhatsAppGateway(time.clock);
    whatsapp.history.push(hello!, stop!);
    time.advance(HOUR);
    whatsapp.arriveUnseen({ from: ANA, content: text('START') });
    let pageAnswers!: () => void;
    whatsapp.historyGate = new Promise((resolve) => (pageAnswers = resolve));
    const second = await start({ dbName, gateway: whatsapp });
    // The catch-up is reading a slow WhatsApp Web page; meanwhile Ana changes her mind.
    await whatsapp.historyRead();
    time.advance(60_000);
    whatsapp.receive({ from: ANA, content: text('STOP') });
    pageAnswers();
    await catchUpAndMirror(second);
    await second.app.bridge.toWhatsApp.runDue();

    // In WhatsApp's order: START asked to subscribe again, then STOP; opted out is where she stands.
    expect((await second.app.deps.repos.contacts.findByWaId(ANA))!.consent.status).toBe('opted_out');
    const ledger = await second.app.deps.repos.consentLedger.listForContact(ANA);
    expect(ledger.map((e) => e.type).slice(0, 2)).toEqual(['opt_out', 'opt_in_requested']);
    expect(postedTexts(second).filter((p) => p === 'START' || p === 'STOP').slice(-2)).toEqual(['START', 'STOP']);
  });
});
