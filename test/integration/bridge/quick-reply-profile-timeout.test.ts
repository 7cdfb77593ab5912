import { SIGNING_SECRET, startTestApp, type TestApp } from '../../support/app-harness';
import { eventually, manualClock, receiveAndMirror } from '../../support/bridge-helpers';
import { useFakeSlackApi } from '../../support/slack/fake-slack-api';
import { messageEventEnvelope, viewSubmissionPayload } from '../../support/slack/payloads';
import { postEvent, postInteraction } from '../../support/slack/signed-request';

const ANA = '447911123456@c.us';
/**
 * Longer than the lookup may take (3 s), shorter than Slack's hang (20 s): a reply that waited for
 * the profile would say "Slow Sam"; "our team" is the proof it did not, whatever the machine's load.
 */
const IN_TIME_MS = 15_000;

/**
 * A quick reply fills `{{agent}}` from the agent's Slack profile. When Slack does not answer that
 * lookup, the reply is not held for it: it goes with a neutral "our team", never a Slack user id.
 */
describe('a quick reply when Slack does not answer who the agent is', () => {
  const slack = useFakeSlackApi();
  let t: TestApp;
  let thread: { channel: string; threadTs: string };
  beforeEach(async () => {
    t = await startTestApp({}, { slack, clock: manualClock('2026-11-25T10:00:00Z').clock });
    await t.app.deps.repos.quickReplies.create({ shortcut: 'hello', body: 'Hi {{first_name}}, this is {{agent}}.', author: 'U0LEAD01' });
    await receiveAndMirror(t, { from: ANA, pushName: 'Ana Lima', content: { kind: 'text', text: 'hi' } });
    thread = (await t.app.deps.repos.contacts.findByWaId(ANA))!.slack!;
  });
  afterEach(async () => {
    await t.stop();
  });

  /** Slack takes 20 s over every profile lookup (it would answer "Slow Sam" by then). */
  const profilesHang = () => slack.respond('users.info', () => ({ body: { ok: true, user: { id: 'U0AGENT', profile: { display_name: 'Slow Sam' } } }, delayMs: 20_000 }));

  it('when users.info hangs, then a !shortcut typed in the thread is sent with "our team" for the agent, without waiting for Slack', async () => {
    profilesHang();
    await postEvent(t.baseUrl, SIGNING_SECRET, messageEventEnvelope({ text: '!hello', channel: thread.channel, threadTs: thread.threadTs, ts: '1800000900.000001' }));
    await eventually(() => t.gateway.sent.length === 1, 'the quick reply sent', IN_TIME_MS);
    expect(t.gateway.sent[0]!.text).toBe('Hi Ana, this is our team.');
  });

  it('when users.info hangs, then a quick reply picked on the card is queued with "our team" for the agent, without waiting for Slack', async () => {
    profilesHang();
    await postInteraction(
      t.baseUrl,
      SIGNING_SECRET,
      viewSubmissionPayload({
        callbackId: 'card_quick_reply_modal',
        privateMetadata: JSON.stringify({ waId: ANA }),
        userId: 'U0AGENT',
        values: { qr: { pick: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: '!hello' }, value: 'hello' } } } },
      }),
    );
    // Queued (a wake-up may already have sent it): what matters is the words, below.
    await eventually(async () => Object.values(await t.app.deps.repos.messages.countByState('outbound')).some((n) => (n ?? 0) > 0), 'the quick reply queued', IN_TIME_MS);
    await t.app.bridge.toWhatsApp.runDue();
    expect(t.gateway.sent.map((s) => s.text)).toEqual(['Hi Ana, this is our team.']);
  });

  it('when users.info answers, then the agent\'s display name fills {{agent}}', async () => {
    await postEvent(t.baseUrl, SIGNING_SECRET, messageEventEnvelope({ text: '!hello', channel: thread.channel, threadTs: thread.threadTs, ts: '1800000900.000002' }));
    await eventually(() => t.gateway.sent.length === 1, 'the quick reply sent');
    expect(t.gateway.sent[0]!.text).toMatch(/^Hi Ana, this is user-U/);
  });
});
