import { SIGNING_SECRET, startTestApp, type TestApp } from '../../support/app-harness';
import { eventually, manualClock, receiveAndMirror } from '../../support/bridge-helpers';
import { useFakeSlackApi } from '../../support/slack/fake-slack-api';
import { messageEventEnvelope, viewSubmissionPayload } from '../../support/slack/payloads';
import { postEvent, postInteraction } from '../../support/slack/signed-request';
import { setChannelMode } from '../../../src/workflow/channel-mode';

const ANA = '447911123456@c.us';
let seq = 0;
const nextTs = () => `1800000800.${String(++seq).padStart(6, '0')}`;

/** A lead switches a channel to notes-only while replies wait: the mode is asked again right before sending. */
describe('notes-only, asked again at send time', () => {
  const slack = useFakeSlackApi();
  let t: TestApp;
  let time: ReturnType<typeof manualClock>;
  let thread: { channel: string; threadTs: string };
  beforeEach(async () => {
    time = manualClock('2026-11-25T10:00:00Z');
    t = await startTestApp({ UNDO_SECONDS: '5', AGENT_SIGNATURE: 'first_name' }, { slack, clock: time.clock });
    await receiveAndMirror(t, { from: ANA, pushName: 'Ana Lima', content: { kind: 'text', text: 'Hi, where is my order?' } });
    thread = (await t.app.deps.repos.contacts.findByWaId(ANA))!.slack!;
  });
  afterEach(async () => {
    await t.stop();
  });

  const sentTexts = () => t.gateway.sent.map((s) => s.text);
  const outbound = () => eventually(async () => (await t.app.deps.repos.messages.countByState('outbound')).pending === 1, 'the reply recorded');
  const submitReply = (text: string) =>
    postInteraction(
      t.baseUrl,
      SIGNING_SECRET,
      viewSubmissionPayload({ callbackId: 'conv_reply_modal', privateMetadata: JSON.stringify({ waId: ANA }), userId: 'U0AGENT', values: { text: { value: { type: 'plain_text_input', value: text } } } }),
    );

  it('when a lead switches the channel to notes-only while a reply typed in the thread is held, then it is not sent, and the thread says why', async () => {
    await postEvent(t.baseUrl, SIGNING_SECRET, messageEventEnvelope({ text: 'Your order ships today', channel: thread.channel, threadTs: thread.threadTs, ts: nextTs() }));
    await outbound();
    await setChannelMode(t.app.deps.repos.settings, thread.channel, 'notes-only');
    time.advance(6_000);
    await t.app.bridge.toWhatsApp.runDue();
    expect(sentTexts()).toEqual([]);
    await slack.waitFor('chat.postMessage', (c) => /Not delivered to WhatsApp: .*notes-only/.test(String(c.args.text)));
    expect((await t.app.deps.repos.messages.countByState('outbound')).failed).toBe(1);
  });

  it('when a thread reply has waited past its intake record (kept 7 days after it was handled), then notes-only still keeps it in Slack', async () => {
    await t.stop();
    // WhatsApp was down for over a week: the intakes' TTL has removed the reply's record by send time.
    t = await startTestApp(
      { UNDO_SECONDS: '5' },
      { slack, clock: time.clock, wrapRepositories: (repos) => ({ ...repos, intakes: { ...repos.intakes, findByKey: async () => null } }) },
    );
    await receiveAndMirror(t, { from: ANA, pushName: 'Ana Lima', content: { kind: 'text', text: 'hello again?' } });
    thread = (await t.app.deps.repos.contacts.findByWaId(ANA))!.slack!;
    await postEvent(t.baseUrl, SIGNING_SECRET, messageEventEnvelope({ text: 'Your order ships today', channel: thread.channel, threadTs: thread.threadTs, ts: nextTs() }));
    await outbound();
    await setChannelMode(t.app.deps.repos.settings, thread.channel, 'notes-only');
    time.advance(8 * 86_400_000);
    await t.app.bridge.toWhatsApp.runDue();
    expect(sentTexts()).toEqual([]);
    await slack.waitFor('chat.postMessage', (c) => /Not delivered to WhatsApp: .*notes-only/.test(String(c.args.text)));
  });

  it('when the channel is switched to notes-only while a thread reply waits for its anti-ban slot, then it is not sent', async () => {
    await t.stop();
    const slots: Array<() => void> = [];
    t = await startTestApp({ UNDO_SECONDS: '0' }, { slack, clock: time.clock, sendThrottle: { sleep: () => new Promise<void>((resolve) => slots.push(resolve)), random: () => 0.5 } });
    await receiveAndMirror(t, { from: ANA, pushName: 'Ana Lima', content: { kind: 'text', text: 'hello again?' } });
    thread = (await t.app.deps.repos.contacts.findByWaId(ANA))!.slack!;
    await postEvent(t.baseUrl, SIGNING_SECRET, messageEventEnvelope({ text: 'Your order ships today', channel: thread.channel, threadTs: thread.threadTs, ts: nextTs() }));
    await eventually(() => slots.length === 1, 'the reply waiting for its slot');
    await setChannelMode(t.app.deps.repos.settings, thread.channel, 'notes-only');
    slots.shift()!();
    await slack.waitFor('chat.postMessage', (c) => /Not delivered to WhatsApp: .*notes-only/.test(String(c.args.text)));
    expect(sentTexts()).toEqual([]);
  });

  it('when the channel is switched to notes-only while a reply from the Reply modal is held, then it still goes: that is how notes-only channels answer', async () => {
    await submitReply('Your refund is on its way');
    await outbound();
    await setChannelMode(t.app.deps.repos.settings, thread.channel, 'notes-only');
    time.advance(6_000);
    await t.app.bridge.toWhatsApp.runDue();
    expect(sentTexts()).toEqual(['Your refund is on its way\n— User']);
  });

});
