import { SIGNING_SECRET, startTestApp, type TestApp } from '../../support/app-harness';
import { eventually, manualClock, receiveAndMirror, threadPosts } from '../../support/bridge-helpers';
import { messageEventEnvelope } from '../../support/slack/payloads';
import { postEvent } from '../../support/slack/signed-request';
import { useFakeSlackApi } from '../../support/slack/fake-slack-api';

const ANA = '447911123456@c.us';
let tsSeq = 0;
const nextSlackTs = () => `1800000000.${String(++tsSeq).padStart(6, '0')}`;

/** Slack → WhatsApp, and consent, through signed events against the real app. */
describe('outbound replies and the consent gate', () => {
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

  /** Ana writes first, so a thread exists; returns it. */
  async function conversation(from = ANA) {
    await receiveAndMirror(t, { from, content: { kind: 'text', text: 'Hi, question about my order' } });
    const contact = await t.app.deps.repos.contacts.findByWaId(from);
    return contact!.slack!;
  }

  /** An agent types in the thread; resolves once the app has taken the event in (or ignored it). */
  async function agentReplies(thread: { channel: string; threadTs: string }, text: string, extra: { ts?: string; botId?: string; retry?: boolean; subtype?: string } = {}) {
    const ts = extra.ts ?? nextSlackTs();
    const envelope = messageEventEnvelope({
      text,
      channel: thread.channel,
      threadTs: thread.threadTs,
      ts,
      ...(extra.botId ? { botId: extra.botId } : {}),
      ...(extra.subtype ? { subtype: extra.subtype } : {}),
    });
    const res = await postEvent(t.baseUrl, SIGNING_SECRET, envelope, extra.retry ? { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } } : {});
    expect(res.status).toBe(200);
    return ts;
  }

  /** Outbound rows in any state: the listener has taken a reply in (a wake-up may already have sent it). */
  async function outboundRecorded(n: number) {
    await eventually(async () => Object.values(await t.app.deps.repos.messages.countByState('outbound')).reduce((a, b) => a + (b ?? 0), 0) >= n, `${n} outbound rows`);
  }

  async function sendDue() {
    await t.app.bridge.toWhatsApp.runDue();
  }

  it('when an agent replies in the thread, then WhatsApp gets it, and the reply shows sent, delivered and read', async () => {
    const thread = await conversation();
    const ts = await agentReplies(thread, 'Hello *Ana*, it ships today &amp; arrives <https://track.example/1|tomorrow>');
    await outboundRecorded(1);
    await sendDue();
    expect(t.gateway.sent).toEqual([expect.objectContaining({ kind: 'text', chatId: ANA, text: 'Hello *Ana*, it ships today & arrives tomorrow (https://track.example/1)' })]);
    const reactions = () => slack.callsTo('reactions.add').filter((c) => c.args.timestamp === ts).map((c) => c.args.name);
    expect(reactions()).toEqual(['heavy_check_mark']);
    t.gateway.ack(t.gateway.sent[0]!.id!, 'device');
    t.gateway.ack(t.gateway.sent[0]!.id!, 'read');
    t.gateway.ack(t.gateway.sent[0]!.id!, 'device'); // late and out of order: ignored
    await eventually(() => reactions().length === 3, 'delivery reactions');
    expect(reactions()).toEqual(['heavy_check_mark', 'ballot_box_with_check', 'eyes']);
  });

  it('when a reply is an internal note, a bot message, outside a conversation thread or a retried event, then nothing extra reaches WhatsApp', async () => {
    const thread = await conversation();
    await agentReplies(thread, '// she called twice already, be nice');
    await agentReplies(thread, 'automated digest', { botId: 'B0OTHER' });
    await agentReplies(thread, 'someone joined', { subtype: 'channel_join' });
    await agentReplies({ channel: thread.channel, threadTs: '1700000000.999999' }, 'a thread about something else');
    const once = await agentReplies(thread, 'only once');
    await agentReplies(thread, 'only once', { ts: once, retry: true });
    await agentReplies(thread, 'only once', { ts: once });
    await outboundRecorded(1);
    await sendDue();
    expect(t.gateway.sent.map((s) => s.text)).toEqual(['only once']);
    expect(await t.app.deps.repos.messages.countByState('outbound')).toEqual({ sent: 1 });
  });

  it('when an agent also sends the reply to the channel, then it still goes to WhatsApp', async () => {
    const thread = await conversation();
    await agentReplies(thread, 'broadcast reply', { subtype: 'thread_broadcast' });
    await outboundRecorded(1);
    await sendDue();
    expect(t.gateway.sent.map((s) => s.text)).toEqual(['broadcast reply']);
  });

  it('when an instance crashed right after sending a reply, then the next one finds it in the chat and does not send it again', async () => {
    const thread = await conversation();
    await t.app.bridge.toWhatsApp.stop(); // this instance stands aside; the "crashed" one acts below
    const ts = await agentReplies(thread, 'Refund approved');
    const lost = await agentReplies(thread, 'Anything else?');
    await outboundRecorded(2);
    const repo = t.app.deps.repos.messages;
    // The crashed instance: claimed the first reply, sent it, died before recording it; claimed nothing else.
    const claim = await repo.claimHead('outbound', ANA, time.clock(), 60_000);
    expect(claim?.message.slack?.ts).toBe(ts);
    await t.gateway.sendText(ANA, 'Refund approved');
    time.advance(61_000);
    t.app.bridge.toWhatsApp.start();
    await sendDue();
    expect(t.gateway.sent.map((s) => s.text)).toEqual(['Refund approved', 'Anything else?']);
    expect(await repo.findBySlackMessage(thread.channel, ts)).toMatchObject({ waMessageId: t.gateway.sent[0]!.id, delivery: { state: 'sent' } });
    expect(await repo.findBySlackMessage(thread.channel, lost)).toMatchObject({ delivery: { state: 'sent' } });
  });

  it('when a send fails after WhatsApp took the message, then the retry finds it in the chat and does not send it again', async () => {
    const thread = await conversation();
    t.gateway.loseNextAnswer();
    const ts = await agentReplies(thread, 'Your refund is on its way');
    await outboundRecorded(1);
    await sendDue();
    expect(await t.app.deps.repos.messages.findBySlackMessage(thread.channel, ts)).toMatchObject({ delivery: { state: 'pending', attempts: 1 } });
    time.advance(10 * 60_000);
    await sendDue();
    expect(t.gateway.sent.filter((s) => s.kind === 'text').map((s) => s.text)).toEqual(['Your refund is on its way']);
    expect(await t.app.deps.repos.messages.findBySlackMessage(thread.channel, ts)).toMatchObject({ waMessageId: t.gateway.sent[0]!.id, delivery: { state: 'sent' } });
  });

  it('when an instance crashed before its send went out, then the reclaimed reply is sent, once', async () => {
    const thread = await conversation();
    await t.app.bridge.toWhatsApp.stop();
    await agentReplies(thread, 'Refund approved');
    await outboundRecorded(1);
    await t.app.deps.repos.messages.claimHead('outbound', ANA, time.clock(), 60_000);
    time.advance(61_000);
    t.app.bridge.toWhatsApp.start();
    await sendDue();
    expect(t.gateway.sent.map((s) => s.text)).toEqual(['Refund approved']);
  });

  it('when WhatsApp is disconnected, then replies wait in order and go out after it reconnects', async () => {
    const thread = await conversation();
    t.gateway.setState('disconnected', 'phone offline');
    await agentReplies(thread, 'one');
    await agentReplies(thread, 'two');
    await eventually(async () => (await t.app.deps.repos.messages.countByState('outbound')).pending === 2, 'both queued');
    await sendDue();
    expect(t.gateway.sent).toHaveLength(0);
    t.gateway.setState('connected');
    time.advance(15_000);
    await sendDue();
    expect(t.gateway.sent.map((s) => s.text)).toEqual(['one', 'two']);
  });

  it('when a contact sends STOP, then they are opted out once, get one confirmation, and nothing else from any path — queued or new', async () => {
    const thread = await conversation();
    t.gateway.setState('disconnected');
    await agentReplies(thread, 'queued before the opt-out');
    await eventually(async () => (await t.app.deps.repos.messages.countByState('outbound')).pending === 1, 'queued');

    await receiveAndMirror(t, { from: ANA, content: { kind: 'text', text: '  Stop! ' } });
    await receiveAndMirror(t, { from: ANA, content: { kind: 'text', text: 'STOP' } }); // repeated: no second confirmation
    const contact = await t.app.deps.repos.contacts.findByWaId(ANA);
    expect(contact!.consent).toMatchObject({ status: 'opted_out', source: 'keyword:STOP!' });
    const ledger = await t.app.deps.repos.consentLedger.listForContact(ANA);
    expect(ledger.map((e) => [e.type, e.source, e.actor, e.evidence])).toEqual([['opt_out', 'whatsapp:keyword', 'contact', 'Stop!']]);
    const banner = threadPosts(t).find((c) => String(c.args.text).includes('Stop!'));
    expect(JSON.stringify(banner!.args.blocks)).toContain('Opted out');

    t.gateway.setState('connected');
    time.advance(60_000);
    await sendDue();
    // Only the confirmation left; the reply queued earlier was stopped at the gate.
    expect(t.gateway.sent.map((s) => s.text)).toEqual([t.app.deps.config.bridge.optOutConfirmation]);
    await eventually(() => threadPosts(t).some((c) => String(c.args.text).startsWith(':warning: Not delivered')), 'the failure shown in the thread');

    // A new reply: refused on the spot, privately, with date and source; a reaction and an audit entry.
    const ts = await agentReplies(thread, 'are you sure?');
    const ephemeral = await slack.waitFor('chat.postEphemeral');
    expect(ephemeral.args).toMatchObject({ channel: thread.channel, user: 'U0AGENT' });
    expect(String(ephemeral.args.text)).toMatch(/the contact opted out on 2026-11-25 via keyword:STOP!; not sent/);
    await slack.waitFor('reactions.add', (c) => c.args.timestamp === ts && c.args.name === 'no_entry_sign');
    expect((await t.app.deps.repos.audit.recent(5)).map((a) => [a.action, a.outcome])).toContainEqual(['reply', 'refused']);
    time.advance(3600_000);
    await sendDue();
    expect(t.gateway.sent).toHaveLength(1);
  });

  it('when "stop" is only part of a message, then nothing changes', async () => {
    await conversation();
    await receiveAndMirror(t, { from: ANA, content: { kind: 'text', text: "please don't stop the delivery" } });
    expect((await t.app.deps.repos.contacts.findByWaId(ANA))!.consent.status).toBe('unknown');
  });

  it('when an opted-out contact sends START and then YES, then an opt-in request goes out and only YES opts them in', async () => {
    await conversation();
    await receiveAndMirror(t, { from: ANA, content: { kind: 'text', text: 'STOP' } });
    await receiveAndMirror(t, { from: ANA, content: { kind: 'text', text: 'yes' } }); // nothing pending: no effect
    expect((await t.app.deps.repos.contacts.findByWaId(ANA))!.consent.status).toBe('opted_out');
    await receiveAndMirror(t, { from: ANA, content: { kind: 'text', text: 'Start' } });
    expect((await t.app.deps.repos.contacts.findByWaId(ANA))!.consent.status).toBe('pending');
    await sendDue();
    expect(t.gateway.sent.map((s) => s.text)).toEqual([t.app.deps.config.bridge.optOutConfirmation, t.app.deps.config.bridge.optInRequest]);
    await receiveAndMirror(t, { from: ANA, content: { kind: 'text', text: 'Sí' } });
    expect((await t.app.deps.repos.contacts.findByWaId(ANA))!.consent).toMatchObject({ status: 'opted_in', source: 'reply:SÍ' });
    const types = (await t.app.deps.repos.consentLedger.listForContact(ANA)).map((e) => e.type).reverse();
    expect(types).toEqual(['opt_out', 'opt_in_requested', 'opt_in_confirmed']);
  });
});
