import { SIGNING_SECRET, startTestApp, type TestApp } from '../../support/app-harness';
import { eventually, manualClock, receiveAndMirror } from '../../support/bridge-helpers';
import { useFakeSlackApi } from '../../support/slack/fake-slack-api';
import { messageEventEnvelope } from '../../support/slack/payloads';
import { postEvent, postSlashCommand } from '../../support/slack/signed-request';

const PHONE_ID = '447911123456@c.us';
const LID = '123456789012345@lid';

/**
 * One person, two WhatsApp ids (phone and @lid), first seen as two contacts: an opt-out under one
 * covers the other. Real app, store and Slack API; the fake WhatsApp says which ids go together.
 */
describe("consent across a person's two WhatsApp ids", () => {
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

  const contact = async (waId: string) => (await t.app.deps.repos.contacts.findByWaId(waId))!;
  const text = (s: string) => ({ kind: 'text' as const, text: s });

  it('when someone who opted out writes again from their other id, then that contact starts opted out, the ledger says why, and a reply there is refused', async () => {
    await receiveAndMirror(t, { from: PHONE_ID, pushName: 'Ana Lima', content: text('STOP') });
    expect((await contact(PHONE_ID)).consent.status).toBe('opted_out');
    time.advance(60_000);
    await receiveAndMirror(t, { from: LID, alias: PHONE_ID, pushName: 'Ana Lima', content: text('hello again') });
    expect((await contact(LID)).consent).toMatchObject({ status: 'opted_out', source: `alias:${PHONE_ID}` });
    expect((await contact(LID)).aliasWaId).toBe(PHONE_ID);
    expect(await t.app.deps.repos.consentLedger.listForContact(LID)).toEqual([
      expect.objectContaining({ type: 'opt_out', source: 'whatsapp:alias', actor: 'system', evidence: `the same person opted out as ${PHONE_ID}` }),
    ]);

    const thread = (await contact(LID)).slack!;
    await postEvent(t.baseUrl, SIGNING_SECRET, messageEventEnvelope({ text: 'Hi Ana!', channel: thread.channel, threadTs: thread.threadTs, ts: '1800000100.000001' }));
    await eventually(async () => (await t.app.deps.repos.messages.findBySlackMessage(thread.channel, '1800000100.000001')) !== null, 'the reply recorded');
    await t.app.bridge.toWhatsApp.runDue();
    expect(t.gateway.sent.filter((s) => s.chatId === LID)).toEqual([]);
  });

  it('when a person known under both ids opts out under one, then the other is opted out too, with one confirmation', async () => {
    await receiveAndMirror(t, { from: PHONE_ID, content: text('hi') });
    await receiveAndMirror(t, { from: LID, alias: PHONE_ID, content: text('hi from the other id') });
    expect((await contact(LID)).consent.status).toBe('unknown');
    expect((await contact(PHONE_ID)).aliasWaId).toBe(LID); // linked both ways
    await receiveAndMirror(t, { from: PHONE_ID, content: text('STOP') });
    await t.app.bridge.toWhatsApp.runDue();
    expect((await contact(LID)).consent).toMatchObject({ status: 'opted_out', source: `alias:${PHONE_ID}` });
    expect(t.gateway.sent.map((s) => s.chatId)).toEqual([PHONE_ID]); // the confirmation, once
    expect((await t.app.deps.repos.consentLedger.listForContact(LID))[0]).toMatchObject({ type: 'opt_out', evidence: `the same person opted out as ${PHONE_ID}` });
  });

  it('when a number was erased, then the same person writing from their other id starts opted out', async () => {
    await receiveAndMirror(t, { from: PHONE_ID, content: text('hi') });
    await t.app.deps.repos.contacts.erase(PHONE_ID, time.clock());
    time.advance(60_000);
    await receiveAndMirror(t, { from: LID, alias: PHONE_ID, content: text('hello') });
    expect((await contact(LID)).consent).toMatchObject({ status: 'opted_out', source: 'suppressed:erased' });
  });

  it('when a lead forgets a person known under both ids, then both contacts and their messages are erased', async () => {
    await t.stop();
    t = await startTestApp({ SLACK_LEADS: 'U0LEAD01' }, { slack, clock: time.clock });
    await receiveAndMirror(t, { from: PHONE_ID, content: text('hi') });
    await receiveAndMirror(t, { from: LID, alias: PHONE_ID, content: text('hi from the other id') });
    await postSlashCommand(t.baseUrl, SIGNING_SECRET, { text: 'forget +447911123456', user_id: 'U0LEAD01', response_url: slack.responseUrl('forget-both') });
    expect(String((await slack.waitForResponse((p) => p.id === 'forget-both')).body.text)).toMatch(/erased \(under both their WhatsApp ids\): profile, 2 messages and held files/);
    expect(await t.app.deps.repos.contacts.findByWaId(PHONE_ID)).toBeNull();
    expect(await t.app.deps.repos.contacts.findByWaId(LID)).toBeNull();
    expect(await t.app.deps.repos.contacts.erasedAt([PHONE_ID, LID])).toEqual(new Map([[PHONE_ID, time.clock()], [LID, time.clock()]]));
  });

  it('when WhatsApp links the ids only later, then the other id is opted out at its next message', async () => {
    await receiveAndMirror(t, { from: LID, content: text('hi, first from the other id') }); // no alias known yet
    await receiveAndMirror(t, { from: PHONE_ID, content: text('STOP') });
    expect((await contact(LID)).consent.status).toBe('unknown');
    time.advance(60_000);
    await receiveAndMirror(t, { from: LID, alias: PHONE_ID, content: text('still there?') });
    expect((await contact(LID)).consent).toMatchObject({ status: 'opted_out', source: `alias:${PHONE_ID}` });
    expect((await t.app.deps.repos.consentLedger.listForContact(LID))[0]).toMatchObject({ type: 'opt_out', source: 'whatsapp:alias' });
  });

  it('when one id opted out but its twin was not (a crash in between), then a reply to the twin is refused on the spot, and the next STOP mends it', async () => {
    await receiveAndMirror(t, { from: PHONE_ID, content: text('hi') });
    await receiveAndMirror(t, { from: LID, alias: PHONE_ID, content: text('hi from the other id') });
    // As a crash right after the first write of the opt-out would leave it.
    await t.app.deps.repos.contacts.setConsent(PHONE_ID, { status: 'opted_out', since: time.clock(), source: 'keyword:STOP' });
    const thread = (await contact(LID)).slack!;
    await postEvent(t.baseUrl, SIGNING_SECRET, messageEventEnvelope({ text: 'A reply to the twin', channel: thread.channel, threadTs: thread.threadTs, ts: '1800000200.000001' }));
    await eventually(async () => (await t.app.deps.repos.messages.findBySlackMessage(thread.channel, '1800000200.000001')) !== null, 'the reply recorded');
    await t.app.bridge.toWhatsApp.runDue();
    expect(t.gateway.sent).toEqual([]);
    expect(await t.app.deps.repos.messages.findBySlackMessage(thread.channel, '1800000200.000001')).toMatchObject({ delivery: { state: 'blocked', lastError: expect.stringContaining(`opted out as ${PHONE_ID}`) } });
    await slack.waitFor('chat.postEphemeral', (c) => String(c.args.text).includes(`opted out as ${PHONE_ID}`));

    await receiveAndMirror(t, { from: PHONE_ID, content: text('STOP') });
    expect((await contact(LID)).consent).toMatchObject({ status: 'opted_out', source: `alias:${PHONE_ID}` });
  });

  it('when the ids are not known to go together, then each keeps its own consent', async () => {
    await receiveAndMirror(t, { from: PHONE_ID, content: text('STOP') });
    await receiveAndMirror(t, { from: LID, content: text('hello') });
    expect((await contact(LID)).consent.status).toBe('unknown');
  });
});
