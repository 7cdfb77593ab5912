import { createAutoReplier } from '../../../src/auto-reply/auto-replier';
import { createAutoReplyStore, DEFAULT_AUTO_REPLIES } from '../../../src/auto-reply/auto-reply-settings';
import { createHoursStore } from '../../../src/hours/hours-store';
import type { Repositories } from '../../../src/store/repositories';
import { startTestApp, type TestApp } from '../../support/app-harness';
import { manualClock, receiveAndMirror, threadPosts } from '../../support/bridge-helpers';
import { uniqueDbName } from '../../support/mongo';
import { useFakeSlackApi } from '../../support/slack/fake-slack-api';

const ANA = '447911123456@c.us';
const BO = '447911654321@c.us';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const text = (t: string) => ({ kind: 'text' as const, text: t });

/** Mon–Fri 09:00–17:00 (UTC: TZ_REPORTS is not set). 2026-11-28 is a Saturday. */
const WEEKDAYS_9_TO_5 = { mon: [{ from: '09:00', to: '17:00' }], tue: [{ from: '09:00', to: '17:00' }], wed: [{ from: '09:00', to: '17:00' }], thu: [{ from: '09:00', to: '17:00' }], fri: [{ from: '09:00', to: '17:00' }] };
const ALL_ON = {
  greeting: { enabled: true, text: 'Hello {{first_name}}, welcome to {{business_name}}.' },
  away: { enabled: true, text: 'We are closed; back {{opens_at}}.' },
  help: { enabled: true, text: '{{business_name}} support. Reply STOP to opt out.' },
};

