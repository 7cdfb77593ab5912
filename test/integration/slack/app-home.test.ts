import { SIGNING_SECRET, startTestApp, type TestApp } from '../../support/app-harness';
import { manualClock, receiveAndMirror } from '../../support/bridge-helpers';
import { useFakeSlackApi } from '../../support/slack/fake-slack-api';
import { blockActionPayload } from '../../support/slack/payloads';
import { postEvent, postInteraction, postSlashCommand } from '../../support/slack/signed-request';

/** App Home and /wa status show the same overview: WhatsApp, queues, consent totals, hygiene. */
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

  it('when /wa status is asked, then it gives the same figures', async () => {
    await postSlashCommand(t.baseUrl, SIGNING_SECRET, { text: 'status', response_url: slack.responseUrl('status') });
    const text = String((await slack.waitForResponse((p) => p.id === 'status')).body.text);
    expect(text).toContain('*Consent:* 0 opted in · 0 pending · 1 opted out · 1 not asked');
    expect(text).toContain('*WhatsApp → Slack:* 0 waiting · 0 failed');
    expect(text).toContain('*Slack → WhatsApp:* 1 waiting · 0 failed · 0 refused by consent');
  });
});
