import { ObjectId } from 'bson';
import { inboundConsent } from '../../../src/consent/inbound-consent';
import { createKeywordClassifier, defaultKeywordLists } from '../../../src/consent/keywords';
import type { NewInboundMessage } from '../../../src/domain/message';
import { startTestApp, type TestApp } from '../../support/app-harness';
import { manualClock, receiveAndMirror, threadPosts } from '../../support/bridge-helpers';
import { useTestDb } from '../../support/mongo';
import { useRepositories } from '../../support/repositories';
import { useFakeSlackApi } from '../../support/slack/fake-slack-api';

const ANA = '447911123456@c.us';
const REQUEST_ID = 'true_447911123456@c.us_REQUEST';
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const EXPIRY_DAYS = 7;
let seq = 0;

/**
 * Which YES is consent: only the answer to the opt-in request (quoting it, or the contact's first
 * message after WhatsApp accepted it, within the window). The consent step over real repositories.
 */
describe('a YES counts only as the answer to the opt-in request', () => {
  const db = useTestDb();
  const time = manualClock('2026-11-25T10:00:00Z');
  const repos = useRepositories(db, time.clock, ['contacts', 'messages', 'consent_events']);
  const consent = () =>
    inboundConsent({
      contacts: repos.contacts,
      ledger: repos.consentLedger,
      messages: repos.messages,
      classify: createKeywordClassifier(defaultKeywordLists()),
      wording: { optOutConfirmation: 'Unsubscribed.', optInRequest: 'Reply YES to receive messages from us again.' },
      answerWindowMs: 24 * HOUR,
      optInExpiryMs: EXPIRY_DAYS * DAY,
      clock: time.clock,
    });

  /** Ana opted out, then wrote START: the request is queued, and (unless `sent` is false) WhatsApp accepted it `sentAfterMs` later. */
  async function requestPending({ sent = true, sentAfterMs = 60_000 } = {}) {
    await repos.contacts.recordInbound({ waId: ANA, at: time.clock() });
    await repos.messages.recordInbound({ waMessageId: `false_${ANA}_START${++seq}`, contactWaId: ANA, kind: 'text', body: 'START', at: time.clock() });
    await repos.contacts.setConsent(ANA, { status: 'pending', since: time.clock(), source: 'keyword:START', before: 'opted_out' });
    const { message } = await repos.messages.recordOutbound({ contactWaId: ANA, body: 'Reply YES to receive messages from us again.', purpose: 'opt_in_request', at: time.clock(), state: 'pending' });
    time.advance(sentAfterMs);
    // What the WhatsApp deliverer records once WhatsApp took it (set here directly: the claim is not under test).
    if (sent) await db.db.collection('messages').updateOne({ _id: new ObjectId(message.id) }, { $set: { waMessageId: REQUEST_ID, sentAt: time.clock(), 'delivery.state': 'sent' } });
  }

  /**
   * Ana writes `text` (stored first, as the inbound path does); returns the consent step's banner.
   * `writtenAt`: WhatsApp's time of the message, when it is handled later (the catch-up); now by default.
   */
  async function anaWrites(text: string, extra: Pick<NewInboundMessage, 'quoted'> & { writtenAt?: Date } = {}) {
    const { writtenAt = time.clock(), quoted } = extra;
    const waMessageId = `false_${ANA}_IN${++seq}`;
    await repos.contacts.recordInbound({ waId: ANA, at: writtenAt });
    await repos.messages.recordInbound({ waMessageId, contactWaId: ANA, kind: 'text', body: text, at: writtenAt, ...(quoted ? { quoted } : {}) });
    const contact = (await repos.contacts.findByWaId(ANA))!;
    return consent()(contact, { text, waMessageId, at: writtenAt, ...(quoted ? { quotedId: quoted.id } : {}) });
  }
  /** A row in Ana's conversation that is not her writing: a notice of ours, or our message sent from the phone. */
  const storedNotByAna = (extra: Partial<NewInboundMessage>) =>
    repos.messages.recordInbound({ waMessageId: `x_${++seq}`, contactWaId: ANA, kind: 'text', at: time.clock(), ...extra });
  const status = async () => (await repos.contacts.findByWaId(ANA))!.consent.status;
  const confirmations = async () => (await repos.consentLedger.listForContact(ANA)).filter((e) => e.type === 'opt_in_confirmed');

  it('when YES is the first message after the request went out, then they are opted in, and the ledger keeps the request id with their words', async () => {
    await requestPending();
    time.advance(2 * HOUR);
    expect(await anaWrites('Yes')).toMatch(/Opted in/);
    expect(await status()).toBe('opted_in');
    const [entry] = await confirmations();
    expect(entry!.evidence).toContain('Yes');
    expect(entry!.evidence).toContain(REQUEST_ID);
  });

  it('when YES answers something else after another message, then it is an ordinary message: no consent, no banner', async () => {
    await requestPending();
    await anaWrites('Is my parcel with you?');
    time.advance(60_000);
    expect(await anaWrites('Yes')).toBeUndefined();
    expect(await status()).toBe('pending');
    expect(await confirmations()).toEqual([]);
  });

  it('when YES quotes the request, then it counts even after other messages and past the window', async () => {
    await requestPending();
    await anaWrites('Hello?');
    time.advance(30 * HOUR);
    expect(await anaWrites('YES', { quoted: { id: REQUEST_ID, text: 'Reply YES to receive messages from us again.' } })).toMatch(/Opted in/);
    expect(await status()).toBe('opted_in');
    expect((await confirmations())[0]!.evidence).toContain(REQUEST_ID);
  });

  it('when YES quotes another message, then it answers that message, not the request', async () => {
    await requestPending();
    expect(await anaWrites('Yes', { quoted: { id: 'true_447911123456@c.us_AGENTQUESTION' } })).toBeUndefined();
    expect(await status()).toBe('pending');
  });

  it('when the first message after the request is YES but comes after the window, then nothing changes', async () => {
    await requestPending();
    time.advance(24 * HOUR + 60_000);
    expect(await anaWrites('Yes')).toBeUndefined();
    expect(await status()).toBe('pending');
  });

  it('when YES arrives before WhatsApp accepted the request, then nothing changes', async () => {
    await requestPending({ sent: false });
    expect(await anaWrites('Yes')).toBeUndefined();
    expect(await status()).toBe('pending');
  });

  it('when only our own notices and phone messages sit between the request and YES, then YES is still the first answer', async () => {
    await requestPending();
    await storedNotByAna({ kind: 'notice', body: '', waMessageId: `notice:${ANA}:reopened` });
    await storedNotByAna({ body: 'We sent you a question above', fromPhone: true });
    time.advance(60_000);
    expect(await anaWrites('sí')).toMatch(/Opted in/);
  });

  it('when START, the request and YES all fall in one second (WhatsApp stamps to the second), then YES still answers the request', async () => {
    await requestPending({ sentAfterMs: 0 });
    expect(await anaWrites('YES')).toMatch(/Opted in/);
  });

  it('when YES quotes a request older than OPT_IN_EXPIRY_DAYS (the daily job not yet run), then the request has expired: no consent, and the agent is told why', async () => {
    await requestPending();
    time.advance(EXPIRY_DAYS * DAY);
    const banner = await anaWrites('YES', { quoted: { id: REQUEST_ID, text: 'Reply YES to receive messages from us again.' } });
    expect(banner).toMatch(/expired/);
    expect(banner).not.toMatch(/Opted in/);
    expect(await status()).toBe('pending');
    expect(await confirmations()).toEqual([]);
  });

  it('when YES was written before the request expired but is handled after (the catch-up), then it counts: judged by when it was written', async () => {
    await requestPending();
    time.advance(EXPIRY_DAYS * DAY - 2 * HOUR);
    const writtenAt = time.clock();
    time.advance(3 * HOUR);
    expect(await anaWrites('YES', { quoted: { id: REQUEST_ID, text: 'Reply YES to receive messages from us again.' }, writtenAt })).toMatch(/Opted in/);
  });

  it('when YES is handled hours after it was written, then consent and its ledger entry carry the time it was written, and a message written just after it is a reply', async () => {
    await requestPending();
    time.advance(HOUR);
    const writtenAt = time.clock();
    // The catch-up brings YES and the message after it in three hours late.
    time.advance(3 * HOUR);
    expect(await anaWrites('Yes', { writtenAt })).toMatch(/Opted in/);
    await anaWrites('Thanks! When does the sale start?', { writtenAt: new Date(writtenAt.getTime() + 60_000) });
    const contact = (await repos.contacts.findByWaId(ANA))!;
    expect(contact.consent.since).toEqual(writtenAt);
    expect((await confirmations())[0]!.at).toEqual(writtenAt);
    // Well past the no-reply period: she did reply after opting in, so she is not flagged.
    time.advance(30 * DAY);
    const flagged = await repos.hygiene.flagInactive({ inactiveBefore: new Date(0), inactiveDays: 90, optedInBefore: new Date(time.clock().getTime() - 14 * DAY), noReplyDays: 14, now: time.clock() });
    expect(flagged.noReply).toBe(0);
  });

  it('when the same YES is handled twice (a retry), then the ledger has one confirmation', async () => {
    await requestPending();
    const waMessageId = `false_${ANA}_RETRY`;
    await repos.messages.recordInbound({ waMessageId, contactWaId: ANA, kind: 'text', body: 'YES', at: time.clock() });
    const contact = (await repos.contacts.findByWaId(ANA))!;
    await consent()(contact, { text: 'YES', waMessageId, at: time.clock() });
    await consent()(contact, { text: 'YES', waMessageId, at: time.clock() });
    expect(await confirmations()).toHaveLength(1);
  });
});