describe('automatic replies: greeting, away and HELP', () => {
  const slack = useFakeSlackApi();
  let time: ReturnType<typeof manualClock>;
  const apps: TestApp[] = [];
  const start = async (options: { dbName?: string; keepDb?: boolean; wrapRepositories?: (r: Repositories) => Repositories } = {}) => {
    const t = await startTestApp({ BUSINESS_NAME: 'Acme Bikes' }, { slack, clock: time.clock, ...options });
    apps.push(t);
    return t;
  };
  const configure = async (t: TestApp, texts: unknown = ALL_ON, hours: unknown = WEEKDAYS_9_TO_5) => {
    const deps = { settings: t.app.deps.repos.settings, logger: t.app.deps.logger };
    expect(await createAutoReplyStore(deps).save(texts)).toMatchObject({ ok: true });
    if (hours) expect(await createHoursStore(deps).save(hours)).toMatchObject({ ok: true });
  };
  /** Mirrors the messages, then sends what is due to WhatsApp; the texts WhatsApp got for `to`. */
  const exchange = async (t: TestApp, ...messages: Array<Parameters<typeof receiveAndMirror>[1]>) => {
    await receiveAndMirror(t, ...messages);
    await t.app.bridge.toWhatsApp.runDue();
  };
  const sentTo = (t: TestApp, to: string) => t.gateway.sent.filter((s) => s.chatId === to && s.kind === 'text').map((s) => s.text);
  const notices = (t: TestApp) => threadPosts(t).map((p) => String(p.args.text)).filter((s) => s.includes('auto-reply'));

  beforeEach(() => {
    time = manualClock('2026-11-30T10:00:00Z'); // a Monday, open
  });
  afterEach(async () => {
    while (apps.length > 0) await apps.pop()!.stop();
  });

  it('greets a first message ever with the first name, once; again after 14 days of silence, not after 13', async () => {
    const t = await start();
    await configure(t, ALL_ON, null); // no business hours: never closed, so never away
    await exchange(t, { from: ANA, pushName: 'Ana Lima', content: text('Hi, do you repair e-bikes?') });
    expect(sentTo(t, ANA)).toEqual(['Hello Ana, welcome to Acme Bikes.']);
    time.advance(HOUR);
    await exchange(t, { from: ANA, content: text('Also, are you open Sunday?') });
    time.advance(13 * DAY);
    await exchange(t, { from: ANA, content: text('Back again') });
    expect(sentTo(t, ANA)).toHaveLength(1);
    time.advance(14 * DAY);
    await exchange(t, { from: ANA, content: text('Hello after a long time') });
    expect(sentTo(t, ANA)).toEqual(['Hello Ana, welcome to Acme Bikes.', 'Hello Ana, welcome to Acme Bikes.']);
    // The thread shows each as the app's own message, after the contact's.
    expect(notices(t)).toHaveLength(2);
    expect(notices(t)[0]).toMatch(/auto-reply: greeting/);
  });

  it('answers a message while closed with the next opening, at most once per 12 hours, and this holds across a restart', async () => {
    const dbName = uniqueDbName('away');
    time = manualClock('2026-11-28T10:00:00Z'); // Saturday
    const first = await start({ dbName, keepDb: true });
    await configure(first);
    await exchange(first, { from: ANA, pushName: 'Ana Lima', content: text('Are you there?') });
    expect(sentTo(first, ANA)).toEqual(['We are closed; back Mon 09:00.']);
    await first.stop();
    apps.pop();

    time.advance(11 * HOUR);
    const second = await start({ dbName });
    await exchange(second, { from: ANA, content: text('Hello?') });
    expect(sentTo(second, ANA)).toEqual([]);
    time.advance(HOUR);
    await exchange(second, { from: ANA, content: text('Still closed?') });
    expect(sentTo(second, ANA)).toEqual(['We are closed; back Mon 09:00.']);
    expect(notices(second).some((n) => /auto-reply: away/.test(n))).toBe(true);
  });

  it('judges open or closed on the edges in TZ_REPORTS: an overnight span, a closed date and a summer-time change', async () => {
    // Europe/London: clocks go back on 2026-10-25 (02:00 BST → 01:00 GMT). Saturdays 22:00–02:00, and Sundays 09:00–12:00 except 2026-11-01.
    const hours = { sat: [{ from: '22:00', to: '02:00' }], sun: [{ from: '09:00', to: '12:00' }], closedDates: ['2026-11-01'] };
    time = manualClock('2026-10-24T21:00:00Z'); // Sat 22:00 BST: opening
    const t = await startTestApp({ BUSINESS_NAME: 'Acme Bikes', TZ_REPORTS: 'Europe/London' }, { slack, clock: time.clock });
    apps.push(t);
    await configure(t, { ...ALL_ON, greeting: { ...ALL_ON.greeting, enabled: false } }, hours);
    const awayFor = async (from: string) => {
      await exchange(t, { from, content: text('hi') });
      return sentTo(t, from);
    };
    expect(await awayFor('447900000001@c.us')).toEqual([]);
    // The clocks go back at 01:00 UTC (02:00 BST → 01:00 GMT), so wall time 02:00 comes once, at
    // 02:00 GMT = 02:00 UTC: this night's span lasts five hours.
    time.advance(5 * HOUR - 1); // 01:59:59.999 GMT, still inside
    expect(await awayFor('447900000002@c.us')).toEqual([]);
    time.advance(1); // 02:00 GMT: closed
    expect(await awayFor('447900000003@c.us')).toEqual(['We are closed; back Sun 09:00.']);
    // Next Sunday is a closed date: at its 10:00 the team is closed, back the Saturday after at 22:00.
    time.advance(7 * 24 * HOUR + 8 * HOUR); // 2026-11-01 10:00 GMT
    expect(await awayFor('447900000004@c.us')).toEqual(['We are closed; back Sat 22:00.']);
  });

  it('does not count an automatic reply as a response: the conversation keeps waiting for the team', async () => {
    time = manualClock('2026-11-28T10:00:00Z');
    const t = await start();
    await configure(t);
    await exchange(t, { from: ANA, content: text('Hi') });
    expect(sentTo(t, ANA)).toHaveLength(1);
    const conversation = (await t.app.deps.repos.contacts.findByWaId(ANA))!.conversation!;
    expect(conversation.status).toBe('open');
    expect(conversation.firstResponseAt).toBeUndefined();
    expect(conversation.waitingSince).toEqual(new Date('2026-11-28T10:00:00Z'));
  });

  it('answers HELP and INFO (any case, other languages) with the help text, open or closed, and never changes consent', async () => {
    const t = await start();
    await configure(t);
    await exchange(t, { from: ANA, content: text('hello') }); // the greeting
    time.advance(HOUR);
    await exchange(t, { from: ANA, content: text('HELP') });
    expect(sentTo(t, ANA).slice(1)).toEqual(['Acme Bikes support. Reply STOP to opt out.']);
    expect((await t.app.deps.repos.contacts.findByWaId(ANA))!.consent.status).toBe('unknown');
    time.advance(HOUR);
    await exchange(t, { from: BO, content: text('Ayuda!') });
    expect(sentTo(t, BO)).toEqual(['Acme Bikes support. Reply STOP to opt out.']);
    expect(notices(t).some((n) => /auto-reply: HELP/.test(n))).toBe(true);
  });

  it('never answers STOP, START or YES, even while closed, and sends an opted-out contact nothing but the confirmation', async () => {
    time = manualClock('2026-11-28T10:00:00Z');
    const t = await start();
    await configure(t);
    await exchange(t, { from: ANA, content: text('STOP') });
    expect(sentTo(t, ANA)).toEqual([t.app.deps.config.bridge.optOutConfirmation]);
    time.advance(13 * HOUR);
    await exchange(t, { from: ANA, content: text('HELP') });
    await exchange(t, { from: ANA, content: text('are you open?') });
    expect(sentTo(t, ANA)).toEqual([t.app.deps.config.bridge.optOutConfirmation]);
    await exchange(t, { from: ANA, content: text('START') });
    // START gets the opt-in request (consent's own answer), never an away message.
    expect(sentTo(t, ANA)).toEqual([t.app.deps.config.bridge.optOutConfirmation, t.app.deps.config.bridge.optInRequest]);
  });

  it('with every automatic reply switched off (the default for greeting and away), sends nothing', async () => {
    time = manualClock('2026-11-28T10:00:00Z');
    const t = await start();
    await configure(t, { ...DEFAULT_AUTO_REPLIES, help: { ...DEFAULT_AUTO_REPLIES.help, enabled: false } });
    await exchange(t, { from: ANA, content: text('Hi') }, { from: ANA, content: text('HELP') });
    expect(sentTo(t, ANA)).toEqual([]);
    expect(notices(t)).toEqual([]);
  });

  it('when the store fails right after the claim, then the reply is still stored and sent once', async () => {
    time = manualClock('2026-11-28T10:00:00Z');
    let failOnce = true;
    const t = await start({
      wrapRepositories: (repos) => ({
        ...repos,
        messages: new Proxy(repos.messages, {
          get(target, key) {
            const value = Reflect.get(target, key) as unknown;
            if (key !== 'recordOutboundOnce' || typeof value !== 'function') return value;
            return (...args: unknown[]) => {
              if (failOnce) {
                failOnce = false;
                return Promise.reject(new Error('connection lost'));
              }
              return (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
            };
          },
        }),
      }),
    });
    await configure(t);
    await exchange(t, { from: ANA, content: text('Hi') });
    // The recorder retries the message after its backoff; the sweep would also find the debt.
    time.advance(2 * 60_000);
    await t.app.bridge.sweep();
    await t.app.bridge.recorded();
    await t.app.bridge.toWhatsApp.runDue();
    expect(failOnce).toBe(false);
    expect(sentTo(t, ANA)).toEqual(['We are closed; back Mon 09:00.']);
    await t.app.bridge.sweep();
    await t.app.bridge.toWhatsApp.runDue();
    expect(sentTo(t, ANA)).toHaveLength(1);
  });

  it('when two instances answer the same message, or two messages at once, then the contact gets one reply', async () => {
    time = manualClock('2026-11-28T10:00:00Z');
    const dbName = uniqueDbName('away2');
    const a = await start({ dbName, keepDb: true });
    const b = await start({ dbName });
    await configure(a);
    const contact = await a.app.deps.repos.contacts.recordInbound({ waId: ANA, name: 'Ana', at: time.clock() });
    const replier = (t: TestApp) =>
      createAutoReplier({
        autoReplies: t.app.deps.repos.autoReplies,
        messages: t.app.deps.repos.messages,
        contacts: t.app.deps.repos.contacts,
        settings: t.app.deps.repos.settings,
        ...t.app.deps.config.autoReplies,
        timeZone: 'UTC',
        isConsentKeyword: () => false,
        isHelpKeyword: () => false,
        wakeSlack: () => undefined,
        wakeWhatsApp: () => undefined,
        clock: time.clock,
        logger: t.app.deps.logger,
      });
    const message = { id: 'wamid.SAME', at: time.clock() };
    await Promise.all([replier(a).answer(contact, message, message.at), replier(b).answer(contact, message, message.at), replier(b).answer(contact, { id: 'wamid.OTHER', at: time.clock() }, message.at)]);
    const queued = (await a.app.deps.repos.messages.unfinished('outbound', ANA, 10)).filter((m) => m.purpose === 'auto_reply');
    expect(queued.map((m) => m.body)).toEqual(['We are closed; back Mon 09:00.']);
  });
});
