import { SIGNING_SECRET, startTestApp, type TestApp } from '../../support/app-harness';
import { manualClock, receiveAndMirror } from '../../support/bridge-helpers';
import { useFakeSlackApi } from '../../support/slack/fake-slack-api';
import { blockActionPayload, viewSubmissionPayload } from '../../support/slack/payloads';
import { postEvent, postInteraction, postSlashCommand } from '../../support/slack/signed-request';

/** App Home and /wa status show the same overview: WhatsApp, queues, consent totals, hygiene; Home's buttons answer like /wa. */
describe('App Home and status', () => {
  const slack = useFakeSlackApi();
  let t: TestApp;
  const time = manualClock();
  beforeEach(async () => {
    t = await startTestApp({}, { slack, clock: time.clock });
    await receiveAndMirror(t, { from: '447911123456@c.us', content: { kind: 'text', text: 'hi' } });
    t.gateway.setState('disconnected'); // the opt-out confirmation waits in the queue
    await receiveAndMirror(t, { from: '447700900001@c.us', content: { kind: 'text', text: 'STOP' } });
    await t.app.bridge.toWhatsApp.settled();
  });
  afterEach(async () => {
    await t.stop();
  });

  const homeOpened = () =>
    postEvent(t.baseUrl, SIGNING_SECRET, {
      token: 'legacy',
      team_id: 'T0TEAM',
      api_app_id: 'A0APP',
      type: 'event_callback',
      event_id: `EvHome${Date.now()}`,
      event_time: Math.floor(Date.now() / 1000),
      event: { type: 'app_home_opened', user: 'U0AGENT', channel: 'D0HOME', tab: 'home', event_ts: '1.2' },
    });

  it('when someone opens App Home, then it shows WhatsApp, both queues, consent totals and the last hygiene run; Refresh republishes', async () => {
    await homeOpened();
    const published = await slack.waitFor('views.publish');
    const text = JSON.stringify(published.args.view);
    expect(published.args.user_id).toBe('U0AGENT');
    expect(text).toContain('*WhatsApp*\\n:red_circle: disconnected since');
    expect(text).toContain('*Slack → WhatsApp*\\n1 waiting · 0 failed · 0 refused by consent'); // the opt-out confirmation
    expect(text).toContain('*Consent*\\n0 opted in · 0 pending · 1 opted out · 1 not asked');
    expect(text).toContain('*Last hygiene run*\\nnot yet');
    await postInteraction(t.baseUrl, SIGNING_SECRET, { ...blockActionPayload({ actionId: 'home_refresh' }), container: { type: 'view', view_id: 'V0HOME' } });
    await slack.waitFor('views.publish', (c) => c !== published);
  });

  const press = (actionId: string) =>
    postInteraction(t.baseUrl, SIGNING_SECRET, { ...blockActionPayload({ actionId }), trigger_id: `trig-${actionId}`, container: { type: 'view', view_id: 'V0HOME' } });
  const openedBy = async (actionId: string) => (await slack.waitFor('views.open', (c) => c.args.trigger_id === `trig-${actionId}`)).args.view as { callback_id?: string; title: { text: string } };
  const findContact = async (typed: string) => {
    const res = await postInteraction(
      t.baseUrl,
      SIGNING_SECRET,
      viewSubmissionPayload({ callbackId: 'home_find_contact_modal', privateMetadata: '', values: { contact: { query: { type: 'plain_text_input', value: typed } } } }),
    );
    expect(res.status).toBe(200);
    return JSON.parse(res.body) as { response_action: string; errors?: Record<string, string>; view?: { title: { text: string } } };
  };

  it('when App Home is shown, then it offers Find a contact, Quick replies, Labels and Refresh', async () => {
    await homeOpened();
    const published = await slack.waitFor('views.publish');
    const buttons = (published.args.view as { blocks: Array<{ type: string; elements?: Array<{ action_id: string }> }> }).blocks.find((b) => b.type === 'actions')!.elements!;
    expect(buttons.map((b) => b.action_id)).toEqual(['home_find_contact', 'home_quick_replies', 'home_labels', 'home_refresh']);
  });

  it('when an agent finds a contact from App Home, then a bad number or an unknown name is explained in the form, and a known contact shows its card', async () => {
    await press('home_find_contact');
    const form = await openedBy('home_find_contact');
    expect(form).toMatchObject({ callback_id: 'home_find_contact_modal', title: { text: 'Find a contact' } });

    expect(await findContact('+44 20 7946')).toEqual({
      response_action: 'errors',
      errors: { contact: '“+44 20 7946” is not a valid phone number — try the international form, e.g. +44 20 7946 0000' },
    });
    // The error slot shows plain text: the name comes back as typed, not as mrkdwn escapes.
    expect(await findContact('<!channel>')).toEqual({ response_action: 'errors', errors: { contact: "No contact's name starts with “<!channel>”." } });
    expect((await findContact('{"$gt":""}')).errors?.contact).toMatch(/^No contact's name starts with/);

    const found = await findContact('+44 7911 123456');
    expect(found).toMatchObject({ response_action: 'update', view: { type: 'modal', title: { text: 'Contact' } } });
    const card = JSON.stringify(found.view);
    expect(card).toContain('*Ana Lima* · +447911123456');
    expect(card).toContain('*Consent:* unknown');
    expect(card).toMatch(/\*Conversation:\* <https:\/\/test\.slack\.com\/archives\/[^|]+\|open the thread>/);
    // Both contacts here are called Ana Lima: a name that matches several asks for the number, as /wa contact does.
    expect((await findContact('ana')).errors?.contact).toMatch(/^Several contacts match “ana”: .*Use the phone number\.$/);
    expect(slack.callsTo('views.open')).toHaveLength(1); // the card replaces the form; nothing else opens
  });

  it('when an agent presses Quick replies or Labels in App Home, then a modal lists them as /wa qr list and /wa labels do', async () => {
    const { repos } = t.app.deps;
    await repos.quickReplies.create({ shortcut: 'thanks', body: 'Thanks {{first_name}} <3', author: 'U0LEAD01' });
    await repos.labels.create({ name: 'vip' });
    await repos.labels.setRoute('vip', 'C0VIPROOM');
    await repos.contacts.addLabels('447911123456@c.us', ['vip']);

    await press('home_quick_replies');
    const replies = await openedBy('home_quick_replies');
    expect(replies.title.text).toBe('Quick replies');
    expect(JSON.stringify(replies)).toContain('• `!thanks` — Thanks {{first_name}} &lt;3 _(used 0×)_');

    await press('home_labels');
    const labels = await openedBy('home_labels');
    expect(labels.title.text).toBe('Labels');
    expect(JSON.stringify(labels)).toContain('• `vip` — 1 contact → <#C0VIPROOM>');

    await postSlashCommand(t.baseUrl, SIGNING_SECRET, { text: 'labels', response_url: slack.responseUrl('labels') });
    const answer = String((await slack.waitForResponse((p) => p.id === 'labels')).body.text);
    expect(JSON.stringify(labels)).toContain(JSON.stringify(answer).slice(1, -1));
  });

  it('when replies were cancelled or deleted before sending and the last hygiene run failed, then /wa status and App Home count only the real failure and say the run failed', async () => {
    const repos = t.app.deps.repos;
    const reply = (contactWaId: string, ts: string) =>
      repos.messages.recordOutbound({ contactWaId, body: `reply ${ts}`, purpose: 'reply', at: time.clock(), state: 'pending', slack: { channel: 'C0INBOX', ts } });
    await reply('447911123456@c.us', '1700000001.000100');
    await reply('447911123456@c.us', '1700000002.000100');
    // A real failure: WhatsApp refused the send.
    await reply('447700900099@c.us', '1700000003.000100');
    const claim = (await repos.messages.claimHead('outbound', '447700900099@c.us', time.clock(), 60_000))!;
    expect(await repos.messages.markFailed(claim.message.id, 'WhatsApp refused it', claim.message.delivery.claimToken!)).toBe(true);
    // One cancelled with the Cancel button, one deleted in Slack: both withdrawn, neither a failure.
    await repos.messages.cancelPendingForSlack('C0INBOX', '1700000001.000100', 'cancelled by the agent before it was sent');
    await repos.messages.cancelPendingForSlack('C0INBOX', '1700000002.000100', 'deleted in Slack before it was sent');
    const okAt = new Date(time.clock().getTime() - 86_400_000);
    await repos.jobRuns.record({ job: 'flag-inactive', trigger: 'schedule', startedAt: okAt, finishedAt: okAt, durationMs: 5, counts: { flagged: 0 }, outcome: 'ok' });
    const failedAt = time.clock();
    await repos.jobRuns.record({ job: 'flag-inactive', trigger: 'schedule', startedAt: failedAt, finishedAt: failedAt, durationMs: 5, counts: {}, outcome: 'failed', error: 'store timed out' });

    await postSlashCommand(t.baseUrl, SIGNING_SECRET, { text: 'status', response_url: slack.responseUrl('status-failed') });
    const text = String((await slack.waitForResponse((p) => p.id === 'status-failed')).body.text);
    expect(text).toContain('*Slack → WhatsApp:* 1 waiting · 1 failed · 0 refused by consent');
    const hygieneLine = text.split('\n').find((l) => l.startsWith('*Last hygiene run:*'))!;
    expect(hygieneLine).toContain(':warning: failed');
    expect(hygieneLine).toContain('store timed out');
    expect(hygieneLine).toContain(failedAt.toISOString());
    expect(hygieneLine).toContain(`last successful ${'<!date^'}${Math.floor(okAt.getTime() / 1000)}`);

    await homeOpened();
    const home = JSON.stringify((await slack.waitFor('views.publish')).args.view);
    expect(home).toContain('*Slack → WhatsApp*\\n1 waiting · 1 failed · 0 refused by consent');
    expect(home).toContain('*Last hygiene run*\\n:warning: failed');
    expect(home).toContain('store timed out');
  });

  it('when /wa status is asked, then it gives the same figures', async () => {
    await postSlashCommand(t.baseUrl, SIGNING_SECRET, { text: 'status', response_url: slack.responseUrl('status') });
    const text = String((await slack.waitForResponse((p) => p.id === 'status')).body.text);
    expect(text).toContain('*Consent:* 0 opted in · 0 pending · 1 opted out · 1 not asked');
    expect(text).toContain('*WhatsApp → Slack:* 0 waiting · 0 failed');
    expect(text).toContain('*Slack → WhatsApp:* 1 waiting · 0 failed · 0 refused by consent');
  });
});