/** Through the app: the fake WhatsApp delivers the messages, quoting as a phone would (the recorder hands consent the whole message, quoted id included). */
describe('opt-in answers through the app', () => {
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
  const text = (s: string) => ({ kind: 'text' as const, text: s });
  const status = async () => (await t.app.deps.repos.contacts.findByWaId(ANA))!.consent.status;

  it('when an agent asks a question and the contact answers YES after their request went out, then only a YES quoting the request opts them in', async () => {
    await receiveAndMirror(t, { from: ANA, content: text('STOP') });
    await receiveAndMirror(t, { from: ANA, content: text('START') });
    await t.app.bridge.toWhatsApp.runDue();
    const request = t.gateway.sent.find((s) => s.text === t.app.deps.config.bridge.optInRequest)!;
    expect(request).toBeDefined();
    time.advance(60_000);
    await receiveAndMirror(t, { from: ANA, content: text('Can I still return my order?') });
    time.advance(60_000);
    await receiveAndMirror(t, { from: ANA, content: text('Yes') });
    expect(await status()).toBe('pending');
    expect(threadPosts(t).filter((c) => JSON.stringify(c.args.blocks ?? '').includes('Opted in'))).toEqual([]);
    time.advance(60_000);
    await receiveAndMirror(t, { from: ANA, content: text('YES'), quoted: { id: request.id!, text: request.text } });
    expect(await status()).toBe('opted_in');
    expect(JSON.stringify(threadPosts(t).at(-1)!.args.blocks)).toContain('Opted in');
  });
});
